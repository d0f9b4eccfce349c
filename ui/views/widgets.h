#pragma once
// Small widgets shared by the screens: touch-sized buttons, user text that
// is shaped and laid out right to left when it is Arabic, search snippets,
// and the item log that lets tests and scripts click by label.
#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/replica.h"

namespace ccfield::views {

// Touch targets are at least kTouchPx tall at 100 % text (and 2.2 text lines):
// DrawMain sets the text-size scale once per frame.
inline constexpr float kTouchPx = 44.0f;
void SetTouchScale(float scale);
float TouchHeight();

// A button at least a finger tall (scaled with the text size).
bool BigButton(const char* label, float width = 0);
// A button that shows as pressed when `selected` (pick lists, toggles).
bool ChoiceButton(const char* label, bool selected, float width = 0);
// A row of a list (or of a drop-down) a finger can hit: the whole width,
// at least TouchHeight() tall, opened by a quick tap wherever the finger was
// before. Draw the row's text after it (SetCursorPos back to `row_start`)
// or pass it in `label` before "##".
// `log_label` names the row in the item log when its text is drawn separately.
bool ListRow(const char* label, bool selected = false, float height = 0, const char* log_label = nullptr);
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

// A one-line text box, as ImGui::InputText (or InputTextWithHint when
// `hint` is given), that shows right-to-left text shaped and in visual order
// while typing, with the caret where the next letter appears and taps placing
// it where tapped (text_field.cpp). When the window is mirrored its inside
// keeps its order and its label goes to the other side. True when *text changed.
bool TextInput(const char* label, std::string* text, ImGuiInputTextFlags flags = 0, const char* hint = nullptr);

// A multiline text box that wraps words at its width while typing (ImGui 1.86
// cannot): the stored *text never gets the line breaks it shows. Only one box
// is edited at a time; its display state lives here. True when *text changed.
bool WrappedTextEdit(const char* id, std::string* text, float height);
// Draws the text of the multiline box `label` just submitted (its own text
// drawn transparent) line by line in visual order, right-to-left lines
// right-aligned, with the caret and selection mapped, and marks the box
// left-to-right for mirroring (text_field.cpp). `display` is what it holds.
void DrawBidiBoxText(const char* label, const std::string& display);
// What the wrapped box being edited shows, its line breaks included; "" when
// none is being edited (tests check the wrap through it).
std::string EditedBoxDisplay();

// A date typed as YYYY-MM-DD or picked in a calendar popup (month by month,
// "Today", "Clear"). `today` is YYYY-MM-DD. True when *date changed; "" clears.
// Logged as `log_label` (the text box) and "calendar:"+log_label (its button).
bool DateField(const char* id, std::string* date, const std::string& today, const std::string& log_label);

// ---- Record states (issue 9) ----
// The state in words: "Draft", "Waiting to send", "Sent", "Refused", "In conflict", "Demo".
const char* StateWord(ccfield::RecordState state);
// A coloured badge with the state's word, in the layout (SameLine before it
// to put it after a title). White on a dark fill: readable on the light, dark
// and high-contrast themes alike. Logged as "badge:<word>".
void StateBadge(const ccfield::RecordStatus& status);
// The same badge drawn over the right end of the last item (a list row),
// without taking layout space. Returns its width (text to its left can stop there).
float StateBadgeOnLastItem(const ccfield::RecordStatus& status);
// The badge colour of a state (for stripes that tie a button to its badges).
ImU32 StateColourU32(ccfield::RecordState state);
// A badge in any words and the colour of `state` ("Overdue" uses kRefused's red).
void WordBadge(const char* word, ccfield::RecordState colour_of);

// A confirmation dialog opened with ImGui::OpenPopup(id) in the same ID
// scope: the question, then `yes` and `no` buttons. True the frame `yes` is tapped.
bool ConfirmDialog(const char* id, std::string_view question, const char* yes, const char* no);

// ---- Item log: where each labelled widget was drawn last frame. ----
struct LoggedItem {
  std::string label;  // the visible label (before "##")
  ImVec2 min, max;
  bool visible = true;    // not scrolled out of its window
  ImVec2 window_center;   // where a wheel scrolls the item's window
  ImVec2 clip_min, clip_max;  // the part of the screen where the item can be clicked
  bool active = false;        // being pressed or edited (a text box with the cursor in it)
  std::string id;             // what follows "###" in the label: stable whatever the language ("" when none)
};
void EnableItemLog(bool on);
// Called after a widget: records ImGui's last item under `label` (not when
// the widget is disabled: it cannot be tapped).
void LogItem(const char* label);
// Starts a new frame's log (the previous one stays readable until then).
void BeginItemLog();
// The items of the last complete frame: the frame being drawn when called
// between frames, the one before while a frame is being drawn.
const std::vector<LoggedItem>& LastFrameItems();

}  // namespace ccfield::views
