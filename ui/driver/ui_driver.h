#pragma once
// Drives the views like a person: clicks labelled widgets, types, scrolls,
// waits. It feeds ImGui's input (io) before each frame and finds widgets in
// the item log (views/widgets.h), so the same steps run headless in tests and
// in the real window (`ccfield window --script FILE`, used by the Xvfb tests).
//
// Script lines: click LABEL | tap LABEL | type TEXT | type_slow MS TEXT |
// wheel LABEL DY | key enter|backspace|tab|escape|left|right | wait MS |
// expect LABEL | expect_focus LABEL | shot FILE | drop PATH | quit | # comment.
// Gestures at a point DX DY pixels from a widget's centre (the map):
// drag LABEL DX DY TO_DX TO_DY (press, move over a few frames, release) |
// hold LABEL DX DY MS (press and keep still: a long-press) |
// rclick LABEL DX DY (a right click) |
// pinch LABEL DIST (two fingers at the widget's centre spreading apart by
// DIST, in touch-device units 0..1, over a few frames; negative: closing.
// Real SDL_MULTIGESTURE events, pushed by the host like a touch screen's).
// LABEL may be #ID: the widget whose ImGui label ends in ###ID (a stable id,
// whatever the language shows: `click #nav_sites` in Arabic).
// `click` moves the pointer first and presses on the next frame (a mouse);
// `tap` presses where the widget was drawn on the last frame, in the same
// frame the pointer arrives, and releases on the next (a finger): if the
// layout moved in between, the tap lands on whatever is there now.
// `expect` fails the script unless a widget with that label shows up;
// `expect_focus` unless the widget with that label is the active one (a
// text box with the cursor in it).
// LABEL matches a widget's visible label exactly, or else as a prefix; #ID
// matches the id exactly.
#include <imgui.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace ccfield::views {

class UiDriver {
 public:
  struct Step {
    enum Kind { kClick, kTap, kType, kWheel, kKey, kWait, kExpect, kExpectFocus, kShot, kQuit, kDrop, kDrag, kHold, kRightClick, kPinch } kind;
    std::string text;    // label, text, file or key name
    int64_t ms = 0;      // wait, or the pause between typed characters
    float amount = 0;    // wheel; pinch: the fingers' change of distance
    float dx = 0, dy = 0, to_dx = 0, to_dy = 0;  // gestures: from the widget's centre
  };

  // Parses a script; nullopt and *error (naming the line) when malformed.
  static std::optional<UiDriver> Parse(const std::string& script, std::string* error);

  void Click(std::string label) { steps_.push_back({Step::kClick, std::move(label), 0, 0}); }
  void Tap(std::string label) { steps_.push_back({Step::kTap, std::move(label), 0, 0}); }
  void ExpectFocus(std::string label) { steps_.push_back({Step::kExpectFocus, std::move(label), 0, 0}); }
  void Type(std::string text, int64_t pause_ms = 0) { steps_.push_back({Step::kType, std::move(text), pause_ms, 0}); }
  void Wheel(std::string label, float dy) { steps_.push_back({Step::kWheel, std::move(label), 0, dy}); }
  void Key(std::string name) { steps_.push_back({Step::kKey, std::move(name), 0, 0}); }
  void Expect(std::string label) { steps_.push_back({Step::kExpect, std::move(label), 0, 0}); }
  void Wait(int64_t ms) { steps_.push_back({Step::kWait, {}, ms, 0}); }

  // What the host must do this frame besides drawing.
  struct HostAction {
    std::string screenshot;  // save the frame just drawn to this file
    bool quit = false;
    std::string drop;  // drop this file on the window (an SDL_DROPFILE event, as the desktop sends)
    // Push an SDL_MULTIGESTURE event (two fingers pinching): the change of
    // their distance and their centre, in touch-device units (0..1 of the
    // window, as SDL gives them), already mirrored to the screen side.
    bool pinch = false;
    float pinch_dist = 0, pinch_x = 0, pinch_y = 0;
  };
  // Call after the platform backend's NewFrame and before ImGui::NewFrame.
  HostAction BeforeFrame(ImGuiIO& io, int64_t now_ms);

  bool done() const { return steps_.empty() && !mouse_down_; }
  // Why the driver stopped ("no widget labelled ..."); "" while fine.
  const std::string& error() const { return error_; }

 private:
  std::deque<Step> steps_;
  bool mouse_down_ = false;
  bool has_mouse_ = false;
  ImVec2 mouse_;  // kept every frame: the platform backend resets io.MousePos
  int missing_frames_ = 0;
  int scroll_frames_ = 0;
  int settle_frames_ = 0;  // frames to wait after a click or typing before the next step  // frames spent scrolling towards a click target  // frames a click target has not been found
  int64_t next_ms_ = 0;     // wait / slow typing: not before this time
  int gesture_frame_ = 0;   // frames into the current drag, hold or right click
  int64_t held_until_ms_ = 0;
  ImVec2 gesture_at_;       // where the gesture started
  bool Gesture(Step& s, ImGuiIO& io, int64_t now_ms);  // true when the step is done
  bool Pinch(Step& s, const ImGuiIO& io, HostAction* action);  // true when the step is done
  size_t typed_ = 0;        // bytes of the current type step already sent
  std::string error_;
};

}  // namespace ccfield::views
