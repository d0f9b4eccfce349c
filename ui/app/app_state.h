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
#include "ccfield/core/replica.h"
#include "ccfield/core/store.h"
#include "ccfield/sync/client.h"

namespace ccfield::app {

struct HomeState {
  std::string workspace_name;
  int64_t sites = 0, visits = 0, projects = 0, practices = 0;
  std::vector<VisitRow> follow_ups;   // open follow-ups, soonest due first
  std::vector<VisitRow> in_progress;  // visits with status draft
  int64_t open_conflicts = 0;
  std::vector<std::pair<std::string, std::string>> unsaved_drafts;  // draft key, title: edits not yet saved
};

struct SiteItem {
  std::string id, name, kind, ward, address;
  bool has_position = false;
  double lat = 0, lon = 0;
  std::string condition;  // latest visit's condition rating, "" when none
};

struct SitesState {
  std::string filter;               // text filter on name, kind, ward
  std::vector<SiteItem> all;        // every site, by name
  std::vector<int> shown;           // indexes into `all` that pass the filter
  std::string selected_id;          // "" when none
  std::vector<VisitRow> selected_visits;  // the selected site's visit history
  std::vector<std::pair<std::string, std::string>> form_choices;  // form key, title (for "New visit")
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
};

struct ConflictItem {
  ConflictInfo info;
  std::string record_title;
  std::string field_label;
  bool is_text = false;  // long text: offer a merged edit
  std::string base_text, current_text, other_text;  // values as people read them
};

struct ConflictsState {
  std::vector<ConflictItem> open;
};

struct SyncScreenState {
  sync::SyncStatus status;
  std::string sentence;  // plain words
  std::vector<std::pair<ChangeEntry, std::string>> rejected;  // change, reason
  std::string last_result;  // what the last sync did, plain words
  bool running = false;
};

struct SettingsState {
  std::string server_url, username;
  std::string language = "en";
  float text_scale = 1.0f;
  Theme theme = Theme::kLight;
  std::string login_message;
  bool login_running = false;
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
  std::string message;  // a notice for the person (error or success), "" when none
  bool message_is_error = false;
  // Bumped whenever any state above changes: views cache derived text on it.
  uint64_t generation = 0;
};

}  // namespace ccfield::app
