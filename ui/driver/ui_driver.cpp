#include "driver/ui_driver.h"

#include <algorithm>
#include <sstream>

#include "text/bidi.h"
#include "views/mirror.h"
#include "views/widgets.h"

namespace ccfield::views {
namespace {

const LoggedItem* FindItem(const std::string& label) {
  if (label.size() > 1 && label[0] == '#') {  // #ID: the stable id after "###"
    for (const LoggedItem& item : LastFrameItems()) {
      if (item.id == std::string_view(label).substr(1)) return &item;
    }
    return nullptr;
  }
  // A right-to-left catalog holds its texts in visual order (VisualLine), as
  // the widgets draw them: a script names a button as a person reads it
  // (logical order), so both forms are tried.
  const std::string visual = ui::HasRtl(label) ? ui::VisualLine(label) : label;
  const LoggedItem* prefix = nullptr;
  for (const LoggedItem& item : LastFrameItems()) {
    if (item.label == label || item.label == visual) return &item;
    if (!prefix && (item.label.rfind(label, 0) == 0 || item.label.rfind(visual, 0) == 0)) prefix = &item;
  }
  return prefix;
}

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  return 4;
}

}  // namespace

std::optional<UiDriver> UiDriver::Parse(const std::string& script, std::string* error) {
  UiDriver d;
  std::istringstream in(script);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    std::string cmd = line.substr(0, sp), arg = sp == std::string::npos ? "" : line.substr(sp + 1);
    auto fail = [&](const char* why) {
      if (error) *error = "script line " + std::to_string(n) + ": " + why;
      return std::nullopt;
    };
    try {
      if (cmd == "click" && !arg.empty()) {
        d.Click(arg);
      } else if (cmd == "tap" && !arg.empty()) {
        d.Tap(arg);
      } else if (cmd == "expect_focus" && !arg.empty()) {
        d.ExpectFocus(arg);
      } else if (cmd == "type") {
        d.Type(arg);
      } else if (cmd == "type_slow") {
        size_t s2 = arg.find(' ');
        if (s2 == std::string::npos) return fail("type_slow takes MS TEXT");
        d.Type(arg.substr(s2 + 1), std::stoll(arg.substr(0, s2)));
      } else if (cmd == "wheel") {
        size_t s2 = arg.rfind(' ');
        if (s2 == std::string::npos) return fail("wheel takes LABEL DY");
        d.Wheel(arg.substr(0, s2), std::stof(arg.substr(s2 + 1)));
      } else if (cmd == "key" && (arg == "enter" || arg == "backspace" || arg == "tab" || arg == "escape" ||
                                  arg == "left" || arg == "right")) {
        d.Key(arg);
      } else if (cmd == "expect" && !arg.empty()) {
        d.Expect(arg);
      } else if (cmd == "wait") {
        d.Wait(std::stoll(arg));
      } else if (cmd == "shot" && !arg.empty()) {
        d.steps_.push_back({Step::kShot, arg, 0, 0});
      } else if (cmd == "quit") {
        d.steps_.push_back({Step::kQuit, {}, 0, 0});
      } else if (cmd == "drag" || cmd == "hold" || cmd == "rclick") {
        // LABEL then numbers: the label may hold spaces, the numbers never.
        const size_t count = cmd == "drag" ? 4 : cmd == "hold" ? 3 : 2;
        std::vector<float> nums;
        std::string label = arg;
        for (size_t i = 0; i < count; ++i) {
          size_t s2 = label.rfind(' ');
          if (s2 == std::string::npos) return fail("drag takes LABEL DX DY TO_DX TO_DY, hold LABEL DX DY MS, rclick LABEL DX DY");
          nums.insert(nums.begin(), std::stof(label.substr(s2 + 1)));
          label.resize(s2);
        }
        Step st{cmd == "drag" ? Step::kDrag : cmd == "hold" ? Step::kHold : Step::kRightClick, label, 0, 0};
        st.dx = nums[0];
        st.dy = nums[1];
        if (cmd == "drag") st.to_dx = nums[2], st.to_dy = nums[3];
        if (cmd == "hold") st.ms = static_cast<int64_t>(nums[2]);
        d.steps_.push_back(st);
      } else if (cmd == "pinch") {
        size_t s2 = arg.rfind(' ');
        if (s2 == std::string::npos || s2 == 0) return fail("pinch takes LABEL DIST");
        Step st{Step::kPinch, arg.substr(0, s2), 0, std::stof(arg.substr(s2 + 1))};
        d.steps_.push_back(st);
      } else if (cmd == "drop" && !arg.empty()) {
        d.steps_.push_back({Step::kDrop, arg, 0, 0});
      } else {
        return fail("unknown step (click, tap, type, type_slow, wheel, key, wait, expect, expect_focus, shot, drop, drag, hold, rclick, pinch, quit)");
      }
    } catch (const std::exception&) {
      return fail("bad number");
    }
  }
  return d;
}

UiDriver::HostAction UiDriver::BeforeFrame(ImGuiIO& io, int64_t now_ms) {
  HostAction action;
  if (has_mouse_) io.MousePos = mouse_;
  if (mouse_down_) {  // the second half of a click: release where we pressed
    io.MouseDown[0] = false;
    mouse_down_ = false;
    settle_frames_ = 2;  // the click's command applies after this frame; then the layout may move
    return action;
  }
  if (settle_frames_ > 0) {
    --settle_frames_;
    return action;
  }
  if (!error_.empty() || steps_.empty() || now_ms < next_ms_) return action;
  Step& s = steps_.front();
  switch (s.kind) {
    case Step::kClick:
    case Step::kTap:
    case Step::kWheel: {
      const LoggedItem* item = FindItem(s.text);
      if (!item) {
        // The widget may appear a few frames later (after a command applies).
        if (++missing_frames_ > 30) error_ = "no widget labelled \"" + s.text + "\"";
        return action;
      }
      missing_frames_ = 0;
      // Aim at the middle of the part on screen (a row may be wider than its
      // list); a widget less than half in view is scrolled to first.
      const ImVec2 lo(std::max(item->min.x, item->clip_min.x), std::max(item->min.y, item->clip_min.y));
      const ImVec2 hi(std::min(item->max.x, item->clip_max.x), std::min(item->max.y, item->clip_max.y));
      const ImVec2 center((lo.x + hi.x) / 2, (lo.y + hi.y) / 2);
      const bool reachable = item->visible && hi.x - lo.x >= 1 && hi.y - lo.y >= (item->max.y - item->min.y) / 2;
      if (!reachable && s.kind != Step::kWheel) {
        // Scrolled out of view: wheel its window towards it, as a person would.
        mouse_ = item->window_center;
        has_mouse_ = true;
        io.MousePos = mouse_;
        io.MouseWheel = item->min.y > item->window_center.y ? -1.0f : 1.0f;
        if (++scroll_frames_ > 400) error_ = "cannot scroll to \"" + s.text + "\"";
        return action;
      }
      scroll_frames_ = 0;
      if (s.kind == Step::kClick && (!has_mouse_ || mouse_.x != center.x || mouse_.y != center.y)) {
        // Move first, press on the next frame: ImGui settles hover (and a wheel's
        // window lock) before the press, as under a real finger.
        mouse_ = center;
        has_mouse_ = true;
        io.MousePos = mouse_;
        return action;
      }
      mouse_ = center;
      has_mouse_ = true;
      io.MousePos = mouse_;
      if (s.kind != Step::kWheel) {
        io.MouseDown[0] = true;
        mouse_down_ = true;
      } else {
        io.MouseWheel = s.amount;
      }
      steps_.pop_front();
      break;
    }
    case Step::kType: {
      // One character per frame (or per pause): as typed, and every frame may autosave.
      size_t len = Utf8Length(static_cast<unsigned char>(s.text[typed_]));
      io.AddInputCharactersUTF8(s.text.substr(typed_, len).c_str());
      typed_ += len;
      next_ms_ = now_ms + s.ms;
      if (typed_ >= s.text.size()) {
        typed_ = 0;
        settle_frames_ = 2;
        steps_.pop_front();
      }
      break;
    }
    case Step::kKey: {
      ImGuiKey_ key = s.text == "enter" ? ImGuiKey_Enter
                     : s.text == "tab"    ? ImGuiKey_Tab
                     : s.text == "escape" ? ImGuiKey_Escape
                     : s.text == "left"   ? ImGuiKey_LeftArrow
                     : s.text == "right"  ? ImGuiKey_RightArrow
                                          : ImGuiKey_Backspace;
      int index = io.KeyMap[key];
      if (index >= 0 && index < IM_ARRAYSIZE(io.KeysDown)) {
        io.KeysDown[index] = !io.KeysDown[index];  // press this frame, release the next
        if (io.KeysDown[index]) return action;
      }
      steps_.pop_front();
      break;
    }
    case Step::kExpect:
      if (!FindItem(s.text)) {
        if (++missing_frames_ > 30) error_ = "expected a widget labelled \"" + s.text + "\"";
        return action;
      }
      missing_frames_ = 0;
      steps_.pop_front();
      break;
    case Step::kExpectFocus: {
      const LoggedItem* item = FindItem(s.text);
      if (!item || !item->active) {
        if (++missing_frames_ > 30) {
          std::string active;
          for (const LoggedItem& it : LastFrameItems()) {
            if (it.active) active = it.label;
          }
          error_ = "expected \"" + s.text + "\" to have the focus; " +
                   (active.empty() ? std::string("no widget has it") : "\"" + active + "\" has it");
        }
        return action;
      }
      missing_frames_ = 0;
      steps_.pop_front();
      break;
    }
    case Step::kWait:
      next_ms_ = now_ms + s.ms;
      steps_.pop_front();
      break;
    case Step::kShot:
      action.screenshot = s.text;
      steps_.pop_front();
      break;
    case Step::kQuit:
      action.quit = true;
      steps_.pop_front();
      break;
    case Step::kDrop:
      action.drop = s.text;
      steps_.pop_front();
      break;
    case Step::kDrag:
    case Step::kHold:
    case Step::kRightClick:
      if (Gesture(s, io, now_ms)) {
        steps_.pop_front();
        settle_frames_ = 2;
      }
      break;
    case Step::kPinch:
      if (Pinch(s, io, &action)) {
        steps_.pop_front();
        settle_frames_ = 2;
      }
      break;
  }
  return action;
}

// One SDL_MULTIGESTURE event per frame, kPinchEvents in all, at the widget's
// centre. The host pushes each after the frame; the window reads it before
// the next, as it reads a touch screen's.
bool UiDriver::Pinch(Step& s, const ImGuiIO& io, HostAction* action) {
  constexpr int kPinchEvents = 5;
  const LoggedItem* item = FindItem(s.text);
  if (!item) {
    if (++missing_frames_ > 30) error_ = "no widget labelled \"" + s.text + "\"";
    return false;
  }
  missing_frames_ = 0;
  float x = (item->min.x + item->max.x) / 2;
  const float y = (item->min.y + item->max.y) / 2;
  // Layout to screen: a centre flips across the display whether or not it is
  // in a left-to-right region (such a region moves as a whole to the mirror of its box).
  if (Mirrored()) x = io.DisplaySize.x - x;
  action->pinch = true;
  action->pinch_dist = s.amount / kPinchEvents;
  action->pinch_x = io.DisplaySize.x > 0 ? x / io.DisplaySize.x : 0;
  action->pinch_y = io.DisplaySize.y > 0 ? y / io.DisplaySize.y : 0;
  if (++gesture_frame_ < kPinchEvents) return false;
  gesture_frame_ = 0;
  return true;
}

// Frame by frame: move to the start, press, (move or wait), release.
bool UiDriver::Gesture(Step& s, ImGuiIO& io, int64_t now_ms) {
  const int button = s.kind == Step::kRightClick ? 1 : 0;
  if (gesture_frame_ == 0) {
    const LoggedItem* item = FindItem(s.text);
    if (!item) {
      if (++missing_frames_ > 30) error_ = "no widget labelled \"" + s.text + "\"";
      return false;
    }
    missing_frames_ = 0;
    gesture_at_ = ImVec2((item->min.x + item->max.x) / 2 + s.dx, (item->min.y + item->max.y) / 2 + s.dy);
    mouse_ = gesture_at_;
    has_mouse_ = true;
    io.MousePos = mouse_;
    gesture_frame_ = 1;
    return false;
  }
  constexpr int kDragFrames = 8;
  const int f = gesture_frame_++;
  if (f == 1) {
    io.MouseDown[button] = true;
    held_until_ms_ = now_ms + s.ms;
    return false;
  }
  if (s.kind == Step::kDrag && f - 1 <= kDragFrames) {
    const float t = static_cast<float>(f - 1) / kDragFrames;
    mouse_ = ImVec2(gesture_at_.x + (s.to_dx - s.dx) * t, gesture_at_.y + (s.to_dy - s.dy) * t);
    io.MousePos = mouse_;
    io.MouseDown[button] = true;
    return false;
  }
  if (s.kind == Step::kHold && now_ms < held_until_ms_) {
    io.MouseDown[button] = true;
    return false;
  }
  io.MouseDown[button] = false;
  gesture_frame_ = 0;
  return true;
}

}  // namespace ccfield::views
