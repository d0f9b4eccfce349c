// ccfield-server: the sync server and its admin commands.
//
//   ccfield-server --data DIR [serve] [--listen ADDR] [--port N] [--trusted-proxy ADDR]...
//   ccfield-server --data DIR admin COMMAND ...
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "admin.h"
#include "auth.h"
#include "ccfield/platform/env.h"
#include "http_server.h"
#include "serve_flags.h"
#include "sqlite_storage.h"

namespace {

using namespace ccfield;
using namespace ccfield::server;  // also kExitOk, kExitFailed, kExitUsage (admin.h)

std::string Usage() {
  return "usage:\n"
         "  ccfield-server --data DIR [serve] [--listen ADDR] [--port N] [--trusted-proxy ADDR]...\n"
         "  ccfield-server --data DIR admin COMMAND ...\n"
         "  ccfield-server --help\n"
         "\n"
         "serve (the default) answers the sync protocol (docs/sync-protocol.md) on ADDR:N,\n"
         "127.0.0.1:8080 unless given. --port 0 picks a free port. It prints\n"
         "\"listening on ADDR:PORT\" once ready and stops cleanly on SIGINT or SIGTERM.\n"
         "Put it behind the nginx front of deploy/nginx (docs/deploy.md) to serve devices over\n"
         "the internet: the front ends TLS and holds slow and idle connections, which would\n"
         "otherwise each keep one of the server's 16 worker threads busy.\n"
         "\n"
         "options:\n"
         "  --data DIR             the server's data directory (holds server.db); created if missing\n"
         "  --listen ADDR          address to listen on (default 127.0.0.1). Anything but a\n"
         "                         loopback address prints a warning: reach it through the front\n"
         "  --port N               port (default 8080; 0 = any free port)\n"
         "  --trusted-proxy ADDR   a proxy whose X-Forwarded-For names the client (repeatable; an\n"
         "                         IPv4 or IPv6 address, e.g. 127.0.0.1 for a front on this\n"
         "                         machine). The login throttle then counts failures against the\n"
         "                         address the proxy saw. Default: none, the TCP peer counts\n"
         "  --password-cost C      Argon2id cost for new passwords: interactive (default), moderate,\n"
         "                         or test (tiny, for automated tests only: never in production)\n"
         "  --login-first-delay-s N  after 5 failed sign-ins for a user name (20 for an address) the next\n"
         "                         attempt waits N seconds (default 1), doubling per further failure up\n"
         "                         to 15 minutes; never a lock-out (docs/security.md)\n" +
         std::string(SyncPolicyUsage()) + "\n" + AdminUsage();
}

struct Cli {
  std::string data_dir;
  std::string listen = "127.0.0.1";
  int port = 8080;
  PasswordCost cost = PasswordCost::kInteractive;
  int64_t login_first_delay_ms = AuthOptions{}.first_delay_ms;
  std::vector<std::string> trusted_proxies;
  bool help = false;
  std::vector<std::string> rest;  // "serve" or "admin ..." and what follows
  SyncServiceOptions sync;        // quota and retention flags (serve_flags.h)
};

// Parses the global options; stops at "admin" (the rest belongs to the command).
bool ParseCli(int argc, char** argv, Cli* cli, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *error = a + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      cli->help = true;
    } else if (a == "--data") {
      if (!value(&cli->data_dir)) return false;
    } else if (a == "--listen") {
      if (!value(&cli->listen)) return false;
    } else if (a == "--port") {
      std::string p;
      if (!value(&p)) return false;
      char* end = nullptr;
      long n = std::strtol(p.c_str(), &end, 10);
      if (p.empty() || *end != '\0' || n < 0 || n > 65535) {
        *error = "--port must be a number from 0 to 65535";
        return false;
      }
      cli->port = static_cast<int>(n);
    } else if (a == "--trusted-proxy") {
      std::string p;
      if (!value(&p)) return false;
      std::string ip = CanonicalIp(p);
      if (ip.empty()) {
        *error = "--trusted-proxy must be an IPv4 or IPv6 address, not \"" + p + "\"";
        return false;
      }
      cli->trusted_proxies.push_back(ip);
    } else if (a == "--password-cost") {
      std::string c;
      if (!value(&c)) return false;
      if (c == "interactive") {
        cli->cost = PasswordCost::kInteractive;
      } else if (c == "moderate") {
        cli->cost = PasswordCost::kModerate;
      } else if (c == "test") {
        cli->cost = PasswordCost::kMinimumForTests;
      } else {
        *error = "--password-cost must be interactive, moderate or test";
        return false;
      }
    } else if (a == "--login-first-delay-s") {
      std::string v;
      if (!value(&v)) return false;
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > 24 * 3600) {
        *error = "--login-first-delay-s must be a number of seconds from 1 to 86400";
        return false;
      }
      cli->login_first_delay_ms = int64_t{n} * 1000;
    } else if (IsSyncPolicyFlag(a)) {
      std::string v;
      if (!value(&v) || !ParseSyncPolicyFlag(a, v, &cli->sync, error)) return false;
    } else if (a == "admin") {
      for (; i < argc; ++i) cli->rest.push_back(argv[i]);
      return true;
    } else if (a == "serve" && cli->rest.empty()) {
      cli->rest.push_back(a);
    } else {
      *error = "unknown argument \"" + a + "\"";
      return false;
    }
  }
  return true;
}

// Whether `addr` is only reachable from this machine ("localhost" included).
bool IsLoopback(const std::string& addr) {
  if (addr == "localhost") return true;
  const std::string ip = CanonicalIp(addr);
  return ip == "::1" || ip.rfind("127.", 0) == 0;
}

int Serve(const Cli& cli, ServerStorage* storage, Env* env) {
  // SIGINT/SIGTERM are taken by one thread with sigwait; block them (and
  // ignore SIGPIPE) before httplib starts its threads so that they inherit it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // sent by main to end the signal thread
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  HttpServerOptions o;
  o.sync = cli.sync;
  o.listen_address = cli.listen;
  o.port = cli.port;
  o.auth.password_cost = cli.cost;
  o.auth.first_delay_ms = cli.login_first_delay_ms;
  o.trusted_proxies = cli.trusted_proxies;
  if (!IsLoopback(cli.listen)) {
    std::cerr << "warning: listening on " << cli.listen
              << ", which is not a loopback address. Without the nginx front (docs/deploy.md)\n"
                 "  a few slow or idle connections can hold every worker thread, and there is no TLS.\n";
  }
  HttpServer server(storage, env, o);
  Result<int> port = server.Bind();
  if (!port.ok()) {
    std::cerr << "error: " << port.status().message() << "\n";
    return kExitFailed;
  }
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR1) {
      // Wait until the server accepts connections so that Stop() takes effect.
      while (!server.IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      server.Stop();
    }
  });
  std::cout << "listening on " << cli.listen << ":" << *port << std::endl;
  Status st = server.Run();
  pthread_kill(signals.native_handle(), SIGUSR1);
  signals.join();
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // server.db holds password hashes: files and directories we create are ours alone.
  umask(077);
  Cli cli;
  std::string error;
  if (!ParseCli(argc, argv, &cli, &error)) {
    std::cerr << "error: " << error << "\n\n" << Usage();
    return kExitUsage;
  }
  if (cli.help) {
    std::cout << Usage();
    return kExitOk;
  }
  const bool admin = !cli.rest.empty() && cli.rest[0] == "admin";
  const std::vector<std::string> admin_args = admin ? std::vector<std::string>(cli.rest.begin() + 1, cli.rest.end())
                                                    : std::vector<std::string>();
  if (admin && !AdminNeedsStorage(admin_args)) {  // help needs no data directory
    return RunAdmin(admin_args, nullptr, DefaultEnv(), std::cin, std::cout, std::cerr);
  }
  if (cli.data_dir.empty()) {
    std::cerr << "error: give the data directory with --data DIR\n\n" << Usage();
    return kExitUsage;
  }
  if (!InitCrypto()) {
    std::cerr << "error: the cryptography library (libsodium) could not be initialised\n";
    return kExitFailed;
  }
  Env* env = DefaultEnv();
  if (!env->CreateDirs(cli.data_dir)) {
    std::cerr << "error: cannot create the data directory " << cli.data_dir << "\n";
    return kExitFailed;
  }
  Result<std::unique_ptr<SqliteStorage>> storage = SqliteStorage::Open(SqliteStorage::PathIn(cli.data_dir));
  if (!storage.ok()) {
    std::cerr << "error: " << storage.status().message() << "\n";
    return kExitFailed;
  }
  if (admin) {
    AdminOptions ao;
    ao.password_cost = cli.cost;
    if (isatty(STDIN_FILENO)) ao.read_password = ReadPasswordFromTerminal;
    return RunAdmin(admin_args, storage->get(), env, std::cin, std::cout, std::cerr, ao);
  }
  return Serve(cli, storage->get(), env);
}
