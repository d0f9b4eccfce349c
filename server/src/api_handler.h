#pragma once
// ApiHandler: the server's whole answer to one request, without a socket
// (docs/sync-protocol.md, "Endpoints"): GET /v1/status, POST /v1/login,
// /v1/logout, /v1/sync. A function of (method, path, headers, body bytes,
// peer address) to (status, headers, body bytes). The HTTP server
// (http_server.h) is a thin adapter over it, and the in-process test
// transport calls the same function, so both answer alike by construction.
// The photo blob endpoints (/v1/blobs/..., binary bodies) go to BlobApi
// (blob_api.h) before any of the JSON body checks below.
//
// What it owns, in order:
// - limits: header count (431), body size after decompression (413),
//   changes per request (413); the Content-Encoding (zstd, gzip or identity,
//   else 415) and Content-Type (application/json, else 415) of a body;
// - decoding: the body codec (sync/body_codec.h, capped while it
//   decompresses), then the JSON door (ParseJsonText) and the codec
//   (sync/protocol.h);
// - auth: the bearer token (Authorization), the client address for the
//   login throttle (X-Forwarded-For only from trusted proxies);
// - the fair gate: one sync per user in flight (429 busy), storage turns in
//   arrival order (fair_gate.h);
// - the cycle (SyncService::Answer), encoding the answer (JSON; zstd, else
//   gzip, when the request's Accept-Encoding allows it, with Vary:
//   Accept-Encoding; GET /v1/status lists the encodings taken) and error
//   mapping: every error is
//   {"error": {"code", "message"}} with the documented status, 429 carries
//   Retry-After, an exception becomes 500 and is logged.
//
// Thread-safety: Handle() may be called from many threads at once. One
// mutex serialises all use of the storage (one SQLite connection), the sync
// service and Env randomness; parsing, password hashing and compression run
// outside it.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth.h"
#include "blob_api.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/protocol.h"
#include "sync_service.h"

namespace ccfield::server {

// Header fields in arrival order; names compare without case.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The value of the first field called `name` (any case), or "".
std::string FirstHeader(const HeaderList& headers, std::string_view name);
// The value of the last field called `name`, or "".
std::string LastHeader(const HeaderList& headers, std::string_view name);

struct ApiRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // "/v1/sync"
  std::string query;   // after '?', as received ("ws=...&size=10"); "" when none
  HeaderList headers;  // as received, Content-Encoding included
  // As received: compressed data when Content-Encoding says zstd or gzip.
  std::string body;
  std::string peer;  // TCP peer address ("127.0.0.1")
  // Set by a transport that stopped keeping the body past the size limit
  // (answers 413), or could not read it (answers 400).
  bool body_over_limit = false;
  bool body_unreadable = false;
};

struct ApiResponse {
  int status = 200;
  // Content-Type always; Content-Encoding (and Vary) when the body is
  // compressed; Retry-After on 429.
  HeaderList headers;
  std::string body;  // as sent: compressed data when Content-Encoding says so

  std::string Header(std::string_view name) const { return FirstHeader(headers, name); }
};

struct ApiHandlerOptions {
  AuthOptions auth;
  SyncServiceOptions sync;
  size_t max_request_bytes = sync::kMaxRequestBytes;  // after decompression
  // More header fields than this answer 431. A device sends about ten.
  size_t max_header_count = 64;
  // Peers whose X-Forwarded-For is believed (IPv4/IPv6 literals, any spelling).
  std::vector<std::string> trusted_proxies;
  // Photo blobs (protocol 2): off while blobs.dir is "".
  BlobApiOptions blobs;
  // zstd bodies (docs/sync-protocol.md, "Encodings"). Off: the server takes
  // and sends gzip only, as servers before zstd did (a zstd request is 415),
  // and GET /v1/status lists only gzip. Tests of new clients against old
  // servers use that; so may an operator who suspects a zstd problem.
  bool zstd = true;
  // The zstd level of answers over sync::kSmallBodyBytes (1..19; smaller
  // ones go at 19: sync::ZstdLevelFor; bench/README.md, compression bench).
  int zstd_level = sync::kServerZstdLevel;
};

// The address a request came from, for throttling and logs: `peer`, or the
// last address in `forwarded_for` (X-Forwarded-For) when `peer` is one of
// `trusted_proxies` and that address is a valid IP literal. Exposed for tests.
std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

// The canonical text of an IPv4 or IPv6 literal ("::ffff:1.2.3.4" stays as
// written by inet_ntop), or "" when `text` is not one.
std::string CanonicalIp(const std::string& text);

// `body` as JSON with Content-Type application/json.
ApiResponse JsonResponse(int status, const nlohmann::json& body);
// {"error": {"code", "message"}} with e's status (and Retry-After on 429).
ApiResponse ErrorResponse(const ApiError& e);
// The bearer token of Authorization, or "" when there is none.
std::string BearerToken(const HeaderList& headers);

// The JSON error body of a status that the handler did not produce (an
// unknown method, a malformed request line), for transports that answer
// those themselves: {"error": {"code", "message"}} with the documented code.
ApiResponse ErrorForStatus(int status);

class ApiHandler {
 public:
  // `storage` and `env` must outlive the handler.
  ApiHandler(ServerStorage* storage, Env* env, ApiHandlerOptions options);
  ~ApiHandler();
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  // The answer to `req`. Never throws.
  ApiResponse Handle(const ApiRequest& req);

  const ApiHandlerOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccfield::server
