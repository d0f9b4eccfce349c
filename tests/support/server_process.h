#pragma once
// A real ccfield-server for tests: a temporary data directory with one
// workspace whose field_staff members are alice and bob, serving on a free
// port of 127.0.0.1 (`serve --port 0`). Only for use inside doctest cases
// (it REQUIREs).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace ccfield::testing {

// The ccfield-server of this build: the test programs whose CMake target
// defines CCFIELD_SERVER_PATH; elsewhere "" (ServerProcess::Available is false).
#ifdef CCFIELD_SERVER_PATH
inline constexpr const char* kServerPath = CCFIELD_SERVER_PATH;
#else
inline constexpr const char* kServerPath = "";
#endif

// Ends the test case with a message when the server binary is not built.
#define SKIP_WITHOUT_SERVER()                                                                     \
  if (!::ccfield::testing::ServerProcess::Available(::ccfield::testing::kServerPath)) {           \
    MESSAGE("skipped: ccfield-server not built (" << std::string(::ccfield::testing::kServerPath) \
                                                  << ")");                                        \
    return;                                                                                       \
  }

// The first column of the first row of `sql` over the server's file, read-only
// (counts in tests: "SELECT count(*) FROM changes").
int64_t QueryServerDb(const std::string& db_path, const std::string& sql);

// Starts `args` (the first a path) with its standard output on a pipe and
// standard input from /dev/null; its pid and the pipe's read end (the caller
// closes it and waits for the pid). Standard error is shared with the test.
// REQUIREs that it starts.
std::pair<pid_t, int> SpawnWithOutput(std::vector<std::string> args);

// Runs a command to completion; its exit code (-1 when killed) and standard output.
std::pair<int, std::string> RunCommand(std::vector<std::string> args);

class ServerProcess {
 public:
  // Whether the binary at `server_path` exists and is executable.
  static bool Available(const std::string& server_path);
  static std::string Password(const std::string& user) { return "pw-" + user + "-2026"; }

  // `serve` options that turn the per-minute write quotas off, for tests that
  // push bursts far beyond field work on purpose (kill and link-fault suites).
  static std::vector<std::string> NoWriteQuota() {
    return {"--quota-user-changes-per-min", "0", "--quota-workspace-changes-per-min", "0"};
  }

  // Creates the workspace and users, then Start()s with `first_serve_args`.
  explicit ServerProcess(std::string server_path, std::vector<std::string> first_serve_args = {});
  ~ServerProcess();  // Kill()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // `ccfield-server --data DIR --password-cost test admin ARGS...`; REQUIREs exit 0; its output.
  std::string Admin(std::vector<std::string> args);
  // Serves the data directory on a free port; sets url and port.
  void Start();
  // SIGTERM stops it cleanly; SIGKILL is a crash or a cut cable.
  void Kill(int signal = 15);

  std::string db_path() const { return dir.File("server.db"); }
  pid_t pid() const { return pid_; }

  // Extra `serve` options for the next Start() (e.g. --trusted-proxy ADDR).
  std::vector<std::string> serve_args;
  // When > 0, the next Start()ed server keeps its data directory on a disk
  // of this many bytes that really fills up (ENOSPC): a tmpfs mounted over
  // dir.path() in a user and mount namespace of its own (`unshare -rm`, no
  // root needed), holding a copy of the directory. Only the server sees it:
  // db_path() and Admin() reach the directory underneath, which is stale
  // until Kill() stops the server and copies the directory back (SQLite
  // resolves /proc/PID/root/... to the path outside, so there is no reading
  // the live copy). The next Start() (disk_bytes 0: room again) continues
  // with the same data. Kill(9) kills the server and copies nothing back.
  long long disk_bytes = 0;

  TempDir dir;
  std::string workspace_id;
  std::string url;
  int port = 0;

 private:
  std::string server_path_;
  pid_t pid_ = 0;
  bool small_disk_ = false;  // pid_ is the shell around a server on a disk_bytes disk
  TempDir stage_;             // dir.path() as the shell sees it under the small disk
};

}  // namespace ccfield::testing
