// Sites as first-class records in the window (issue 9): the site form with
// its near-duplicate question, delete and restore. The new-visit flow is
// new_visit.cpp, the ways out of a refused record refused.cpp, removing the
// demo data and signing out account.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "app/app.h"
#include "app/app_helpers.h"
#include "app/display.h"
#include "ccfield/core/site_kinds.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

namespace {

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

// ---- Helpers shared with the new-visit flow (new_visit.cpp) ----

std::vector<std::pair<std::string, std::string>> App::SiteWorkspaces() {
  const std::set<std::string> demo = DemoWorkspaces(store_.get());
  std::vector<std::pair<std::string, std::string>> real, demos;
  for (const Record& w : ListLive(store_.get(), RecordType::kWorkspace, 1000).value_or({})) {
    (demo.count(w.id) ? demos : real).emplace_back(w.id, w.Title());
  }
  // A demo workspace is offered only when there is nothing else to write to.
  return real.empty() ? demos : real;
}

std::optional<LatLon> App::LastVisitPosition(const std::string& site_id) {
  VisitFilter f;
  if (!site_id.empty()) f.site_id = site_id;
  f.limit = 30;
  for (const VisitRow& row : store_->screens().VisitRows(f).value_or({})) {  // newest first
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
  for (const SiteKind& k : SiteKinds()) f.kinds.emplace_back(k.code, SiteKindLabel(k.code, FormLanguages()));
  if (!site_id.empty()) {
    Result<Record> r = store_->Get(RecordType::kSite, site_id);
    if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
    f.name = TextOf(*r, "name");
    f.kind = TextOf(*r, "kind");
    f.ward = TextOf(*r, "ward");
    f.address = TextOf(*r, "address");
    f.workspace_id = TextOf(*r, "workspace_id");
    if (r->Get("lat").is_number()) f.lat = CoordinateText(r->Get("lat").get<double>());
    if (r->Get("lon").is_number()) f.lon = CoordinateText(r->Get("lon").get<double>());
    f.sync = store_->screens().RecordStateOf(RecordType::kSite, site_id).value_or(RecordStatus{});
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
  if (c.field == "lat" || c.field == "lon") {
    f.errors.erase(c.field == "lat" ? "lon" : "lat");
    f.position_note.clear();  // typed: no longer the GPS's or the map's (issue 13)
    f.position_warnings.clear();
  }
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
  f.position_note.clear();
  f.position_warnings.clear();
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
  if (f.site_id.empty() && f.workspace_id.empty()) {
    // A fresh device (`ccfield init`, no sign-in yet) has no workspace to choose from.
    f.errors["workspace_id"] = f.workspaces.empty()
                                   ? tr("This device has no workspace yet: sign in on the Sync screen and sync once, "
                                        "then save the site again.")
                                   : tr("Choose the workspace for the site.");
  }
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
    for (const SimilarSite& s : store_->screens().SimilarSites(cand).value_or({})) {
      f.similar.push_back(
          {s.id, s.name, SiteKindLabel(s.kind, FormLanguages()), s.distance_m ? FormatDistance(*s.distance_m) : ""});
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
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
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
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  ShowMessage(tr("Site deleted. It can be restored from the list of deleted sites."), false);
  if (state_.sites.selected_id == c.site_id) state_.sites.selected_id.clear();
  state_.site_form = {};
  RefreshSites();
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const RestoreSite& c) {
  Result<CommitResult> r = store_->Commit({RestoreRecord{RecordType::kSite, c.site_id}});
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  ShowMessage(tr("Site restored."), false);
  RefreshSites();
  SelectSite(c.site_id);
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

}  // namespace ccfield::app
