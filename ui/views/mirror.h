#pragma once
// Right-to-left layout for the whole window (issue 13). When the UI language
// is written right to left, the frame is laid out as usual and then mirrored
// as a whole: positions flip across the window's width while text runs,
// images and regions marked "left to right" keep their own inner order.
// Views that must not be mirrored inside (the map: east stays east) wrap
// their drawing in a LeftToRightRegion.

namespace ccfield::views {

// While alive, what the current window draws keeps its inner left-to-right
// layout; its bounding box still moves to the mirrored side.
class LeftToRightRegion {
 public:
  LeftToRightRegion();
  ~LeftToRightRegion();
  LeftToRightRegion(const LeftToRightRegion&) = delete;
  LeftToRightRegion& operator=(const LeftToRightRegion&) = delete;
};

}  // namespace ccfield::views
