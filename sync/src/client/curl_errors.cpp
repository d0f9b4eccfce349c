// libcurl codes and HTTP statuses -> Status and SyncAction, in one place.
#include "curl_errors.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "ccfield/core/named.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::sync {

constexpr Named<SyncAction> kSyncActions[] = {
    {SyncAction::kRetryLater, "retry_later"}, {SyncAction::kLogInAgain, "log_in_again"}, {SyncAction::kStop, "stop"}};

const char* SyncActionName(SyncAction a) { return NameIn(kSyncActions, a, "?"); }

namespace internal {

namespace {

bool ContainsNoCase(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// libcurl's own words, kept for the curious (logs, --json) after the plain ones.
std::string DetailText(std::string_view detail, int code) {
  std::string d(detail);
  while (!d.empty() && (d.back() == '\n' || d.back() == '\r')) d.pop_back();
  if (d.empty()) d = curl_easy_strerror(static_cast<CURLcode>(code));
  return d;
}

std::string Detail(std::string_view detail, int code) { return " (" + DetailText(detail, code) + ")"; }

// A translatable message ending in libcurl's words: "... ({detail})".
Msg WithDetail(Msg msg, std::string_view detail, int code) {
  msg.args.emplace_back("detail", DetailText(detail, code));
  return msg;
}

}  // namespace

std::string UtcDate(int64_t wall_millis) {
  std::time_t t = static_cast<std::time_t>(wall_millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Status CurlStatus(int curl_code, std::string_view detail, int64_t device_wall_millis) {
  const auto code = static_cast<CURLcode>(curl_code);
  switch (code) {
    case CURLE_OK:
      return Status::Internal("CurlStatus called without an error");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status::Unavailable(
          WithDetail(Msg("cannot reach the server: its name could not be looked up (is the device online?) ({detail})"),
                     detail, curl_code));
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(
          WithDetail(Msg("cannot reach the server: no connection could be made ({detail})"), detail, curl_code));
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(WithDetail(
          Msg("the connection is too slow or has stopped; sync will try again ({detail})"), detail, curl_code));
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
      return Status::Unavailable(
          WithDetail(Msg("the connection dropped; sync will try again ({detail})"), detail, curl_code));
    case CURLE_ABORTED_BY_CALLBACK:
      return Status::Unavailable(Msg("sync was stopped"));
    case CURLE_WRITE_ERROR:
      // Only our write callback refuses data: the answer exceeded the limit.
      return Status::Unavailable("the server's answer is too large for this device");
    case CURLE_BAD_CONTENT_ENCODING:
      return Status::Unavailable("the server's answer could not be decompressed" + Detail(detail, curl_code));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::Invalid(WithDetail(Msg("the server address is not valid ({detail})"), detail, curl_code));
    case CURLE_OUT_OF_MEMORY:
      return Status::Internal("out of memory during sync");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CONNECT_ERROR:
      if (ContainsNoCase(detail, "not yet valid") || ContainsNoCase(detail, "expired")) {
        // A certificate valid for a year looks "not yet valid" or "expired"
        // to a device whose clock is far off: the usual cause in the field.
        return Status::Unavailable(
            WithDetail(Msg("the server's certificate looks expired or not yet valid. This device's clock "
                           "says {date}; if that is wrong, set the correct date and time and "
                           "sync again ({detail})",
                           {{"date", UtcDate(device_wall_millis)}}),
                       detail, curl_code));
      }
      if (code == CURLE_SSL_CACERT_BADFILE) {
        return Status::Invalid("the CA certificate file cannot be read" + Detail(detail, curl_code));
      }
      if (code == CURLE_SSL_CONNECT_ERROR) {
        return Status::Unavailable("a secure connection to the server could not be made" + Detail(detail, curl_code));
      }
      return Status::Unavailable(
          WithDetail(Msg("the server's certificate is not trusted; check the server address, or give "
                         "the server's CA file when logging in ({detail})"),
                     detail, curl_code));
    default:
      return Status::Unavailable(WithDetail(Msg("cannot reach the server ({detail})"), detail, curl_code));
  }
}

namespace {

// The protocol's error body, when there is one.
ErrorBody ReadErrorBody(std::string_view body) {
  ErrorBody e;
  Result<nlohmann::json> j = ParseJsonText(body);
  if (!j.ok() || !j->is_object()) return e;
  auto it = j->find("error");
  if (it == j->end() || !it->is_object()) return e;
  if (auto c = it->find("code"); c != it->end() && c->is_string()) e.code = c->get<std::string>();
  if (auto m = it->find("message"); m != it->end() && m->is_string()) e.message = m->get<std::string>();
  return e;
}

std::string Http(int status) { return " (HTTP " + std::to_string(status) + ")"; }

}  // namespace

SyncFailure HttpFailure(int http_status, std::string_view body, std::optional<int64_t> retry_after_seconds) {
  const ErrorBody e = ReadErrorBody(body);
  const std::string said = e.message.empty() ? "" : ": " + e.message;
  SyncFailure f;
  f.retry_after_seconds = retry_after_seconds;
  if (http_status == 401) {
    if (e.code == "revoked_device") {
      f.action = SyncAction::kStop;
      f.status = Status::Denied(Msg("this device was removed from the server; ask your administrator"));
    } else if (e.code == "user_disabled") {
      f.action = SyncAction::kStop;
      f.status = Status::Denied(Msg("this account was disabled on the server; ask your administrator"));
    } else {
      f.action = SyncAction::kLogInAgain;
      f.status = Status::Denied(e.code == "expired_token"   ? Msg("the login has expired; log in again")
                                : e.code == "revoked_token" ? Msg("the login was revoked; log in again")
                                                            : Msg("the server does not know this login; log in again"));
    }
  } else if (http_status == 403) {
    f.action = SyncAction::kStop;
    f.status = e.code == "device_mismatch"
                   ? Status::Denied(Msg("the saved login belongs to another device; log in again on this device"))
                   : Status::Denied("the server refused this device" + said);
  } else if (http_status == 400 && (ContainsNoCase(e.message, "protocol"))) {
    f.action = SyncAction::kStop;
    f.status = Status::Unavailable("the server speaks another version of the sync protocol; update the app" + said);
  } else if (http_status == 400 || http_status == 413 || http_status == 415) {
    // A request this app built was refused: retrying the same cannot help.
    f.action = SyncAction::kStop;
    f.status = Status::Internal("the server refused the request as malformed; please report this" +
                                (said.empty() ? Http(http_status) : said));
  } else if (http_status == 404 || http_status == 405) {
    f.action = SyncAction::kStop;
    f.status = Status::Unavailable(Msg("the server address does not lead to a ccfield sync server (HTTP {status})",
                                       {{"status", std::to_string(http_status)}}));
  } else if (http_status == 429) {
    f.action = SyncAction::kRetryLater;
    // Say how long and why (a write quota names the limit): the changes stay here, unsent.
    f.status = Status::Unavailable(
        "the server asked this device to wait " +
        (retry_after_seconds ? std::to_string(*retry_after_seconds) + " seconds" : std::string("a while")) + said +
        "; sync will try again then");
  } else if (http_status == 503 && !said.empty()) {
    // The server says why (its disk is full, it is busy): pass it on; the changes stay here.
    f.action = SyncAction::kRetryLater;
    f.status = Status::Unavailable(
        Msg("the server cannot take changes now: {reason}; sync will try again later", {{"reason", e.message}}));
  } else if (http_status == 408 || http_status >= 500) {
    f.action = SyncAction::kRetryLater;
    f.status = Status::Unavailable(Msg("the server has a problem; sync will try again later (HTTP {status})",
                                       {{"status", std::to_string(http_status)}}));
  } else {
    f.action = SyncAction::kStop;
    f.status = Status::Unavailable("unexpected answer from the server" + Http(http_status));
  }
  return f;
}

BlobFailure BlobHttpFailure(int http_status, std::string_view body) {
  const ErrorBody e = ReadErrorBody(body);
  BlobFailure f;
  f.code = e.code;
  if (Result<nlohmann::json> j = ParseJsonText(body); j.ok() && j->is_object()) {
    auto it = j->find("offset");
    if (it != j->end() && it->is_number_integer() && it->get<int64_t>() >= 0) f.offset = it->get<int64_t>();
  }
  const std::string said = e.message.empty() ? Http(http_status) : ": " + e.message;
  if (http_status == 409 && f.offset) {
    f.verdict = BlobVerdict::kOffset;
    f.status = Status::Conflict("the server holds another part of this photo" + said);
  } else if (http_status == 422 && e.code == "chunk_mismatch") {
    f.verdict = BlobVerdict::kResend;
    f.status = Status::Unavailable("a part of the photo arrived damaged" + said);
  } else if (http_status == 422) {
    f.verdict = BlobVerdict::kRestart;
    f.status = Status::Unavailable("the server found the photo's bytes do not match its name" + said);
  } else if (http_status == 404) {
    f.verdict = BlobVerdict::kNotFound;
    f.status = Status::NotFound("not on the server (yet)");
  } else if (http_status == 401) {
    f.verdict = BlobVerdict::kLogInAgain;
    f.status = HttpFailure(http_status, body, std::nullopt).status;
  } else if (http_status == 408 || http_status == 429 || http_status >= 500) {
    f.verdict = BlobVerdict::kRetryLater;
    f.status = Status::Unavailable("the server cannot take photos now" + said + "; they will be sent later");
  } else {
    // 400, 403, 413 (blob_quota, too_large), 415: this request cannot succeed as it is.
    f.verdict = BlobVerdict::kRefused;
    f.status = Status::Denied(e.message.empty() ? "the server refused this photo" + Http(http_status) : e.message);
  }
  return f;
}

SyncFailure LoginHttpFailure(int http_status, std::string_view body, std::optional<int64_t> retry_after_seconds) {
  if (http_status == 403) {
    // Refusals that are not a wrong password must not read as one.
    const ErrorBody e = ReadErrorBody(body);
    if (e.code == "user_disabled" || e.code == "device_taken") {
      SyncFailure f;
      f.action = SyncAction::kStop;
      f.status = e.code == "user_disabled"
                     ? Status::Denied(Msg("this account is disabled on the server; ask your administrator"))
                     : Status::Denied(Msg("the server says this device's id belongs to another device ({reason}); ask "
                                          "your administrator",
                                          {{"reason", e.message}}));
      return f;
    }
  }
  if (http_status == 401 || http_status == 403) {
    SyncFailure f;
    f.action = SyncAction::kLogInAgain;
    f.status = Status::Denied(Msg("wrong user name or password"));
    return f;
  }
  if (http_status == 429) {
    SyncFailure f;
    f.action = SyncAction::kRetryLater;
    f.retry_after_seconds = retry_after_seconds;
    f.status = Status::Unavailable(
        "too many failed logins; wait " +
        (retry_after_seconds ? std::to_string(*retry_after_seconds) + " seconds" : std::string("a while")) +
        " and try again");
    return f;
  }
  return HttpFailure(http_status, body, retry_after_seconds);
}

SyncAction ActionForStatus(const Status& status) {
  switch (status.code()) {
    case Code::kUnavailable:
    case Code::kBusy:
    case Code::kDiskFull:
    case Code::kIoError:
      return SyncAction::kRetryLater;
    case Code::kPermissionDenied:
      return SyncAction::kLogInAgain;
    default:
      return SyncAction::kStop;
  }
}

}  // namespace internal
}  // namespace ccfield::sync
