#include "app_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace ccfield::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ExitStatus FromWaitStatus(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

}  // namespace

std::string ExitStatus::ToString() const {
  std::string s = exited ? "exit code " + std::to_string(code)
                         : "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return timed_out ? "timed out, " + s : s;
}

AppProcess::AppProcess(const std::string& binary, const std::vector<std::string>& args, const std::string& log_prefix,
                       const std::map<std::string, std::string>& env)
    : out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err") {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (name == "CCFIELD_RENDERER" || name == "CCFIELD_DATA" || env.count(name)) continue;
    env_strings.push_back(std::move(entry));
  }
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);

  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) pid_ = -1;
  REQUIRE_MESSAGE(rc == 0, "cannot start ", binary, ": ", std::strerror(rc));
}

AppProcess::~AppProcess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    Reap(0);
  }
}

bool AppProcess::Reap(int options) {
  if (status_) return true;
  int wstatus = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &wstatus, options);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  status_ = FromWaitStatus(wstatus);
  return true;
}

bool AppProcess::Running() { return !Reap(WNOHANG); }

ExitStatus AppProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Reap(WNOHANG)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      Reap(0);
      status_->timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return *status_;
}

void AppProcess::Signal(int signal) {
  if (!status_) kill(pid_, signal);
}

std::string AppProcess::Stdout() const { return ReadFile(out_path_); }
std::string AppProcess::Stderr() const { return ReadFile(err_path_); }

std::string AppProcess::Describe() {
  Reap(WNOHANG);
  std::string s = status_ ? status_->ToString() : "still running";
  return s + "; stderr:\n" + Stderr();
}

}  // namespace ccfield::testing
