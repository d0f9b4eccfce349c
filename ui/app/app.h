#pragma once
// The app behind the window: owns the store and the sync client, applies the
// views' commands, and keeps AppState up to date. UI-free: tests drive it
// directly, and the ImGui views only read state() and emit commands.
//
// Threads: everything here runs on the main thread, except the sync client's
// thread and the login thread, which post their results to the MainQueue.
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include "app/app_state.h"
#include "app/commands.h"
#include "app/main_queue.h"
#include "app/map.h"
#include "app/photos.h"
#include "app/ui_settings.h"
#include "ccfield/core/geo.h"
#include "ccfield/core/position_taker.h"
#include "ccfield/core/status.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/camera.h"
#include "ccfield/platform/env.h"
#include "ccfield/platform/location.h"
#include "ccfield/sync/client.h"

namespace ccfield::app {

struct AppOptions {
  Env* env = nullptr;      // not owned
  std::string data_dir;    // holds ccfield.db and ui-settings.json
  std::function<void()> wake;  // wakes the event loop from another thread
  bool load_demo_on_first_start = true;
  bool background_sync = true;  // start the sync thread (tests may turn it off)
  sync::SyncClientOptions sync_options;
  std::string home_dir;  // the person's home folder (the photo picker's places, exports); "" = $HOME
  std::shared_ptr<Camera> camera;  // the device's camera seam; null = NewDesktopCamera() (none)
  // Issue 13: where the device is (gpsd in the window, a FakeLocation in
  // tests); null = NewUnavailableLocation. The App starts it and stops it.
  std::shared_ptr<Location> location;
};

// A draft is written this long after the first unsaved edit (issue: <= 2 s).
inline constexpr int64_t kDraftDelayMs = 1000;

class App {
 public:
  static Result<std::unique_ptr<App>> Open(AppOptions options);
  ~App();  // saves a pending draft, stops sync

  const AppState& state() const { return state_; }
  const UiSettings& settings() const { return settings_; }
  Store* store() { return store_.get(); }
  // Decodes photos for the window (never null once open).
  PhotoImages* photo_images() { return images_.get(); }
  // The basemap packs and their tile loader (never null once open).
  MapTiles* map_tiles() { return map_tiles_.get(); }

  // Applies the commands a frame produced, in order.
  void Apply(const Commands& commands);
  void Apply(const Command& command);
  // Runs posted background results and a due draft save. Returns true when
  // something changed (the loop should draw).
  bool Tick();
  // Milliseconds until Tick has work without any input (a draft save, the
  // search index after a quiet moment), or -1.
  int64_t MillisUntilDue() const;
  // Writes the pending draft now (before exit).
  void FlushDraft();

 private:
  App() = default;
  Status Init(AppOptions options);

  // refresh.cpp: rebuild a screen's state from the store.
  void RefreshHome();
  // Issue 13 (languages), form_languages.cpp: the language list form texts
  // are picked with (PickLabel): the UI language, then the workspace's
  // default language. FormLanguages: for lists that mix workspaces, the
  // language all the device's workspaces agree on; EditorFormLanguages: the
  // open visit's own workspace. RefreshFormLanguages updates the state's.
  std::string FormLanguages() const;
  std::string EditorFormLanguages(const EditorState& e) const;
  void RefreshFormLanguages();
  void RefreshSites();
  void RefreshVisits();
  void RefreshLibrary();
  void RefreshConflicts();  // history.cpp
  void RefreshHistory();    // history.cpp
  void RefreshSync();
  void RefreshSettings();
  void RefreshScreen(Screen screen);
  void RefreshAfterDataChange();  // the current screen and home
  void SelectSite(const std::string& site_id);

  // editor.cpp
  void OpenVisitEditor(const std::string& visit_id);
  void NewVisitEditor(const std::string& site_id, const std::string& form_key);
  void EditVisitField(const std::string& field, const nlohmann::json& value);
  void SaveVisitEditor(bool complete);
  void CloseVisitEditor(bool discard);
  void SaveDraftNow();
  void RestoreDrafts();
  void ListDrafts();
  void OpenDraftEditor(const std::string& key);
  std::string DraftKey() const;

  // actions.cpp
  void GoToScreen(Screen screen);
  void Resolve(const std::string& conflict_id, const nlohmann::json& value);
  void StartSync();
  void StartLogin(const Login& login);
  void OnSyncFinished(const sync::SyncOutcome& outcome);
  void ShowMessage(std::string text, bool error);

  // sites.cpp (the site form), new_visit.cpp, refused.cpp, account.cpp (demo
  // data, sign-out); RefreshEditorStatus is in editor.cpp.
  void Handle(const NewSite&);
  void Handle(const EditSite&);
  void Handle(const EditSiteField&);
  void Handle(const UseLastVisitPosition&);
  void Handle(const SaveSite&);
  void Handle(const UseSimilarSite&);
  void Handle(const CancelSiteForm&);
  void Handle(const DeleteSite&);
  void Handle(const RestoreSite&);
  void Handle(const StartNewVisit&);
  void Handle(const SetNewVisitSearch&);
  void Handle(const PickVisitSite&);
  void Handle(const NewPlaceForVisit&);
  void Handle(const NewVisitAtNewPlace&);
  void Handle(const CancelNewVisit&);
  void Handle(const ShowVisitsInState&);
  void Handle(const RetryRefusedRecord&);
  void Handle(const MoveRefusedRecord&);
  void Handle(const DiscardRefusedRecord&);
  void Handle(const EditRefusedRecord&);
  void Handle(const RemoveDemoData&);
  void Handle(const KeepDemoData&);
  void Handle(const SignOut&);
  // photos.cpp: attach, delete/restore, caption, download, send now, export,
  // settings; photos_picker.cpp: the in-app file picker.
  void Handle(const AttachPhotos&);
  void Handle(const DeletePhoto&);
  void Handle(const RestorePhoto&);
  void Handle(const SetPhotoCaption&);
  void Handle(const DownloadPhoto&);
  void Handle(const SendPhotoNow&);
  void Handle(const ExportPhotoFile&);
  void Handle(const SavePhotoSettings&);
  void Handle(const OpenPhotoPicker&);
  void Handle(const PickerOpenFolder&);
  void Handle(const PickerToggle&);
  void Handle(const PickerAttach&);
  void Handle(const ClosePhotoPicker&);
  // ---- Positions (issue 13; position.cpp) ----
  void Handle(const UseMyPosition&);
  void Handle(const AcceptPosition&);
  void Handle(const SetPositionAveraging&);
  void Handle(const CancelPosition&);
  void Handle(const SetPositionFromMap&);
  void StartLocation();
  void StopLocation();
  // Reads the Location: the own position, and the taker's feed. True when
  // what the screen shows changed.
  bool UpdatePosition();
  void ApplyTakenPosition(const TakenPosition& p);
  void RefreshPositionLive(int64_t now_ms);
  void UpdateSitePositionWarnings(double accuracy_m, int64_t fix_age_ms);
  // map.cpp (issue 13): the map's commands and Settings → Basemaps.
  void Handle(const NewSiteAt&);
  void Handle(const PickOnMap&);
  void Handle(const EndMapPick&);
  void Handle(const AddMapPack&);
  void Handle(const RemoveMapPack&);
  void RefreshMapPacks();  // state_.map.packs from the installed packs; restarts the tile loader
  // ---- Settings → Basemaps' file picker (issue 13; map.cpp, photos_picker.cpp) ----
  void Handle(const OpenBasemapPicker&);
  // Opens the file picker for `purpose` (its places and the files it shows).
  void OpenFilePicker(FilePickerState::Purpose purpose);
  // A file picked in the basemap picker: added as a pack; the picker closes,
  // or stays open with the reason when the file cannot be used.
  void PickBasemapFile(const std::string& path);
  // The photos of the visit open in the editor, or of the site shown on Sites.
  void RefreshPhotos();
  void RefreshPhotoData();  // settings, data use, waiting transfers
  bool CommitPhoto(const Op& op, const std::string& done);
  std::string HomeDir() const;
  void OpenSiteForm(const std::string& site_id, bool for_visit);
  void RefreshNewVisitChoices();
  void RefreshRefused();
  void RefreshEditorStatus();
  void AfterLogin();
  std::vector<std::pair<std::string, std::string>> FormChoices();  // form key, title: newest version of each
  std::optional<LatLon> LastVisitPosition(const std::string& site_id);
  // Workspaces a new site may go to: the real ones, or the demo ones when there is no other.
  std::vector<std::pair<std::string, std::string>> SiteWorkspaces();
  void Changed() { ++state_.generation; }

  AppOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<sync::SyncClient> sync_;
  std::unique_ptr<MainQueue> queue_;
  std::thread login_thread_;
  UiSettings settings_;
  AppState state_;
  int64_t draft_due_ms_ = 0;  // monotonic ms when the draft must be written; 0 = none pending
  // Saves and syncs queue their records for the search index (schema 12);
  // the window indexes the queue in small steps once nothing has happened
  // for a moment, so the next search does not wait for it. 0 = nothing due.
  int64_t search_index_due_ms_ = 0;
  int64_t search_index_left_ = std::numeric_limits<int64_t>::max();  // queued after the last step
  void IndexSearchSoon();
  void IndexSearchStep(int64_t now_ms);
  int64_t MillisUntilDueExceptSearch(int64_t now) const;
  Screen editor_return_ = Screen::kVisits;  // where closing the editor goes
  // Counting the change log can take 100+ ms on a big store: at start-up it
  // runs after the first frame, not before it.
  bool defer_sync_refresh_ = false;
  bool sync_refresh_pending_ = false;
  std::thread logout_thread_;
  nlohmann::json pending_site_fields_;  // the new-visit flow's typed place, until a form is picked
  std::unique_ptr<PhotoImages> images_;
  std::unique_ptr<MapTiles> map_tiles_;  // issue 13: the basemaps
  int64_t photos_refreshed_ms_ = 0;  // while a sync runs, the strip's progress is read again every 500 ms
  // Issue 13 (position.cpp): "Use my position" and the Location's reports.
  PositionTaker taker_;
  uint64_t location_reports_ = 0;      // the Location's report counter last read
  bool setting_position_ = false;      // the App, not the person, is writing the visit's position
  std::string position_live_shown_;    // the live line last shown: redraw only when it changes
};

// Issue 13 (position.cpp): the warnings of a position besides its distance
// to the site (a poor accuracy, an old fix), in the person's words. A
// negative accuracy or age is unknown and warns of nothing.
std::vector<std::string> PositionWarningTexts(double accuracy_m, int64_t fix_age_ms);

}  // namespace ccfield::app
