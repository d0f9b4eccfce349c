#include "support/front_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace ccfield::testing {
namespace {

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

int64_t ProcessRssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

FrontProcess::FrontProcess(std::string script, FrontOptions o) {
  // The port is chosen before nginx binds it, so another process may take it
  // in between: try a few.
  for (int attempt = 0; attempt < 5 && pid_ == 0; ++attempt) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) continue;
    std::vector<std::string> args = {script,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--upstream",
                                     "127.0.0.1:" + std::to_string(o.upstream_port),
                                     "--dir",
                                     dir_.path(),
                                     "--timeout",
                                     std::to_string(o.timeout_s),
                                     "--limit-conn",
                                     std::to_string(o.limit_conn)};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, dir_.File("stderr.log").c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      error_ = "cannot run " + script;
      return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    bool up = false;
    while (!up && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;  // exited: port taken, or a bad config
      up = CanConnect(port_);
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (up) {
      pid_ = pid;
    } else {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  if (pid_ == 0) error_ = "nginx did not start: " + Log();
}

FrontProcess::~FrontProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);  // nginx: fast shutdown, the master ends its workers
  waitpid(pid_, nullptr, 0);
}

int64_t FrontProcess::RssKb() const {
  if (pid_ <= 0) return 0;
  int64_t kb = ProcessRssKb(pid_);
  std::ifstream children("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
  pid_t child = 0;
  while (children >> child) kb += ProcessRssKb(child);
  return kb;
}

std::string FrontProcess::Log() const {
  std::ifstream in(dir_.File("stderr.log"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace ccfield::testing
