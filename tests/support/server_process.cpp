#include "support/server_process.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>

extern char** environ;

namespace ccfield::testing {
namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::pair<pid_t, int> SpawnWithOutput(std::vector<std::string> args) {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  std::vector<char*> argv = Argv(args);
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) close(fds[0]);
  REQUIRE_MESSAGE(rc == 0, "cannot start " << args[0] << ": " << std::strerror(rc));
  return {pid, fds[0]};
}

std::pair<int, std::string> RunCommand(std::vector<std::string> args) {
  auto [pid, fd] = SpawnWithOutput(std::move(args));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

int64_t QueryServerDb(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sql);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

bool ServerProcess::Available(const std::string& server_path) {
  return !server_path.empty() && access(server_path.c_str(), X_OK) == 0;
}

ServerProcess::ServerProcess(std::string server_path, std::vector<std::string> first_serve_args)
    : serve_args(std::move(first_serve_args)), server_path_(std::move(server_path)) {
  workspace_id = Trim(Admin({"create-workspace", "Test municipality", "--country", "TZ"}));
  REQUIRE(!workspace_id.empty());
  for (const char* user : {"alice", "bob"}) {
    Admin({"create-user", user, "--password", Password(user)});
    Admin({"add-member", workspace_id, user, "--role", "field_staff"});
  }
  Start();
}

ServerProcess::~ServerProcess() { Kill(); }

std::string ServerProcess::Admin(std::vector<std::string> args) {
  std::vector<std::string> argv = {server_path_, "--data", dir.path(), "--password-cost", "test", "admin"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto [code, out] = RunCommand(argv);
  REQUIRE_MESSAGE(code == 0, "admin " << args[0] << " failed");
  return out;
}

void ServerProcess::Start() {
  std::vector<std::string> args = {server_path_, "--data", dir.path(), "--password-cost",
                                   "test",       "serve",  "--port",   "0"};
  args.insert(args.end(), serve_args.begin(), serve_args.end());
  small_disk_ = disk_bytes > 0;
  if (small_disk_) {
    // In the namespace: the directory stays reachable under stage_, a tmpfs
    // of disk_bytes goes over it and gets a copy; on SIGTERM the server stops
    // and the copy goes back. unshare execs the shell, so pid_ is the shell.
    const char* script =
        "set -e; d=$1; stage=$2; size=$3; shift 3\n"
        "mount --bind \"$d\" \"$stage\"\n"
        "mount -t tmpfs -o size=\"$size\" ccfield-small-disk \"$d\"\n"
        "cp -a \"$stage\"/. \"$d\"/\n"
        "set +e\n"
        "\"$@\" & child=$!\n"
        "trap 'kill -TERM $child' TERM\n"
        "wait $child; rc=$?\n"
        "while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done\n"
        "find \"$stage\" -mindepth 1 -delete && cp -a \"$d\"/. \"$stage\"/\n"
        "exit $rc\n";
    std::vector<std::string> wrapped = {"/usr/bin/unshare", "-rm", "/bin/sh", "-c", script, "sh", dir.path(),
                                        stage_.path(), std::to_string(disk_bytes)};
    wrapped.insert(wrapped.end(), args.begin(), args.end());
    args = std::move(wrapped);
  }
  const auto [pid, fd] = SpawnWithOutput(std::move(args));
  pid_ = pid;
  std::string out;  // "listening on 127.0.0.1:PORT\n"
  const auto t0 = std::chrono::steady_clock::now();
  while (out.find('\n') == std::string::npos && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE_MESSAGE(out.rfind(prefix, 0) == 0, "server said: " << out);
  port = std::stoi(Trim(out.substr(prefix.size())));
  url = "http://127.0.0.1:" + std::to_string(port);
}

void ServerProcess::Kill(int signal) {
  if (pid_ <= 0) return;
  if (small_disk_ && signal != SIGTERM) {  // the server itself: the shell's child
    std::ifstream children("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
    pid_t child = 0;
    if (children >> child) kill(child, signal);
  }
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
  small_disk_ = false;
}

}  // namespace ccfield::testing
