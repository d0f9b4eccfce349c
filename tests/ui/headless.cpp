#include "ui/headless.h"

#include <doctest/doctest.h>

#include "views/widgets.h"

namespace ccfield::testing {

HeadlessUi::HeadlessUi(app::App* app, FakeEnv* env, ImVec2 size) : app_(app), env_(env) {
  ctx_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = size;
  io.DeltaTime = 1.0f / 60.0f;
  unsigned char* pixels;
  int w, h;
  io.Fonts->AddFontDefault();
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; no texture needed
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;  // the driver presses keys by ImGuiKey
  views::EnableItemLog(true);
  views::BeginItemLog();  // forget the items of an earlier test's context
  views::BeginItemLog();
}

HeadlessUi::~HeadlessUi() {
  views::EnableItemLog(false);
  ImGui::DestroyContext(ctx_);
}

app::Commands HeadlessUi::Frame() {
  ImGuiIO& io = ImGui::GetIO();
  if (env_) env_->Advance(16);
  if (driver_) {
    driver_->BeforeFrame(io, env_ ? env_->MonoNanos() / 1'000'000 : 0);
  }
  ImGui::NewFrame();
  views::BeginItemLog();
  app::Commands commands;
  views::Frame frame{app_->state(), commands, ui, 1.0f};
  views::DrawMain(frame);
  ImGui::Render();
  app_->Apply(commands);
  app_->Tick();
  applied_.insert(applied_.end(), commands.begin(), commands.end());
  return commands;
}

void HeadlessUi::Run(views::UiDriver& driver, int max_frames) {
  driver_ = &driver;
  int n = 0;
  while (!driver.done() && driver.error().empty() && n++ < max_frames) Frame();
  Frame();  // let the last click's command apply and the screen redraw
  Frame();
  driver_ = nullptr;
  REQUIRE_MESSAGE(driver.error().empty(), driver.error());
  REQUIRE_MESSAGE(driver.done(), "the driver did not finish its steps");
}

}  // namespace ccfield::testing
