#pragma once
// The HTTP front of the server: cpp-httplib over ApiHandler (api_handler.h),
// which owns everything a request means (auth, limits, decoding, the sync
// cycle, encoding, error bodies). This file owns only the transport: the
// listening socket and its options, the thread pool, timeouts and
// keep-alive, and mapping httplib's request and response to the handler's.
//
// - httplib inflates gzip request bodies itself (the Debian build is a
//   compiled library and cannot be told not to), so the adapter hands such a
//   body over already decoded; it keeps at most max_request_bytes of a body
//   and reads the rest only to drop it (up to a bound against gzip bombs), so
//   that the client gets the handler's 413 instead of a reset connection.
//   zstd bodies reach the handler as received (httplib 0.11 knows no zstd)
//   and are decoded there, capped while decompressing (sync/body_codec.h).
// - The handler's answer is sent byte for byte (httplib never compresses it
//   again); httplib's own refusals (a malformed request line, an unknown
//   method) get the same JSON error body. GET, POST and PUT reach the
//   handler; PUT bodies (photo blob chunks, application/octet-stream) are
//   handed over as received. httplib would cut every answer again by the
//   request's Range header, so the adapter clears its parsed ranges: the
//   handler answers ranges itself (206, blob downloads).
// - Slow and idle clients (issue 10, finding 3): httplib gives every
//   connection one pool thread for as long as it is open, and has no
//   whole-request deadline nor a cap on header count (its CPPHTTPLIB_*
//   limits are compiled in). The server is meant to sit behind the nginx
//   front of deploy/nginx (see docs/deploy.md), which holds slow and idle
//   connections in its event loop and hands over only complete requests. The
//   limits below still keep a directly reached server from being held for
//   long: short keep-alive and per-read timeouts; the handler refuses a
//   request with too many headers.
// - Client address (finding 4): the handler gets the TCP peer and the
//   X-Forwarded-For fields, and believes them only from `trusted_proxies`.

#include <memory>
#include <string>
#include <vector>

#include "api_handler.h"
#include "auth.h"
#include "ccfield/core/status.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "sync_service.h"

namespace ccfield::server {

// The handler's options (auth, sync, request limits, trusted proxies) and the
// transport's.
struct HttpServerOptions : ApiHandlerOptions {
  std::string listen_address = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind() returns it)
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
};

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
