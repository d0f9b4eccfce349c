#include "app/ui_settings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

const char* ThemeName(Theme theme) {
  switch (theme) {
    case Theme::kDark: return "dark";
    case Theme::kLight: return "light";
    case Theme::kHighContrast: return "high_contrast";
  }
  return "light";
}

UiSettings LoadUiSettings(const std::string& path) { return LoadUiSettings(DefaultEnv(), path); }

UiSettings LoadUiSettings(Env* env, const std::string& path) {
  UiSettings s;
  std::optional<std::string> text = env->ReadFile(path, nullptr);
  if (!text) return s;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return s;
  if (j.contains("language") && j["language"].is_string()) s.language = j["language"];
  if (j.contains("text_scale") && j["text_scale"].is_number()) {
    s.text_scale = std::clamp(j["text_scale"].get<float>(), kMinTextScale, kMaxTextScale);
  }
  if (j.contains("theme") && j["theme"].is_string()) {
    for (Theme t : {Theme::kDark, Theme::kLight, Theme::kHighContrast}) {
      if (j["theme"] == ThemeName(t)) s.theme = t;
    }
  }
  return s;
}

Status SaveUiSettings(const std::string& path, const UiSettings& s) { return SaveUiSettings(DefaultEnv(), path, s); }

Status SaveUiSettings(Env* env, const std::string& path, const UiSettings& s) {
  std::string body =
      nlohmann::json{{"language", s.language}, {"text_scale", s.text_scale}, {"theme", ThemeName(s.theme)}}.dump(2);
  std::string error;
  if (!env->WriteFileAtomic(path, body, &error)) return Status::IoError("cannot save the settings: " + error);
  return Status::Ok();
}

}  // namespace ccfield::app
