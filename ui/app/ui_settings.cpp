#include "app/ui_settings.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

UiSettings LoadUiSettings(const std::string& path) {
  UiSettings s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return s;
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
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

Status SaveUiSettings(const std::string& path, const UiSettings& s) {
  std::string body =
      nlohmann::json{{"language", s.language}, {"text_scale", s.text_scale}, {"theme", ThemeName(s.theme)}}.dump(2);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot write " + tmp);
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError("cannot save the settings to " + path);
  }
  return Status::Ok();
}

}  // namespace ccfield::app
