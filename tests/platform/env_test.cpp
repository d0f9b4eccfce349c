// Env: the fake's clocks and randomness, UTC formatting, and the POSIX
// implementation's file-system calls.
#include "ccfield/platform/env.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "ccfield/core/store.h"  // NewUuid
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using testing::TempDir;

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lowercase hex. (Hand-written:
// std::regex trips a false -Wmaybe-uninitialized in GCC 12 with sanitizers.)
bool IsV4Uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (dash ? s[i] != '-' : !hex) return false;
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

TEST_CASE("FakeEnv clocks move only when the test moves them") {
  FakeEnv env("/nonexistent");
  const int64_t wall = env.WallMillis();
  const int64_t mono = env.MonoNanos();
  CHECK(env.WallMillis() == wall);
  CHECK(env.MonoNanos() == mono);

  env.Advance(1500);
  CHECK(env.WallMillis() == wall + 1500);
  CHECK(env.MonoNanos() == mono + 1'500'000'000);

  // The wall clock may jump back (a user fixing the device clock); the
  // monotonic clock does not follow it.
  env.SetWallMillis(1'000);
  CHECK(env.WallMillis() == 1'000);
  CHECK(env.MonoNanos() == mono + 1'500'000'000);
  CHECK(env.DataDir() == "/nonexistent");
}

TEST_CASE("FakeEnv randomness is deterministic per seed") {
  FakeEnv a("/x", 7), b("/x", 7), c("/x", 8);
  unsigned char ra[32], rb[32], rc[32];
  a.RandomBytes(ra, sizeof ra);
  b.RandomBytes(rb, sizeof rb);
  c.RandomBytes(rc, sizeof rc);
  CHECK(std::equal(ra, ra + 32, rb));
  CHECK_FALSE(std::equal(ra, ra + 32, rc));
  // The stream moves on: the next bytes differ from the first ones.
  a.RandomBytes(rb, sizeof rb);
  CHECK_FALSE(std::equal(ra, ra + 32, rb));
}

TEST_CASE("FakeEnv free space and log are chosen and collected by the test") {
  FakeEnv env("/x");
  env.SetFreeDiskBytes(1234);
  CHECK(env.FreeDiskBytes("/anything") == std::optional<uint64_t>(1234));
  env.SetFreeDiskBytes(std::nullopt);
  CHECK_FALSE(env.FreeDiskBytes("/anything").has_value());
  env.Log(LogLevel::kWarning, "first");
  env.Log(LogLevel::kError, "second");
  CHECK(env.log_text() == "first\nsecond\n");
}

TEST_CASE("FormatUtcMillis writes ISO 8601 UTC with milliseconds") {
  CHECK(FormatUtcMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtcMillis(1'790'000'000'000) == "2026-09-21T14:13:20.000Z");
  CHECK(FormatUtcMillis(1'790'000'000'007) == "2026-09-21T14:13:20.007Z");
  CHECK(FormatUtcMillis(951'782'400'000) == "2000-02-29T00:00:00.000Z");  // leap day
  // Before the epoch the milliseconds still count forward within the second.
  CHECK(FormatUtcMillis(-1) == "1969-12-31T23:59:59.999Z");
  FakeEnv env("/x");
  env.SetWallMillis(1'790'000'000'000);
  env.Advance(61'250);
  CHECK(FormatUtcMillis(env.WallMillis()) == "2026-09-21T14:14:21.250Z");
}

TEST_CASE("PosixEnv CreateDirs creates missing parents") {
  TempDir dir;
  Env* env = DefaultEnv();
  const std::string nested = dir.File("a/b/c");
  CHECK(env->CreateDirs(nested));
  CHECK(IsDir(nested));
  CHECK(env->CreateDirs(nested));  // existing: still true
  CHECK(env->CreateDirs(dir.File("a/b/d/")));
  CHECK(IsDir(dir.File("a/b/d")));
  CHECK_FALSE(env->CreateDirs(""));

  // A regular file in the way is a failure, not a directory.
  std::ofstream(dir.File("file")) << "x";
  CHECK_FALSE(env->CreateDirs(dir.File("file")));
  CHECK_FALSE(env->CreateDirs(dir.File("file/sub")));

  // The fake delegates to the real file system.
  FakeEnv fake(dir.path());
  CHECK(fake.CreateDirs(dir.File("fake/x")));
  CHECK(IsDir(dir.File("fake/x")));
}

TEST_CASE("PosixEnv FreeDiskBytes reports space for existing paths only") {
  TempDir dir;
  std::optional<uint64_t> free = DefaultEnv()->FreeDiskBytes(dir.path());
  REQUIRE(free.has_value());
  CHECK(*free > 0);
  CHECK_FALSE(DefaultEnv()->FreeDiskBytes(dir.File("does/not/exist")).has_value());
}

TEST_CASE("PosixEnv DataDir follows CCFIELD_DATA then XDG_DATA_HOME") {
  auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto old_data = saved("CCFIELD_DATA"), old_xdg = saved("XDG_DATA_HOME");
  setenv("CCFIELD_DATA", "/data/ccf", 1);
  setenv("XDG_DATA_HOME", "/xdg", 1);
  CHECK(DefaultEnv()->DataDir() == "/data/ccf");
  unsetenv("CCFIELD_DATA");
  CHECK(DefaultEnv()->DataDir() == "/xdg/ccfield");
  for (auto [name, value] : {std::pair{"CCFIELD_DATA", old_data}, std::pair{"XDG_DATA_HOME", old_xdg}}) {
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
}

TEST_CASE("NewUuid is version 4 shaped and unique") {
  std::set<std::string> seen;
  FakeEnv fake("/x", 99);
  for (int i = 0; i < 2000; ++i) {
    for (Env* env : {DefaultEnv(), static_cast<Env*>(&fake)}) {
      std::string id = NewUuid(env);
      INFO(id);
      CHECK(IsV4Uuid(id));
      CHECK(seen.insert(id).second);
    }
  }
  CHECK_FALSE(IsV4Uuid("e2ed3dba-906b-3e8b-b491-c22cd94071ad"));  // version 3
  CHECK_FALSE(IsV4Uuid("e2ed3dba-906b-4e8b-c491-c22cd94071ad"));  // wrong variant
  // The fake is reproducible: the same seed gives the same ids.
  FakeEnv a("/x", 5), b("/x", 5);
  CHECK(NewUuid(&a) == NewUuid(&b));
}

}  // namespace
}  // namespace ccfield
