// Sites: a filterable list, the map, and the selected site's visit history.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/display.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

void SiteList(Frame& f) {
  const app::SitesState& s = f.state.sites;
  if (BigButton(tr("New site"), -1)) f.out.push_back(app::NewSite{});
  ImGui::SetNextItemWidth(-1);
  if (TextInput("##sitefilter", &f.ui.site_filter, 0, tr("Filter sites"))) {
    f.out.push_back(app::SetSiteFilter{f.ui.site_filter});
  }
  LogItem(tr("Filter sites"));
  // Deleted sites stay restorable, above the list where they are seen (the three newest).
  for (size_t i = 0; i < s.deleted.size() && i < 3; ++i) {
    const auto& [id, name] = s.deleted[i];
    if (BigButton((std::string(tr("Restore")) + "###restore" + id).c_str())) f.out.push_back(app::RestoreSite{id});
    ImGui::SameLine();
    HelpText(ui::Format(tr("Deleted: {name}"), {{"name", name}}));
  }
  ImGui::BeginChild("sitelist");
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(s.shown.size()), TouchHeight());
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const app::SiteItem& site = s.all[static_cast<size_t>(s.shown[static_cast<size_t>(i)])];
      std::string label = DisplayLine(site.name + (site.kind_label.empty() ? "" : " · " + site.kind_label) +
                                      (site.ward.empty() ? "" : " · " + site.ward)) +
                          "##site" + site.id;
      if (ListRow(label.c_str(), site.id == s.selected_id)) f.out.push_back(app::OpenSite{site.id});
      StateBadgeOnLastItem(site.sync);
    }
  }
  ImGui::EndChild();
}

void SiteDetails(Frame& f) {
  const app::SitesState& s = f.state.sites;
  const app::SiteItem* site = nullptr;
  for (const app::SiteItem& it : s.all) {
    if (it.id == s.selected_id) site = &it;
  }
  if (!site) {
    HelpText(tr("Tap a site in the list or on the map."));
    return;
  }
  Heading(site->name);
  StateBadge(site->sync);
  if (site->sync.state == RecordState::kRefused && !site->sync.reason.empty()) {
    ImGui::SameLine();
    ErrorText(ui::Format(tr("The server said: {reason}"), {{"reason", site->sync.reason}}));
    if (BigButton(tr("Send again"))) f.out.push_back(app::RetryRefusedRecord{RecordType::kSite, site->id});
  }
  if (!site->kind_label.empty() || !site->ward.empty()) {
    UserText(site->kind_label + (site->kind_label.empty() || site->ward.empty() ? "" : " · ") + site->ward);
  }
  if (!site->address.empty()) UserText(site->address);
  if (!site->condition.empty()) {
    UserText(ui::Format(tr("Latest condition: {condition}"), {{"condition", app::ConditionText(site->condition)}}));
  }
  ImGui::TextUnformatted(tr("New visit with form:"));
  Flow flow;
  for (const auto& [key, title] : s.form_choices) {
    std::string text = DisplayLine(title);
    float w = flow.Next(text.c_str());
    if (BigButton((text + "##new" + key).c_str(), w)) f.out.push_back(app::NewVisit{site->id, key});
  }
  if (ImGui::SmallButton(tr("Site history"))) f.out.push_back(app::OpenHistory{site->id});
  LogItem(tr("Site history"));
  ImGui::SameLine();
  if (ImGui::SmallButton(tr("Edit site"))) f.out.push_back(app::EditSite{site->id});
  LogItem(tr("Edit site"));
  ImGui::SameLine();
  if (ImGui::SmallButton(tr("Delete site"))) ImGui::OpenPopup("confirm_delete_site");
  LogItem(tr("Delete site"));
  if (ConfirmDialog("confirm_delete_site",
                    ui::Format(tr("Delete the site {name}? Its visits stay; the site can be restored later."),
                               {{"name", site->name}}),
                    tr("Yes, delete it"), tr("Keep it"))) {
    f.out.push_back(app::DeleteSite{site->id});
  }
  DrawPhotoStrip(f);  // photo_strip.cpp: the site's photos
  ImGui::Spacing();
  ImGui::TextUnformatted(ui::Format(tr("Visits: {n}"), {{"n", std::to_string(s.selected_visits.size())}}).c_str());
  for (const VisitRow& v : s.selected_visits) {
    std::string label = DisplayLine(app::VisitRowTitle(v) +
                                    (v.condition_rating.empty() ? "" : " · " + app::ConditionText(v.condition_rating))) +
                        "##sv" + v.id;
    if (ListRow(label.c_str())) f.out.push_back(app::OpenVisit{v.id});
    StateBadgeOnLastItem(v.sync);
  }
}

}  // namespace

void DrawSites(Frame& f) {
  const float list_width = std::max(260.0f * f.scale, ImGui::GetContentRegionAvail().x * 0.3f);
  ImGui::BeginChild("sites_left", ImVec2(list_width, 0), true);
  SiteList(f);
  ImGui::EndChild();
  ImGui::SameLine();
  if (f.state.site_form.open && !f.state.site_form.for_visit && !f.state.map.picking) {
    ImGui::BeginChild("site_form", ImVec2(0, 0), false);
    DrawSiteForm(f);
    ImGui::EndChild();
    return;
  }
  ImGui::BeginChild("sites_right", ImVec2(0, 0), false);
  // Picking the visit's position (issue 13): the map takes the whole side.
  DrawSiteMap(f, ImGui::GetContentRegionAvail().y * (f.state.map.picking ? 1.0f : 0.5f));
  ImGui::BeginChild("site_details");
  SiteDetails(f);
  ImGui::EndChild();
  ImGui::EndChild();
}

}  // namespace ccfield::views
