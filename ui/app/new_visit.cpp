// The new-visit flow from Home (issue 9): pick a site (nearest, recent, then
// by name) or type a new place, created with the visit's first save.
#include <algorithm>
#include <map>
#include <set>

#include "app/app.h"
#include "app/app_helpers.h"
#include "app/display.h"
#include "ccfield/core/site_kinds.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

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
  auto sites = ListLive(store_.get(), RecordType::kSite, 100000);
  if (!sites.ok()) return ShowMessage(ui::StatusText(sites.status()), true);
  const std::optional<LatLon> here = LastVisitPosition("");
  n.has_position = here.has_value();
  // Recently visited sites, most recent first.
  std::map<std::string, int> recent_rank;
  VisitFilter vf;
  vf.limit = 200;
  for (const VisitRow& r : store_->screens().VisitRows(vf).value_or({})) {
    if (recent_rank.size() >= 5) break;
    recent_rank.emplace(r.site_id, static_cast<int>(recent_rank.size()));
  }
  auto states = store_->screens().RecordStates(RecordType::kSite).value_or({});
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
    c.kind_label = SiteKindLabel(TextOf(s, "kind"), FormLanguages());
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
    out.emplace_back(it->key(), PickLabel(it->title, FormLanguages()));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void App::Handle(const PickVisitSite& c) {
  Result<Record> site = store_->Get(RecordType::kSite, c.site_id);
  if (!site.ok()) return ShowMessage(ui::StatusText(site.status()), true);
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
  e.form_languages = EditorFormLanguages(e);
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

}  // namespace ccfield::app
