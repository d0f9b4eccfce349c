// Projects with their SDG targets, and the good-practice library, readable offline.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "app/display.h"
#include "ccfield/core/json_text.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

std::string Text(const Record& r, const char* field) {
  const nlohmann::json& v = r.Get(field);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : ", ") + (item.is_string() ? item.get<std::string>() : JsonForOutput(item));
    return out;
  }
  return "";
}

// A field of codes (topics, languages, a country, a status) in words.
std::string Words(const Record& r, const char* field, std::string (*word)(const std::string&)) {
  const nlohmann::json& v = r.Get(field);
  if (v.is_string()) return word(v.get<std::string>());
  std::string out;
  if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_string()) out += (out.empty() ? "" : ", ") + word(item.get<std::string>());
    }
  }
  return out;
}

void Section(const char* title, const std::string& body) {
  if (body.empty()) return;
  ImGui::TextUnformatted(title);
  ImGui::Indent();
  UserTextWrapped(body);
  ImGui::Unindent();
  ImGui::Spacing();
}

void ProjectPage(Frame& f, const Record& p) {
  if (BigButton(tr("Back to the library"))) f.out.push_back(app::GoTo{app::Screen::kLibrary});
  Heading(p.Title());
  Section(tr("Status"), Words(p, "status", app::ProjectStatusText));
  Section(tr("Topic"), Words(p, "topic", app::TopicText));
  Section(tr("SDG targets"), Text(p, "sdg_targets"));
  Section(tr("Summary"), Text(p, "summary"));
  ImGui::TextUnformatted(ui::Format(tr("Visits: {n}"), {{"n", std::to_string(f.state.library.project_visits.size())}}).c_str());
  for (const VisitRow& v : f.state.library.project_visits) {
    std::string label = DisplayLine(app::VisitRowTitle(v)) + "##pv" + v.id;
    if (ListRow(label.c_str())) f.out.push_back(app::OpenVisit{v.id});
  }
}

void PracticePage(Frame& f, const Record& p) {
  if (BigButton(tr("Back to the library"))) f.out.push_back(app::GoTo{app::Screen::kLibrary});
  Heading(p.Title());
  std::string where = Text(p, "city");
  const std::string country = Words(p, "country", app::CountryName);
  if (!country.empty()) where += (where.empty() ? "" : ", ") + country;
  Section(tr("Where"), where);
  Section(tr("Problem"), Text(p, "problem"));
  Section(tr("Solution"), Text(p, "solution"));
  Section(tr("Results"), Text(p, "results"));
  Section(tr("Topics"), Words(p, "topics", app::TopicText));
  Section(tr("Language"), Words(p, "language", app::LanguageName));
  Section(tr("SDG targets"), Text(p, "sdg_targets"));
  Section(tr("Contact"), Text(p, "contact_role"));
}

}  // namespace

void DrawLibrary(Frame& f) {
  const app::LibraryState& l = f.state.library;
  if (l.open_project) return ProjectPage(f, *l.open_project);
  if (l.open_practice) return PracticePage(f, *l.open_practice);
  const float half = ImGui::GetContentRegionAvail().x * 0.45f;
  ImGui::BeginChild("projects", ImVec2(half, 0), true);
  Heading(tr("Projects"));
  for (const Record& p : l.projects) {
    std::string label = DisplayLine(p.Title()) + "##prj" + p.id;
    if (ListRow(label.c_str())) f.out.push_back(app::OpenProject{p.id});
    std::string targets = Text(p, "sdg_targets");
    if (!targets.empty()) HelpText(ui::Format(tr("SDG {targets}"), {{"targets", targets}}));
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("practices", ImVec2(0, 0), true);
  Heading(tr("Good practices"));
  ImGui::SetNextItemWidth(-1);
  if (TextInput("##libsearch", &f.ui.library_search, 0, tr("Search good practices"))) {
    f.out.push_back(app::SetLibrarySearch{f.ui.library_search});
  }
  LogItem(tr("Search good practices"));
  for (size_t i = 0; i < l.practices.size(); ++i) {
    const Record& p = l.practices[i];
    std::string label = DisplayLine(p.Title()) + "##prc" + p.id;
    if (ListRow(label.c_str())) f.out.push_back(app::OpenPractice{p.id});
    if (i < l.practice_hits.size()) Snippet(l.practice_hits[i].snippet);
  }
  ImGui::EndChild();
}

}  // namespace ccfield::views
