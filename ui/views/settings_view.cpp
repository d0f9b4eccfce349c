// Settings: server and login, language, text size, theme.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

void DrawSettings(Frame& f) {
  const app::SettingsState& s = f.state.settings;
  if (!f.ui.settings_loaded) {
    f.ui.login_url = s.server_url;
    f.ui.login_user = s.username;
    f.ui.settings_loaded = true;
  }
  Heading(tr("Language"));
  for (const ui::LanguageInfo& lang : ui::Catalog::Languages()) {
    std::string label = DisplayLine(lang.native_name) + "##lang" + lang.code;
    if (ChoiceButton(label.c_str(), s.language == lang.code)) f.out.push_back(app::SetLanguage{lang.code});
    ImGui::SameLine();
  }
  ImGui::NewLine();

  Heading(tr("Text size"));
  for (float scale : {0.9f, 1.0f, 1.25f, 1.5f, 2.0f}) {
    std::string label = std::to_string(static_cast<int>(scale * 100 + 0.5f)) + " %##scale";
    if (ChoiceButton(label.c_str(), std::abs(s.text_scale - scale) < 0.01f)) f.out.push_back(app::SetTextScale{scale});
    ImGui::SameLine();
  }
  ImGui::NewLine();

  Heading(tr("Theme"));
  const std::pair<app::Theme, const char*> themes[] = {{app::Theme::kLight, tr("Light")},
                                                       {app::Theme::kHighContrast, tr("High contrast (sunlight)")},
                                                       {app::Theme::kDark, tr("Dark")}};
  for (const auto& [theme, name] : themes) {
    if (ChoiceButton(name, s.theme == theme)) f.out.push_back(app::SetTheme{theme});
    ImGui::SameLine();
  }
  ImGui::NewLine();

  Heading(tr("Server and login"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputTextWithHint(tr("Server address"), "https://platform.example.org", &f.ui.login_url);
  LogItem(tr("Server address"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputText(tr("User name"), &f.ui.login_user);
  LogItem(tr("User name"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  ImGui::InputText(tr("Password"), &f.ui.login_password, ImGuiInputTextFlags_Password);
  LogItem(tr("Password"));
  ImGui::BeginDisabled(s.login_running);
  if (BigButton(tr("Sign in"))) {
    f.out.push_back(app::Login{f.ui.login_url, f.ui.login_user, f.ui.login_password});
    f.ui.login_password.clear();  // never kept in memory longer than needed
  }
  ImGui::EndDisabled();
  if (!s.login_message.empty()) UserTextWrapped(s.login_message);
}

}  // namespace ccfield::views
