#pragma once
// An error an API call answers with: the HTTP status and the body's code and
// message ({"error": {"code", "message"}}, docs/sync-protocol.md). Auth and
// the HTTP layer use it; the sync service reports plain Status values.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "ccfield/core/status.h"

namespace ccfield::server {

struct ApiError {
  int http_status = 500;
  std::string code;           // "invalid", "unauthenticated", "throttled", ...
  std::string message;        // plain words for the person
  int64_t retry_after_s = 0;  // 429: seconds until the next attempt is allowed

  static ApiError Invalid(std::string msg) { return {400, "invalid", std::move(msg)}; }
  static ApiError Unauthenticated(std::string code, std::string msg) { return {401, std::move(code), std::move(msg)}; }
  static ApiError Forbidden(std::string code, std::string msg) { return {403, std::move(code), std::move(msg)}; }
  static ApiError TooLarge(std::string msg) { return {413, "too_large", std::move(msg)}; }
  // A storage or internal failure: 503 when worth retrying soon, else 500.
  static ApiError FromStatus(const Status& st);
};

// A value or an ApiError.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : data_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(data_); }
  T& value() { return std::get<T>(data_); }
  const ApiError& error() const { return std::get<ApiError>(data_); }

 private:
  std::variant<T, ApiError> data_;
};

inline ApiError ApiError::FromStatus(const Status& st) {
  switch (st.code()) {
    case Code::kDiskFull:
      // Write quotas (quota.h) keep one member from causing this.
      return {503, "out_of_space",
              "the server is out of disk space; nothing of this request was saved and your changes stay on "
              "this device; tell the server's administrator"};
    case Code::kBusy:
    case Code::kUnavailable:
      return {503, "unavailable", "the server is busy or out of space; try again later (" + st.message() + ")"};
    case Code::kInvalidArgument:
      return Invalid(st.message());
    default:
      return {500, "internal", "the server failed: " + st.message()};
  }
}

}  // namespace ccfield::server
