#pragma once
// The one place where libcurl error codes and HTTP statuses become Status
// values and sync actions (STYLE.md: errors mapped in exactly one file).
// Private to the sync client; tests include it directly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"
#include "ccfield/sync/sync_error.h"

namespace ccfield::sync::internal {

// Maps a CURLcode (as int, so this header needs no curl include) and
// libcurl's error-buffer text to a Status in plain words:
//  - network failures: kUnavailable ("cannot reach the server ...",
//    "the connection dropped ...");
//  - a certificate that is "expired" or "not yet valid": kUnavailable with a
//    message that the device clock may be wrong, naming the device's date
//    (from `device_wall_millis`);
//  - other certificate problems: kUnavailable naming the certificate;
//  - a malformed or unsupported address: kInvalidArgument;
//  - CURLE_ABORTED_BY_CALLBACK: kUnavailable "sync was stopped".
// REQUIRES: curl_code != CURLE_OK.
Status CurlStatus(int curl_code, std::string_view detail, int64_t device_wall_millis);

// Maps a non-200 HTTP answer of the sync server to what the client should do.
// `body` may hold the protocol's {"error": {"code", "message"}}.
SyncFailure HttpFailure(int http_status, std::string_view body, std::optional<int64_t> retry_after_seconds);

// Like HttpFailure, for POST /v1/login: 401/403 mean a wrong user name or
// password, 429 says how long to wait.
SyncFailure LoginHttpFailure(int http_status, std::string_view body, std::optional<int64_t> retry_after_seconds);

// The action for an error that did not come from an HTTP status (a Status
// from the transport, the store or the codec).
SyncAction ActionForStatus(const Status& status);

// What the photo queue does with a blob endpoint's answer other than
// 200/206 (docs/sync-protocol.md, "Photos: blobs").
enum class BlobVerdict {
  kRefused,     // for good (quota, forbidden, too large, malformed): shown, not retried
  kOffset,      // 409 offset_mismatch: go on from `offset`
  kResend,      // 422 chunk_mismatch: send the same chunk again
  kRestart,     // 422 hash_mismatch: the server threw the upload away (offset 0)
  kNotFound,    // 404: not on the server (yet), or a server without blobs
  kLogInAgain,  // 401: the record sync deals with the login
  kRetryLater,  // 5xx, 429, 408, unreadable: keep the offset, stop this run
};

struct BlobFailure {
  BlobVerdict verdict = BlobVerdict::kRetryLater;
  std::string code;               // the server's error code ("blob_quota"), "" when none
  Status status;                  // plain words (the server's own for refusals)
  std::optional<int64_t> offset;  // where the upload stands, when the body says
};

// Maps a blob endpoint's non-2xx answer. `body` may hold {"error": {"code",
// "message"}, "offset": n}.
BlobFailure BlobHttpFailure(int http_status, std::string_view body);

// "2026-11-26" for a wall-clock time in ms since the epoch (UTC).
std::string UtcDate(int64_t wall_millis);

}  // namespace ccfield::sync::internal
