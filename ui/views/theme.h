#pragma once
// Colours and sizes. Every size follows the text-size setting; the
// high-contrast light theme is for reading outdoors in sunlight.
#include "app/screens.h"

namespace ccfield::views {

void ApplyTheme(app::Theme theme, float scale);

}  // namespace ccfield::views
