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

using Command = std::variant<GoTo, OpenSite, SetSiteFilter, OpenVisit, OpenDraft, NewVisit, EditField, SaveVisit,
                             CloseEditor, SetVisitFilter, OpenHistory, OpenProject, OpenPractice,
                             SetLibrarySearch, ResolveConflict, SyncNow, Login, SetLanguage, SetTextScale,
                             SetTheme, DismissMessage>;

// Where views put their commands during a frame.
using Commands = std::vector<Command>;

}  // namespace ccfield::app
