// Right-to-left mirroring of the finished frame (mirror.h): regions, text
// runs and image quads move as units; everything else flips.
#include "views/mirror.h"

#include <algorithm>
#include <cfloat>
#include <climits>

namespace ccfield::views {
namespace {

bool g_mirrored = false;
int g_frame = -1;                         // the frame g_regions belong to
const ImGuiContext* g_context = nullptr;  // and its context
std::vector<MirrorRegion> g_regions;      // recorded while the frame is drawn
float g_last_axis = 0;                    // of the last mirrored frame
bool g_last_mirrored = false;
struct ScreenBox {
  ImVec2 min, max;  // the region's box on screen (mirrored)
  float dx;         // layout x = screen x - dx
};
std::vector<ScreenBox> g_last_boxes;

std::vector<MirrorRegion>& RegionsOfThisFrame() {
  if (g_frame != ImGui::GetFrameCount() || g_context != ImGui::GetCurrentContext()) {
    g_regions.clear();
    g_frame = ImGui::GetFrameCount();
    g_context = ImGui::GetCurrentContext();
  }
  return g_regions;
}

// The shift that moves the box [x0, x1] to its mirrored place.
float ShiftOf(float x0, float x1, float axis) { return axis - x1 - x0; }

// ImGui's quad index pattern (PrimRect, PrimRectUV, RenderText): b, b+1,
// b+2, b, b+2, b+3.
bool QuadIndices(const ImDrawIdx* i, unsigned* base) {
  const unsigned b = i[0];
  *base = b;
  return i[1] == b + 1 && i[2] == b + 2 && i[3] == b && i[4] == b + 2 && i[5] == b + 3;
}

// An axis-aligned rectangle: (x0,y0) (x1,y0) (x1,y1) (x0,y1).
bool RectPositions(const ImDrawVert* v) {
  return v[0].pos.y == v[1].pos.y && v[1].pos.x == v[2].pos.x && v[2].pos.y == v[3].pos.y && v[3].pos.x == v[0].pos.x;
}

// A glyph: its texture coordinates span a rectangle of the atlas (a filled
// shape uses the atlas's single white pixel at all four corners; a textured
// line has one v for all).
bool GlyphUvs(const ImDrawVert* v) {
  return v[0].uv.y == v[1].uv.y && v[1].uv.x == v[2].uv.x && v[2].uv.y == v[3].uv.y && v[3].uv.x == v[0].uv.x &&
         v[0].uv.x != v[1].uv.x && v[0].uv.y != v[3].uv.y;
}

// Moves vertices as one unit to their mirrored bounding box.
class Mover {
 public:
  Mover(ImDrawList* list, float axis) : vtx_(list->VtxBuffer), axis_(axis), moved_(list->VtxBuffer.Size, 0) {}

  bool moved(int i) const { return moved_[i] != 0; }

  void Shift(int begin, int end, float dx) {
    for (int i = begin; i < end; ++i) {
      if (moved_[i]) continue;
      vtx_[i].pos.x += dx;
      moved_[i] = 1;
    }
  }

  void MoveUnit(const std::vector<int>& vertices) {
    float x0 = FLT_MAX, x1 = -FLT_MAX;
    for (int i : vertices) {
      x0 = std::min(x0, vtx_[i].pos.x);
      x1 = std::max(x1, vtx_[i].pos.x);
    }
    const float dx = ShiftOf(x0, x1, axis_);
    for (int i : vertices) {
      if (moved_[i]) continue;
      vtx_[i].pos.x += dx;
      moved_[i] = 1;
    }
  }

  void FlipRest() {
    for (int i = 0; i < vtx_.Size; ++i) {
      if (!moved_[i]) vtx_[i].pos.x = axis_ - vtx_[i].pos.x;
    }
  }

 private:
  ImVector<ImDrawVert>& vtx_;
  float axis_;
  std::vector<char> moved_;
};

// Glyph quads of one line of text, gathered in drawing order.
class RunBuilder {
 public:
  RunBuilder(Mover* mover, const ImVector<ImDrawVert>& vtx, const MirrorOptions& o)
      : mover_(mover), vtx_(vtx), o_(o), split_gap_(o.split_gap) {}
  ~RunBuilder() { Flush(); }

  void Add(int b) {
    const float x0 = vtx_[b].pos.x, x1 = vtx_[b + 1].pos.x, y0 = vtx_[b].pos.y, y1 = vtx_[b + 2].pos.y;
    if (!run_.empty()) {
      const bool next_vertices = b == last_ + 4;
      const bool back = x1 <= last_x0_ + 0.5f;  // a new line starts at the left again
      const bool other_line = y0 >= y1_ || y1 <= y0_;
      const bool gap = x0 - x1_ > split_gap_;  // two items side by side, not one space
      if (!next_vertices || back || other_line || gap) Flush();
    }
    if (run_.empty()) {
      y0_ = y0;
      y1_ = y1;
      x1_ = x1;
      split_gap_ = o_.split_gap;
      const float texels = (vtx_[b + 1].uv.x - vtx_[b].uv.x) * o_.atlas_width;
      if (o_.space_advance > 0 && texels > 0) {
        split_gap_ = std::max(o_.split_gap, 1.6f * o_.space_advance * (x1 - x0) / texels);
      }
    }
    for (int k = 0; k < 4; ++k) run_.push_back(b + k);
    last_ = b;
    last_x0_ = x0;
    x1_ = std::max(x1_, x1);
    y0_ = std::min(y0_, y0);
    y1_ = std::max(y1_, y1);
  }

  void Flush() {
    if (!run_.empty()) mover_->MoveUnit(run_);
    run_.clear();
  }

 private:
  Mover* mover_;
  const ImVector<ImDrawVert>& vtx_;
  const MirrorOptions& o_;
  float split_gap_;
  std::vector<int> run_;
  int last_ = 0;
  float last_x0_ = 0, x1_ = 0, y0_ = 0, y1_ = 0;
};

// Moves the text runs or image quads of one command; returns the range of
// vertices it uses.
void MoveUnitsOf(const ImDrawList* list, const ImDrawCmd& cmd, const MirrorOptions& o, Mover* mover, int* vmin,
                 int* vmax) {
  const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
  const ImVector<ImDrawVert>& vtx = list->VtxBuffer;
  const bool font = cmd.TextureId == o.font_texture;
  RunBuilder run(mover, vtx, o);
  std::vector<int> loose;  // an image drawn as a polygon (rounded corners)
  unsigned i = 0;
  while (i + 3 <= cmd.ElemCount) {
    for (unsigned k = 0; k < 3; ++k) {
      const int v = static_cast<int>(idx[i + k] + cmd.VtxOffset);
      *vmin = std::min(*vmin, v);
      *vmax = std::max(*vmax, v);
    }
    unsigned base = 0;
    if (i + 6 <= cmd.ElemCount && QuadIndices(idx + i, &base)) {
      const int b = static_cast<int>(base + cmd.VtxOffset);
      *vmax = std::max(*vmax, b + 3);
      if (b + 3 < vtx.Size && !mover->moved(b) && RectPositions(&vtx[b])) {
        if (!font) {
          mover->MoveUnit({b, b + 1, b + 2, b + 3});
          i += 6;
          continue;
        }
        if (GlyphUvs(&vtx[b])) {
          run.Add(b);
          i += 6;
          continue;
        }
      }
    }
    run.Flush();
    if (!font) {
      for (unsigned k = 0; k < 3; ++k) loose.push_back(static_cast<int>(idx[i + k] + cmd.VtxOffset));
    }
    i += 3;
  }
  run.Flush();
  if (!loose.empty()) mover->MoveUnit(loose);
}

}  // namespace

LeftToRightRegion::LeftToRightRegion()
    : LeftToRightRegion(ImGui::GetWindowDrawList()->GetClipRectMin(), ImGui::GetWindowDrawList()->GetClipRectMax()) {}

LeftToRightRegion::LeftToRightRegion(ImVec2 box_min, ImVec2 box_max)
    : list_(ImGui::GetWindowDrawList()), vtx_begin_(list_->VtxBuffer.Size), min_(box_min), max_(box_max) {}

LeftToRightRegion::~LeftToRightRegion() {
  // Only this window's drawing since the constructor, even if the caller
  // switched windows in between (then the region is empty).
  if (ImGui::GetWindowDrawList() != list_) return;
  MarkLeftToRight(list_, vtx_begin_, list_->VtxBuffer.Size, min_, max_);
}

void MarkLeftToRight(const ImDrawList* list, int vtx_begin, int vtx_end, ImVec2 box_min, ImVec2 box_max) {
  if (vtx_end > vtx_begin) RegionsOfThisFrame().push_back({list, vtx_begin, vtx_end, box_min, box_max});
}

void SetMirrored(bool on) { g_mirrored = on; }
bool Mirrored() { return g_mirrored; }

const std::vector<MirrorRegion>& FrameRegions() { return RegionsOfThisFrame(); }

MirrorOptions CurrentMirrorOptions() {
  const ImGuiIO& io = ImGui::GetIO();
  MirrorOptions o;
  o.axis = io.DisplaySize.x;
  o.font_texture = io.Fonts->TexID;
  o.split_gap = ImGui::GetStyle().ItemSpacing.x * 0.9f;
  if (!io.Fonts->Fonts.empty() && io.Fonts->TexWidth > 0) {
    o.space_advance = io.Fonts->Fonts[0]->GetCharAdvance(' ');
    o.atlas_width = static_cast<float>(io.Fonts->TexWidth);
  }
  return o;
}

void MirrorDrawList(ImDrawList* list, const MirrorOptions& o, const std::vector<MirrorRegion>& regions) {
  Mover mover(list, o.axis);
  std::vector<const MirrorRegion*> mine;
  for (const MirrorRegion& r : regions) {
    if (r.list != list) continue;
    mine.push_back(&r);
    mover.Shift(std::max(0, r.vtx_begin), std::min(r.vtx_end, list->VtxBuffer.Size), ShiftOf(r.min.x, r.max.x, o.axis));
  }
  for (ImDrawCmd& cmd : list->CmdBuffer) {
    int vmin = INT_MAX, vmax = -1;
    if (cmd.UserCallback == nullptr) MoveUnitsOf(list, cmd, o, &mover, &vmin, &vmax);
    ImVec4& c = cmd.ClipRect;
    const auto inside = std::find_if(mine.begin(), mine.end(), [&](const MirrorRegion* r) {
      return vmax >= 0 && vmin >= r->vtx_begin && vmax < r->vtx_end;
    });
    if (inside != mine.end()) {
      const float dx = ShiftOf((*inside)->min.x, (*inside)->max.x, o.axis);
      c.x += dx;
      c.z += dx;
    } else {
      const float x0 = c.x;
      c.x = o.axis - c.z;
      c.z = o.axis - x0;
    }
  }
  mover.FlipRest();
}

void MirrorDrawData(ImDrawData* data) {
  g_last_mirrored = false;
  g_last_boxes.clear();
  if (!g_mirrored || data == nullptr) {
    RegionsOfThisFrame().clear();
    return;
  }
  MirrorOptions o = CurrentMirrorOptions();
  o.axis = data->DisplayPos.x * 2 + data->DisplaySize.x;
  const std::vector<MirrorRegion>& regions = RegionsOfThisFrame();
  for (int i = 0; i < data->CmdListsCount; ++i) MirrorDrawList(data->CmdLists[i], o, regions);
  g_last_mirrored = true;
  g_last_axis = o.axis;
  for (const MirrorRegion& r : regions) {
    const bool drawn = std::find(data->CmdLists, data->CmdLists + data->CmdListsCount, r.list) !=
                       data->CmdLists + data->CmdListsCount;
    if (!drawn) continue;  // a hidden window's
    const float dx = ShiftOf(r.min.x, r.max.x, o.axis);
    g_last_boxes.push_back({ImVec2(r.min.x + dx, r.min.y), ImVec2(r.max.x + dx, r.max.y), dx});
  }
  RegionsOfThisFrame().clear();  // the frame is done (a new context may reuse its frame numbers)
}

ImVec2 ScreenToLayout(ImVec2 p) {
  if (!g_last_mirrored || p.x <= -FLT_MAX / 2) return p;
  // The last box wins: a region drawn later is on top.
  for (auto it = g_last_boxes.rbegin(); it != g_last_boxes.rend(); ++it) {
    if (p.x >= it->min.x && p.x < it->max.x && p.y >= it->min.y && p.y < it->max.y) return ImVec2(p.x - it->dx, p.y);
  }
  return ImVec2(g_last_axis - p.x, p.y);
}

}  // namespace ccfield::views
