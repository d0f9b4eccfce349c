// Sites as first-class records in the window (issue 9): the site form with
// its near-duplicate question, delete and restore; the new-visit flow from
// Home (pick a site or type a new place, created with the visit's first save);
// the ways out of a refused record; removing the demo data; signing out.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "app/app.h"
#include "app/display.h"
#include "ccfield/core/site_kinds.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

namespace {

std::string TextOf(const Record& r, const char* field) {
  const json& v = r.Get(field);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A coordinate as typed: "-6.8123" or "-6,8123" (decimal comma). nullopt when
// it is not a number.
std::optional<double> ParseCoordinate(std::string text) {
  text = Trim(text);
  std::replace(text.begin(), text.end(), ',', '.');
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string CoordinateText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

// ---- Helpers shared by the flows below ----

std::vector<std::pair<std::string, std::string>> App::SiteWorkspaces() {
  ListQuery q;
  q.type = RecordType::kWorkspace;
  q.limit = 1000;
  std::vector<std::string> demo_ids = store_->DemoWorkspaceIds().value_or({});
  std::set<std::string> demo(demo_ids.begin(), demo_ids.end());
  std::vector<std::pair<std::string, std::string>> real, demos;
  for (const Record& w : store_->List(q).value_or({})) {
    (demo.count(w.id) ? demos : real).emplace_back(w.id, w.Title());
  }
  // A demo workspace is offered only when there is nothing else to write to.
  return real.empty() ? demos : real;
}

std::optional<LatLon> App::LastVisitPosition(const std::string& site_id) {
  VisitFilter f;
  if (!site_id.empty()) f.site_id = site_id;
  f.limit = 30;
  for (const VisitRow& row : store_->VisitRows(f).value_or({})) {  // newest first
    Result<Record> v = store_->Get(RecordType::kVisit, row.id);
    if (v.ok() && v->Get("gps_lat").is_number() && v->Get("gps_lon").is_number()) {
      return LatLon{v->Get("gps_lat").get<double>(), v->Get("gps_lon").get<double>()};
    }
  }
  return std::nullopt;
}

// ---- The site form ----

void App::OpenSiteForm(const std::string& site_id, bool for_visit) {
  SiteFormState f;
  f.open = true;
  f.for_visit = for_visit;
  f.site_id = site_id;
  for (const SiteKind& k : SiteKinds()) f.kinds.emplace_back(k.code, SiteKindLabel(k.code, settings_.language));
  if (!site_id.empty()) {
    Result<Record> r = store_->Get(RecordType::kSite, site_id);
    if (!r.ok()) return ShowMessage(r.status().message(), true);
    f.name = TextOf(*r, "name");
    f.kind = TextOf(*r, "kind");
    f.ward = TextOf(*r, "ward");
    f.address = TextOf(*r, "address");
    f.workspace_id = TextOf(*r, "workspace_id");
    if (r->Get("lat").is_number()) f.lat = CoordinateText(r->Get("lat").get<double>());
    if (r->Get("lon").is_number()) f.lon = CoordinateText(r->Get("lon").get<double>());
    f.sync = store_->RecordStateOf(RecordType::kSite, site_id).value_or(RecordStatus{});
  } else {
    f.workspaces = SiteWorkspaces();
    // The workspace of the site selected on the Sites screen, else the first.
    Result<Record> selected = state_.sites.selected_id.empty() ? Result<Record>(Status::NotFound(""))
                                                               : store_->Get(RecordType::kSite, state_.sites.selected_id);
    const std::string near_ws = selected.ok() ? TextOf(*selected, "workspace_id") : "";
    for (const auto& [id, name] : f.workspaces) {
      if (id == near_ws) f.workspace_id = id;
    }
    if (f.workspace_id.empty() && !f.workspaces.empty()) f.workspace_id = f.workspaces.front().first;
  }
  if (std::optional<LatLon> p = LastVisitPosition(site_id)) {
    f.has_last_position = true;
    f.last_lat = p->lat;
    f.last_lon = p->lon;
  }
  state_.site_form = std::move(f);
}

void App::Handle(const NewSite&) {
  OpenSiteForm("", false);
  state_.screen = Screen::kSites;
}

void App::Handle(const EditSite& c) {
  OpenSiteForm(c.site_id, false);
  state_.screen = Screen::kSites;
}

void App::Handle(const EditSiteField& c) {
  SiteFormState& f = state_.site_form;
  if (!f.open) return;
  if (c.field == "name") f.name = c.value;
  else if (c.field == "kind") f.kind = c.value;
  else if (c.field == "ward") f.ward = c.value;
  else if (c.field == "address") f.address = c.value;
  else if (c.field == "lat") f.lat = c.value;
  else if (c.field == "lon") f.lon = c.value;
  else if (c.field == "workspace_id") f.workspace_id = c.value;
  else return;
  f.errors.erase(c.field);
  if (c.field == "lat" || c.field == "lon") f.errors.erase(c.field == "lat" ? "lon" : "lat");
  f.asking = false;  // the question was about other values
  f.similar.clear();
}

void App::Handle(const UseLastVisitPosition&) {
  SiteFormState& f = state_.site_form;
  if (!f.open || !f.has_last_position) return;
  f.lat = CoordinateText(f.last_lat);
  f.lon = CoordinateText(f.last_lon);
  f.errors.erase("lat");
  f.errors.erase("lon");
}

void App::Handle(const SaveSite& c) {
  SiteFormState& f = state_.site_form;
  if (!f.open) return;
  f.errors.clear();
  const std::string name = Trim(f.name);
  if (name.empty()) f.errors["name"] = tr("Enter the site's name.");
  const std::optional<double> lat = ParseCoordinate(f.lat), lon = ParseCoordinate(f.lon);
  const bool lat_blank = Trim(f.lat).empty(), lon_blank = Trim(f.lon).empty();
  if (!lat_blank && (!lat || *lat < -90 || *lat > 90)) f.errors["lat"] = tr("Latitude must be a number between -90 and 90.");
  if (!lon_blank && (!lon || *lon < -180 || *lon > 180)) {
    f.errors["lon"] = tr("Longitude must be a number between -180 and 180.");
  }
  if (lat_blank != lon_blank) f.errors[lat_blank ? "lat" : "lon"] = tr("Enter both latitude and longitude, or neither.");
  if (f.site_id.empty() && f.workspace_id.empty()) f.errors["workspace_id"] = tr("Choose the workspace for the site.");
  if (!f.errors.empty()) return;

  if (!c.as_new) {
    SiteCandidate cand;
    cand.name = name;
    cand.kind = f.kind;
    if (lat && lon) {
      cand.lat = lat;
      cand.lon = lon;
    }
    cand.workspace_id = f.workspace_id;
    cand.exclude_id = f.site_id;
    f.similar.clear();
    for (const SimilarSite& s : store_->SimilarSites(cand).value_or({})) {
      f.similar.push_back({s.id, s.name, SiteKindLabel(s.kind, settings_.language),
                           s.distance_m ? FormatDistance(*s.distance_m) : ""});
    }
    if (!f.similar.empty()) {
      f.asking = true;  // "Is it one of these?" — the person decides
      return;
    }
  }
  f.asking = false;
  f.similar.clear();

  json fields = json::object();
  fields["name"] = name;
  auto optional_text = [&](const char* key, const std::string& value) {
    const std::string v = Trim(value);
    fields[key] = v.empty() ? json() : json(v);
  };
  optional_text("kind", f.kind);
  optional_text("ward", f.ward);
  optional_text("address", f.address);
  fields["lat"] = lat ? json(*lat) : json();
  fields["lon"] = lon ? json(*lon) : json();

  if (f.for_visit) {
    // Nothing is written yet: the place is created with the visit's first save.
    if (!f.workspace_id.empty()) fields["workspace_id"] = f.workspace_id;
    for (auto it = fields.begin(); it != fields.end();) {
      it = it.value().is_null() ? fields.erase(it) : std::next(it);
    }
    state_.new_visit.site_id = kPendingSite;
    state_.new_visit.site_name = name;
    pending_site_fields_ = std::move(fields);
    f.open = false;
    return;
  }

  std::string id = f.site_id;
  if (id.empty()) {
    id = NewUuid(options_.env);
    fields["workspace_id"] = f.workspace_id;
    for (auto it = fields.begin(); it != fields.end();) {
      it = it.value().is_null() ? fields.erase(it) : std::next(it);
    }
  }
  Result<CommitResult> r = store_->Commit({SetFields{RecordType::kSite, id, fields}});
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  ShowMessage(f.site_id.empty() ? tr("Site saved.") : tr("Site changes saved."), false);
  state_.site_form = {};
  RefreshSites();
  SelectSite(id);
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const UseSimilarSite& c) {
  const bool for_visit = state_.site_form.for_visit;
  state_.site_form = {};
  if (for_visit) return Handle(PickVisitSite{c.site_id});
  RefreshSites();
  SelectSite(c.site_id);
  state_.screen = Screen::kSites;
}

void App::Handle(const CancelSiteForm&) { state_.site_form = {}; }

void App::Handle(const DeleteSite& c) {
  Result<CommitResult> r = store_->Commit({DeleteRecord{RecordType::kSite, c.site_id}});
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  ShowMessage(tr("Site deleted. It can be restored from the list of deleted sites."), false);
  if (state_.sites.selected_id == c.site_id) state_.sites.selected_id.clear();
  state_.site_form = {};
  RefreshSites();
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const RestoreSite& c) {
  Result<CommitResult> r = store_->Commit({RestoreRecord{RecordType::kSite, c.site_id}});
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  ShowMessage(tr("Site restored."), false);
  RefreshSites();
  SelectSite(c.site_id);
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

// ---- The new-visit flow ----

void App::Handle(const StartNewVisit&) {
  state_.new_visit = {};
  state_.new_visit.open = true;
  state_.site_form = {};
  pending_site_fields_ = nullptr;
  state_.screen = Screen::kHome;
  RefreshNewVisitChoices();
}

void App::Handle(const SetNewVisitSearch& c) {
  state_.new_visit.search = c.text;
  RefreshNewVisitChoices();
}

void App::RefreshNewVisitChoices() {
  NewVisitState& n = state_.new_visit;
  n.choices.clear();
  n.forms = FormChoices();
  ListQuery q;
  q.type = RecordType::kSite;
  q.limit = 100000;
  auto sites = store_->List(q);
  if (!sites.ok()) return ShowMessage(sites.status().message(), true);
  const std::optional<LatLon> here = LastVisitPosition("");
  n.has_position = here.has_value();
  // Recently visited sites, most recent first.
  std::map<std::string, int> recent_rank;
  VisitFilter vf;
  vf.limit = 200;
  for (const VisitRow& r : store_->VisitRows(vf).value_or({})) {
    if (recent_rank.size() >= 5) break;
    recent_rank.emplace(r.site_id, static_cast<int>(recent_rank.size()));
  }
  auto states = store_->RecordStates(RecordType::kSite).value_or({});
  const std::string needle = Lower(Trim(n.search));
  struct Ranked {
    NewVisitState::Choice choice;
    double meters;
  };
  std::vector<Ranked> all;
  for (const Record& s : *sites) {
    NewVisitState::Choice c;
    c.site_id = s.id;
    c.name = s.Title();
    c.kind_label = SiteKindLabel(TextOf(s, "kind"), settings_.language);
    c.ward = TextOf(s, "ward");
    if (!needle.empty() && Lower(c.name).find(needle) == std::string::npos &&
        Lower(c.kind_label).find(needle) == std::string::npos && Lower(c.ward).find(needle) == std::string::npos) {
      continue;
    }
    double meters = -1;
    if (here && s.Get("lat").is_number() && s.Get("lon").is_number()) {
      meters = DistanceMeters(*here, {s.Get("lat").get<double>(), s.Get("lon").get<double>()});
      c.distance = FormatDistance(meters);
    }
    c.recent = recent_rank.count(s.id) > 0;
    if (auto st = states.find(s.id); st != states.end()) c.sync = st->second;
    all.push_back({std::move(c), meters});
  }
  // Nearest five first (when a position is known), then the recent ones, then by name.
  std::vector<Ranked> nearest;
  if (here) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].meters >= 0) idx.push_back(i);
    }
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return all[a].meters < all[b].meters; });
    if (idx.size() > 5) idx.resize(5);
    std::set<size_t> taken(idx.begin(), idx.end());
    for (size_t i : idx) nearest.push_back(all[i]);
    std::vector<Ranked> rest;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!taken.count(i)) rest.push_back(std::move(all[i]));
    }
    all = std::move(rest);
  }
  std::stable_sort(all.begin(), all.end(), [&](const Ranked& a, const Ranked& b) {
    const int ra = a.choice.recent ? recent_rank[a.choice.site_id] : 1000;
    const int rb = b.choice.recent ? recent_rank[b.choice.site_id] : 1000;
    if (ra != rb) return ra < rb;
    return Lower(a.choice.name) < Lower(b.choice.name);
  });
  for (Ranked& r : nearest) n.choices.push_back(std::move(r.choice));
  for (Ranked& r : all) n.choices.push_back(std::move(r.choice));
}

std::vector<std::pair<std::string, std::string>> App::FormChoices() {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  // Newest version of each form: forms() lists every version, later ones last.
  for (auto it = store_->forms().rbegin(); it != store_->forms().rend(); ++it) {
    if (!seen.insert(it->id).second) continue;
    out.emplace_back(it->key(), PickLabel(it->title, settings_.language));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void App::Handle(const PickVisitSite& c) {
  Result<Record> site = store_->Get(RecordType::kSite, c.site_id);
  if (!site.ok()) return ShowMessage(site.status().message(), true);
  NewVisitState& n = state_.new_visit;
  n.open = true;
  n.site_id = c.site_id;
  n.site_name = site->Title();
  if (n.forms.empty()) n.forms = FormChoices();
  state_.screen = Screen::kHome;
  if (n.forms.size() == 1) {
    const std::string key = n.forms.front().first;
    state_.new_visit = {};
    NewVisitEditor(c.site_id, key);
    editor_return_ = Screen::kHome;
  }
}

void App::Handle(const NewPlaceForVisit&) {
  state_.new_visit.open = true;
  OpenSiteForm("", true);
  state_.site_form.name = Trim(state_.new_visit.search);  // what was searched for is the likely name
}

void App::Handle(const NewVisitAtNewPlace& c) {
  if (state_.new_visit.site_id != kPendingSite || !pending_site_fields_.is_object()) return;
  const FormDef* form = store_->FindForm(c.form_key);
  if (!form) return ShowMessage(ui::Format(tr("Unknown form {form}."), {{"form", c.form_key}}), true);
  if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
  EditorState e;
  e.open = true;
  e.is_new = true;
  e.visit_id = NewUuid(options_.env);
  e.new_site_id = NewUuid(options_.env);
  e.new_site = pending_site_fields_;
  e.site_name = pending_site_fields_.value("name", std::string());
  e.form = form;
  e.values = {{"site_id", e.new_site_id},
              {"form", form->key()},
              {"status", "draft"},
              {"started_at", FormatLocalWithOffset(options_.env->WallMillis())},
              {"answers", json::object()}};
  e.today = FormatLocalWithOffset(options_.env->WallMillis()).substr(0, 10);
  if (e.new_site["lat"].is_number() && e.new_site["lon"].is_number()) {
    e.site_has_position = true;
    e.site_lat = e.new_site["lat"].get<double>();
    e.site_lon = e.new_site["lon"].get<double>();
  }
  state_.editor = std::move(e);
  state_.new_visit = {};
  state_.site_form = {};
  pending_site_fields_ = nullptr;
  editor_return_ = Screen::kHome;
  state_.screen = Screen::kEditor;
  // Nothing is written until the first save (or the first draft, which keeps the place too).
}

void App::Handle(const CancelNewVisit&) {
  state_.new_visit = {};
  state_.site_form = {};
  pending_site_fields_ = nullptr;
}

void App::Handle(const ShowVisitsInState& c) {
  state_.visits.filter = {};
  state_.visits.filter.state = c.state;
  state_.screen = Screen::kVisits;
  RefreshVisits();
}

// ---- Refused records ----

void App::RefreshRefused() {
  SyncScreenState& s = state_.sync;
  s.refused.clear();
  std::vector<std::string> demo_ids = store_->DemoWorkspaceIds().value_or({});
  std::set<std::string> demo(demo_ids.begin(), demo_ids.end());
  for (const auto& [rec, status] : store_->RefusedRecords(200).value_or({})) {
    RefusedItem item;
    item.type = rec.type;
    item.id = rec.id;
    item.title = RecordTitle(store_.get(), rec, settings_.language);
    item.type_label = rec.type == RecordType::kVisit ? tr("Visit") : rec.type == RecordType::kSite ? tr("Site") : tr("Record");
    item.reason = status.reason;
    item.workspace_id = TextOf(rec, "workspace_id");
    item.demo_workspace = demo.count(item.workspace_id) > 0;
    if (rec.type == RecordType::kVisit) {
      item.site_id = TextOf(rec, "site_id");
      Result<Record> site = store_->Get(RecordType::kSite, item.site_id);
      item.site_name = site.ok() ? site->Title() : "";
    }
    s.refused.push_back(std::move(item));
  }
  s.move_targets.clear();
  ListQuery q;
  q.type = RecordType::kWorkspace;
  q.limit = 1000;
  for (const Record& w : store_->List(q).value_or({})) {
    if (!demo.count(w.id)) s.move_targets.emplace_back(w.id, w.Title());
  }
}

void App::Handle(const RetryRefusedRecord& c) {
  Result<CommitResult> r = store_->RetryRefused(c.type, c.id);
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  if (state_.site_form.open && state_.site_form.site_id == c.id) state_.site_form = {};
  ShowMessage(tr("It will be sent again with the next sync."), false);
  RefreshAfterDataChange();
  RefreshSync();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const MoveRefusedRecord& c) {
  Result<CommitResult> r = store_->MoveToWorkspace(c.type, c.id, c.workspace_id);
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  Result<Record> ws = store_->Get(RecordType::kWorkspace, c.workspace_id);
  ShowMessage(ui::Format(tr("Moved to {workspace}. It will be sent with the next sync."),
                         {{"workspace", ws.ok() ? ws->Title() : c.workspace_id}}),
              false);
  RefreshAfterDataChange();
  RefreshSync();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const DiscardRefusedRecord& c) {
  Status st = store_->DiscardRefused(c.type, c.id);
  if (!st.ok()) return ShowMessage(st.message(), true);
  if (state_.editor.open && state_.editor.visit_id == c.id) state_.editor = {};
  if (state_.sites.selected_id == c.id) state_.sites.selected_id.clear();
  ShowMessage(tr("The refused changes were discarded on this device."), false);
  RefreshAfterDataChange();
  RefreshSync();
}

void App::Handle(const EditRefusedRecord& c) {
  if (c.type == RecordType::kVisit) return OpenVisitEditor(c.id);
  if (c.type == RecordType::kSite) {
    RefreshSites();
    SelectSite(c.id);
    OpenSiteForm(c.id, false);
    state_.screen = Screen::kSites;
  }
}

void App::RefreshEditorStatus() {
  const EditorState& e = state_.editor;
  if (e.is_new) {
    state_.editor_status = {RecordState::kDraft, ""};
    return;
  }
  state_.editor_status = store_->RecordStateOf(RecordType::kVisit, e.visit_id).value_or(RecordStatus{});
}

// ---- Demo data and signing out ----

void App::AfterLogin() {
  // The first sign-in to a real server: offer to clear the demo away (only
  // demo records go; what was typed into real workspaces stays).
  state_.settings.offer_demo_removal = store_->HasDemoData().value_or(false);
}

void App::Handle(const RemoveDemoData&) {
  state_.settings.offer_demo_removal = false;
  Result<DemoRemoval> r = store_->RemoveDemoData();
  if (!r.ok()) return ShowMessage(r.status().message(), true);
  int64_t n = 0;
  for (const auto& [type, count] : r->removed) n += count;
  if (state_.editor.open && !state_.editor.is_new && !store_->Get(RecordType::kVisit, state_.editor.visit_id).ok()) {
    state_.editor = {};
  }
  if (!state_.sites.selected_id.empty() && !store_->Get(RecordType::kSite, state_.sites.selected_id).ok()) {
    state_.sites.selected_id.clear();
  }
  ShowMessage(ui::Format(tr("The demo data was removed ({n} records). Your own records were not touched."),
                         {{"n", std::to_string(n)}}),
              false);
  ListDrafts();
  RefreshSites();
  RefreshAfterDataChange();
}

void App::Handle(const KeepDemoData&) { state_.settings.offer_demo_removal = false; }

void App::Handle(const SignOut&) {
  if (state_.settings.logout_running || state_.settings.login_running) return;
  if (logout_thread_.joinable()) logout_thread_.join();
  state_.settings.logout_running = true;
  state_.settings.login_message = tr("Signing out…");
  // Telling the server blocks on the network: off the main thread, like login.
  logout_thread_ = std::thread([this] {
    Result<sync::LogoutResult> r = sync_->Logout();
    queue_->Post([this, r] {
      state_.settings.logout_running = false;
      RefreshSync();
      if (!r.ok()) {
        state_.settings.login_message = r.status().message();
      } else {
        const int64_t unsent = state_.sync.status.waiting + state_.sync.status.rejected;
        std::string text = ui::Format(tr("Signed out. Changes not yet sent stay on this device: {n}."),
                                      {{"n", std::to_string(unsent)}});
        if (r->was_logged_in && !r->revoked_on_server) {
          text += " " + ui::Format(tr("The server could not be told ({reason}); the login was forgotten on this "
                                      "device anyway."),
                                   {{"reason", r->server_problem}});
        }
        state_.settings.login_message = text;
      }
      RefreshSettings();
      RefreshSync();
    });
  });
}

}  // namespace ccfield::app
