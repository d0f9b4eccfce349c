// The site form (new or edited site; a new place in the new-visit flow) with
// its near-duplicate question, and the new-visit site picker shown on Home.
// Kinds are shown by their labels in the UI language, never by their codes.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/display.h"
#include "ccfield/core/geo.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

void FieldError(const app::SiteFormState& s, const char* field) {
  auto it = s.errors.find(field);
  if (it == s.errors.end()) return;
  ImGui::BeginGroup();
  ErrorText(it->second);
  ImGui::EndGroup();
  LogItem(("error:" + std::string(field)).c_str());  // scripts and tests: `expect error:name`
}

// A one-line text box bound to a site-form field: emits EditSiteField when typed in.
void TextField(Frame& f, const char* label, const char* field, const std::string& value, float width) {
  std::string edit = value;
  ImGui::SetNextItemWidth(width);
  const std::string id = std::string(label) + "###site_" + field;
  if (TextInput(id.c_str(), &edit)) f.out.push_back(app::EditSiteField{field, edit});
  LogItem(label);
  FieldError(f.state.site_form, field);
}

std::string KindLabel(const app::SiteFormState& s, const std::string& code) {
  for (const auto& [k, label] : s.kinds) {
    if (k == code) return label;
  }
  return code.empty() ? tr("not set") : code;
}

// "Is it one of these?": never blocking; the form stays editable.
void SimilarQuestion(Frame& f) {
  const app::SiteFormState& s = f.state.site_form;
  ImGui::Separator();
  Heading(tr("Is it one of these?"));
  HelpText(tr("A site with a similar name or of the same kind close by is already on this device."));
  for (const app::SiteFormState::Similar& sim : s.similar) {
    std::string text = sim.name + (sim.kind_label.empty() ? "" : " · " + sim.kind_label) +
                       (sim.distance.empty() ? "" : " · " + ui::Format(tr("{distance} away"), {{"distance", sim.distance}}));
    UserText(text);
    ImGui::SameLine();
    if (BigButton((std::string(tr("Use this site")) + "###use" + sim.id).c_str())) {
      f.out.push_back(app::UseSimilarSite{sim.id});
    }
  }
  if (BigButton(tr("No, save as new"))) f.out.push_back(app::SaveSite{true});
  ImGui::Separator();
}

}  // namespace

void DrawSiteForm(Frame& f) {
  const app::SiteFormState& s = f.state.site_form;
  const float w = std::min(ImGui::GetContentRegionAvail().x * 0.7f, ImGui::GetFontSize() * 24);
  Heading(s.for_visit ? tr("A place not in the list") : s.site_id.empty() ? tr("New site") : tr("Edit site"));
  if (s.for_visit) HelpText(tr("The place is saved together with the visit, when you first save the visit."));
  if (s.sync.state == RecordState::kRefused) {
    StateBadge(s.sync);
    ImGui::SameLine();
    ErrorText(ui::Format(tr("The server said: {reason}"), {{"reason", s.sync.reason}}));
    if (BigButton(tr("Send again"))) f.out.push_back(app::RetryRefusedRecord{RecordType::kSite, s.site_id});
    HelpText(tr("Save your corrections first, then send the site again."));
  }
  // The question shows where the eyes are (the top), not under the form.
  if (s.asking) SimilarQuestion(f);

  TextField(f, tr("Site name"), "name", s.name, w);

  // Kind: a drop-down of the catalogue's labels.
  ImGui::SetNextItemWidth(w);
  if (ImGui::BeginCombo((std::string(tr("Kind")) + "###site_kind").c_str(), DisplayLine(KindLabel(s, s.kind)).c_str(),
                        ImGuiComboFlags_HeightLarge)) {
    if (ListRow((std::string(tr("not set")) + "##kind_none").c_str(), s.kind.empty())) {
      f.out.push_back(app::EditSiteField{"kind", ""});
    }
    for (const auto& [code, label] : s.kinds) {
      if (ListRow((DisplayLine(label) + "##kind" + code).c_str(), code == s.kind)) {
        f.out.push_back(app::EditSiteField{"kind", code});
      }
    }
    ImGui::EndCombo();
  }
  LogItem(tr("Kind"));

  TextField(f, tr("Ward"), "ward", s.ward, w);
  TextField(f, tr("Address"), "address", s.address, w);

  ImGui::TextUnformatted(tr("Position"));
  TextField(f, tr("Latitude"), "lat", s.lat, ImGui::GetFontSize() * 9);
  TextField(f, tr("Longitude"), "lon", s.lon, ImGui::GetFontSize() * 9);
  if (s.has_last_position) {
    const char* use = s.site_id.empty() ? tr("Use the position of my last visit") : tr("Use the position of my last visit here");
    if (BigButton(use)) f.out.push_back(app::UseLastVisitPosition{});
    ImGui::SameLine();
    HelpText(FormatLatLon({s.last_lat, s.last_lon}));
  }
  HelpText(tr("Degrees with a point, south and west negative: -6.8123, 39.2811."));
  // Issue 13: "Use my position", "Pick on the map", and where the position came from.
  if (!s.position_note.empty()) {
    HelpText(s.position_note);
    LogItem("position note");
  }
  DrawPositionWarnings(s.position_warnings);
  DrawPositionTaking(f, true);

  if (s.site_id.empty() && s.workspaces.size() > 1) {
    ImGui::TextUnformatted(tr("Workspace"));
    Flow flow;
    for (const auto& [id, name] : s.workspaces) {
      const std::string text = DisplayLine(name);
      const float bw = flow.Next(text.c_str());
      if (ChoiceButton((text + "##ws" + id).c_str(), id == s.workspace_id, bw)) {
        f.out.push_back(app::EditSiteField{"workspace_id", id});
      }
    }
    FieldError(s, "workspace_id");
  } else if (s.site_id.empty()) {
    FieldError(s, "workspace_id");  // no choice to show: none, or the only one
  }
  ImGui::Spacing();
  const char* save = s.for_visit ? tr("Next: choose the form") : tr("Save site");
  if (BigButton(save)) f.out.push_back(app::SaveSite{false});
  ImGui::SameLine();
  if (BigButton(tr("Cancel"))) f.out.push_back(app::CancelSiteForm{});
}

void DrawNewVisit(Frame& f) {
  const app::NewVisitState& n = f.state.new_visit;
  if (f.state.site_form.open && f.state.site_form.for_visit) {
    DrawSiteForm(f);
    return;
  }
  Heading(tr("New visit"));
  if (!n.site_id.empty()) {
    // Step 2: the form.
    UserText(ui::Format(tr("Site: {site}"), {{"site", n.site_name}}));
    if (n.site_id == app::kPendingSite) HelpText(tr("A new place: it is saved with the visit."));
    ImGui::TextUnformatted(tr("Which form?"));
    Flow flow;
    for (const auto& [key, title] : n.forms) {
      const std::string text = DisplayLine(title);
      const float bw = flow.Next(text.c_str());
      if (BigButton((text + "##form" + key).c_str(), bw)) {
        if (n.site_id == app::kPendingSite) {
          f.out.push_back(app::NewVisitAtNewPlace{key});
        } else {
          f.out.push_back(app::NewVisit{n.site_id, key});
        }
      }
    }
    if (BigButton(tr("Cancel"))) f.out.push_back(app::CancelNewVisit{});
    return;
  }
  // Step 1: the site.
  std::string search = n.search;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  if (TextInput("##visitsite", &search, 0, tr("Search sites"))) f.out.push_back(app::SetNewVisitSearch{search});
  LogItem(tr("Search sites"));
  ImGui::SameLine();
  if (BigButton(tr("A place not in the list"))) f.out.push_back(app::NewPlaceForVisit{});
  ImGui::SameLine();
  if (BigButton(tr("Cancel"))) f.out.push_back(app::CancelNewVisit{});
  HelpText(n.has_position ? tr("Nearest to your last visit first, then the sites you visited recently.")
                          : tr("Sites you visited recently first, then by name."));
  ImGui::BeginChild("visit_sites");
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(n.choices.size()), TouchHeight());
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const app::NewVisitState::Choice& c = n.choices[static_cast<size_t>(i)];
      std::string text = c.name;
      if (!c.kind_label.empty()) text += " · " + c.kind_label;
      if (!c.ward.empty()) text += " · " + c.ward;
      if (!c.distance.empty()) text += " · " + c.distance;
      if (c.recent) text += " · " + std::string(tr("visited recently"));
      const std::string label = DisplayLine(text) + "##pick" + c.site_id;
      if (ListRow(label.c_str())) f.out.push_back(app::PickVisitSite{c.site_id});
      StateBadgeOnLastItem(c.sync);
    }
  }
  ImGui::EndChild();
}

}  // namespace ccfield::views
