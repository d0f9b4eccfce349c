// The visit editor, driven by the form definition: pick lists as large
// buttons, numbers with units, yes/no toggles, positions in degrees with the
// distance to the site, dates with a calendar, shown-when conditions, notes
// that wrap while typing, SDG targets, follow-up. Validation messages sit
// under their field, in words that name it. Every edit is a command; the App
// keeps the edits and writes a crash-safe draft.
//
// Layout stability: a tap must land on what the person aimed at. The header
// (title, actions, one status row) has the same height whatever it says, so
// "Unsaved changes", a save result or an error never push the form down; the
// form scrolls below it. A restored draft scrolls to the field typed last
// once, and never again.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
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
  // "Go to first problem" was tapped this frame: the first field drawn that
  // has an error scrolls into view (and takes the keyboard if it is a text box).
  bool find_problem = false;
};

// Call before a field's widgets. True when this field is the first problem
// being looked for: it is scrolled to the top third of the form.
bool TakeProblem(Ctx& c, const std::string& field) {
  if (!c.find_problem || !c.e.errors.count(field)) return false;
  c.find_problem = false;
  ImGui::SetScrollHereY(0.2f);
  return true;
}

// Before a text box: give it the keyboard when it is the problem looked for.
void FocusIf(bool problem) {
  if (problem) ImGui::SetKeyboardFocusHere();
}

// A restored draft opens where the person was typing, not at the top. Once:
// the key remembers it was done, so later frames never move the form again.
void ScrollToIfRestored(Ctx& c, const std::string& field) {
  if (!c.e.restored || field != c.e.last_field) return;
  std::string key = c.e.visit_id + "/" + field;
  if (c.f.ui.scrolled_to == key) return;
  ImGui::SetScrollHereY(0.3f);
  c.f.ui.scrolled_to = key;
}

// While typing, the text box stays inside the form's visible part (the cursor
// is kept visible inside the box by ImGui). Only on frames with typing, so it
// never fights the person scrolling.
void KeepInView() {
  const float top = ImGui::GetWindowPos().y, bottom = top + ImGui::GetWindowHeight();
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  const float pad = ImGui::GetStyle().ItemSpacing.y;
  if (max.y + pad > bottom) {
    ImGui::SetScrollY(ImGui::GetScrollY() + std::min(max.y + pad - bottom, min.y - top));
  } else if (min.y < top) {
    ImGui::SetScrollY(ImGui::GetScrollY() - (top - min.y) - pad);
  }
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
  // A minus typed as U+2212 (as the app writes it) counts as a minus.
  if (t.rfind("\u2212", 0) == 0) t.replace(0, 3, "-");
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

// A text input bound to `field`; `multiline` for notes (wrapped while typing).
void TextField(Ctx& c, const char* label, const std::string& field, const json& value, bool multiline) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  // The label is shown by the caller where it reads best; here it only names the widget.
  std::string id = "##" + field;
  const bool problem = TakeProblem(c, field);
  FocusIf(problem);
  bool changed;
  if (multiline) {
    changed = WrappedTextEdit(id.c_str(), &text, ImGui::GetTextLineHeight() * 6 + ImGui::GetStyle().FramePadding.y * 2);
  } else {
    ImGui::SetNextItemWidth(-1);
    changed = TextInput(id.c_str(), &text);
  }
  LogItem(*label ? label : ("text:" + field).c_str());
  if (changed) {
    Edit(c, field, text.empty() ? json(nullptr) : json(text));
    KeepInView();
  }
  if (multiline && NeedsBidi(text) && !ImGui::IsItemActive()) UserTextWrapped(text);  // shaped preview
}

void NumberField(Ctx& c, const std::string& field, const json& value, bool integer, const std::string& unit) {
  std::string text = NumberText(value);
  std::string id = "##" + field;
  FocusIf(TakeProblem(c, field));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  bool changed = TextInput(id.c_str(), &text, ImGuiInputTextFlags_AutoSelectAll);
  LogItem(("number:" + field).c_str());
  if (!unit.empty()) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(unit.c_str());
  }
  if (changed) Edit(c, field, ParseNumber(text, integer));
}

void DateInput(Ctx& c, const std::string& field, const json& value, const std::string& log_label) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  FocusIf(TakeProblem(c, field));
  if (DateField(("date" + field).c_str(), &text, c.e.today, log_label)) Edit(c, field, text.empty() ? json() : json(text));
}

void YesNo(Ctx& c, const std::string& field, const json& value) {
  TakeProblem(c, field);
  std::string yes = std::string(tr("Yes")) + "##" + field, no = std::string(tr("No")) + "##" + field;
  if (ChoiceButton(yes.c_str(), value == true, ImGui::GetFontSize() * 5)) Edit(c, field, value == true ? json() : json(true));
  LogItem(("yes:" + field).c_str());  // "Yes" alone names every yes/no question
  ImGui::SameLine();
  if (ChoiceButton(no.c_str(), value == false, ImGui::GetFontSize() * 5)) Edit(c, field, value == false ? json() : json(false));
  LogItem(("no:" + field).c_str());
}

// Large buttons that wrap to the next line when the row is full.
void Choices(Ctx& c, const std::string& field, const json& value, const std::vector<FormOption>& options, bool multi) {
  TakeProblem(c, field);
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

// A position answer: latitude, longitude and accuracy typed in degrees, then
// shown as people read it ("6.7959° S, 39.2469° E").
void PositionField(Ctx& c, const std::string& field, const json& value) {
  json pos = value.is_object() ? value : json::object();
  const char* parts[] = {"lat", "lon", "accuracy_m"};
  const char* labels[] = {tr("Latitude"), tr("Longitude"), tr("Accuracy (m)")};
  FocusIf(TakeProblem(c, field));
  for (int i = 0; i < 3; ++i) {
    if (i > 0) ImGui::SameLine();
    std::string text = NumberText(pos.value(parts[i], json()));
    std::string id = std::string(labels[i]) + "##" + field + parts[i];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (TextInput(id.c_str(), &text)) {
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
  if (pos.value("lat", json()).is_number() && pos.value("lon", json()).is_number()) {
    HelpText(app::PositionText(pos["lat"].get<double>(), pos["lon"].get<double>(), pos.value("accuracy_m", json())));
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
    case AnswerType::kDate: DateInput(c, field, value, "date:" + field); break;
    case AnswerType::kPosition: PositionField(c, field, value); break;
  }
  ImGui::PopID();
  FieldError(c, field);
  ImGui::Spacing();
}

// A label, then its input on the same row.
void RowLabel(const char* text) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(text);
  ImGui::SameLine();
}

void PositionOfVisit(Ctx& c, const json& v) {
  auto get = [&](const char* k) { return v.contains(k) ? v[k] : json(); };
  ImGui::TextUnformatted(tr("Position of the visit"));
  RowLabel(tr("Latitude"));
  NumberField(c, "gps_lat", get("gps_lat"), false, "");
  ImGui::SameLine();
  RowLabel(tr("Longitude"));
  NumberField(c, "gps_lon", get("gps_lon"), false, "");
  ImGui::SameLine();
  RowLabel(tr("Accuracy (m)"));
  NumberField(c, "gps_accuracy_m", get("gps_accuracy_m"), false, "");
  // The position in the form people read on maps and GPS units.
  if (get("gps_lat").is_number() && get("gps_lon").is_number()) {
    UserText(app::PositionText(get("gps_lat").get<double>(), get("gps_lon").get<double>(), get("gps_accuracy_m")));
  } else {
    HelpText(tr("No position yet."));
  }
  LogItem("position text");
  if (c.e.site_has_position) {
    HelpText(ui::Format(tr("Site's position: {position}"), {{"position", app::PositionText(c.e.site_lat, c.e.site_lon)}}));
  }
  if (!c.e.far_from_site.empty()) {
    // A warning, not an error: saving stays possible.
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.4f, 0.0f, 1.0f));
    UserTextWrapped(c.e.far_from_site);
    ImGui::PopStyleColor();
    LogItem("far from site");
  }
  DrawPositionWarnings(c.e.position_warnings);
  for (const char* k : {"gps_lat", "gps_lon", "gps_accuracy_m"}) FieldError(c, k);
  // Where the position came from is set by how it was entered (issue 13):
  // "Use my position" (GPS), the map, or typing.
  const json source = get("gps_source");
  const std::pair<const char*, const char*> sources[] = {{"gps", tr("GPS")},
                                                         {"network", tr("Network")},
                                                         {"map_pick", tr("Picked on map")},
                                                         {"site_default", tr("Site's position")},
                                                         {"typed", tr("Typed")}};
  for (const auto& [value, text] : sources) {
    if (source != value) continue;
    HelpText(std::string(tr("Source:")) + " " + text);
    LogItem("position source");
  }
  DrawPositionTaking(c.f, false);
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
    TakeProblem(c, "condition_rating");
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
  PositionOfVisit(c, v);

  Heading(tr("Notes"));
  TextField(c, tr("Notes"), "notes", get("notes"), true);
  FieldError(c, "notes");

  Heading(tr("SDG targets"));
  json targets = get("sdg_targets");
  Flow sdg_flow;
  for (const std::string& t : c.e.form->sdg_targets) {
    bool on = targets.is_array() && std::find(targets.begin(), targets.end(), json(t)) != targets.end();
    std::string label = t + "##sdg" + t;
    const float w = sdg_flow.Next(t.c_str());
    if (ChoiceButton(label.c_str(), on, w)) {
      json list = targets.is_array() ? targets : json::array();
      if (on) {
        list.erase(std::remove(list.begin(), list.end(), json(t)), list.end());
      } else {
        list.push_back(t);
      }
      Edit(c, "sdg_targets", list.empty() ? json() : list);
    }
  }

  Heading(tr("Follow-up"));
  YesNo(c, "follow_up_needed", get("follow_up_needed"));
  if (get("follow_up_needed") == true) {
    TakeProblem(c, "follow_up_priority");
    RowLabel(tr("Priority:"));
    const json prio = get("follow_up_priority");
    for (const char* p : {"P1", "P2", "P3"}) {
      std::string label = std::string(p) + "##prio";
      if (ChoiceButton(label.c_str(), prio == p, ImGui::GetFontSize() * 4)) Edit(c, "follow_up_priority", json(p));
      ImGui::SameLine();
    }
    ImGui::NewLine();
    FieldError(c, "follow_up_priority");
    RowLabel(tr("Due"));
    DateInput(c, "follow_up_due", get("follow_up_due"), tr("Due"));
    FieldError(c, "follow_up_due");
    UserText(tr("Follow-up action"));
    TextField(c, tr("Follow-up action"), "follow_up_action", get("follow_up_action"), false);
    FieldError(c, "follow_up_action");
  }
}

// The header's status row: one row tall whatever it says.
void StatusRow(const app::EditorState& e, bool* find_problem) {
  const float row_h = TouchHeight();
  const char* go = tr("Go to first problem");
  const float go_w = ImGui::CalcTextSize(go).x + ImGui::GetStyle().FramePadding.x * 4;
  const float text_w = ImGui::GetContentRegionAvail().x - go_w - ImGui::GetStyle().ItemSpacing.x;
  std::string text;
  bool error = false;
  if (!e.errors.empty()) {
    error = true;
    text = !e.message.empty() ? e.message
                              : ui::Format(tr("Fields to correct: {n}"), {{"n", std::to_string(e.errors.size())}});
  } else if (!e.message.empty()) {
    text = e.message;
  } else if (e.dirty) {
    text = e.draft_saved_at.empty() ? tr("Unsaved changes.")
                                    : ui::Format(tr("Unsaved changes; draft kept on this device ({time})."),
                                                 {{"time", e.draft_saved_at.substr(11, 8)}});
  }
  ImGui::BeginChild("status", ImVec2(text_w, row_h), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (!text.empty()) {
    ImGui::SetCursorPosY(std::max(0.0f, (row_h - ImGui::GetTextLineHeight()) / 2));
    if (error) {
      ErrorText(text);
    } else if (e.dirty) {
      HelpText(text);
    } else {
      UserText(text);
    }
  }
  ImGui::EndChild();
  LogItem("editor status");
  ImGui::SameLine();
  if (!e.errors.empty()) {
    if (BigButton(go, go_w)) *find_problem = true;
  } else {
    ImGui::Dummy(ImVec2(go_w, row_h));
  }
}

}  // namespace

void DrawEditor(Frame& f) {
  const app::EditorState& e = f.state.editor;
  if (!e.open || !e.form) {
    HelpText(tr("No visit is open."));
    return;
  }
  Ctx c{f, e, e.form_languages};
  // The header keeps its height: the same buttons always (disabled when they
  // do nothing), one status row.
  // The state badge (draft, waiting, sent, refused…) follows the title: its
  // width changes with the state, so it must not sit before the buttons.
  ImGui::SetWindowFontScale(1.3f);
  UserText(e.site_name + " · " + PickLabel(e.form->title, c.lang));
  ImGui::SetWindowFontScale(1.0f);
  ImGui::SameLine();
  StateBadge(f.state.editor_status);
  ImGui::Separator();
  Flow flow;
  if (BigButton(tr("Save"), flow.Next(tr("Save")))) f.out.push_back(app::SaveVisit{false});
  if (BigButton(tr("Save as complete"), flow.Next(tr("Save as complete")))) f.out.push_back(app::SaveVisit{true});
  if (BigButton(tr("Close"), flow.Next(tr("Close")))) f.out.push_back(app::CloseEditor{false});
  const float discard_w = flow.Next(tr("Discard changes"));
  ImGui::BeginDisabled(!e.dirty);
  if (BigButton(tr("Discard changes"), discard_w)) f.out.push_back(app::CloseEditor{true});
  ImGui::EndDisabled();
  const float history_w = flow.Next(tr("History"));
  ImGui::BeginDisabled(e.is_new);
  if (BigButton(tr("History"), history_w)) f.out.push_back(app::OpenHistory{e.visit_id});
  ImGui::EndDisabled();
  StatusRow(e, &c.find_problem);
  ImGui::Separator();
  ImGui::BeginChild("form");
  const json answers = e.values.contains("answers") && e.values["answers"].is_object() ? e.values["answers"] : json::object();
  Heading(tr("Questions"));
  for (const FormField& q : e.form->fields) FormQuestion(c, *e.form, q, answers);
  VisitFields(c);
  DrawPhotoStrip(f);  // photo_strip.cpp: the visit's photos
  ImGui::EndChild();
}

}  // namespace ccfield::views
