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

  DrawPhotoSettings(f);  // photo_settings.cpp
  DrawBasemapSettings(f);  // map_settings.cpp (issue 13)

  Heading(tr("Server and login"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  TextInput(tr("Server address"), &f.ui.login_url, 0, "https://platform.example.org");
  LogItem(tr("Server address"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  TextInput(tr("User name"), &f.ui.login_user);
  LogItem(tr("User name"));
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  TextInput(tr("Password"), &f.ui.login_password, ImGuiInputTextFlags_Password);
  LogItem(tr("Password"));
  ImGui::BeginDisabled(s.login_running);
  if (BigButton(tr("Sign in"))) {
    f.out.push_back(app::Login{f.ui.login_url, f.ui.login_user, f.ui.login_password});
    f.ui.login_password.clear();  // never kept in memory longer than needed
  }
  ImGui::EndDisabled();
  if (s.logged_in) {
    ImGui::SameLine();
    ImGui::BeginDisabled(s.logout_running);
    if (BigButton(tr("Sign out"))) f.out.push_back(app::SignOut{});
    ImGui::EndDisabled();
  }
  if (!s.login_message.empty()) UserTextWrapped(s.login_message);

  // After the first sign-in to a real server: offer to clear the demo away.
  if (s.offer_demo_removal && !ImGui::IsPopupOpen("demo_offer")) ImGui::OpenPopup("demo_offer");
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x / 2, vp->WorkPos.y + vp->WorkSize.y / 3),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(vp->WorkSize.x * 0.9f, ImGui::GetFontSize() * 30), 0));
  if (ImGui::BeginPopupModal("demo_offer", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoSavedSettings)) {
    Heading(tr("Remove the demo data?"));
    UserTextWrapped(tr("You are signed in to your organisation's server. The example sites and visits that came "
                       "with the app are still on this tablet. Remove them now? Only the examples are removed: "
                       "nothing you entered in your own workspaces is touched."));
    ImGui::Spacing();
    if (BigButton(tr("Yes, remove the demo data"))) {
      f.out.push_back(app::RemoveDemoData{});
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (BigButton(tr("No, keep it for now"))) {
      f.out.push_back(app::KeepDemoData{});
      ImGui::CloseCurrentPopup();
    }
    if (!s.offer_demo_removal) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

}  // namespace ccfield::views
