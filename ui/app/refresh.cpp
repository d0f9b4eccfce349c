// Rebuilds screen states from the store. Called when a screen opens and after
// data changes; never per frame.
#include <algorithm>
#include <set>

#include "app/app.h"
#include "app/display.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Contains(const std::string& haystack, const std::string& lowered_needle) {
  return Lower(haystack).find(lowered_needle) != std::string::npos;
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

bool Matches(const VisitFilterState& f, const VisitRow& r) {
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
    case Screen::kHistory: {
      HistoryState& h = state_.history;
      Result<Record> r = store_->FindAny(h.record_id);
      if (r.ok()) {
        h.title = r->Title();
        h.type = r->type;
      }
      h.changes = store_->History(h.record_id).value_or({});
      h.field_labels.clear();
      h.value_texts.clear();
      const Record* rec = r.ok() ? &*r : nullptr;
      for (const ChangeEntry& c : h.changes) {
        h.field_labels.push_back(FieldLabel(store_.get(), rec, c.field, settings_.language));
        h.value_texts.push_back(c.field == kDeletedField ? (c.value == true ? tr("deleted") : tr("restored"))
                                                         : ValueText(store_.get(), rec, c.field, c.value, settings_.language));
      }
      break;
    }
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
  ListQuery wq;
  wq.type = RecordType::kWorkspace;
  wq.limit = 3;
  auto ws = store_->List(wq);
  // Counts below cover every workspace on the device: name them all (up to three).
  h.workspace_name.clear();
  for (const Record& w : std::move(ws).value_or({})) h.workspace_name += (h.workspace_name.empty() ? "" : " · ") + w.Title();
  h.sites = store_->Count(RecordType::kSite).value_or(0);
  h.visits = store_->Count(RecordType::kVisit).value_or(0);
  h.projects = store_->Count(RecordType::kProject).value_or(0);
  h.practices = store_->Count(RecordType::kPractice).value_or(0);
  h.follow_ups.clear();
  h.in_progress.clear();
  if (auto att = store_->Attention(20); att.ok()) {
    for (const Record& v : att->follow_ups) h.follow_ups.push_back(RowFromRecord(store_.get(), v));
    for (const Record& v : att->drafts) h.in_progress.push_back(RowFromRecord(store_.get(), v));
  } else {
    ShowMessage(att.status().message(), true);
  }
  auto conflicts = store_->Conflicts(true);
  h.open_conflicts = 0;
  if (conflicts.ok()) {
    for (const ConflictInfo& c : *conflicts) h.open_conflicts += c.resolving_locally ? 0 : 1;
  }
  if (defer_sync_refresh_) {
    sync_refresh_pending_ = true;
  } else {
    RefreshSync();
  }
}

void App::RefreshSites() {
  SitesState& s = state_.sites;
  ListQuery q;
  q.type = RecordType::kSite;
  q.limit = 100000;
  auto sites = store_->List(q);
  if (!sites.ok()) return ShowMessage(sites.status().message(), true);
  auto conditions = store_->LatestSiteConditions().value_or({});
  std::map<std::string, std::string> cond(conditions.begin(), conditions.end());
  s.all.clear();
  for (const Record& r : *sites) {
    SiteItem item;
    item.id = r.id;
    item.name = r.Title();
    auto text = [&](const char* f) { return r.Get(f).is_string() ? r.Get(f).get<std::string>() : std::string(); };
    item.kind = text("kind");
    item.ward = text("ward");
    item.address = text("address");
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
    if (needle.empty() || Contains(it.name, needle) || Contains(it.kind, needle) || Contains(it.ward, needle) ||
        Contains(it.address, needle)) {
      s.shown.push_back(static_cast<int>(i));
    }
  }
  s.form_choices.clear();
  std::set<std::string> seen;
  // Newest version of each form: forms() lists every version, later ones last.
  for (auto it = store_->forms().rbegin(); it != store_->forms().rend(); ++it) {
    if (!seen.insert(it->id).second) continue;
    s.form_choices.emplace_back(it->key(), PickLabel(it->title, settings_.language));
  }
  std::reverse(s.form_choices.begin(), s.form_choices.end());
  if (!s.selected_id.empty()) SelectSite(s.selected_id);
}

void App::SelectSite(const std::string& site_id) {
  SitesState& s = state_.sites;
  s.selected_id = site_id;
  VisitFilter f;
  f.site_id = site_id;
  f.limit = 500;
  s.selected_visits = store_->VisitRows(f).value_or({});
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
    auto hits = store_->Search(q);
    if (!hits.ok()) {
      v.error = hits.status().message();
    } else {
      for (const SearchHit& hit : *hits) {
        Result<Record> rec = store_->Get(RecordType::kVisit, hit.id);
        if (!rec.ok() || rec->deleted) continue;
        VisitHit vh{RowFromRecord(store_.get(), *rec), hit.snippet};
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
    q.limit = kMaxVisitRows;
    auto rows = store_->VisitRows(q);
    if (rows.ok()) {
      v.rows = std::move(*rows);
    } else {
      v.error = rows.status().message();
    }
  }
  // Pick lists for the filter combos.
  v.sites.clear();
  v.projects.clear();
  v.forms.clear();
  for (RecordType t : {RecordType::kSite, RecordType::kProject}) {
    ListQuery q;
    q.type = t;
    q.limit = 5000;
    for (const Record& r : store_->List(q).value_or({})) {
      (t == RecordType::kSite ? v.sites : v.projects).emplace_back(r.id, r.Title());
    }
  }
  std::set<std::string> seen;
  for (const FormDef& form : store_->forms()) {
    if (seen.insert(form.id).second) v.forms.emplace_back(form.id, PickLabel(form.title, settings_.language));
  }
}

void App::RefreshLibrary() {
  LibraryState& l = state_.library;
  ListQuery q;
  q.type = RecordType::kProject;
  q.limit = 5000;
  l.projects = store_->List(q).value_or({});
  l.practice_hits.clear();
  if (l.search.empty()) {
    q.type = RecordType::kPractice;
    l.practices = store_->List(q).value_or({});
  } else {
    l.practices.clear();
    SearchQuery sq;
    sq.text = l.search;
    sq.type = RecordType::kPractice;
    sq.limit = 200;
    for (const SearchHit& hit : store_->Search(sq).value_or({})) {
      Result<Record> r = store_->Get(RecordType::kPractice, hit.id);
      if (!r.ok() || r->deleted) continue;
      l.practices.push_back(*r);
      l.practice_hits.push_back(hit);
    }
  }
}

void App::RefreshConflicts() {
  ConflictsState& c = state_.conflicts;
  c.open.clear();
  auto all = store_->Conflicts(true);
  if (!all.ok()) return ShowMessage(all.status().message(), true);
  for (const ConflictInfo& info : *all) {
    if (info.resolving_locally) continue;
    ConflictItem item;
    item.info = info;
    std::optional<RecordType> type = ParseRecordType(info.type);
    Result<Record> rec = store_->FindAny(info.record_id);
    item.record_title = rec.ok() ? rec->Title() : info.record_id;
    const FieldSpec* spec = type ? FindField(*type, info.field) : nullptr;
    item.is_text = spec && (spec->kind == FieldKind::kLongText || spec->kind == FieldKind::kText);
    item.field_label = FieldLabel(store_.get(), rec.ok() ? &*rec : nullptr, info.field, settings_.language);
    item.base_text = ValueText(store_.get(), rec.ok() ? &*rec : nullptr, info.field, info.base, settings_.language);
    item.current_text =
        ValueText(store_.get(), rec.ok() ? &*rec : nullptr, info.field, info.winner, settings_.language);
    item.other_text = ValueText(store_.get(), rec.ok() ? &*rec : nullptr, info.field, info.loser, settings_.language);
    c.open.push_back(std::move(item));
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
  s.sentence = SyncSentence(s.status);
  s.rejected = store_->ChangesInState(ChangeState::kRejected, 50).value_or({});
}

void App::RefreshSettings() {
  SettingsState& s = state_.settings;
  auto sync = store_->GetSyncSettings();
  if (sync.ok()) {
    s.server_url = sync->server_url;
    s.username = sync->username;
  }
  s.language = settings_.language;
  s.text_scale = settings_.text_scale;
  s.theme = settings_.theme;
}

}  // namespace ccfield::app
