// Right-to-left mirroring of a finished frame (views/mirror.h) on draw lists
// that ImGui itself filled: text runs keep their glyph order and move as a
// unit, shapes and clip rectangles flip, images keep their orientation,
// left-to-right regions move as a box, and pointer input maps back.
#include "views/mirror.h"

#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <vector>

namespace ccfield::views {
namespace {

constexpr float kW = 400, kH = 200;

// An ImGui context with the built-in font, one frame begun, and a window
// covering the display with no padding or decoration.
class Frame {
 public:
  Frame() {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(kW, kH);
    io.DeltaTime = 1.0f / 60;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->AddFontDefault();
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(intptr_t{1}));
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground);
    ImGui::PopStyleVar();
    list = ImGui::GetWindowDrawList();
  }
  ~Frame() {
    ImGui::End();
    ImGui::Render();
    ImGui::DestroyContext(ctx_);
  }
  int mark() const { return list->VtxBuffer.Size; }
  // Left x of each glyph quad among vertices [a, b), in drawing order.
  std::vector<float> GlyphXs(int a, int b) const {
    std::vector<float> xs;
    for (int i = a; i + 3 < b; i += 4) xs.push_back(list->VtxBuffer[i].pos.x);
    return xs;
  }
  float MinX(int a, int b) const {
    float x = 1e9f;
    for (int i = a; i < b; ++i) x = std::min(x, list->VtxBuffer[i].pos.x);
    return x;
  }
  float MaxX(int a, int b) const {
    float x = -1e9f;
    for (int i = a; i < b; ++i) x = std::max(x, list->VtxBuffer[i].pos.x);
    return x;
  }
  void Mirror(const std::vector<MirrorRegion>& regions = {}) {
    MirrorOptions o = CurrentMirrorOptions();
    REQUIRE(o.axis == kW);
    MirrorDrawList(list, o, regions);
  }
  ImDrawList* list = nullptr;

 private:
  ImGuiContext* ctx_;
};

std::vector<float> Offsets(const std::vector<float>& xs) {
  std::vector<float> out;
  for (float x : xs) out.push_back(x - xs.front());
  return out;
}

TEST_CASE("mirror: a label and its value swap sides, each keeps its letters in order") {
  Frame f;
  const int a = f.mark();
  ImGui::TextUnformatted("Name:");
  ImGui::SameLine();
  const int b = f.mark();
  ImGui::TextUnformatted("Pump 3");
  const int c = f.mark();
  const std::vector<float> label = f.GlyphXs(a, b), value = f.GlyphXs(b, c);
  REQUIRE(label.size() == 5);
  REQUIRE(value.size() == 5);  // the space has no quad
  const float label_x0 = f.MinX(a, b), label_x1 = f.MaxX(a, b);
  const float value_x0 = f.MinX(b, c), value_x1 = f.MaxX(b, c);
  f.Mirror();
  // Each run moved as a whole to its mirrored box.
  CHECK(f.MinX(a, b) == doctest::Approx(kW - label_x1));
  CHECK(f.MaxX(a, b) == doctest::Approx(kW - label_x0));
  CHECK(f.MinX(b, c) == doctest::Approx(kW - value_x1));
  CHECK(Offsets(f.GlyphXs(a, b)) == Offsets(label));  // "Name:" still reads left to right
  CHECK(Offsets(f.GlyphXs(b, c)) == Offsets(value));  // "Pump 3" too, its space inside the run
  CHECK(f.MinX(a, b) > f.MaxX(b, c));                 // the label is now right of its value
  (void)value_x0;
}

TEST_CASE("mirror: a sentence is one run, not words in reverse order") {
  Frame f;
  const int a = f.mark();
  ImGui::TextUnformatted("Sync sends your visits now");
  const int b = f.mark();
  const std::vector<float> xs = f.GlyphXs(a, b);
  const float x1 = f.MaxX(a, b);
  f.Mirror();
  CHECK(Offsets(f.GlyphXs(a, b)) == Offsets(xs));
  CHECK(f.MinX(a, b) == doctest::Approx(kW - x1));
}

TEST_CASE("mirror: wrapped lines are separate runs, each right-aligned in the mirror") {
  Frame f;
  ImGui::PushTextWrapPos(120);
  const int a = f.mark();
  ImGui::TextWrapped("first line words then second line");
  const int b = f.mark();
  ImGui::PopTextWrapPos();
  // Split the quads by line (y), remember each line's right end.
  std::vector<float> line_right;
  float y = -1e9f;
  for (int i = a; i < b; i += 4) {
    const ImDrawVert& v = f.list->VtxBuffer[i];
    if (v.pos.y > y + ImGui::GetFontSize() * 0.5f) line_right.push_back(0);
    y = std::max(y, v.pos.y);
    line_right.back() = std::max(line_right.back(), f.list->VtxBuffer[i + 1].pos.x);
  }
  REQUIRE(line_right.size() >= 2);
  f.Mirror();
  // Every line starts (on the left) where the mirror of its own right end is.
  std::vector<float> line_left;
  y = -1e9f;
  for (int i = a; i < b; i += 4) {
    const ImDrawVert& v = f.list->VtxBuffer[i];
    if (v.pos.y > y + ImGui::GetFontSize() * 0.5f) line_left.push_back(1e9f);
    y = std::max(y, v.pos.y);
    line_left.back() = std::min(line_left.back(), v.pos.x);
  }
  REQUIRE(line_left.size() == line_right.size());
  for (size_t i = 0; i < line_left.size(); ++i) CHECK(line_left[i] == doctest::Approx(kW - line_right[i]));
}

TEST_CASE("mirror: shapes and clip rectangles flip across the width") {
  Frame f;
  f.list->PushClipRect(ImVec2(10, 0), ImVec2(100, kH));
  const int a = f.mark();
  f.list->AddRectFilled(ImVec2(20, 10), ImVec2(60, 30), IM_COL32_WHITE);
  const int b = f.mark();
  f.list->PopClipRect();
  const ImDrawCmd& cmd =
      f.list->CmdBuffer.back().ElemCount > 0 ? f.list->CmdBuffer.back() : f.list->CmdBuffer[f.list->CmdBuffer.Size - 2];
  REQUIRE(cmd.ClipRect.x == 10);
  f.Mirror();
  CHECK(f.MinX(a, b) == doctest::Approx(kW - 60));
  CHECK(f.MaxX(a, b) == doctest::Approx(kW - 20));
  CHECK(cmd.ClipRect.x == doctest::Approx(kW - 100));
  CHECK(cmd.ClipRect.z == doctest::Approx(kW - 10));
}

TEST_CASE("mirror: an image moves to its mirrored box and is not flipped") {
  Frame f;
  const int a = f.mark();
  f.list->AddImage(reinterpret_cast<ImTextureID>(intptr_t{7}), ImVec2(10, 10), ImVec2(60, 40), ImVec2(0, 0),
                   ImVec2(1, 1));
  const int b = f.mark();
  REQUIRE(b - a == 4);
  f.Mirror();
  // The vertex with u = 0 is still the left edge.
  for (int i = a; i < b; ++i) {
    const ImDrawVert& v = f.list->VtxBuffer[i];
    CHECK(v.pos.x == doctest::Approx(v.uv.x == 0 ? kW - 60 : kW - 10));
  }
}

TEST_CASE("mirror: a left-to-right region moves as a box and pointer input maps back") {
  Frame f;
  const int a = f.mark();
  {
    LeftToRightRegion region(ImVec2(0, 0), ImVec2(200, 100));                 // a map canvas on the left half
    f.list->AddRectFilled(ImVec2(10, 10), ImVec2(30, 20), IM_COL32_WHITE);    // "west" marker
    f.list->AddRectFilled(ImVec2(170, 10), ImVec2(190, 20), IM_COL32_WHITE);  // "east" marker
  }
  const int b = f.mark();
  f.list->AddRectFilled(ImVec2(10, 150), ImVec2(30, 160), IM_COL32_WHITE);  // outside: flips
  const int c = f.mark();
  REQUIRE(!FrameRegions().empty());
  CHECK(FrameRegions().back().list == f.list);
  CHECK(FrameRegions().back().vtx_begin == a);
  CHECK(FrameRegions().back().vtx_end == b);
  f.Mirror(FrameRegions());
  // The region's box [0, 200] goes to [200, 400]: west stays west inside it.
  CHECK(f.MinX(a, a + 4) == doctest::Approx(210));
  CHECK(f.MinX(a + 4, b) == doctest::Approx(370));
  CHECK(f.MinX(b, c) == doctest::Approx(kW - 30));
}

TEST_CASE("mirror: MirrorDrawData mirrors the frame and ScreenToLayout undoes it") {
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(kW, kH);
  io.DeltaTime = 1.0f / 60;
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(kW, kH));
  ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration);
  {
    LeftToRightRegion region(ImVec2(0, 100), ImVec2(100, 200));
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 100), ImVec2(10, 110), IM_COL32_WHITE);
  }
  ImGui::End();
  ImGui::Render();
  SetMirrored(true);
  MirrorDrawData(ImGui::GetDrawData());
  // Outside regions: flipped. Inside the region's mirrored box [300, 400]: shifted back.
  CHECK(ScreenToLayout(ImVec2(390, 50)).x == doctest::Approx(10));
  CHECK(ScreenToLayout(ImVec2(305, 150)).x == doctest::Approx(5));
  CHECK(ScreenToLayout(ImVec2(-FLT_MAX, -FLT_MAX)).x == -FLT_MAX);  // no pointer stays no pointer
  SetMirrored(false);
  MirrorDrawData(ImGui::GetDrawData());
  CHECK(ScreenToLayout(ImVec2(390, 50)).x == 390);
  ImGui::DestroyContext(ctx);
}

}  // namespace
}  // namespace ccfield::views
