// Env's file operations: the POSIX implementation on a real temporary
// directory, and FakeEnv's injected faults (the Nth write(2) fails, short
// writes) on the same code: a file written atomically is never half-written.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ccfield/platform/env.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using testing::TempDir;

std::vector<std::string> Names(Env* env, const std::string& dir) {
  std::string error;
  std::optional<std::vector<std::string>> names = env->ListDir(dir, &error);
  REQUIRE_MESSAGE(names.has_value(), error);
  return *names;
}

TEST_CASE("PosixEnv files: atomic write, read, list and remove on a real directory") {
  TempDir dir;
  Env* env = DefaultEnv();
  const std::string path = dir.File("settings.json");
  std::string error;
  REQUIRE_MESSAGE(env->WriteFileAtomic(path, "first", &error), error);
  CHECK(env->ReadFile(path, &error) == std::optional<std::string>("first"));
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // this user's only

  // Replacing keeps one file (the temp file is renamed away), with the new bytes.
  std::string big(200'000, 'x');
  big += std::string("\0end", 4);  // binary-safe
  REQUIRE_MESSAGE(env->WriteFileAtomic(path, big, &error), error);
  CHECK(env->ReadFile(path, &error) == std::optional<std::string>(big));
  REQUIRE_MESSAGE(env->WriteFileAtomic(dir.File("b.bin"), "", &error), error);
  CHECK(env->ReadFile(dir.File("b.bin"), &error) == std::optional<std::string>(""));
  CHECK(Names(env, dir.path()) == std::vector<std::string>{"b.bin", "settings.json"});

  CHECK(env->RemoveFile(path, &error));
  CHECK(env->RemoveFile(path, &error));  // already gone: still true
  CHECK(Names(env, dir.path()) == std::vector<std::string>{"b.bin"});
  CHECK_FALSE(env->ReadFile(path, &error).has_value());
  CHECK(error.find(path) != std::string::npos);
  CHECK(error.find("No such file") != std::string::npos);
  CHECK_FALSE(env->ListDir(dir.File("missing"), &error).has_value());
  CHECK(env->FreeDiskBytes(dir.path()).value_or(0) > 0);
}

TEST_CASE("PosixEnv WriteFileAtomic into a missing directory fails with the reason and leaves nothing") {
  TempDir dir;
  std::string error;
  CHECK_FALSE(DefaultEnv()->WriteFileAtomic(dir.File("no/such/dir/f.json"), "x", &error));
  CHECK(error.find("no/such/dir/f.json.tmp") != std::string::npos);
  CHECK(error.find("No such file") != std::string::npos);
  CHECK(Names(DefaultEnv(), dir.path()).empty());
  // A directory in the way of the rename: the temp file is cleaned up.
  std::filesystem::create_directory(dir.File("taken"));
  std::ofstream(dir.File("taken/inside")) << "x";
  CHECK_FALSE(DefaultEnv()->WriteFileAtomic(dir.File("taken"), "x", &error));
  CHECK(error.find("cannot replace") != std::string::npos);
  CHECK(Names(DefaultEnv(), dir.path()) == std::vector<std::string>{"taken"});
}

TEST_CASE("FakeEnv short writes still write the whole file") {
  TempDir dir;
  FakeEnv env(dir.path());
  env.SetFileFaults({.fail_write = 0, .short_write_bytes = 7});
  const std::string body = "a body longer than seven bytes, written seven at a time";
  std::string error;
  REQUIRE_MESSAGE(env.WriteFileAtomic(dir.File("f"), body, &error), error);
  CHECK(env.writes_seen() == static_cast<int64_t>((body.size() + 6) / 7));
  CHECK(env.ReadFile(dir.File("f"), &error) == std::optional<std::string>(body));
}

TEST_CASE("FakeEnv failing the Nth write leaves the old file whole and no temp file") {
  TempDir dir;
  FakeEnv env(dir.path());
  const std::string path = dir.File("f");
  const std::string old_body = "the old content";
  std::string error;
  REQUIRE(env.WriteFileAtomic(path, old_body, &error));
  const std::string new_body(100, 'n');
  for (int64_t n = 1; n <= 10; ++n) {
    INFO("failing write ", n);
    env.SetFileFaults({.fail_write = n, .short_write_bytes = 10});
    CHECK_FALSE(env.WriteFileAtomic(path, new_body, &error));
    CHECK(env.write_faults() == 1);
    CHECK(error.find("cannot write") != std::string::npos);
    CHECK(error.find("Input/output error") != std::string::npos);
    CHECK(env.ReadFile(path, &error) == std::optional<std::string>(old_body));
    CHECK(Names(&env, dir.path()) == std::vector<std::string>{"f"});
  }
  // The 11th call is past the end of a 10-call write: it succeeds.
  env.SetFileFaults({.fail_write = 11, .short_write_bytes = 10});
  REQUIRE_MESSAGE(env.WriteFileAtomic(path, new_body, &error), error);
  CHECK(env.write_faults() == 0);
  CHECK(env.ReadFile(path, &error) == std::optional<std::string>(new_body));
}

TEST_CASE("Env files piece by piece: append, size, range, truncate and rename") {
  TempDir dir;
  Env* env = DefaultEnv();
  const std::string part = dir.File("blob.part");
  std::string error;
  CHECK_FALSE(env->FileSize(part, &error).has_value());
  CHECK(error.find("blob.part") != std::string::npos);
  REQUIRE_MESSAGE(env->AppendFile(part, "hello ", &error), error);
  REQUIRE_MESSAGE(env->AppendFile(part, std::string("w\0rld!", 6), &error), error);
  CHECK(env->FileSize(part, &error) == std::optional<uint64_t>(12));
  struct stat st {};
  REQUIRE(stat(part.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(env->ReadFileRange(part, 6, 3, &error) == std::optional<std::string>(std::string("w\0r", 3)));
  CHECK(env->ReadFileRange(part, 10, 100, &error) == std::optional<std::string>("d!"));
  CHECK(env->ReadFileRange(part, 50, 10, &error) == std::optional<std::string>(""));
  REQUIRE_MESSAGE(env->TruncateFile(part, 5, &error), error);
  CHECK(env->ReadFile(part, &error) == std::optional<std::string>("hello"));
  const std::string done = dir.File("blob");
  REQUIRE_MESSAGE(env->RenameFile(part, done, &error), error);
  CHECK(Names(env, dir.path()) == std::vector<std::string>{"blob"});
  CHECK_FALSE(env->RenameFile(part, done, &error));
  CHECK(error.find("No such file") != std::string::npos);
  CHECK_FALSE(env->FileSize(dir.path(), &error).has_value());  // a directory is not a file
}

TEST_CASE("FakeEnv: a full disk during an append reports it and keeps what was flushed before") {
  TempDir dir;
  FakeEnv env(dir.path());
  const std::string part = dir.File("blob.part");
  std::string error;
  REQUIRE(env.AppendFile(part, "0123456789", &error));
  env.SetFileFaults({.fail_write = 2, .fail_errno = ENOSPC, .short_write_bytes = 4});
  CHECK_FALSE(env.AppendFile(part, "abcdefghij", &error));
  CHECK(error.find("No space left") != std::string::npos);
  // The caller trusts the size it recorded (10) and cuts the torn tail off.
  CHECK(env.FileSize(part, &error) == std::optional<uint64_t>(14));
  REQUIRE(env.TruncateFile(part, 10, &error));
  env.SetFileFaults({});
  REQUIRE(env.AppendFile(part, "abcdefghij", &error));
  CHECK(env.ReadFile(part, &error) == std::optional<std::string>("0123456789abcdefghij"));
}

}  // namespace
}  // namespace ccfield
