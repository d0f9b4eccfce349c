#pragma once
// The real `ccfield` binary as a child process, for tests that use the app as
// a person does: a window (under the test's Xvfb), a UI script, a kill -9.
//
// The child's stdout and stderr go to files in the test's directory, so a
// chatty child can never block on a full pipe; they are read back for
// failure messages. A child that is still running when its AppProcess is
// destroyed is killed (SIGKILL) and reaped: no test leaves a process behind,
// whatever REQUIRE failed first.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccfield::testing {

// How a child ended.
struct ExitStatus {
  bool exited = false;     // exit() or return from main
  int code = -1;           // when exited
  int signal = 0;          // when killed by a signal
  bool timed_out = false;  // the test gave up waiting and killed it

  bool ok() const { return exited && code == 0; }
  std::string ToString() const;
};

class AppProcess {
 public:
  // Starts `binary` with `args`. The environment is the test's own, minus the
  // variables that would override the arguments (CCFIELD_RENDERER,
  // CCFIELD_DATA), plus `env` (name -> value; replaces existing values).
  // stdout and stderr go to `log_prefix`.out / .err. Fails the test
  // (REQUIRE) when the process cannot be started.
  AppProcess(const std::string& binary, const std::vector<std::string>& args, const std::string& log_prefix,
             const std::map<std::string, std::string>& env = {});
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~AppProcess();
  AppProcess(const AppProcess&) = delete;
  AppProcess& operator=(const AppProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child runs (reaps it when it has ended).
  bool Running();
  // Waits for the child to end, at most `timeout`; on timeout kills it
  // (SIGKILL), reaps it and returns timed_out. Returns the stored status when
  // the child has already been reaped.
  ExitStatus Wait(std::chrono::milliseconds timeout);
  // Sends `signal` (e.g. SIGKILL, SIGTERM) to the child if it still runs.
  void Signal(int signal);

  std::string Stdout() const;
  std::string Stderr() const;
  // For failure messages: the exit status and the child's stderr.
  std::string Describe();

 private:
  bool Reap(int options);  // waitpid; true once the child has been reaped

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::string out_path_, err_path_;
};

}  // namespace ccfield::testing
