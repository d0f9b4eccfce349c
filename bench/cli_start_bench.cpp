// ccfield_cli_start_bench: the whole `ccfield sync` process when there is
// nothing to sync (issue 14, "A CLI that starts at once": target median of
// 20 <= 40 ms on loopback). A real ccfield-server is spawned on 127.0.0.1; a
// fresh data directory logs in with `ccfield login` and pulls once; then
// `ccfield sync` runs N times, each a new process, timed from spawn to exit
// (its output read through a pipe). In the same run, for scale: the spawn
// of `true` (the floor of any process), `ccfield --version` (loading the
// binary: its shared libraries, relocations and static initialisers) and
// `ccfield status` (that plus opening the store, no network). Also prints
// the number of shared libraries `ldd` lists for the binary.
// --cli PATH measures another build (e.g. main's, for the "before" figure).
// Never asserts on time; the exit code only says whether it could run (0)
// or not (2).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"

#ifndef CCFIELD_SERVER_PATH
#error "CCFIELD_SERVER_PATH must name the ccfield-server binary (bench/CMakeLists.txt sets it)"
#endif
#ifndef CCFIELD_CLI_PATH
#error "CCFIELD_CLI_PATH must name the ccfield binary (bench/CMakeLists.txt sets it)"
#endif

namespace ccfield::bench {
namespace {

struct Options : CommonOptions {
  int runs = 20;
  std::string cli = CCFIELD_CLI_PATH;
  std::string server = CCFIELD_SERVER_PATH;
};

void Usage() {
  std::printf(
      "usage: ccfield_cli_start_bench [--runs N] [--cli PATH] [--server PATH] [--quick] [--dir DIR] [--keep]\n"
      "  --runs N       processes timed per command (default 20; --quick: 5)\n"
      "  --cli PATH     the ccfield binary to measure (default: this build's)\n"
      "  --server PATH  the ccfield-server binary (default: this build's)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv); args.Next();) {
    if (args.Common(&o, Usage)) continue;
    if (args.Is("--runs")) {
      o.runs = static_cast<int>(args.Int(10000));
    } else if (args.Is("--cli")) {
      o.cli = args.Value();
    } else if (args.Is("--server")) {
      o.server = args.Value();
    } else {
      args.Unknown(Usage);
    }
  }
  if (o.quick) o.runs = 5;
  if (o.runs < 1) Die("--runs must be at least 1");
  return o;
}

// The server: admin commands, then `serve --port 0` on 127.0.0.1; its
// standard error goes to DIR/server.log.
class Server {
 public:
  Server(std::string binary, std::string dir) : binary_(std::move(binary)), dir_(std::move(dir)) {}
  ~Server() {
    if (pid_ > 0) Stop(pid_, SIGTERM, 5);
  }

  std::string Admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary_, "--data", dir_ + "/server", "--password-cost", "test", "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto [code, out] = RunCommand(argv, Log());
    if (code != 0) Die("ccfield-server admin " + args[0] + " failed (see " + dir_ + "/server.log)");
    return TrimRight(out);
  }

  // Returns the port it listens on.
  int Start() {
    const Spawned s =
        Spawn({binary_, "--data", dir_ + "/server", "--password-cost", "test", "serve", "--port", "0"}, Log());
    pid_ = s.pid;
    const std::string out = ReadOutput(s.out_fd, 10, true);
    const std::string prefix = "listening on 127.0.0.1:";
    if (out.rfind(prefix, 0) != 0) Die("ccfield-server did not start; it said \"" + out + "\"");
    return std::atoi(TrimRight(out.substr(prefix.size())).c_str());
  }

 private:
  SpawnOptions Log() const {
    SpawnOptions o;
    o.stderr_path = dir_ + "/server.log";
    return o;
  }

  const std::string binary_, dir_;
  pid_t pid_ = 0;
};

// CPU time (user + system) of the reaped children so far, in ms.
double ChildrenCpuMs() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// The mean CPU time per process of the last TimeProcesses, in ms: unlike
// wall time, hardly changed by a busy machine.
double g_last_cpu_ms = 0;

// Wall time of `runs` processes of `args`, from spawn to exit (output read),
// in ms. Dies when one fails or its output does not start with `expect`.
std::vector<double> TimeProcesses(const std::vector<std::string>& args, int runs, const std::string& expect,
                                  const SpawnOptions& so) {
  const double cpu0 = ChildrenCpuMs();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const Clock::time_point t0 = Clock::now();
    const auto [code, out] = RunCommand(args, so);
    ms.push_back(MsBetween(t0, Clock::now()));
    if (code != 0 || out.rfind(expect, 0) != 0) {
      Die(args[0] + " " + args.back() + " exited " + std::to_string(code) + " saying \"" + TrimRight(out) + "\"");
    }
  }
  g_last_cpu_ms = (ChildrenCpuMs() - cpu0) / runs;
  return ms;
}

int LddCount(const std::string& binary) {
  const auto [code, out] = RunCommand({"/usr/bin/ldd", binary});
  if (code != 0) return -1;
  std::istringstream lines(out);
  int n = 0;
  for (std::string line; std::getline(lines, line);) n += line.empty() ? 0 : 1;
  return n;
}

void Line(const char* what, const std::vector<double>& ms) {
  const Stats s = Summarize(ms);
  std::printf("%-34s n %zu  median %7.2f ms  p95 %7.2f ms  min %7.2f ms  max %7.2f ms  cpu %6.2f ms\n", what, s.n,
              Median(ms), s.p95, s.min, s.max, g_last_cpu_ms);
  Summary("%-34s median %7.2f ms, p95 %7.2f ms, cpu (user+sys) %6.2f ms (n %zu)", what, Median(ms), s.p95,
          g_last_cpu_ms, s.n);
}

int Run(const Options& o) {
  const std::string load_start = LoadAverage();
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(o.dir, "ccfield_cli_start_bench", o.keep, &remove_dir);
  if (access(o.cli.c_str(), X_OK) != 0) Die(o.cli + " is not there");
  std::printf("ccfield_cli_start_bench runs=%d cli=%s\nserver=%s\ndir=%s\nloadavg_start=%s\n", o.runs, o.cli.c_str(),
              o.server.c_str(), dir.c_str(), load_start.c_str());

  Server server(o.server, dir);
  const std::string workspace = server.Admin({"create-workspace", "Bench municipality", "--country", "TZ"});
  server.Admin({"create-user", "alice", "--password", "pw-alice-bench"});
  server.Admin({"add-member", workspace, "alice", "--role", "field_staff", "--name", "Alice Mwangi"});
  const std::string url = "http://127.0.0.1:" + std::to_string(server.Start());

  // A fresh device: login, then the first pull (the workspace), not timed.
  // Its standard error (warnings) goes to DIR/cli.log.
  SpawnOptions so;
  so.stderr_path = dir + "/cli.log";
  const std::string data = dir + "/device";
  const std::vector<std::string> cli = {o.cli, "--data", data};
  auto with = [&](std::vector<std::string> words) {
    std::vector<std::string> argv = cli;
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
  };
  TimeProcesses(with({"login", url, "--user", "alice", "--password", "pw-alice-bench"}), 1, "Logged in", so);
  TimeProcesses(with({"sync"}), 1, "Pushed", so);

  const int libs = LddCount(o.cli);
  std::printf("ldd %s: %d shared libraries\n", o.cli.c_str(), libs);
  Summary("ldd ccfield: %d shared libraries", libs);
  // Interleaved is fairer on a shared machine, but each command's runs in a
  // row is what a person does; warm caches either way (one run first).
  TimeProcesses({"/bin/true"}, 1, "", so);
  Line("true (process spawn, the floor)", TimeProcesses({"/bin/true"}, o.runs, "", so));
  Line("ccfield --version (start-up)", TimeProcesses({o.cli, "--version"}, o.runs, "ccfield", so));
  Line("ccfield status (+ the store)", TimeProcesses(with({"status"}), o.runs, "", so));
  const std::vector<double> sync = TimeProcesses(with({"sync"}), o.runs, "Pushed", so);
  Line("ccfield sync, nothing to sync", sync);
  Summary("no-op `ccfield sync`, whole process, loopback: median %.2f ms  [target <= 40 ms: %s]", Median(sync),
          Verdict(Median(sync) <= 40));
  FinishRun(load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_cli_start_bench");
  return ccfield::bench::Run(ccfield::bench::ParseOptions(argc, argv));
}
