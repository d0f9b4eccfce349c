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

#include <memory>
#include <string>

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
  int read_timeout_s = 60;                            // a stalled upload on a slow link is given up after this
  int write_timeout_s = 60;
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
