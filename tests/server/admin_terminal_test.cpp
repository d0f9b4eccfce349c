// The admin commands of the ccfield-server executable (SERVER_BIN) as a person
// runs them: help without a data directory, and create-user asking for the
// password on a real terminal (a pseudo-terminal), without echo, twice, and
// leaving the terminal's echo on afterwards.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "exec_server.h"
#include "support/temp_dir.h"

#ifndef SERVER_BIN
#error "SERVER_BIN must name the ccfield-server executable"
#endif

namespace ccfield::server::testing {
namespace {

// ccfield-server with a pseudo-terminal as its stdin, stdout and stderr.
class TerminalChild {
 public:
  explicit TerminalChild(const std::vector<std::string>& args) {
    master_ = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master_ >= 0);
    REQUIRE(grantpt(master_) == 0);
    REQUIRE(unlockpt(master_) == 0);
    const std::string slave = ptsname(master_);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      setsid();  // the terminal opened next becomes the controlling one
      int fd = open(slave.c_str(), O_RDWR);
      if (fd < 0) _exit(126);
      dup2(fd, 0);
      dup2(fd, 1);
      dup2(fd, 2);
      if (fd > 2) close(fd);
      close(master_);
      ExecServer(args);
    }
  }
  ~TerminalChild() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
  }

  // Reads what the program writes until `text` appears (or 10 s pass); returns all read so far.
  std::string ReadUntil(const std::string& text) {
    const auto t0 = std::chrono::steady_clock::now();
    while (seen_.find(text) == std::string::npos && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      ssize_t n = read(master_, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the program closed the terminal
      seen_.append(buf, static_cast<size_t>(n));
    }
    return seen_;
  }
  void Type(const std::string& s) { REQUIRE(write(master_, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  // Waits for the exit code; the terminal's settings as the program left them go to *after.
  int Wait(termios* after) {
    ReadUntil("\x04never");  // drain the output until the terminal closes
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    pid_ = -1;
    REQUIRE(tcgetattr(master_, after) == 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  std::string seen_;
};

TEST_CASE("binary: admin --help and admin with no command need no data directory") {
  for (std::vector<std::string> args : {std::vector<std::string>{"admin", "--help"},
                                        std::vector<std::string>{"admin", "import-sites", "--help"}}) {
    TerminalChild c(args);
    termios t;
    CHECK(c.Wait(&t) == 0);
    CHECK(c.ReadUntil("").find("import-sites WORKSPACE_ID FILE") != std::string::npos);
  }
  TerminalChild none({"admin"});
  termios t;
  CHECK(none.Wait(&t) == 2);
  CHECK(none.ReadUntil("").find("say which admin command") != std::string::npos);
}

TEST_CASE("binary: create-user on a terminal asks twice without echo and restores the echo") {
  ccfield::testing::TempDir dir;
  const std::vector<std::string> base = {"--data", dir.path(), "--password-cost", "test", "admin", "create-user"};

  std::vector<std::string> args = base;
  args.push_back("amina");
  TerminalChild c(args);
  CHECK(c.ReadUntil("Password (at least 8 characters): ").find("Password (at least 8 characters): ") !=
        std::string::npos);
  c.Type("quokka-secret-7\n");
  CHECK(c.ReadUntil("again: ").find("The same password again: ") != std::string::npos);
  c.Type("quokka-secret-7\n");
  termios after;
  CHECK(c.Wait(&after) == 0);
  const std::string out = c.ReadUntil("");
  CHECK(out.find("quokka-secret-7") == std::string::npos);  // never echoed
  CHECK((after.c_lflag & ECHO) != 0);

  std::vector<std::string> args2 = base;
  args2.push_back("bakari");
  TerminalChild d(args2);
  d.ReadUntil("characters): ");
  d.Type("quokka-secret-7\n");
  d.ReadUntil("again: ");
  d.Type("quokka-secret-8\n");
  CHECK(d.Wait(&after) == 1);
  CHECK(d.ReadUntil("").find("the two passwords differ") != std::string::npos);
  CHECK((after.c_lflag & ECHO) != 0);

  // Ctrl-C at the prompt: the process ends and the echo is back on.
  std::vector<std::string> args3 = base;
  args3.push_back("chiku");
  TerminalChild e(args3);
  e.ReadUntil("characters): ");
  e.Type("\x03");  // the terminal turns it into SIGINT
  CHECK(e.Wait(&after) == 128 + SIGINT);
  CHECK((after.c_lflag & ECHO) != 0);
}

}  // namespace
}  // namespace ccfield::server::testing
