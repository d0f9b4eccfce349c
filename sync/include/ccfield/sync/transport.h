#pragma once
// The network stage of sync: one HTTP request at a time to the sync server.
// SyncClient talks to a Transport; production uses CurlTransport (libcurl),
// tests may inject their own. No curl type appears in this header.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/sync/body_codec.h"

namespace ccfield {
class Env;
}

namespace ccfield::sync {

// What came back. Any HTTP status is a successful transfer (ok Result); the
// caller maps non-2xx statuses (sync_error.h). Byte counts are what crossed
// the wire: compressed bodies plus headers, as far as libcurl reports them.
struct HttpResult {
  int status = 0;
  std::string body;       // decompressed
  size_t bytes_up = 0;    // request headers + (compressed) body
  size_t bytes_down = 0;  // response headers + (compressed) body
  // Requests put on the wire for this call: 2 when libcurl sent it into a
  // kept-alive connection the server had just closed and sent it again on a
  // new one (the server may have read both), or when a server refused a zstd
  // body (415) and the transport sent it again in gzip (bytes count both).
  // At least 1 once an answer came.
  int wire_requests = 1;
  // Retry-After of the response in seconds, when present and numeric.
  std::optional<int64_t> retry_after_seconds;
  // Content-Range and Content-Length of the response as sent ("" / none when absent).
  std::string content_range;
  std::optional<int64_t> content_length;
  // Encodings (docs/sync-protocol.md, "Encodings"): the Content-Encoding the
  // answer came in ("" when none; `body` is decoded), and the one the request
  // body was sent in ("" when there was none or it went as it is).
  std::string content_encoding;
  std::string request_encoding;
};

// Takes the pieces of a 2xx answer's body as they arrive (a photo download
// writes them to its partial file), instead of HttpResult::body. `head` has
// the status and headers (bytes counts not yet). A non-ok Status aborts the
// transfer, and Send returns that Status.
using BodySink = std::function<Status(const HttpResult& head, std::string_view piece)>;

// A request with a binary body (photo blobs, docs/sync-protocol.md "Photos:
// blobs"). Nothing is compressed either way: JPEG bytes do not shrink.
struct HttpRequest {
  std::string method = "GET";  // "GET" or "PUT"
  std::string path;            // with its query: "/v1/blobs/<hash>/upload?ws=...&size=..."
  std::string bearer_token;    // "Authorization: Bearer ..." unless empty
  // Extra header fields: "X-Chunk-Sha256", "Range", ...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // PUT: sent as it is, Content-Type: application/octet-stream
  BodySink sink;     // may be empty: the body lands in HttpResult::body
};

// Thread-safety: a Transport is used by one thread at a time. It is not
// copyable; it may keep a connection open between calls (keep-alive).
class Transport {
 public:
  virtual ~Transport() = default;

  // POSTs `json_body` (Content-Type: application/json) to base URL + `path`
  // ("/v1/sync"), with "Authorization: Bearer <bearer_token>" unless the
  // token is empty. Errors are kUnavailable (network: plain words, e.g.
  // "cannot reach the server") or kInvalidArgument (a bad address).
  virtual Result<HttpResult> Post(const std::string& path, const std::string& json_body,
                                  const std::string& bearer_token) = 0;
  // GETs base URL + `path`.
  virtual Result<HttpResult> Get(const std::string& path) = 0;
  // Sends `request` (binary, never compressed). A response body over the
  // transport's limit (TransportConfig::max_response_bytes) fails the
  // transfer, sink or not. Errors as Post, or the sink's Status.
  virtual Result<HttpResult> Send(const HttpRequest& request) = 0;
};

inline constexpr int kDefaultStallSeconds = 60;
inline constexpr int kMinStallSeconds = 1;
inline constexpr int kMaxStallSeconds = 3600;

struct TransportConfig {
  // "https://sync.example.org" or "https://host:8443/prefix"; plain http://
  // only to a loopback host (127.0.0.0/8, localhost, ::1).
  std::string base_url;
  // A PEM bundle of CA certificates to trust instead of the system's (a
  // self-hosted server). Empty: the system store.
  std::string ca_file;
  // Used for the device's current date in certificate-clock messages. Not owned; required.
  Env* env = nullptr;
  // While a transfer runs, it is aborted (kUnavailable "sync was stopped")
  // soon after this becomes true (within about a second). Not owned; may be null.
  const std::atomic<bool>* cancel = nullptr;
  // A response body larger than this (decompressed) fails the transfer.
  size_t max_response_bytes = 64u * 1024 * 1024;
  // JSON request bodies larger than this are compressed: zstd once the
  // server is known to take it, else gzip (see CurlTransport).
  size_t compress_min_bytes = 1024;
  // Offer and send zstd. false: the transport behaves as a client from
  // before zstd (Accept-Encoding: gzip, gzip bodies), as tests of old
  // clients against new servers need.
  bool zstd = true;
  // The zstd level of request bodies over kSmallBodyBytes (body_codec.h,
  // ZstdLevelFor; smaller ones go at kMaxZstdLevel).
  int zstd_level = kClientZstdLevel;
  // Whether the server is already known to take zstd request bodies (a
  // caller that remembered it from an earlier sync); the transport also
  // learns it by itself, see CurlTransport.
  bool server_takes_zstd = false;
  // A transfer is given up as stalled when fewer than 10 bytes/s move for
  // this long. 60 s suits 2G links that pause; a link known to be dead
  // sooner (a test, a fixed line) may lower it, a satellite link raise it.
  int stall_seconds = kDefaultStallSeconds;
};

// Makes a transport for `config`. SyncClient calls it on its own thread.
using TransportFactory = std::function<Result<std::unique_ptr<Transport>>(const TransportConfig&)>;

// libcurl over HTTP/1.1 (TLS verified always). Connect timeout 20 s; a
// transfer is given up when fewer than 10 bytes/s move for
// config.stall_seconds (60 s by default: 2G links are slow but alive), and
// after 30 minutes as a last resort. One easy handle is reused, so the
// connection is kept alive between requests.
// Encodings (docs/sync-protocol.md, "Encodings"; sync/body_codec.h): JSON
// requests offer "Accept-Encoding: zstd, gzip" and answers are decoded here,
// within max_response_bytes. A JSON body over config.compress_min_bytes goes
// in zstd once the server is known to take it — GET /v1/status listed zstd
// in "encodings", or an answer came in zstd — and in gzip otherwise; a 415
// to a zstd body sends the same request again in gzip at once, and the
// transport keeps to gzip from then on.
class CurlTransport final : public Transport {
 public:
  // Checks the URL before any connection: http(s) only, http:// only to
  // loopback ("... use https://") — kInvalidArgument otherwise.
  static Result<std::unique_ptr<CurlTransport>> Create(const TransportConfig& config);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResult> Post(const std::string& path, const std::string& json_body,
                          const std::string& bearer_token) override;
  Result<HttpResult> Get(const std::string& path) override;
  Result<HttpResult> Send(const HttpRequest& request) override;

 private:
  struct Impl;
  explicit CurlTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The factory SyncClient uses unless told otherwise.
TransportFactory CurlTransportFactory();

// Checks a server address: "http" or "https" scheme, a host, and plain http
// only to loopback. Returns the address without a trailing slash. Used by
// CurlTransport::Create and by `ccfield login` before it saves anything.
Result<std::string> CheckServerUrl(const std::string& url);

}  // namespace ccfield::sync
