// ccfield-server: the sync server and its admin commands.
//
//   ccfield-server --data DIR [serve] [--listen ADDR] [--port N]
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
#include "sqlite_storage.h"

namespace {

using namespace ccfield;
using namespace ccfield::server;  // also kExitOk, kExitFailed, kExitUsage (admin.h)

std::string Usage() {
  return "usage:\n"
         "  ccfield-server --data DIR [serve] [--listen ADDR] [--port N]\n"
         "  ccfield-server --data DIR admin COMMAND ...\n"
         "  ccfield-server --help\n"
         "\n"
         "serve (the default) answers the sync protocol (docs/sync-protocol.md) on ADDR:N,\n"
         "127.0.0.1:8080 unless given. --port 0 picks a free port. It prints\n"
         "\"listening on ADDR:PORT\" once ready and stops cleanly on SIGINT or SIGTERM.\n"
         "Put it behind a TLS-terminating reverse proxy to serve devices over the internet.\n"
         "\n"
         "options:\n"
         "  --data DIR             the server's data directory (holds server.db); created if missing\n"
         "  --listen ADDR          address to listen on (default 127.0.0.1)\n"
         "  --port N               port (default 8080; 0 = any free port)\n"
         "  --password-cost C      Argon2id cost for new passwords: interactive (default), moderate,\n"
         "                         or test (tiny, for automated tests only: never in production)\n"
         "\n" +
         AdminUsage();
}

struct Cli {
  std::string data_dir;
  std::string listen = "127.0.0.1";
  int port = 8080;
  PasswordCost cost = PasswordCost::kInteractive;
  bool help = false;
  std::vector<std::string> rest;  // "serve" or "admin ..." and what follows
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
  o.listen_address = cli.listen;
  o.port = cli.port;
  o.auth.password_cost = cli.cost;
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
