#pragma once
// The HTTP front of the server (docs/sync-protocol.md, "Endpoints"):
// GET /v1/status, POST /v1/login, /v1/logout, /v1/sync, on cpp-httplib.
//
// - Request bodies may be gzip-compressed (Content-Encoding: gzip); the limit
//   (kMaxRequestBytes) applies after decompression and answers 413.
// - Responses are gzip-compressed when the client sends Accept-Encoding: gzip.
// - Every error is {"error": {"code", "message"}} with the documented status;
//   exceptions are caught at the boundary and become 500. The server stays up.
// - httplib runs handlers on its thread pool; one mutex serialises all use of
//   the storage (one SQLite connection), the sync service and Env randomness.
//   Parsing, password hashing and compression run outside it.
// - Slow and idle clients (issue 10, finding 3): httplib gives every
//   connection one pool thread for as long as it is open, and has no
//   whole-request deadline nor a cap on header count (the Debian build is a
//   compiled library, so its CPPHTTPLIB_* limits cannot be changed here). The
//   server is meant to sit behind the nginx front of deploy/nginx (see
//   docs/deploy.md), which holds slow and idle connections in its event loop
//   and hands over only complete requests. The limits below still keep a
//   directly reached server from being held for long: short keep-alive and
//   per-read timeouts, and a refused request with too many headers.
// - Client address (finding 4): the address given to Auth::Login is the TCP
//   peer, or, when the peer is one of `trusted_proxies`, the last hop of
//   X-Forwarded-For (the address that proxy saw). A header from anyone else
//   is ignored, so it cannot be used to dodge or aim the login throttle.

#include <memory>
#include <string>
#include <vector>

#include "auth.h"
#include "ccfield/core/status.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "sync_service.h"

namespace ccfield::server {

struct HttpServerOptions {
  std::string listen_address = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind() returns it)
  AuthOptions auth;
  SyncServiceOptions sync;
  size_t max_request_bytes = sync::kMaxRequestBytes;  // after decompression
  // Per read/write: a link that stalls this long is given up. Not a deadline
  // for the whole request (httplib has none): the front sets that.
  int read_timeout_s = 15;
  int write_timeout_s = 15;
  // An idle kept-alive connection holds a pool thread until this runs out.
  // Short, since the app keeps its connection between syncs; a new
  // connection on loopback from the front costs well under a millisecond.
  int keep_alive_timeout_s = 2;
  // Pool threads: the connections served at once (others wait to be accepted).
  int worker_threads = 16;
  // More header fields than this answer 431. A device sends about ten.
  size_t max_header_count = 64;
  // Peers whose X-Forwarded-For is believed (exact IPv4/IPv6 addresses).
  std::vector<std::string> trusted_proxies;
};

// The address a request came from, for throttling and logs: `peer`, or the
// last address in `forwarded_for` (X-Forwarded-For) when `peer` is one of
// `trusted_proxies` and that address is a valid IP literal. Exposed for tests.
std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

// The canonical text of an IPv4 or IPv6 literal ("::ffff:1.2.3.4" stays as
// written by inet_ntop), or "" when `text` is not one.
std::string CanonicalIp(const std::string& text);

class HttpServer {
 public:
  // `storage` and `env` must outlive the server.
  HttpServer(ServerStorage* storage, Env* env, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port. kUnavailable when the
  // address cannot be bound (in use, not ours).
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  Status Run();
  // Whether Run() is accepting connections.
  bool IsRunning() const;
  // Stops Run(); callable from any thread (a signal-handling thread, a test).
  // REQUIRES: IsRunning() (a Stop() before Run() started has no effect).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccfield::server
