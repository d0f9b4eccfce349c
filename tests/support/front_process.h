#pragma once
// The nginx front (scripts/front.sh) in front of a ccfield-server on
// loopback, for tests and the attack bench: its own prefix directory, a free
// port of 127.0.0.1, short timeouts. Free of doctest so that bench programs
// can use it: failures are reported through ok() and error().
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "support/temp_dir.h"

namespace ccfield::testing {

struct FrontOptions {
  int upstream_port = 0;   // the ccfield-server's port on 127.0.0.1
  int timeout_s = 2;       // client_header/body and send timeouts
  int limit_conn = 16;     // requests in progress per client address
};

class FrontProcess {
 public:
  // Starts nginx through `script` (scripts/front.sh) and waits until it accepts.
  FrontProcess(std::string script, FrontOptions options);
  ~FrontProcess();  // SIGTERM, then wait
  FrontProcess(const FrontProcess&) = delete;
  FrontProcess& operator=(const FrontProcess&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // VmRSS of the master and its worker processes, in KiB.
  int64_t RssKb() const;
  // What nginx wrote on stderr so far (warnings, errors).
  std::string Log() const;

 private:
  TempDir dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// VmRSS of a process in KiB (0 when it cannot be read).
int64_t ProcessRssKb(pid_t pid);

// A port of 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

}  // namespace ccfield::testing
