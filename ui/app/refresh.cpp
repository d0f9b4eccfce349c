// Rebuilds screen states from the store. Called when a screen opens and after
// data changes; never per frame.
#include <algorithm>
#include <set>

#include "app/app.h"
#include "app/app_helpers.h"
#include "app/display.h"
#include "ccfield/core/site_kinds.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;
namespace {

bool Contains(const std::string& haystack, const std::string& lowered_needle) {
  return Lower(haystack).find(lowered_needle) != std::string::npos;
}

// "Visits the server refused: 3 — see why." One form fits any number (docs/i18n.md).
std::string RefusedSentence(int64_t visits, int64_t sites) {
  std::string out;
  if (visits > 0) out = ui::Format(tr("Visits the server refused: {n}."), {{"n", std::to_string(visits)}});
  if (sites > 0) {
    if (!out.empty()) out += ' ';
    out += ui::Format(tr("Sites the server refused: {n}."), {{"n", std::to_string(sites)}});
  }
  return out;
}

std::string SiteName(Store* store, const std::string& site_id) {
  Result<Record> site = store->Get(RecordType::kSite, site_id);
  return site.ok() ? site->Title() : site_id;
}

VisitRow RowFromRecord(Store* store, const Record& v) {
  auto text = [&](const char* f) {
    const nlohmann::json& j = v.Get(f);
    return j.is_string() ? j.get<std::string>() : std::string();
  };
  VisitRow r;
  r.id = v.id;
  r.started_at = text("started_at");
  r.status = text("status");
  r.site_id = text("site_id");
  r.site_name = SiteName(store, r.site_id);
  r.project_id = text("project_id");
  r.form = text("form");
  r.condition_rating = text("condition_rating");
  r.follow_up_needed = v.Get("follow_up_needed") == true;
  r.follow_up_priority = text("follow_up_priority");
  r.follow_up_due = text("follow_up_due");
  std::string notes = text("notes");
  r.notes_head = notes.substr(0, notes.find('\n')).substr(0, 100);
  return r;
}

std::optional<RecordState> ParseState(const std::string& name) {
  for (RecordState s : {RecordState::kSent, RecordState::kWaiting, RecordState::kDraft, RecordState::kConflict,
                        RecordState::kRefused, RecordState::kDemo}) {
    if (name == RecordStateName(s)) return s;
  }
  return std::nullopt;
}

bool Matches(const VisitFilterState& f, const VisitRow& r) {
  if (!f.state.empty() && RecordStateName(r.sync.state) != f.state) return false;
  if (!f.site_id.empty() && r.site_id != f.site_id) return false;
  if (!f.project_id.empty() && r.project_id != f.project_id) return false;
  if (!f.form_id.empty() && r.form.rfind(f.form_id + "@", 0) != 0) return false;
  std::string day = r.started_at.substr(0, 10);
  if (!f.from_date.empty() && day < f.from_date) return false;
  if (!f.to_date.empty() && day > f.to_date) return false;
  if (!f.priority.empty() && !(r.follow_up_needed && r.follow_up_priority == f.priority)) return false;
  return true;
}

}  // namespace

void App::RefreshScreen(Screen screen) {
  switch (screen) {
    case Screen::kHome: RefreshHome(); break;
    case Screen::kSites: RefreshSites(); break;
    case Screen::kVisits: RefreshVisits(); break;
    case Screen::kLibrary: RefreshLibrary(); break;
    case Screen::kConflicts: RefreshConflicts(); break;
    case Screen::kSync: RefreshSync(); break;
    case Screen::kSettings: RefreshSettings(); break;
    case Screen::kHistory: RefreshHistory(); break;  // history.cpp
    case Screen::kEditor: break;  // the editor holds its own edits
  }
}

void App::RefreshAfterDataChange() {
  RefreshHome();
  if (state_.screen != Screen::kHome && state_.screen != Screen::kEditor) RefreshScreen(state_.screen);
  if (!state_.sites.all.empty() && state_.screen != Screen::kSites) RefreshSites();  // RefreshHome did the sync line
}

void App::RefreshHome() {
  HomeState& h = state_.home;
  auto ws = ListLive(store_.get(), RecordType::kWorkspace, 3);
  // Counts below cover every workspace on the device: name them all (up to three).
  h.workspace_name.clear();
  h.workspaces.clear();
  const std::set<std::string> demo = DemoWorkspaces(store_.get());
  for (const Record& w : std::move(ws).value_or({})) {
    h.workspace_name += (h.workspace_name.empty() ? "" : " · ") + w.Title();
    h.workspaces.push_back({w.Title(), demo.count(w.id) > 0});
  }
  RefreshFormLanguages();
  // The counts per state are refreshed with the sync line (RefreshSync, below).
  h.today = FormatLocalWithOffset(options_.env->WallMillis()).substr(0, 10);
  h.sites = store_->Count(RecordType::kSite).value_or(0);
  h.visits = store_->Count(RecordType::kVisit).value_or(0);
  h.projects = store_->Count(RecordType::kProject).value_or(0);
  h.practices = store_->Count(RecordType::kPractice).value_or(0);
  h.follow_ups.clear();
  h.in_progress.clear();
  if (auto att = store_->screens().Attention(20); att.ok()) {
    for (const Record& v : att->follow_ups) h.follow_ups.push_back(RowFromRecord(store_.get(), v));
    for (const Record& v : att->drafts) h.in_progress.push_back(RowFromRecord(store_.get(), v));
    for (auto* list : {&h.follow_ups, &h.in_progress}) {
      for (VisitRow& r : *list) r.sync = store_->screens().RecordStateOf(RecordType::kVisit, r.id).value_or(RecordStatus{});
    }
    // Overdue follow-ups (due before today) first; each part keeps its order.
    std::stable_partition(h.follow_ups.begin(), h.follow_ups.end(), [&](const VisitRow& r) {
      return !r.follow_up_due.empty() && r.follow_up_due < h.today;
    });
  } else {
    ShowMessage(ui::StatusText(att.status()), true);
  }
  auto conflicts = store_->replica().Conflicts(true);
  h.open_conflicts = 0;
  if (conflicts.ok()) {
    // Others' conflicts stay stored but are not this person's to resolve (ConflictIsMine).
    for (const FieldConflict& c : *conflicts) h.open_conflicts += c.resolving_locally || !c.mine ? 0 : 1;
  }
  if (defer_sync_refresh_) {
    sync_refresh_pending_ = true;
  } else {
    RefreshSync();
  }
}

void App::RefreshSites() {
  SitesState& s = state_.sites;
  auto sites = ListLive(store_.get(), RecordType::kSite, 100000);
  if (!sites.ok()) return ShowMessage(ui::StatusText(sites.status()), true);
  auto conditions = store_->screens().LatestSiteConditions().value_or({});
  auto site_states = store_->screens().RecordStates(RecordType::kSite).value_or({});
  std::map<std::string, std::string> cond(conditions.begin(), conditions.end());
  s.all.clear();
  for (const Record& r : *sites) {
    SiteItem item;
    item.id = r.id;
    item.name = r.Title();
    auto text = [&](const char* f) { return r.Get(f).is_string() ? r.Get(f).get<std::string>() : std::string(); };
    item.kind = text("kind");
    item.kind_label = SiteKindLabel(item.kind, FormLanguages());
    if (auto st = site_states.find(r.id); st != site_states.end()) item.sync = st->second;
    item.ward = text("ward");
    item.address = text("address");
    item.workspace_id = text("workspace_id");  // issue 13: the map's extent
    item.has_position = r.Get("lat").is_number() && r.Get("lon").is_number();
    if (item.has_position) {
      item.lat = r.Get("lat").get<double>();
      item.lon = r.Get("lon").get<double>();
    }
    auto c = cond.find(r.id);
    if (c != cond.end()) item.condition = c->second;
    s.all.push_back(std::move(item));
  }
  s.shown.clear();
  std::string needle = Lower(s.filter);
  for (size_t i = 0; i < s.all.size(); ++i) {
    const SiteItem& it = s.all[i];
    if (needle.empty() || Contains(it.name, needle) || Contains(it.kind_label, needle) || Contains(it.ward, needle) ||
        Contains(it.address, needle)) {
      s.shown.push_back(static_cast<int>(i));
    }
  }
  s.form_choices = FormChoices();
  s.deleted.clear();
  ListQuery dq;
  dq.type = RecordType::kSite;
  dq.only_deleted = true;
  dq.limit = 50;
  for (const Record& r : store_->List(dq).value_or({})) s.deleted.emplace_back(r.id, r.Title());
  if (!s.selected_id.empty()) SelectSite(s.selected_id);
}

void App::SelectSite(const std::string& site_id) {
  SitesState& s = state_.sites;
  s.selected_id = site_id;
  VisitFilter f;
  f.site_id = site_id;
  f.limit = 500;
  s.selected_visits = store_->screens().VisitRows(f).value_or({});
}

void App::RefreshVisits() {
  VisitsState& v = state_.visits;
  const VisitFilterState& f = v.filter;
  v.error.clear();
  v.hits.clear();
  v.searching = !f.search.empty();
  if (v.searching) {
    SearchQuery q;
    q.text = f.search;
    q.type = RecordType::kVisit;
    q.limit = 300;
    auto hits = store_->search().Find(q);
    if (!hits.ok()) {
      v.error = ui::StatusText(hits.status());
    } else {
      for (const SearchHit& hit : *hits) {
        Result<Record> rec = store_->Get(RecordType::kVisit, hit.id);
        if (!rec.ok() || rec->deleted) continue;
        VisitHit vh{RowFromRecord(store_.get(), *rec), hit.snippet};
        vh.row.sync = store_->screens().RecordStateOf(RecordType::kVisit, vh.row.id).value_or(RecordStatus{});
        if (Matches(f, vh.row)) v.hits.push_back(std::move(vh));
      }
    }
  } else {
    VisitFilter q;
    if (!f.site_id.empty()) q.site_id = f.site_id;
    if (!f.project_id.empty()) q.project_id = f.project_id;
    if (!f.form_id.empty()) q.form_id = f.form_id;
    if (!f.from_date.empty()) q.from_date = f.from_date;
    if (!f.to_date.empty()) q.to_date = f.to_date;
    if (!f.priority.empty()) q.follow_up_priority = f.priority;
    q.state = ParseState(f.state);
    q.limit = kMaxVisitRows;
    auto rows = store_->screens().VisitRows(q);
    if (rows.ok()) {
      v.rows = std::move(*rows);
    } else {
      v.error = ui::StatusText(rows.status());
    }
  }
  // Pick lists for the filter combos.
  v.sites.clear();
  v.projects.clear();
  v.forms.clear();
  for (RecordType t : {RecordType::kSite, RecordType::kProject}) {
    for (const Record& r : ListLive(store_.get(), t, 5000).value_or({})) {
      (t == RecordType::kSite ? v.sites : v.projects).emplace_back(r.id, r.Title());
    }
  }
  std::set<std::string> seen;
  for (const FormDef& form : store_->forms()) {
    if (seen.insert(form.id).second) v.forms.emplace_back(form.id, PickLabel(form.title, FormLanguages()));
  }
}

void App::RefreshLibrary() {
  LibraryState& l = state_.library;
  l.projects = ListLive(store_.get(), RecordType::kProject, 5000).value_or({});
  l.practice_hits.clear();
  if (l.search.empty()) {
    l.practices = ListLive(store_.get(), RecordType::kPractice, 5000).value_or({});
  } else {
    l.practices.clear();
    SearchQuery sq;
    sq.text = l.search;
    sq.type = RecordType::kPractice;
    sq.limit = 200;
    for (const SearchHit& hit : store_->search().Find(sq).value_or({})) {
      Result<Record> r = store_->Get(RecordType::kPractice, hit.id);
      if (!r.ok() || r->deleted) continue;
      l.practices.push_back(*r);
      l.practice_hits.push_back(hit);
    }
  }
}

void App::RefreshSync() {
  SyncScreenState& s = state_.sync;
  auto status = sync::ReadSyncStatus(store_.get());
  if (status.ok()) s.status = *status;
  sync::SyncStatus live = sync_->Status();
  s.running = live.running;
  s.status.running = live.running;
  s.status.background = live.background;
  s.status.next_retry_ms = live.next_retry_ms;
  s.status.failures = live.failures;
  // Refused is never shown as sent: the refusal comes first, and "Everything
  // is sent." becomes "Nothing else is waiting." (display.cpp says the rest).
  // Home's counts per state come with the sync line: both read the unsent
  // part of the change log, once (it can take a while on a big unsent store).
  HomeState& h = state_.home;
  h.visit_states = store_->screens().CountRecordStates(RecordType::kVisit).value_or({});
  h.refused_sites = store_->screens().CountRecordStates(RecordType::kSite).value_or({}).refused;
  h.refused_sentence = RefusedSentence(h.visit_states.refused, h.refused_sites);
  const int64_t refused_visits = h.visit_states.refused, refused_sites = h.refused_sites;
  // The result line under "Sync now" already says why the last sync failed.
  sync::SyncStatus said = s.status;
  if (!s.last_failure.empty() && said.blocked_by == s.last_failure) said.blocked_by.clear();
  if (refused_visits + refused_sites > 0 && s.status.logged_in) {
    sync::SyncStatus rest = said;
    rest.rejected = 0;
    std::string sentence = SyncSentence(rest);
    const std::string all_sent = tr("Everything is sent.");
    if (size_t at = sentence.find(all_sent); at != std::string::npos) {
      sentence.replace(at, all_sent.size(), tr("Nothing else is waiting to be sent."));
    }
    s.sentence = RefusedSentence(refused_visits, refused_sites) + " " + sentence;
  } else {
    s.sentence = SyncSentence(said);
  }
  RefreshRefused();
  if (state_.editor.open) RefreshEditorStatus();  // a sync moves the open visit from waiting to sent
  s.rejected = store_->replica().ChangesInState(ChangeState::kRejected, 50).value_or({});
}

void App::RefreshSettings() {
  SettingsState& s = state_.settings;
  auto sync = store_->replica().GetSyncSettings();
  if (sync.ok()) {
    s.server_url = sync->server_url;
    s.username = sync->username;
    s.logged_in = !sync->token.empty();
  }
  s.language = settings_.language;
  s.text_scale = settings_.text_scale;
  s.theme = settings_.theme;
}

}  // namespace ccfield::app
