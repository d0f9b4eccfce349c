// Issue 10, finding 3: how legitimate syncs fare while slow, oversized and
// idle connections attack, through the nginx front (scripts/front.sh) and
// directly against ccfield-server; and how many syncs per second devices
// that keep their connection alive between syncs get in total.
//
//   ccfield_attack_bench [--quick] [--seconds S] [--devices N] [--keepalive-devices N]
//
// Every figure is wall time on a possibly shared machine; the bench asserts
// nothing about time (bench/README.md). --quick finishes in well under a
// minute. Needs nginx (scripts/install-deps.sh).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "support/attack_clients.h"
#include "support/front_process.h"
#include "support/temp_dir.h"

extern char** environ;

namespace ccfield::bench {
namespace {
pid_t g_server_pid = 0;  // killed by Die (std::exit runs no destructors)
}  // namespace

[[noreturn]] void Die(const std::string& what) {
  std::fflush(stdout);
  if (g_server_pid > 0) {
    kill(g_server_pid, SIGKILL);
    waitpid(g_server_pid, nullptr, 0);
  }
  std::fprintf(stderr, "ccfield_attack_bench: %s\n", what.c_str());
  std::exit(2);
}

namespace {

struct Options {
  double seconds = 10;  // per measured phase
  int devices = 4;      // legitimate devices syncing in a loop
  int keepalive_devices = 40;
  bool quick = false;
};

// Runs argv; its standard output, or "" (and *code) on failure.
std::string Run(std::vector<std::string> args, int* code, bool wait_for_line, pid_t* serving) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) Die("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) Die("cannot start " + args[0]);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((!wait_for_line || out.find('\n') == std::string::npos) && (n = read(fds[0], buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (wait_for_line) {
    *serving = pid;
    return out;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// A ccfield-server that trusts a front on 127.0.0.1, with one workspace and
// one user "amina".
class Server {
 public:
  Server() {
    Admin({"create-workspace", "Bench municipality", "--country", "TZ"}, &workspace_);
    Admin({"create-user", "amina", "--password", "pw-amina-bench"}, nullptr);
    Admin({"add-member", workspace_, "amina", "--role", "field_staff"}, nullptr);
    const std::string out = Run({CCFIELD_SERVER_PATH, "--data", dir_.path(), "--password-cost", "test", "serve",
                                 "--port", "0", "--trusted-proxy", "127.0.0.1"},
                                nullptr, true, &pid_);
    g_server_pid = pid_;
    const std::string prefix = "listening on 127.0.0.1:";
    if (out.rfind(prefix, 0) != 0) Die("ccfield-server did not start: " + out);
    port_ = std::atoi(out.c_str() + prefix.size());
  }
  ~Server() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    g_server_pid = 0;
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  void Admin(std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {CCFIELD_SERVER_PATH, "--data", dir_.path(), "--password-cost", "test", "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    int code = 0;
    std::string o = Run(argv, &code, false, nullptr);
    if (code != 0) Die("admin " + args[0] + " failed");
    if (out) *out = o;
  }
  testing::TempDir dir_;
  std::string workspace_;
  pid_t pid_ = 0;
  int port_ = 0;
};

struct Device {
  testing::TempDir dir;
  std::unique_ptr<sync::SyncClient> client;
};

// Devices signed in at `url`, each with its own store (setup, not measured).
std::vector<std::unique_ptr<Device>> MakeDevices(const std::string& url, int n) {
  std::vector<std::unique_ptr<Device>> out;
  sync::SyncClientOptions o;
  o.stall_seconds = 3;  // a sync that gets no byte for 3 s is counted as failed
  for (int i = 0; i < n; ++i) {
    auto d = std::make_unique<Device>();
    d->client = Check(sync::SyncClient::Open(DefaultEnv(), d->dir.File("ccfield.db"), o), "opening a device");
    Check(d->client->Login(url, "amina", "pw-amina-bench", "bench tablet " + std::to_string(i)), "login");
    out.push_back(std::move(d));
  }
  return out;
}

struct Phase {
  std::vector<double> ms;  // successful syncs
  int failed = 0;
  std::string first_error;  // why the first failed sync failed
  double seconds = 0;
};

// Every device syncs in a loop (pausing `pause_ms` between syncs, keeping its
// connection) for `seconds`.
Phase SyncLoop(std::vector<std::unique_ptr<Device>>& devices, double seconds, int pause_ms) {
  Phase p;
  std::mutex mu;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (auto& d : devices) {
    threads.emplace_back([&, dev = d.get()] {
      while (MsBetween(t0, Clock::now()) < seconds * 1000) {
        const auto a = Clock::now();
        Result<sync::SyncReport> r = dev->client->SyncNow();
        const double ms = MsBetween(a, Clock::now());
        {
          std::lock_guard<std::mutex> lock(mu);
          if (r.ok()) {
            p.ms.push_back(ms);
          } else {
            if (p.failed++ == 0) p.first_error = r.status().ToString();
          }
        }
        if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  p.seconds = MsBetween(t0, Clock::now()) / 1000;
  return p;
}

void Report(const char* name, const Phase& p) {
  Stats s = Summarize(p.ms);
  std::printf("%-28s syncs=%zu failed=%d p50=%.1fms p95=%.1fms max=%.1fms (%.1f s)\n", name, s.n, p.failed, s.p50,
              s.p95, s.max, p.seconds);
  if (p.failed > 0) std::printf("  first failure: %s\n", p.first_error.c_str());
  Summary("%-28s p50 %8.1f ms  p95 %8.1f ms  ok %5zu  failed %4d", name, s.p50, s.p95, s.n, p.failed);
  std::fflush(stdout);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto num = [&]() {
      if (i + 1 >= argc) Die(a + " needs a value");
      return std::atof(argv[++i]);
    };
    if (a == "--quick") {
      o.quick = true;
      o.seconds = 3;
      o.keepalive_devices = 24;
    } else if (a == "--seconds") {
      o.seconds = num();
    } else if (a == "--devices") {
      o.devices = static_cast<int>(num());
    } else if (a == "--keepalive-devices") {
      o.keepalive_devices = static_cast<int>(num());
    } else {
      std::fprintf(stderr,
                   "usage: ccfield_attack_bench [--quick] [--seconds S] [--devices N] [--keepalive-devices N]\n");
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  if (o.seconds <= 0 || o.devices < 1 || o.keepalive_devices < 1) Die("the numbers must be positive");
  return o;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  using namespace ccfield;
  using namespace ccfield::bench;
  signal(SIGPIPE, SIG_IGN);
  const Options o = Parse(argc, argv);
  std::printf("ccfield_attack_bench: %d devices, %.0f s per phase%s; loadavg %s\n", o.devices, o.seconds,
              o.quick ? " (quick)" : "", LoadAverage().c_str());
  std::printf("attack: 64 header tricklers + 8 body tricklers (1 byte / 500 ms), 8 x 17 MiB headers in a loop, "
              "50 idle kept-alive connections\n");
  Server server;
  testing::FrontOptions fo;
  fo.upstream_port = server.port();
  fo.timeout_s = 10;  // the documented production value
  fo.limit_conn = 32;
  testing::FrontProcess front(FRONT_SCRIPT_PATH, fo);
  if (!front.ok()) Die(front.error());
  const std::string direct = "http://127.0.0.1:" + std::to_string(server.port());

  auto via_front = MakeDevices(front.url(), o.devices);
  auto via_direct = MakeDevices(direct, o.devices);
  int64_t server_rss = 0, front_rss = 0;

  Report("front, no attack", SyncLoop(via_front, o.seconds, 0));
  {
    testing::Attack attack(front.port(), testing::AttackPlan{});
    attack.Start();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Report("front, under attack", SyncLoop(via_front, o.seconds, 0));
    server_rss = testing::ProcessRssKb(server.pid());
    front_rss = front.RssKb();
    testing::AttackCounts c = attack.Stop();
    std::printf("  front cut %d slow connections, refused %d oversized headers (%d accepted), RSS server %lld KiB, "
                "nginx %lld KiB\n",
                c.slow_cut, c.big_header_refused, c.big_header_accepted, static_cast<long long>(server_rss),
                static_cast<long long>(front_rss));
  }
  Report("direct, no attack", SyncLoop(via_direct, o.seconds, 0));
  {
    testing::Attack attack(server.port(), testing::AttackPlan{});
    attack.Start();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Report("direct, under attack", SyncLoop(via_direct, o.seconds, 0));
    const int64_t rss = testing::ProcessRssKb(server.pid());
    testing::AttackCounts c = attack.Stop();
    std::printf("  server cut %d slow connections, refused %d oversized headers, RSS server %lld KiB\n", c.slow_cut,
                c.big_header_refused, static_cast<long long>(rss));
    Summary("RSS under attack: server behind front %lld KiB, nginx %lld KiB, server direct %lld KiB",
            static_cast<long long>(server_rss), static_cast<long long>(front_rss), static_cast<long long>(rss));
  }
  // Devices that keep their connection between syncs (1 s apart), no attack.
  for (bool use_front : {true, false}) {
    auto devices = MakeDevices(use_front ? front.url() : direct, o.keepalive_devices);
    Phase p = SyncLoop(devices, o.seconds, 1000);
    const double rate = Ratio(static_cast<double>(p.ms.size()), p.seconds);
    std::printf("%-28s %d devices, 1 s apart: %.1f syncs/s (failed %d)\n",
                use_front ? "keep-alive, front" : "keep-alive, direct", o.keepalive_devices, rate, p.failed);
    if (p.failed > 0) std::printf("  first failure: %s\n", p.first_error.c_str());
    Summary("keep-alive devices (%d, 1 s apart), %-6s %6.1f syncs/s  failed %d", o.keepalive_devices,
            use_front ? "front" : "direct", rate, p.failed);
  }
  PrintSummary();
  return 0;
}
