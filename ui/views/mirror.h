#pragma once
// Right-to-left layout for the whole window (issue 13). When the UI language
// is written right to left, the frame is laid out as usual and then mirrored
// as a whole: positions flip across the window's width while text runs,
// images and regions marked "left to right" keep their own inner order.
// Views that must not be mirrored inside (the map: east stays east) wrap
// their drawing in a LeftToRightRegion.
//
// Owns: the regions of the frame being drawn, the mirroring of finished draw
// data (MirrorDrawData) and the mapping of pointer input back to layout space
// (ScreenToLayout). UI thread only.
#include <imgui.h>

#include <vector>

namespace ccfield::views {

// While alive, what the current window draws keeps its inner left-to-right
// layout; its bounding box still moves to the mirrored side. The box is the
// current clip rectangle unless given (the region's visible area).
class LeftToRightRegion {
 public:
  LeftToRightRegion();
  LeftToRightRegion(ImVec2 box_min, ImVec2 box_max);
  ~LeftToRightRegion();
  LeftToRightRegion(const LeftToRightRegion&) = delete;
  LeftToRightRegion& operator=(const LeftToRightRegion&) = delete;

 private:
  ImDrawList* list_;
  int vtx_begin_;
  ImVec2 min_, max_;
};

// A region recorded this frame: vertices [vtx_begin, vtx_end) of `list`
// are moved as one box [min, max].
struct MirrorRegion {
  const ImDrawList* list = nullptr;
  int vtx_begin = 0, vtx_end = 0;
  ImVec2 min, max;
};

struct MirrorOptions {
  float axis = 0;              // x' = axis - x: the display's left + right edges
  ImTextureID font_texture{};  // glyph quads come from this texture
  float split_gap = 8.0f;      // a wider gap between two glyphs starts a new text run
  // Text drawn larger (SetWindowFontScale: headings) has wider spaces: a gap
  // up to 1.6 spaces stays inside the run, the space's width being
  // space_advance times the glyphs' scale (their size over their texels in
  // an atlas atlas_width texels wide). 0: not used.
  float space_advance = 0;
  float atlas_width = 0;
};

// Marks vertices [vtx_begin, vtx_end) of `list`, drawn this frame, as a
// left-to-right region with box [box_min, box_max] (what LeftToRightRegion
// records; for widgets that learn the end only after drawing).
void MarkLeftToRight(const ImDrawList* list, int vtx_begin, int vtx_end, ImVec2 box_min, ImVec2 box_max);

// Whether frames are mirrored: the window sets it from the UI language.
void SetMirrored(bool on);
bool Mirrored();

// Options for the current ImGui context and display (the axis is the
// display's width, the gap 0.9 x ItemSpacing.x: wider than a space, narrower
// than the gap between a label and the item SameLine puts after it; the
// space of the first font).
MirrorOptions CurrentMirrorOptions();

// Mirrors a finished frame in place (call after ImGui::Render, before the
// renderer draws it) with the regions recorded while it was drawn, and keeps
// their mirrored boxes for ScreenToLayout; the regions are then forgotten.
// Mirrors nothing unless Mirrored().
void MirrorDrawData(ImDrawData* data);

// Mirrors one draw list in place: every vertex and clip rectangle flips
// (x' = axis - x) except that each text run (consecutive glyph quads of one
// line from the font texture, split at command boundaries, line changes and
// gaps wider than split_gap), each image quad (another texture) and each
// region keeps its inner order and moves as a unit to its mirrored box.
void MirrorDrawList(ImDrawList* list, const MirrorOptions& options, const std::vector<MirrorRegion>& regions);

// Where a pointer at screen position p lands in layout space in the last
// mirrored frame: flipped, or shifted if inside a left-to-right region's
// box. p itself when not mirrored, or for ImGui's "no pointer" position.
// Call before ImGui::NewFrame on io.MousePos (and on pinch centres).
ImVec2 ScreenToLayout(ImVec2 p);

// The regions recorded in the frame being drawn (tests).
const std::vector<MirrorRegion>& FrameRegions();

}  // namespace ccfield::views
