// The ccfield-server executable (SERVER_BIN): command line, admin commands
// and exit codes, "listening on" with --port 0, serving, and a clean stop on
// SIGTERM. Real processes, real files, loopback only.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "exec_server.h"
#include "server_fixture.h"

#ifndef SERVER_BIN
#error "SERVER_BIN must name the ccfield-server executable"
#endif

namespace ccfield::server::testing {
namespace {

// A child process with stdin and stdout piped.
struct Child {
  pid_t pid = -1;
  int in_fd = -1;   // write end: the child's stdin
  int out_fd = -1;  // read end: the child's stdout

  static Child Start(const std::vector<std::string>& args) {
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    Child c;
    c.pid = fork();
    REQUIRE(c.pid >= 0);
    if (c.pid == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      if (!std::getenv("CCFIELD_TEST_VERBOSE")) {  // the server's messages, on request only
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
      }
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      ExecServer(args);
    }
    close(in[0]);
    close(out[1]);
    c.in_fd = in[1];
    c.out_fd = out[0];
    return c;
  }
  void Write(const std::string& s) { REQUIRE(write(in_fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  void CloseInput() {
    if (in_fd >= 0) close(in_fd);
    in_fd = -1;
  }
  // Reads one line of stdout (blocking).
  std::string ReadLine() {
    std::string line;
    char ch;
    while (read(out_fd, &ch, 1) == 1) {
      if (ch == '\n') break;
      line.push_back(ch);
    }
    return line;
  }
  std::string ReadAll() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(out_fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }
  int Wait() {
    CloseInput();
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    close(out_fd);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    CloseInput();
    if (out_fd >= 0) close(out_fd);
  }
};

struct Run {
  int code;
  std::string out;
};
Run RunServer(const std::vector<std::string>& args, const std::string& input = "") {
  Child c = Child::Start(args);
  c.Write(input);
  c.CloseInput();
  std::string out = c.ReadAll();
  return {c.Wait(), out};
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST_CASE("binary: --help, usage errors and admin exit codes") {
  ccfield::testing::TempDir dir;
  Run help = RunServer({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("--data DIR") != std::string::npos);
  CHECK(help.out.find("create-workspace") != std::string::npos);
  CHECK(RunServer({"serve"}).code == 2);  // no --data
  CHECK(RunServer({"--data", dir.path(), "--port", "x"}).code == 2);
  CHECK(RunServer({"--data", dir.path(), "--bogus"}).code == 2);
  CHECK(RunServer({"--data", dir.path(), "admin", "frobnicate"}).code == 2);
  CHECK(RunServer({"--data", dir.path(), "admin", "add-member", "x", "y", "--role", "field_staff"}).code == 1);
}

TEST_CASE("binary: admin commands set up a workspace, serve on port 0, login and sync, SIGTERM stops it") {
  ccfield::testing::TempDir dir;
  const std::string data = dir.path() + "/data";  // created by the server
  Run user = RunServer({"--data", data, "--password-cost", "test", "admin", "create-user", "amina", "--password-stdin"},
                       std::string(kPassword) + "\n");
  REQUIRE(user.code == 0);
  Run ws = RunServer({"--data", data, "admin", "create-workspace", "Kinondoni", "--country", "TZ"});
  REQUIRE(ws.code == 0);
  const std::string ws_id = FirstLine(ws.out);
  REQUIRE(RunServer({"--data", data, "admin", "add-member", ws_id, "amina", "--role", "field_staff"}).code == 0);

  Child server = Child::Start({"--data", data, "--password-cost", "test", "serve", "--port", "0"});
  const std::string line = server.ReadLine();
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE_MESSAGE(line.rfind(prefix, 0) == 0, line);
  const int port = std::stoi(line.substr(prefix.size()));
  CHECK(port > 0);

  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  httplib::Result st = c.Get("/v1/status");
  REQUIRE(st);
  CHECK(st->status == 200);
  const std::string device = "0d9a3c5e-1111-4222-8333-444455556666";
  json body = {{"username", "amina"}, {"password", kPassword}, {"device_id", device}, {"device_name", "t"}};
  httplib::Result login = c.Post("/v1/login", body.dump(), "application/json");
  REQUIRE(login);
  REQUIRE_MESSAGE(login->status == 200, login->body);
  const std::string token = json::parse(login->body)["token"];
  json req = {{"protocol", 1}, {"device_id", device}, {"cursor", 0}, {"changes", json::array()}};
  httplib::Result s = c.Post("/v1/sync", {{"Authorization", "Bearer " + token}}, req.dump(), "application/json");
  REQUIRE(s);
  REQUIRE(s->status == 200);
  json resp = json::parse(s->body);
  bool got_ws = false;
  for (const json& ch : resp["changes"]) got_ws = got_ws || (ch["id"] == ws_id && ch["value"] == "Kinondoni");
  CHECK(got_ws);

  // Admin commands run while the server serves (two processes, one SQLite file).
  Run devices = RunServer({"--data", data, "admin", "list-devices"});
  CHECK(devices.code == 0);
  CHECK(devices.out.find(device) != std::string::npos);
  REQUIRE(RunServer({"--data", data, "admin", "revoke-device", device}).code == 0);
  httplib::Result revoked = c.Post("/v1/sync", {{"Authorization", "Bearer " + token}}, req.dump(), "application/json");
  REQUIRE(revoked);
  CHECK(revoked->status == 401);

  kill(server.pid, SIGTERM);
  CHECK(server.Wait() == 0);
}

TEST_CASE("binary: a port in use is a clear error") {
  ccfield::testing::TempDir dir;
  Child first = Child::Start({"--data", dir.path(), "--port", "0"});
  const std::string line = first.ReadLine();
  REQUIRE(line.rfind("listening on ", 0) == 0);
  const std::string port = line.substr(line.rfind(':') + 1);
  Run second = RunServer({"--data", dir.path() + "/2", "--port", port});
  CHECK(second.code == 1);
  kill(first.pid, SIGINT);
  CHECK(first.Wait() == 0);
}

}  // namespace
}  // namespace ccfield::server::testing
