// The visit editor, driven by the form definition: pick lists as large
// buttons, numbers with units, yes/no toggles, positions with accuracy and
// source, shown-when conditions, notes, SDG targets, follow-up. Validation
// messages sit next to their field. Every edit is a command; the App keeps
// the edits and writes a crash-safe draft.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdlib>

#include "app/display.h"
#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using nlohmann::json;
using ui::tr;

namespace {

struct Ctx {
  Frame& f;
  const app::EditorState& e;
  std::string lang;
};

// A restored draft opens where the person was typing, not at the top.
void ScrollToIfRestored(Ctx& c, const std::string& field) {
  if (!c.e.restored || field != c.e.last_field) return;
  std::string key = c.e.visit_id + "/" + field;
  if (c.f.ui.scrolled_to == key) return;
  ImGui::SetScrollHereY(0.3f);
  c.f.ui.scrolled_to = key;
}

void Edit(Ctx& c, const std::string& field, json value) { c.f.out.push_back(app::EditField{field, std::move(value)}); }

void FieldError(Ctx& c, const std::string& field) {
  ScrollToIfRestored(c, field);
  auto it = c.e.errors.find(field);
  if (it != c.e.errors.end()) ErrorText(it->second);
}

std::string NumberText(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.get<double>());
    return buf;
  }
  return v.is_string() ? v.get<std::string>() : "";
}

// What was typed as a number: a number when it parses, else the text itself
// (validation then says what is wrong, next to the field); empty clears.
json ParseNumber(const std::string& text, bool integer) {
  if (text.empty()) return nullptr;
  std::string t = text;
  for (char& ch : t) {
    if (ch == ',') ch = '.';  // decimal comma, as typed in most of our countries
  }
  char* end = nullptr;
  if (integer) {
    long long v = std::strtoll(t.c_str(), &end, 10);
    if (end && *end == '\0') return v;
  } else {
    double v = std::strtod(t.c_str(), &end);
    if (end && *end == '\0') return v;
  }
  return text;
}

// A text input bound to `field`; `multiline` for notes.
void TextField(Ctx& c, const char* label, const std::string& field, const json& value, bool multiline) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  // The label is shown by the caller where it reads best; here it only names the widget.
  std::string id = "##" + field;
  bool changed;
  if (multiline) {
    changed = ImGui::InputTextMultiline(id.c_str(), &text, ImVec2(-1, ImGui::GetFontSize() * 6));
  } else {
    ImGui::SetNextItemWidth(-1);
    changed = ImGui::InputText(id.c_str(), &text);
  }
  LogItem(*label ? label : ("text:" + field).c_str());
  if (changed) Edit(c, field, text.empty() ? json(nullptr) : json(text));
  if (multiline && NeedsBidi(text) && !ImGui::IsItemActive()) UserTextWrapped(text);  // shaped preview
}

void NumberField(Ctx& c, const std::string& field, const json& value, bool integer, const std::string& unit) {
  std::string text = NumberText(value);
  std::string id = "##" + field;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  bool changed = ImGui::InputText(id.c_str(), &text,
                                  ImGuiInputTextFlags_AutoSelectAll);
  LogItem(("number:" + field).c_str());
  if (!unit.empty()) {
    ImGui::SameLine();
    ImGui::TextUnformatted(unit.c_str());
  }
  if (changed) Edit(c, field, ParseNumber(text, integer));
}

void YesNo(Ctx& c, const std::string& field, const json& value) {
  std::string yes = std::string(tr("Yes")) + "##" + field, no = std::string(tr("No")) + "##" + field;
  if (ChoiceButton(yes.c_str(), value == true, ImGui::GetFontSize() * 5)) Edit(c, field, value == true ? json() : json(true));
  ImGui::SameLine();
  if (ChoiceButton(no.c_str(), value == false, ImGui::GetFontSize() * 5)) Edit(c, field, value == false ? json() : json(false));
}

// Large buttons that wrap to the next line when the row is full.
void Choices(Ctx& c, const std::string& field, const json& value, const std::vector<FormOption>& options, bool multi) {
  Flow flow;
  for (const FormOption& o : options) {
    bool selected = multi ? (value.is_array() && std::find(value.begin(), value.end(), json(o.value)) != value.end())
                          : value == o.value;
    std::string text = DisplayLine(PickLabel(o.label, c.lang));
    std::string label = text + "##" + field + "=" + o.value;
    float w = flow.Next(text.c_str());
    if (ChoiceButton(label.c_str(), selected, w)) {
      if (!multi) {
        Edit(c, field, selected ? json() : json(o.value));  // tap again to clear
      } else {
        json list = value.is_array() ? value : json::array();
        if (selected) {
          list.erase(std::remove(list.begin(), list.end(), json(o.value)), list.end());
        } else {
          list.push_back(o.value);
        }
        Edit(c, field, list.empty() ? json() : list);
      }
    }
  }
}

void PositionField(Ctx& c, const std::string& field, const json& value) {
  json pos = value.is_object() ? value : json::object();
  const char* parts[] = {"lat", "lon", "accuracy_m"};
  const char* labels[] = {tr("Latitude"), tr("Longitude"), tr("Accuracy (m)")};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) ImGui::SameLine();
    std::string text = NumberText(pos.value(parts[i], json()));
    std::string id = std::string(labels[i]) + "##" + field + parts[i];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (ImGui::InputText(id.c_str(), &text)) {
      json v = ParseNumber(text, false);
      if (v.is_null()) {
        pos.erase(parts[i]);
      } else {
        pos[parts[i]] = v;
      }
      Edit(c, field, pos.empty() ? json() : pos);
    }
    LogItem(id.c_str());
  }
}

void FormQuestion(Ctx& c, const FormDef& form, const FormField& q, const json& answers) {
  if (!IsShown(form, q, answers)) return;
  const std::string field = std::string(kAnswersPrefix) + q.id;
  const json value = answers.contains(q.id) ? answers[q.id] : json();
  std::string label = PickLabel(q.label, c.lang);
  if (q.required) label += " *";
  UserText(label);
  if (!q.help.empty()) HelpText(PickLabel(q.help, c.lang));
  ImGui::PushID(q.id.c_str());
  switch (q.type) {
    case AnswerType::kText: TextField(c, "", field, value, false); break;
    case AnswerType::kLongText: TextField(c, "", field, value, true); break;
    case AnswerType::kInteger: NumberField(c, field, value, true, q.unit); break;
    case AnswerType::kDecimal: NumberField(c, field, value, false, q.unit); break;
    case AnswerType::kSingleChoice: Choices(c, field, value, q.options, false); break;
    case AnswerType::kMultiChoice: Choices(c, field, value, q.options, true); break;
    case AnswerType::kYesNo: YesNo(c, field, value); break;
    case AnswerType::kDate: {
      std::string text = value.is_string() ? value.get<std::string>() : "";
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
      if (ImGui::InputTextWithHint(("##" + field).c_str(), "YYYY-MM-DD", &text)) {
        Edit(c, field, text.empty() ? json() : json(text));
      }
      LogItem(("date:" + field).c_str());
      break;
    }
    case AnswerType::kPosition: PositionField(c, field, value); break;
  }
  ImGui::PopID();
  FieldError(c, field);
  ImGui::Spacing();
}

void VisitFields(Ctx& c) {
  const json& v = c.e.values;
  auto get = [&](const char* k) { return v.contains(k) ? v[k] : json(); };

  Heading(tr("Condition and position"));
  static const std::vector<FormOption> kConditions = [] {
    std::vector<FormOption> out;
    for (const char* r : {"0", "1", "2", "3", "na", "ni"}) out.push_back({r, {}});
    return out;
  }();
  {
    // Condition labels come from the app's words, not the form.
    const json cond = get("condition_rating");
    Flow flow;
    for (const FormOption& o : kConditions) {
      std::string text = app::ConditionText(o.value);
      std::string label = text + "##cond" + o.value;
      float w = flow.Next(text.c_str());
      if (ChoiceButton(label.c_str(), cond == o.value, w)) {
        Edit(c, "condition_rating", cond == o.value ? json() : json(o.value));
      }
    }
    FieldError(c, "condition_rating");
  }
  ImGui::TextUnformatted(tr("Position of the visit"));
  NumberField(c, "gps_lat", get("gps_lat"), false, "° N");
  ImGui::SameLine();
  NumberField(c, "gps_lon", get("gps_lon"), false, "° E");
  ImGui::SameLine();
  NumberField(c, "gps_accuracy_m", get("gps_accuracy_m"), false, tr("Accuracy (m)"));
  for (const char* k : {"gps_lat", "gps_lon", "gps_accuracy_m"}) FieldError(c, k);
  const json source = get("gps_source");
  const std::pair<const char*, const char*> sources[] = {
      {"gps", tr("GPS")}, {"network", tr("Network")}, {"map_pick", tr("Picked on map")}, {"site_default", tr("Site's position")}};
  ImGui::TextUnformatted(tr("Source:"));
  for (const auto& [value, text] : sources) {
    ImGui::SameLine();
    std::string label = std::string(text) + "##src" + value;
    if (ChoiceButton(label.c_str(), source == value)) Edit(c, "gps_source", source == value ? json() : json(value));
  }

  Heading(tr("Notes"));
  TextField(c, tr("Notes"), "notes", get("notes"), true);
  FieldError(c, "notes");

  Heading(tr("SDG targets"));
  json targets = get("sdg_targets");
  for (const std::string& t : c.e.form->sdg_targets) {
    bool on = targets.is_array() && std::find(targets.begin(), targets.end(), json(t)) != targets.end();
    std::string label = t + "##sdg" + t;
    if (ChoiceButton(label.c_str(), on)) {
      json list = targets.is_array() ? targets : json::array();
      if (on) {
        list.erase(std::remove(list.begin(), list.end(), json(t)), list.end());
      } else {
        list.push_back(t);
      }
      Edit(c, "sdg_targets", list.empty() ? json() : list);
    }
    ImGui::SameLine();
  }
  ImGui::NewLine();

  Heading(tr("Follow-up"));
  YesNo(c, "follow_up_needed", get("follow_up_needed"));
  if (get("follow_up_needed") == true) {
    ImGui::TextUnformatted(tr("Priority:"));
    const json prio = get("follow_up_priority");
    for (const char* p : {"P1", "P2", "P3"}) {
      ImGui::SameLine();
      std::string label = std::string(p) + "##prio";
      if (ChoiceButton(label.c_str(), prio == p)) Edit(c, "follow_up_priority", json(p));
    }
    FieldError(c, "follow_up_priority");
    std::string due = get("follow_up_due").is_string() ? get("follow_up_due").get<std::string>() : "";
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::InputTextWithHint((std::string(tr("Due")) + "##due").c_str(), "YYYY-MM-DD", &due)) {
      Edit(c, "follow_up_due", due.empty() ? json() : json(due));
    }
    LogItem(tr("Due"));
    FieldError(c, "follow_up_due");
    UserText(tr("Follow-up action"));
    TextField(c, tr("Follow-up action"), "follow_up_action", get("follow_up_action"), false);
    FieldError(c, "follow_up_action");
  }
}

}  // namespace

void DrawEditor(Frame& f) {
  const app::EditorState& e = f.state.editor;
  if (!e.open || !e.form) {
    HelpText(tr("No visit is open."));
    return;
  }
  Ctx c{f, e, f.state.settings.language};
  // The action bar stays on top; the form scrolls below it.
  Heading(e.site_name + " · " + PickLabel(e.form->title, c.lang));
  if (BigButton(tr("Save"))) f.out.push_back(app::SaveVisit{false});
  ImGui::SameLine();
  if (BigButton(tr("Save as complete"))) f.out.push_back(app::SaveVisit{true});
  ImGui::SameLine();
  if (BigButton(tr("Close"))) f.out.push_back(app::CloseEditor{false});
  ImGui::SameLine();
  if (e.dirty && BigButton(tr("Discard changes"))) f.out.push_back(app::CloseEditor{true});
  if (!e.is_new) {
    ImGui::SameLine();
    if (BigButton(tr("History"))) f.out.push_back(app::OpenHistory{e.visit_id});
  }
  if (e.dirty) {
    HelpText(e.draft_saved_at.empty() ? tr("Unsaved changes.")
                                      : ui::Format(tr("Unsaved changes; draft kept on this device ({time})."),
                                                   {{"time", e.draft_saved_at.substr(11, 8)}}));
  }
  if (!e.message.empty()) UserTextWrapped(e.message);
  ImGui::Separator();
  ImGui::BeginChild("form");
  const json answers = e.values.contains("answers") && e.values["answers"].is_object() ? e.values["answers"] : json::object();
  Heading(tr("Questions"));
  for (const FormField& q : e.form->fields) FormQuestion(c, *e.form, q, answers);
  VisitFields(c);
  ImGui::EndChild();
}

}  // namespace ccfield::views
