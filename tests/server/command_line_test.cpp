// The command lines of ccfield-server (main.cpp, serve_flags.cpp) and of its
// admin commands (admin.cpp), parsed with CLI11: --help at every level, and a
// bad option or a missing value is exit 2 (kExitUsage) with a message naming it.
// The binary runs for real (SERVER_BIN); the admin commands also in-process.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "exec_server.h"
#include "server_fixture.h"

#ifndef SERVER_BIN
#error "SERVER_BIN must name the ccfield-server executable"
#endif

namespace ccfield::server::testing {
namespace {

struct Ran {
  int code = -1;  // the exit code; -1 when a signal ended it (the 10 s alarm: it did not stop)
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs the server binary with `args`, stdin from /dev/null, stdout and stderr
// into files of `dir`. A process that would serve instead of stopping is
// ended by SIGALRM after 10 s (code -1), so a regression fails, never hangs.
Ran RunBinary(const ccfield::testing::TempDir& dir, const std::vector<std::string>& args) {
  const std::string out = dir.File("stdout.txt"), err = dir.File("stderr.txt");
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0) _exit(126);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    alarm(10);
    ExecServer(args);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  Ran r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST_CASE("server command line: --help works at every level and needs no data directory") {
  ccfield::testing::TempDir dir;
  const std::string data = dir.File("data");

  Ran top = RunBinary(dir, {"--help"});
  CHECK(top.code == 0);
  CHECK(top.out.starts_with("usage:\n  ccfield-server --data DIR [serve]"));
  CHECK(top.out.find("--trusted-proxy ADDR") != std::string::npos);
  CHECK(top.out.find("admin commands") != std::string::npos);

  // serve --help: the serve options and the quota flags, not the admin commands.
  Ran serve = RunBinary(dir, {"serve", "--help"});
  CHECK(serve.code == 0);
  CHECK(serve.out.starts_with("usage: ccfield-server --data DIR [serve]"));
  CHECK(serve.out.find("--quota-user-changes-per-min N") != std::string::npos);
  CHECK(serve.out.find("create-workspace") == std::string::npos);
  CHECK(serve.err.empty());

  Ran admin = RunBinary(dir, {"admin", "--help"});
  CHECK(admin.code == 0);
  CHECK(admin.out.starts_with("admin commands"));
  CHECK(admin.out.find("create-user USER") != std::string::npos);

  // One command's help with --data given: prints the help, opens no store.
  Ran create = RunBinary(dir, {"--data", data, "admin", "create-user", "--help"});
  CHECK(create.code == 0);
  CHECK(create.out.starts_with("usage: ccfield-server --data DIR admin create-user USER"));
  CHECK(create.out.find("--password-stdin") != std::string::npos);
  CHECK_FALSE(Exists(data + "/server.db"));
}

TEST_CASE("server command line: a bad option or a missing value is exit 2 with a message naming it") {
  ccfield::testing::TempDir dir;
  const std::string data = dir.File("data");
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"--data", data, "--bogus"}, "error: unknown option --bogus\n"},
      {{"--data", data, "serve", "--bogus"}, "error: unknown option --bogus\n"},
      {{"--data", data, "--port"}, "error: --port needs a value\n"},
      {{"--data", data, "serve", "--port", "70000"}, "error: --port must be a number from 0 to 65535\n"},
      {{"--data", data, "--password-cost", "cheap"}, "error: --password-cost must be interactive, moderate or test\n"},
      {{"--data", data, "--trusted-proxy", "proxy.example"}, "must be an IPv4 or IPv6 address, not \"proxy.example\""},
      {{"--data", data, "--quota-user-bytes-per-day", "-5"}, "--quota-user-bytes-per-day must be a whole number"},
      {{"--data", data, "--expire-every-s", "soon"}, "--expire-every-s must be a whole number (-1: never)"},
      {{"--data", data, "serve", "serve"}, "error: unknown argument \"serve\"\n"},
      {{"--data", data, "admin", "create-user", "bob", "--password"}, "error: --password needs a value\n"},
      {{"--data", data, "admin", "list-devices", "--bogus"}, "error: unknown option --bogus\n"},
      {{"--data", data, "admin", "frobnicate"}, "error: unknown admin command \"frobnicate\"\n"},
  };
  for (const Case& c : cases) {
    std::string line;
    for (const std::string& a : c.args) line += a + " ";
    INFO("ccfield-server ", line);
    Ran r = RunBinary(dir, c.args);
    INFO("stderr: ", r.err);
    CHECK(r.code == kExitUsage);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find("ccfield-server --data DIR") != std::string::npos);  // and how to say it right
  }
}

struct InProcessAdmin {
  ServerFixture f;
  std::string out, err;
  int Run(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream o, e;
    AdminOptions options;
    options.password_cost = PasswordCost::kMinimumForTests;
    const int code = RunAdmin(args, f.storage.get(), &f.env, in, o, e, options);
    out = o.str();
    err = e.str();
    return code;
  }
};

TEST_CASE("admin command line: unknown option, missing value and an option given twice are usage errors") {
  InProcessAdmin a;
  CHECK(a.Run({"create-workspace", "Ilala", "--region", "Dar"}) == kExitUsage);
  CHECK(a.err.starts_with("error: unknown option --region\nusage: ccfield-server --data DIR admin create-workspace"));
  CHECK(a.Run({"create-workspace", "Ilala", "--country"}) == kExitUsage);
  CHECK(a.err.starts_with("error: --country needs a value\n"));
  CHECK(a.Run({"create-workspace", "Ilala", "--country", "TZ", "--country", "KE"}) == kExitUsage);
  CHECK(a.err.starts_with("error: --country may be given only once\n"));
  CHECK(a.out.empty());  // nothing was created
  // The same words, right: option values and positionals in any order, --x=value too.
  CHECK(a.Run({"create-workspace", "--country=TZ", "Ilala", "--language", "sw"}) == kExitOk);
  CHECK(a.out.size() == 37);  // a UUID and a newline
  CHECK(a.Run({"create-user", "bakari", "--password", "a long password", "--admin"}) == kExitOk);
}

}  // namespace
}  // namespace ccfield::server::testing
