#pragma once
// Headless ImGui for view tests (Debian's ImGui 1.86 has no null backend):
// a context with a built font atlas and a fixed display size, no window. Each
// Frame() draws the views from the App's state, applies the commands they
// emitted, and ticks the App. A UiDriver clicks and types like a person.
#include <imgui.h>

#include <memory>
#include <vector>

#include "app/app.h"
#include "driver/ui_driver.h"
#include "views/views.h"

namespace ccfield::testing {

class HeadlessUi {
 public:
  // `env` drives the App's clocks; every frame advances it by 16 ms when it is a FakeEnv.
  HeadlessUi(app::App* app, FakeEnv* env, ImVec2 size = ImVec2(1280, 800));
  ~HeadlessUi();

  // One frame; returns the commands it produced (already applied).
  app::Commands Frame();
  // Frames until the driver has no steps left; fails the test on a driver error.
  void Run(views::UiDriver& driver, int max_frames = 600);
  // Every command applied so far, in order.
  const std::vector<app::Command>& applied() const { return applied_; }

  views::ViewState ui;

 private:
  app::App* app_;
  FakeEnv* env_;
  ImGuiContext* ctx_;
  views::UiDriver* driver_ = nullptr;
  std::vector<app::Command> applied_;
};

// The applied commands of one type.
template <typename T>
std::vector<T> CommandsOf(const std::vector<app::Command>& all) {
  std::vector<T> out;
  for (const app::Command& c : all) {
    if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
  }
  return out;
}

}  // namespace ccfield::testing
