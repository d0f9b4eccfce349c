// ccfield-server: the sync server and its admin commands.
//
//   ccfield-server --data DIR [serve] [--listen ADDR] [--port N] [--trusted-proxy ADDR]...
//   ccfield-server --data DIR admin COMMAND ...
//
// The command line is parsed with CLI11; the help texts are written here.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
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

// What serve does and the global options: shared by --help and serve --help.
std::string ServeText() {
  return "serve (the default) answers the sync protocol (docs/sync-protocol.md) on ADDR:N,\n"
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
         std::string(SyncPolicyUsage()) + BlobUsage() + KeepAliveUsage();
}

std::string Usage() {
  return "usage:\n"
         "  ccfield-server --data DIR [serve] [--listen ADDR] [--port N] [--trusted-proxy ADDR]...\n"
         "  ccfield-server --data DIR admin COMMAND ...\n"
         "  ccfield-server --help\n"
         "\n" +
         ServeText() + "\n" + AdminUsage();
}

std::string ServeUsage() {
  return "usage: ccfield-server --data DIR [serve] [--listen ADDR] [--port N] [--trusted-proxy ADDR]...\n\n" +
         ServeText();
}

struct Cli {
  std::string data_dir;
  std::string listen = "127.0.0.1";
  int port = 8080;
  PasswordCost cost = PasswordCost::kInteractive;
  int64_t login_first_delay_ms = AuthOptions{}.first_delay_ms;
  std::vector<std::string> trusted_proxies;
  bool help = false;        // --help: the whole usage
  bool serve_help = false;  // serve --help
  bool admin = false;
  std::vector<std::string> admin_args;  // the words after "admin", for RunAdmin
  SyncServiceOptions sync;              // quota and retention flags (serve_flags.h)
  BlobApiOptions blobs;                 // photo blob flags (serve_flags.h)
  int keep_alive_s = HttpServerOptions{}.keep_alive_timeout_s;  // --keep-alive-seconds (serve_flags.h)
};

// A whole number from `min` to `max`, or a CLI::ValidationError saying `rule`.
long WholeNumber(const std::string& text, long min, long max, const std::string& rule) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < min || n > max) throw CLI::ValidationError(rule);
  return n;
}

// The global options (before or after `serve`), `serve` (the default) and
// `admin`, whose words all go to RunAdmin: it parses them (admin.h).
void DefineCli(CLI::App* app, Cli* cli) {
  app->set_help_flag();  // the help texts are ours (Usage, ServeUsage, AdminUsage)
  app->add_flag("-h,--help", cli->help);
  // A single-valued option given twice: the last one counts (as before CLI11;
  // a restart in the tests appends --port with the port it had).
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->add_option("--data", cli->data_dir);
  app->add_option("--listen", cli->listen);
  app->add_option_function<std::string>("--port", [cli](const std::string& p) {
    cli->port = static_cast<int>(WholeNumber(p, 0, 65535, "--port must be a number from 0 to 65535"));
  });
  app->add_option_function<std::vector<std::string>>("--trusted-proxy", [cli](const std::vector<std::string>& ps) {
       for (const std::string& p : ps) {
         const std::string ip = CanonicalIp(p);
         if (ip.empty()) throw CLI::ValidationError("--trusted-proxy must be an IPv4 or IPv6 address, not \"" + p + "\"");
         cli->trusted_proxies.push_back(ip);
       }
     })
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option_function<std::string>("--password-cost", [cli](const std::string& c) {
    if (c == "interactive") {
      cli->cost = PasswordCost::kInteractive;
    } else if (c == "moderate") {
      cli->cost = PasswordCost::kModerate;
    } else if (c == "test") {
      cli->cost = PasswordCost::kMinimumForTests;
    } else {
      throw CLI::ValidationError("--password-cost must be interactive, moderate or test");
    }
  });
  app->add_option_function<std::string>("--login-first-delay-s", [cli](const std::string& v) {
    cli->login_first_delay_ms =
        int64_t{WholeNumber(v, 1, 24 * 3600, "--login-first-delay-s must be a number of seconds from 1 to 86400")} *
        1000;
  });
  AddSyncPolicyFlags(app, &cli->sync);
  AddBlobFlags(app, &cli->blobs);
  AddKeepAliveFlag(app, &cli->keep_alive_s);
  app->require_subcommand(0, 1);  // "serve serve" or "serve admin" is a mistake
  CLI::App* serve = app->add_subcommand("serve");
  serve->fallthrough();  // the global options may follow "serve"
  serve->set_help_flag();
  serve->add_flag("-h,--help", cli->serve_help);
  CLI::App* admin = app->add_subcommand("admin");
  admin->set_help_flag();  // "admin --help" is RunAdmin's
  admin->allow_extras();
  admin->prefix_command();  // from the command's name on, every word is the command's
}

// Parses the command line into *cli; false and *error on a bad one.
bool ParseCli(int argc, char** argv, Cli* cli, std::string* error) {
  CLI::App app("ccfield-server");
  DefineCli(&app, cli);
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);  // CLI11 parses from the back
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    *error = DescribeParseError(e);
    return false;
  }
  CLI::App* admin = app.get_subcommand("admin");
  if (*admin && *app.get_subcommand("serve")) {
    *error = "give either serve or admin, not both";
    return false;
  }
  cli->admin = static_cast<bool>(*admin);
  if (cli->admin) cli->admin_args = admin->remaining();
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
  o.blobs = cli.blobs;
  o.keep_alive_timeout_s = cli.keep_alive_s;
  if (!env->CreateDirs(o.blobs.dir + "/partial")) {
    std::cerr << "error: cannot create the photo blob directory " << o.blobs.dir << "\n";
    return kExitFailed;
  }
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
  if (cli.serve_help) {
    std::cout << ServeUsage();
    return kExitOk;
  }
  const bool admin = cli.admin;
  const std::vector<std::string>& admin_args = cli.admin_args;
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
  // Photo blobs live next to the database unless --blob-dir says otherwise.
  if (cli.blobs.dir.empty()) cli.blobs.dir = SqliteStorage::PathIn(cli.data_dir) + ".blobs";
  if (admin) {
    AdminOptions ao;
    ao.blob_dir = cli.blobs.dir;
    ao.blob_quota_bytes = cli.blobs.quota_bytes;
    ao.password_cost = cli.cost;
    if (isatty(STDIN_FILENO)) ao.read_password = ReadPasswordFromTerminal;
    return RunAdmin(admin_args, storage->get(), env, std::cin, std::cout, std::cerr, ao);
  }
  return Serve(cli, storage->get(), env);
}
