#pragma once
// Everything the views read: one struct per screen, rebuilt by the App from
// the store when data changes (not every frame). No ImGui, SDL or SQLite here.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/screens.h"
#include "ccfield/core/change.h"
#include "ccfield/core/forms.h"
#include "ccfield/core/photo_store.h"
#include "ccfield/core/replica.h"
#include "ccfield/core/store.h"
#include "ccfield/maps/mbtiles.h"
#include "ccfield/sync/client.h"

namespace ccfield::app {

struct HomeState {
  std::string workspace_name;
  int64_t sites = 0, visits = 0, projects = 0, practices = 0;
  std::vector<VisitRow> follow_ups;   // open follow-ups, soonest due first
  std::vector<VisitRow> in_progress;  // visits with status draft
  int64_t open_conflicts = 0;
  std::vector<std::pair<std::string, std::string>> unsaved_drafts;  // draft key, title: edits not yet saved
  // Issue 9 (sites.cpp, refresh.cpp): what Home shows ODK-Collect-style.
  struct Workspace {
    std::string name;
    bool demo = false;
  };
  std::vector<Workspace> workspaces;  // the workspaces the counts cover (up to three), demo ones marked
  RecordStateCounts visit_states;     // live visits per state (CountRecordStates)
  int64_t refused_sites = 0;          // sites the server refused
  std::string refused_sentence;       // "Visits the server refused: 3 — see why"; "" when none
  std::string today;                  // local date YYYY-MM-DD: follow-ups due before it are overdue
  std::string workspace_language;     // issue 13: the default language all workspaces here share, "" if none/differ
};

struct SiteItem {
  std::string id, name, kind, ward, address;
  bool has_position = false;
  double lat = 0, lon = 0;
  std::string condition;  // latest visit's condition rating, "" when none
  std::string kind_label;  // the kind in the UI language (never the code)
  RecordStatus sync;       // sent, waiting, refused, conflict, demo
  std::string workspace_id;  // issue 13: the map opens on one workspace's sites
};

// The site form (Sites: "New site", "Edit site"; the new-visit flow: "A place
// not in the list"). Values are kept as typed; the App checks them on save.
struct SiteFormState {
  bool open = false;
  bool for_visit = false;   // part of the new-visit flow: saving starts the visit instead of writing the site
  std::string site_id;      // "" for a new site
  std::string name, kind, ward, address, lat, lon, workspace_id;
  std::vector<std::pair<std::string, std::string>> kinds;       // code, label in the UI language
  std::vector<std::pair<std::string, std::string>> workspaces;  // id, name: where a new site may go (>1: a picker)
  bool has_last_position = false;  // the position of the last visit (here, or anywhere when new)
  double last_lat = 0, last_lon = 0;
  std::map<std::string, std::string> errors;  // field -> message
  // "Is it one of these?": near-duplicates found when saving; empty = none or not asked yet.
  struct Similar {
    std::string id, name, kind_label, distance;  // distance "" when unknown
  };
  std::vector<Similar> similar;
  bool asking = false;  // the near-duplicate question is showing
  RecordStatus sync;    // the edited site's state: a refused one can be sent again from the form
  // Issue 13 (position.cpp): where the position came from ("From GPS, ± 6 m";
  // "" when typed) and its warnings (an old fix, a poor accuracy), worded.
  std::string position_note;
  std::vector<std::string> position_warnings;
};

// "New visit" from Home: pick a site (nearest first, then recent), or a place
// not in the list; then a form.
struct NewVisitState {
  bool open = false;
  std::string search;
  struct Choice {
    std::string site_id, name, kind_label, ward, distance;  // distance "" when unknown
    bool recent = false;
    RecordStatus sync;
  };
  std::vector<Choice> choices;  // filtered by `search`, nearest first, then recent, then by name
  bool has_position = false;    // a position (the last visit's) orders the list
  std::string site_id;          // picked site ("" = not yet; kPendingSite = the new place)
  std::string site_name;
  std::vector<std::pair<std::string, std::string>> forms;  // form key, title
};
// NewVisitState::site_id of the place typed into the site form (created with the visit).
inline constexpr const char* kPendingSite = "(new)";

// A record the server refused, with the ways out.
struct RefusedItem {
  RecordType type = RecordType::kVisit;
  std::string id, title, type_label, reason;  // reason in the server's words
  std::string workspace_id;
  std::string site_id;  // a visit's site: a visit moves with its site (a visit stays in its site's workspace)
  std::string site_name;
  bool demo_workspace = false;
};

struct SitesState {
  std::string filter;               // text filter on name, kind, ward
  std::vector<SiteItem> all;        // every site, by name
  std::vector<int> shown;           // indexes into `all` that pass the filter
  std::string selected_id;          // "" when none
  std::vector<VisitRow> selected_visits;  // the selected site's visit history
  std::vector<std::pair<std::string, std::string>> form_choices;  // form key, title (for "New visit")
  std::vector<std::pair<std::string, std::string>> deleted;  // id, name: deleted sites that can be restored
};

struct VisitHit {
  VisitRow row;
  std::string snippet;  // with [ ] around matches
};

// The visit list loads at most this many rows; narrower filters find the rest.
inline constexpr int kMaxVisitRows = 20000;

struct VisitsState {
  VisitFilterState filter;
  std::vector<VisitRow> rows;  // filtered, newest first (when no search)
  std::vector<VisitHit> hits;  // ranked search results (when searching)
  bool searching = false;
  std::string error;
  // Pick lists for the filters: id, label.
  std::vector<std::pair<std::string, std::string>> sites, projects, forms;
};

// One visit being edited. `values` holds the visit's fields as the store has
// them plus unsaved edits; answers under "answers".
struct EditorState {
  bool open = false;
  bool is_new = false;
  std::string visit_id;
  std::string site_name;
  const FormDef* form = nullptr;
  nlohmann::json values = nlohmann::json::object();
  std::map<std::string, std::string> errors;  // field ("answers.x" or "notes") -> message
  std::string message;                          // after save: what happened
  bool dirty = false;                           // edits not yet saved to the record
  bool restored = false;                        // opened from a crash-saved draft
  std::string draft_saved_at;                   // when the draft was last written ("" = not yet)
  std::string last_field;                       // the field edited last: a restored editor scrolls to it
  std::string today;                            // the local date (YYYY-MM-DD) for the date pickers
  bool site_has_position = false;               // the site's own position, for the distance check
  double site_lat = 0, site_lon = 0;
  std::string far_from_site;                    // a warning when the visit's position is far from the site's, else ""
  // Issue 13 (position.cpp): the other warnings of the visit's position (an
  // old fix, a poor accuracy), worded; and how old the GPS fix was when
  // "Use my position" took it (-1: not taken from the GPS in this session).
  std::vector<std::string> position_warnings;
  int64_t fix_age_ms = -1;
  // A place typed in the new-visit flow ("A place not in the list"): the site
  // is created in the same commit as the visit's first save. "" = the site exists.
  std::string new_site_id;
  nlohmann::json new_site = nullptr;            // its fields
  std::string form_languages;                   // issue 13: PickLabel's list for this visit's workspace, "ar:fr"
};

struct LibraryState {
  std::string search;
  std::vector<Record> projects;
  std::vector<Record> practices;          // all, or the search's matches
  std::vector<SearchHit> practice_hits;   // snippets when searching
  std::optional<Record> open_project;
  std::vector<VisitRow> project_visits;
  std::optional<Record> open_practice;
};

struct HistoryState {
  std::string record_id, title;
  RecordType type = RecordType::kVisit;
  std::vector<ChangeEntry> changes;  // oldest first
  std::vector<std::string> field_labels, value_texts;  // per change, as people read them
  std::vector<std::string> who_texts;                  // per change: "Amina · this device"
  std::vector<std::string> clock_notes;                // per change: the server's doubt about its time, or ""
};

struct ConflictItem {
  FieldConflict info;
  std::string record_title;
  std::string field_label;
  bool is_text = false;  // long text: offer a merged edit
  std::string base_text, current_text, other_text;  // values as people read them
  std::string current_who, other_who;  // "on this device", "from Amina's tablet"
};

struct ConflictsState {
  std::vector<ConflictItem> open;    // this person's to resolve (ConflictIsMine)
  std::vector<ConflictItem> others;  // other people's: stored, shown only when opened
};

struct SyncScreenState {
  sync::SyncStatus status;
  std::string sentence;  // plain words
  std::vector<std::pair<ChangeEntry, std::string>> rejected;  // change, reason
  std::string last_result;  // what the last sync did, plain words
  // The reason the last "Sync now" of this window failed (the client's
  // status message), "" after a success: the sentence leaves out a "Sync
  // blocked" that would only repeat it.
  std::string last_failure;
  bool running = false;
  std::vector<RefusedItem> refused;  // records with refused changes, newest first
  std::vector<std::pair<std::string, std::string>> move_targets;  // id, name: real workspaces to move into
};

// ---- Photos (issue 12; photos.cpp) ----
// One photo of the visit or site whose photos show, as its strip and the
// viewer draw it.
struct PhotoItem {
  std::string id, caption, file_name, taken_at;
  std::string thumb, blob;  // blob hashes: the thumbnail, the send copy (may not be here)
  bool have_thumb = false, have_full = false;
  bool deleted = false;
  int width = 0, height = 0;
  PhotoState state = PhotoState::kWaiting;
  std::string state_text;  // "waiting", "42 % sent", "refused: …", "only thumbnail here — tap to download"
  bool refused = false;    // the badge is red
  bool can_download = false;  // only the thumbnail is here: a tap asks for the photo
  bool can_send_now = false;  // waiting (or refused) here: "Send now" pushes it past the data rule
  bool demo = false;          // demo data: kept on this device, never sent
};

// The in-app file browser (photos_picker.cpp): "Add photos…" over the places
// photos usually are, and Settings → Basemaps' "Choose a file…" (issue 13).
struct FilePickerState {
  enum class Purpose { kPhotos, kBasemap };
  bool open = false;
  Purpose purpose = Purpose::kPhotos;   // photos: pick several, then Attach; a basemap: picking one adds it
  std::vector<std::string> extensions;  // the files shown, lower case, without the dot
  std::string dir;  // the folder shown; "" = the list of places
  struct Entry {
    std::string name, path;
    bool folder = false;
  };
  std::vector<Entry> places;   // Pictures, DCIM, Downloads, mounted cards and sticks that exist
  std::vector<Entry> entries;  // the folder's subfolders, then its image files, by name
  std::vector<std::string> selected;  // paths, in the order they were picked
  std::string error;                   // the folder cannot be read, or the picked file cannot be used; ""
};
using PhotoPickerState = FilePickerState;

struct PhotosState {
  RecordType parent_type = RecordType::kVisit;
  std::string parent_id;     // "" when no visit or site is open: photos cannot be attached
  std::vector<PhotoItem> items;  // oldest first; deleted ones after the others, restorable
  std::string blob_dir;      // where the blobs are (for the image loader)
  FilePickerState picker;  // the one file picker (photos and basemaps: one shows at a time)
  std::string camera_note;   // why "Camera" is greyed out ("" when the camera can be used)
};

// Settings' "Photos and data" and the Sync screen's data use.
struct PhotoDataState {
  PhotoSettings settings;
  DataUsage usage;  // this month
  int64_t waiting_up = 0, waiting_down = 0;  // photo transfers waiting
};

struct SettingsState {
  std::string server_url, username;
  std::string language = "en";
  float text_scale = 1.0f;
  Theme theme = Theme::kLight;
  std::string login_message;
  bool login_running = false;
  bool logged_in = false;
  bool offer_demo_removal = false;  // after the first sign-in to a real server while demo data is here
  bool logout_running = false;
};

// ---- Positions (issue 13; position.cpp) ----
// The device's own position, kept current from the Location every frame (the
// map draws it with its accuracy circle).
struct OwnPosition {
  bool has_fix = false;
  double lat = 0, lon = 0, accuracy_m = 0;
  int64_t age_ms = 0;
  int satellites = 0;
};

// "Use my position" in the visit editor or the site form, while it waits.
struct PositionTakingState {
  bool active = false;    // waiting for a fix good enough
  bool for_site = false;  // the site form's position, else the visit's
  bool average = false;   // "Average over 10 s" is on
  double threshold_m = 10;  // the form's accuracy (default 10 m)
  bool available = true;  // a position source is there
  std::string unavailable;  // why not, in plain words ("" when available)
  std::string live;         // "± 43 m · 7 satellites · fix 1 s old", "Waiting for a fix…"
  std::string averaging;    // "Averaging: 6 s left, 4 fixes" ("" when not averaging)
  bool can_accept = false;  // a fix is there: "Use this position anyway (± 43 m)"
  std::string accept_label;
};

// ---- The map (issue 13; map.cpp) ----
// The installed basemap packs (Settings → Basemaps, the map's attribution)
// and the map's pick mode.
struct MapState {
  // In the order they were added (maps::RankPacksForTile picks the pack per tile); damaged ones with their `problem`.
  std::vector<maps::PackInfo> packs;
  std::vector<std::string> pack_errors;  // the packs cannot be listed at all, one sentence each
  std::string pack_message;              // after add/remove: what happened ("" = nothing)
  bool pack_message_is_error = false;
  uint64_t packs_generation = 0;         // bumped when the packs change (the tile textures are dropped)
  bool picking = false;  // the visit editor or the site form asked for a position: the map shows a banner and Cancel
};

struct AppState {
  Screen screen = Screen::kHome;
  HomeState home;
  SitesState sites;
  VisitsState visits;
  EditorState editor;
  LibraryState library;
  HistoryState history;
  ConflictsState conflicts;
  SyncScreenState sync;
  SettingsState settings;
  SiteFormState site_form;
  NewVisitState new_visit;
  PhotosState photos;
  PhotoDataState photo_data;
  OwnPosition own_position;     // issue 13: position.cpp
  PositionTakingState position;  // issue 13: position.cpp
  RecordStatus editor_status;  // the open visit's state, for the editor's badge
  MapState map;                // issue 13: basemaps and the map's pick mode
  std::string message;  // a notice for the person (error or success), "" when none
  bool message_is_error = false;
  // Issue 13 (languages): form texts' language list for PickLabel, "ar:fr" (App::FormLanguages).
  std::string form_languages;
  // Bumped whenever any state above changes: views cache derived text on it.
  uint64_t generation = 0;
};

}  // namespace ccfield::app
