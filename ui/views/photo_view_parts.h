#pragma once
// What the photo strip, the viewer and the picker share (photo_view_parts.cpp,
// photo_strip.cpp): a photo drawn fitted into a box (or a placeholder while
// it decodes, or on a device without textures), its state on a coloured
// fill, and its caption box.
#include <imgui.h>
#include <imgui_internal.h>

#include <string>
#include <string_view>

#include "app/app_state.h"
#include "views/views.h"

namespace ccfield::views {

// Draws the photo fitted (whole, centred) into the box at `min` of `size`,
// the thumbnail while the photo itself decodes. `thumb_only`: never the
// photo itself (the strip). Returns the rectangle drawn (the box when a
// placeholder shows).
ImRect DrawPhotoImage(Frame& f, const app::PhotoItem& p, ImVec2 min, ImVec2 size, int max_edge, bool thumb_only);
// A file (the picker) fitted into the box; a placeholder with the reason
// when it cannot be shown.
void DrawFileImage(Frame& f, const std::string& path, ImVec2 min, ImVec2 size);
// The state in words, wrapped to `width`, white on the state's colour.
// Logged as "photo state:<text>".
void PhotoStateBadge(const app::PhotoItem& p, float width);
// Text wrapped to `width` from the cursor (right-to-left text shaped,
// reordered and right-aligned within it).
void TextIn(std::string_view text, float width);
// The caption box of the viewer (saved when it loses the keyboard).
void PhotoCaptionBox(Frame& f, const app::PhotoItem& p, float width);

}  // namespace ccfield::views
