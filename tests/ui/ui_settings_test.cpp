// The window's settings file under injected write faults (FakeEnv): a save
// that fails reports it and leaves the previous settings readable, never a
// half-written file; short writes still save everything.
#include "app/ui_settings.h"

#include <doctest/doctest.h>

#include <string>

#include "ccfield/platform/env.h"
#include "support/temp_dir.h"

namespace ccfield::app {
namespace {

TEST_CASE("ui settings: a save that fails at any write keeps the previous settings whole") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  const std::string path = dir.File("ui-settings.json");
  UiSettings before{"fr", 1.5f, Theme::kDark};
  REQUIRE(SaveUiSettings(&env, path, before).ok());

  UiSettings after{"am", 2.0f, Theme::kHighContrast};
  int failures = 0;
  for (int64_t n = 1;; ++n) {
    INFO("failing write ", n);
    env.SetFileFaults({.fail_write = n, .short_write_bytes = 5});
    Status st = SaveUiSettings(&env, path, after);
    if (st.ok()) {
      CHECK(env.write_faults() == 0);  // the fault came after the last write
      break;
    }
    ++failures;
    CHECK(st.code() == Code::kIoError);
    CHECK(st.message().find("ui-settings.json") != std::string::npos);
    UiSettings read = LoadUiSettings(&env, path);
    CHECK(read.language == "fr");
    CHECK(read.text_scale == 1.5f);
    CHECK(read.theme == Theme::kDark);
    std::string error;
    CHECK(env.ListDir(dir.path(), &error) == std::optional<std::vector<std::string>>({"ui-settings.json"}));
    REQUIRE(n < 1000);
  }
  CHECK(failures > 5);  // the body took several short writes, each was failed once
  UiSettings read = LoadUiSettings(&env, path);
  CHECK(read.language == "am");
  CHECK(read.text_scale == 2.0f);
  CHECK(read.theme == Theme::kHighContrast);
}

TEST_CASE("ui settings: missing or damaged files give the defaults") {
  testing::TempDir dir;
  FakeEnv env(dir.path());
  UiSettings missing = LoadUiSettings(&env, dir.File("none.json"));
  CHECK(missing.language == "en");
  std::string error;
  REQUIRE(env.WriteFileAtomic(dir.File("bad.json"), "{\"language\": \"fr\", ", &error));
  CHECK(LoadUiSettings(&env, dir.File("bad.json")).language == "en");
  // Through the real Env too.
  REQUIRE(SaveUiSettings(dir.File("real.json"), UiSettings{"ka", 1.0f, Theme::kLight}).ok());
  CHECK(LoadUiSettings(dir.File("real.json")).language == "ka");
}

}  // namespace
}  // namespace ccfield::app
