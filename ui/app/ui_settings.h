#pragma once
// The window's own settings (language, text size, theme), kept in
// <data dir>/ui-settings.json, written atomically. Sync settings live in the store.
#include <string>

#include "app/screens.h"
#include "ccfield/core/status.h"
#include "ccfield/platform/env.h"

namespace ccfield::app {

struct UiSettings {
  std::string language = "en";
  float text_scale = 1.0f;  // 0.8 .. 2.0
  Theme theme = Theme::kLight;
};

inline constexpr float kMinTextScale = 0.8f, kMaxTextScale = 2.0f;

// Missing file: defaults. A damaged file: defaults (the settings are cheap to redo).
UiSettings LoadUiSettings(Env* env, const std::string& path);
// Env::WriteFileAtomic: the file holds the old settings or the new ones,
// never half of them. kIoError says what failed.
Status SaveUiSettings(Env* env, const std::string& path, const UiSettings& settings);
// The same through DefaultEnv().
UiSettings LoadUiSettings(const std::string& path);
Status SaveUiSettings(const std::string& path, const UiSettings& settings);

const char* ThemeName(Theme theme);

}  // namespace ccfield::app
