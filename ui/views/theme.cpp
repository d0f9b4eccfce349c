#include "views/theme.h"

#include <imgui.h>

namespace ccfield::views {

void ApplyTheme(app::Theme theme, float scale) {
  ImGuiStyle style;
  switch (theme) {
    case app::Theme::kDark: ImGui::StyleColorsDark(&style); break;
    case app::Theme::kLight: ImGui::StyleColorsLight(&style); break;
    case app::Theme::kHighContrast: {
      ImGui::StyleColorsLight(&style);
      ImVec4* c = style.Colors;
      const ImVec4 black(0, 0, 0, 1), white(1, 1, 1, 1);
      c[ImGuiCol_Text] = black;
      c[ImGuiCol_TextDisabled] = ImVec4(0.2f, 0.2f, 0.2f, 1);
      c[ImGuiCol_WindowBg] = white;
      c[ImGuiCol_ChildBg] = white;
      c[ImGuiCol_PopupBg] = white;
      c[ImGuiCol_Border] = black;
      c[ImGuiCol_FrameBg] = ImVec4(0.92f, 0.92f, 0.92f, 1);
      c[ImGuiCol_Button] = ImVec4(0.85f, 0.85f, 0.85f, 1);
      c[ImGuiCol_ButtonHovered] = ImVec4(0.75f, 0.75f, 0.75f, 1);
      c[ImGuiCol_ButtonActive] = ImVec4(1.0f, 0.85f, 0.0f, 1);  // yellow reads in glare
      c[ImGuiCol_Header] = ImVec4(1.0f, 0.85f, 0.0f, 1);
      c[ImGuiCol_HeaderHovered] = ImVec4(0.85f, 0.85f, 0.85f, 1);
      c[ImGuiCol_TextSelectedBg] = ImVec4(1.0f, 0.85f, 0.0f, 1);
      style.FrameBorderSize = 1.5f;
      style.ChildBorderSize = 1.5f;
      break;
    }
  }
  // Touch-sized: generous padding and scrollbars a finger can catch.
  // Text boxes and drop-downs 44 px tall at 100 % (18 px text + 2 x 13).
  style.FramePadding = ImVec2(10, 13);
  style.ItemSpacing = ImVec2(10, 8);
  style.ScrollbarSize = 22;
  style.GrabMinSize = 20;
  style.FrameRounding = 4;
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace ccfield::views
