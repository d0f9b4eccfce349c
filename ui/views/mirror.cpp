// Right-to-left mirroring of the frame (mirror.h). Not yet mirroring: the
// regions are accepted so that views can already mark them.
#include "views/mirror.h"

namespace ccfield::views {

LeftToRightRegion::LeftToRightRegion() = default;
LeftToRightRegion::~LeftToRightRegion() = default;

}  // namespace ccfield::views
