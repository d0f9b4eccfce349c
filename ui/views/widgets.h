#pragma once
// Small widgets shared by the screens: touch-sized buttons, user text that
// is shaped and laid out right to left when it is Arabic, search snippets,
// and the item log that lets tests and scripts click by label.
#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace ccfield::views {

// A button at least a finger tall (scaled with the text size).
bool BigButton(const char* label, float width = 0);
// A button that shows as pressed when `selected` (pick lists, toggles).
bool ChoiceButton(const char* label, bool selected, float width = 0);
// Lays buttons out left to right, wrapping to a new row when the next one
// would not fit (pick lists, form choices).
class Flow {
 public:
  // Call before each button with its label; returns the button width to use.
  float Next(const char* visible_text);

 private:
  float x_ = 0;
};

// Text the user or the platform wrote: Arabic shaped and reordered; RTL
// paragraphs right-aligned; wrapped to the available width.
void UserText(std::string_view text);
void UserTextWrapped(std::string_view text);
// Whether text holds right-to-left letters in logical order (needs FriBidi).
bool NeedsBidi(std::string_view text);
// A single line (for list rows): shaped, no wrap.
std::string DisplayLine(std::string_view text);
// A search snippet with [matches] drawn highlighted.
void Snippet(std::string_view marked);
// Grey helper text and red validation messages.
void HelpText(std::string_view text);
void ErrorText(std::string_view text);
// A heading in a larger size.
void Heading(std::string_view text);

// ---- Item log: where each labelled widget was drawn last frame. ----
struct LoggedItem {
  std::string label;  // the visible label (before "##")
  ImVec2 min, max;
  bool visible = true;    // not scrolled out of its window
  ImVec2 window_center;   // where a wheel scrolls the item's window
  ImVec2 clip_min, clip_max;  // the part of the screen where the item can be clicked
};
void EnableItemLog(bool on);
// Called after a widget: records ImGui's last item under `label`.
void LogItem(const char* label);
// Starts a new frame's log (the previous one stays readable until then).
void BeginItemLog();
const std::vector<LoggedItem>& LastFrameItems();

}  // namespace ccfield::views
