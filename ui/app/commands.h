#pragma once
// What views ask for. A view never changes state itself: it appends commands
// while drawing, and the App applies them after the frame (STYLE.md: changes
// are queued while iterating). Tests read the same commands.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/screens.h"
#include "ccfield/core/photo_store.h"
#include "ccfield/core/records.h"

namespace ccfield::app {

struct GoTo { Screen screen; };
struct OpenSite { std::string site_id; };
struct SetSiteFilter { std::string text; };
struct OpenVisit { std::string visit_id; };
struct OpenDraft { std::string key; };
struct NewVisit { std::string site_id; std::string form_key; };
// Editor: set a visit field ("notes", "follow_up_due") or an answer ("answers.depth_cm"); null clears.
struct EditField { std::string field; nlohmann::json value; };
// Editor: save the visit; `complete` also marks it finished (required answers checked).
struct SaveVisit { bool complete = false; };
struct CloseEditor { bool discard = false; };  // discard drops the unsaved draft
struct SetVisitFilter { VisitFilterState filter; };
struct OpenHistory { std::string record_id; };
struct OpenProject { std::string project_id; };
struct OpenPractice { std::string practice_id; };
struct SetLibrarySearch { std::string text; };
// Resolve a conflict by writing `value` (one side, the base, or merged text).
struct ResolveConflict { std::string conflict_id; nlohmann::json value; };
struct SyncNow {};
struct Login { std::string server_url, username, password; };
struct SetLanguage { std::string code; };
struct SetTextScale { float scale = 1.0f; };
struct SetTheme { Theme theme; };
struct DismissMessage {};

// ---- Sites (sites.cpp) ----
struct NewSite {};                         // opens the site form for a new site
struct EditSite { std::string site_id; };  // opens the site form on a site
// A site-form field as typed: "name", "kind", "ward", "address", "lat", "lon", "workspace_id".
struct EditSiteField { std::string field; std::string value; };
struct UseLastVisitPosition {};
// Saves the form; unless `as_new`, near-duplicates are asked about first ("Is it one of these?").
struct SaveSite { bool as_new = false; };
struct UseSimilarSite { std::string site_id; };  // "Use this site": the existing one instead
struct CancelSiteForm {};
struct DeleteSite { std::string site_id; };  // the view asked for confirmation
struct RestoreSite { std::string site_id; };
// ---- The new-visit flow from Home ----
struct StartNewVisit {};
struct SetNewVisitSearch { std::string text; };
struct PickVisitSite { std::string site_id; };  // then a form is picked (NewVisit / NewVisitAtNewPlace)
struct NewPlaceForVisit {};                     // "A place not in the list": the site form, for the visit
struct NewVisitAtNewPlace { std::string form_key; };  // the place is created with the visit's first save
struct CancelNewVisit {};
// Shows the Visits screen with only the visits in `state` (RecordStateName; "" = all).
struct ShowVisitsInState { std::string state; };
// ---- Refused records: the ways out ----
struct RetryRefusedRecord { RecordType type; std::string id; };  // "Send again"
struct MoveRefusedRecord { RecordType type; std::string id; std::string workspace_id; };
struct DiscardRefusedRecord { RecordType type; std::string id; };  // the view asked for confirmation
struct EditRefusedRecord { RecordType type; std::string id; };     // opens the visit or the site form
// ---- Demo data and signing out ----
struct RemoveDemoData {};
struct KeepDemoData {};
struct SignOut {};
// ---- Photos (photos.cpp) ----
// Attaches files to the visit or site whose photos show (PhotosState): picked
// or dropped on the window. Each file that is not a usable photo is named in
// the message; the others are attached.
struct AttachPhotos { std::vector<std::string> paths; };
struct DeletePhoto { std::string photo_id; };
struct RestorePhoto { std::string photo_id; };
struct SetPhotoCaption { std::string photo_id; std::string caption; };
struct DownloadPhoto { std::string photo_id; };  // "tap to download": the photo itself, not just its thumbnail
struct SendPhotoNow { std::string photo_id; };   // whatever the data rule says
struct ExportPhotoFile { std::string photo_id; std::string dir; };  // dir "" = ~/Pictures/ccfield
struct SavePhotoSettings { PhotoSettings settings; };
// The in-app picker: open, go to a folder ("" = the places), pick, attach.
struct OpenPhotoPicker {};
struct PickerOpenFolder { std::string path; };
struct PickerToggle { std::string path; };
struct PickerAttach {};
struct ClosePhotoPicker {};
// ---- Positions (issue 13; position.cpp) ----
// "Use my position" in the site form (`for_site`) or the visit editor: waits
// for a fix as accurate as the form asks (default 10 m), then takes it.
struct UseMyPosition { bool for_site = false; };
struct AcceptPosition {};  // "Use this position anyway (± 43 m)"
struct SetPositionAveraging { bool on = false; };  // "Average over 10 s"
struct CancelPosition {};
// ---- The map and its basemaps (issue 13; map.cpp) ----
struct NewSiteAt { double lat = 0, lon = 0; };  // "New site here": the site form with the position filled
struct PickOnMap {};    // the visit editor asks for its position on the map (pick mode)
struct EndMapPick {};   // pick mode ends (Cancel, or after a position was set): back to the editor
// "Set the visit's position here" (source "map"): it goes to the site form
// when that is open, else to the visit in the editor; the screen goes back there.
struct SetPositionFromMap { double lat = 0, lon = 0; };
struct AddMapPack { std::string path; };  // Settings → Basemaps: install an .mbtiles file
struct RemoveMapPack { std::string id; };
// ---- Settings → Basemaps: "Choose a file…" (issue 13; map.cpp) ----
// Opens the file picker on .mbtiles files; picking one adds it (AddMapPack).
struct OpenBasemapPicker {};

using Command = std::variant<GoTo, OpenSite, SetSiteFilter, OpenVisit, OpenDraft, NewVisit, EditField, SaveVisit,
                             CloseEditor, SetVisitFilter, OpenHistory, OpenProject, OpenPractice,
                             SetLibrarySearch, ResolveConflict, SyncNow, Login, SetLanguage, SetTextScale,
                             SetTheme, DismissMessage, NewSite, EditSite, EditSiteField, UseLastVisitPosition,
                             SaveSite, UseSimilarSite, CancelSiteForm, DeleteSite, RestoreSite, StartNewVisit,
                             SetNewVisitSearch, PickVisitSite, NewPlaceForVisit, NewVisitAtNewPlace, CancelNewVisit,
                             ShowVisitsInState, RetryRefusedRecord, MoveRefusedRecord, DiscardRefusedRecord,
                             EditRefusedRecord, RemoveDemoData, KeepDemoData, SignOut, AttachPhotos, DeletePhoto,
                             RestorePhoto, SetPhotoCaption, DownloadPhoto, SendPhotoNow, ExportPhotoFile,
                             SavePhotoSettings, OpenPhotoPicker, PickerOpenFolder, PickerToggle, PickerAttach,
                             ClosePhotoPicker,
                             UseMyPosition, AcceptPosition, SetPositionAveraging, CancelPosition, PickOnMap, SetPositionFromMap,
                             NewSiteAt, EndMapPick, AddMapPack, RemoveMapPack,
                             OpenBasemapPicker>;

// Where views put their commands during a frame.
using Commands = std::vector<Command>;

}  // namespace ccfield::app
