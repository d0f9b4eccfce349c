// The date field with a calendar popup (DateField, widgets.h).
#include "views/widgets.h"

#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "text/i18n.h"

namespace ccfield::views {

using ui::tr;

namespace {

using std::chrono::year_month_day;

std::optional<year_month_day> ParseDate(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return std::nullopt;
  year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string FormatDate(int y, unsigned m, unsigned d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

// Text centred in a w x h box that takes its place in the layout.
void CenteredLabel(const std::string& text, float w, float h) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  ImGui::Dummy(ImVec2(w, h));
  ImGui::GetWindowDrawList()->AddText(ImVec2(p.x + std::max(0.0f, (w - size.x) / 2), p.y + (h - size.y) / 2),
                                      ImGui::GetColorU32(ImGuiCol_Text), text.c_str());
}

// Months counted from year 0, so "previous month" is minus one.
int MonthIndex(const year_month_day& ymd) {
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

const char* const kMonthNames[] = {ui::N_("January"), ui::N_("February"), ui::N_("March"),     ui::N_("April"),
                                   ui::N_("May"),     ui::N_("June"),     ui::N_("July"),      ui::N_("August"),
                                   ui::N_("September"), ui::N_("October"), ui::N_("November"), ui::N_("December")};
// Weeks start on Monday (ISO 8601, as in most of our countries).
const char* const kWeekdayNames[] = {ui::N_("Mon"), ui::N_("Tue"), ui::N_("Wed"), ui::N_("Thu"),
                                     ui::N_("Fri"), ui::N_("Sat"), ui::N_("Sun")};

}  // namespace

bool DateField(const char* id, std::string* date, const std::string& today, const std::string& log_label) {
  bool changed = false;
  ImGui::PushID(id);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  if (TextInput("##text", date, 0, "YYYY-MM-DD")) changed = true;
  LogItem(log_label.c_str());
  ImGui::SameLine();
  ImGuiStorage* storage = ImGui::GetStateStorage();
  const ImGuiID month_key = ImGui::GetID("month");
  const std::optional<year_month_day> now = ParseDate(today);
  const int this_month = now ? MonthIndex(*now) : 2026 * 12;
  if (BigButton((std::string(tr("Calendar")) + "###calendar").c_str())) {
    std::optional<year_month_day> current = ParseDate(*date);
    storage->SetInt(month_key, current ? MonthIndex(*current) : this_month);
    ImGui::OpenPopup("calendar");
  }
  LogItem(("calendar:" + log_label).c_str());
  if (ImGui::BeginPopup("calendar")) {
    const int index = storage->GetInt(month_key, this_month);
    const int year = index / 12;
    const unsigned month = static_cast<unsigned>(index % 12) + 1;
    const float cell = TouchHeight();
    if (BigButton("<###prev", cell)) storage->SetInt(month_key, index - 1);
    LogItem(tr("Previous month"));
    ImGui::SameLine();
    const std::string title = ui::Format(tr("{month} {year}"), {{"month", tr(kMonthNames[month - 1])},
                                                                 {"year", std::to_string(year)}});
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    CenteredLabel(title, cell * 5 + gap * 4, cell);
    ImGui::SameLine();
    if (BigButton(">###next", cell)) storage->SetInt(month_key, index + 1);
    LogItem(tr("Next month"));
    for (int i = 0; i < 7; ++i) {
      if (i > 0) ImGui::SameLine();
      CenteredLabel(tr(kWeekdayNames[i]), cell, ImGui::GetTextLineHeightWithSpacing());
    }
    using namespace std::chrono;
    const year_month ym{std::chrono::year(year), std::chrono::month(month)};
    const unsigned first = weekday(sys_days(ym / 1)).iso_encoding() - 1;  // 0 = Monday
    const unsigned days = static_cast<unsigned>((ym / last).day());
    for (unsigned d = 1; d <= days; ++d) {
      if (d == 1 && first > 0) {
        ImGui::Dummy(ImVec2(cell * static_cast<float>(first) + gap * static_cast<float>(first - 1), cell));
        ImGui::SameLine();
      } else if (d > 1 && (first + d - 1) % 7 != 0) {
        ImGui::SameLine();
      }
      const std::string iso = FormatDate(year, month, d);
      const std::string label = std::to_string(d) + "###day" + iso;
      const bool is_today = iso == today;
      if (is_today) ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.0f);
      if (ChoiceButton(label.c_str(), iso == *date, cell)) {
        *date = iso;
        changed = true;
        ImGui::CloseCurrentPopup();
      }
      if (is_today) ImGui::PopStyleVar();
      LogItem(("day:" + iso).c_str());
    }
    if (BigButton(tr("Today"))) {
      *date = today;
      changed = true;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (BigButton(tr("Clear"))) {
      changed = !date->empty();
      date->clear();
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::PopID();
  return changed;
}

}  // namespace ccfield::views
