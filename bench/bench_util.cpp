#include "bench_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

extern char** environ;

namespace ccfield::bench {
namespace {

std::vector<std::pair<int, std::string>> g_summary;
int g_section = 0;
const char* g_program = "ccfield_bench";
std::set<pid_t> g_children;  // spawned and not reaped: Die kills them

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

// ---- Failing ------------------------------------------------------------------

void SetProgramName(const char* name) { g_program = name; }

void Die(const std::string& what) {
  std::fflush(stdout);
  for (pid_t pid : g_children) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  std::fprintf(stderr, "%s: %s\n", g_program, what.c_str());
  std::exit(2);
}

// ---- Options --------------------------------------------------------------------

bool ArgReader::Next() {
  if (++i_ >= argc_) return false;
  option_ = argv_[i_];
  return true;
}

std::string ArgReader::Value() {
  if (i_ + 1 >= argc_) Die(option_ + " needs a value");
  return argv_[++i_];
}

int64_t ArgReader::Int(int64_t max) {
  const std::string v = Value();
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < 0 || n > max) {
    Die(option_ + " needs a non-negative number, not \"" + v + "\"");
  }
  return n;
}

double ArgReader::Number(double max) {
  const std::string v = Value();
  char* end = nullptr;
  const double n = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(n >= 0) || n > max) {
    Die(option_ + " needs a non-negative number, not \"" + v + "\"");
  }
  return n;
}

bool ArgReader::Common(CommonOptions* o, void (*usage)()) {
  if (Is("--quick")) {
    o->quick = true;
  } else if (Is("--keep")) {
    o->keep = true;
  } else if (Is("--dir")) {
    o->dir = Value();
  } else if (Is("--seed")) {
    o->seed = static_cast<uint64_t>(Int());
  } else if (Is("--help") || Is("-h")) {
    usage();
    std::exit(0);
  } else {
    return false;
  }
  return true;
}

void ArgReader::Unknown(void (*usage)()) {
  usage();
  Die("unknown option " + option_);
}

// ---- Child processes ------------------------------------------------------------

Spawned Spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) Die("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
  }
  std::vector<std::string> arg_strings = args, env_strings = options.env;
  std::vector<char*> argv = CStrings(arg_strings);
  std::vector<char*> envp = CStrings(env_strings);
  const std::string& exe = options.exe.empty() ? args.at(0) : options.exe;
  Spawned s;
  const int rc =
      ::posix_spawn(&s.pid, exe.c_str(), &fa, nullptr, argv.data(), options.env.empty() ? environ : envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    Die("cannot start " + exe + ": " + std::strerror(rc));
  }
  s.out_fd = fds[0];
  g_children.insert(s.pid);
  return s;
}

std::string ReadOutput(int fd, double timeout_s, bool until_newline) {
  const auto t0 = Clock::now();
  std::string out;
  while (!(until_newline && out.find('\n') != std::string::npos)) {
    const double left_ms = timeout_s * 1000 - MsBetween(t0, Clock::now());
    if (left_ms <= 0) break;
    const int left = static_cast<int>(std::min(left_ms, 60'000.0)) + 1;  // poll takes an int
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_children.erase(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void Stop(pid_t pid, int signal, double grace_s) {
  ::kill(pid, signal);
  int status = 0;
  const auto t0 = Clock::now();
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (MsBetween(t0, Clock::now()) > grace_s * 1000) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  g_children.erase(pid);
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& args, const SpawnOptions& options) {
  const Spawned s = Spawn(args, options);
  std::string out = ReadOutput(s.out_fd, 1e9);
  return {Reap(s.pid), std::move(out)};
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// ---- Files ------------------------------------------------------------------------

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

std::string MakeWorkDir(const std::string& given, const char* prefix, bool keep, bool* remove) {
  *remove = false;
  if (!given.empty()) {
    std::filesystem::create_directories(given);
    return given;
  }
  std::string tmpl = std::string("/tmp/") + prefix + ".XXXXXX";
  if (!::mkdtemp(tmpl.data())) Die("cannot create a directory under /tmp");
  *remove = !keep;
  return tmpl;
}

// ---- Time and statistics --------------------------------------------------------

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[static_cast<size_t>(std::max(0.0, std::ceil(p * v.size()) - 1))]; };
  s.n = v.size();
  s.p50 = at(0.50);
  s.p95 = at(0.95);
  s.min = v.front();
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

std::string LoadAverage() {
  std::string s;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char buf[128];
    if (std::fgets(buf, sizeof buf, f)) s = buf;
    std::fclose(f);
  }
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.empty() ? "unknown" : s;
}

void Summary(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  g_summary.emplace_back(g_section, buf);
}

void SetSummarySection(int section) { g_section = section; }

void PrintSummary() {
  std::stable_sort(g_summary.begin(), g_summary.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [section, line] : g_summary) std::printf("%s\n", line.c_str());
}

std::string MachineLine(const std::string& load_start) {
  return "machine: " + std::to_string(std::thread::hardware_concurrency()) +
         " cpus, loadavg at start/end: " + load_start + " / " + LoadAverage() +
         " (figures are noisier on a busy machine)";
}

void FinishRun(const std::string& load_start, const std::string& dir, bool remove_dir) {
  Summary("%s", MachineLine(load_start).c_str());
  std::printf("\n== summary ==\n");
  PrintSummary();
  std::printf("files: %s%s\n", dir.c_str(), remove_dir ? " (removed)" : "");
  std::fflush(stdout);
  if (remove_dir) std::filesystem::remove_all(dir);
}

}  // namespace ccfield::bench
