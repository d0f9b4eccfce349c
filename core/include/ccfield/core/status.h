#pragma once
// Errors are values. A Status is ok or carries a code from a closed set plus a
// plain-language message meant for the person holding the tablet.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ccfield {

enum class Code {
  kOk,
  kInvalidArgument,  // bad input: wrong type, invalid UTF-8, too large, unknown form
  kNotFound,         // a record, form or file that does not exist
  kConflict,         // violates a rule given the current data (e.g. deleted site)
  kBusy,             // another process holds the store; try again
  kDiskFull,         // no space left; nothing was committed
  kCorrupt,          // the file is not a ccfield store or is damaged
  kIoError,          // read/write failed; the store refuses writes until reopened
  kReadOnly,         // the store is closed for writes (after an unknown-outcome commit)
  kUnavailable,      // network or server not reachable (sync)
  kPermissionDenied, // not allowed (sync/server)
  kInternal,         // a bug: please report
};

const char* CodeName(Code code);

// A message a UI can translate: `id` is the English text with {name}
// placeholders (the UI's catalogs use it as the msgid, docs/i18n.md) and
// `args` fill them in. Core stays UI-free: it builds Msgs, and its Status
// messages stay English (English() below); a UI looks `id` up in its own
// catalog and substitutes `args` into the translation.
//   Status::Invalid(Msg("{field} is too long (at most {max} characters)", {{"field", f}, {"max", "80"}}))
struct Msg {
  using Args = std::vector<std::pair<std::string, std::string>>;
  // Explicit, so that Status::Invalid("plain text") keeps meaning plain text.
  explicit Msg(std::string msg_id, Args msg_args = {}) : id(std::move(msg_id)), args(std::move(msg_args)) {}
  std::string id;
  Args args;
  // `id` with each {name} replaced by its argument; a {name} without one stays as written.
  std::string English() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status Busy(std::string msg) { return {Code::kBusy, std::move(msg)}; }
  static Status DiskFull(std::string msg) { return {Code::kDiskFull, std::move(msg)}; }
  static Status Corrupt(std::string msg) { return {Code::kCorrupt, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status ReadOnly(std::string msg) { return {Code::kReadOnly, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Denied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // The same from a translatable message (message() is its English text).
  static Status Invalid(Msg msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(Msg msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Conflict(Msg msg) { return {Code::kConflict, std::move(msg)}; }
  static Status DiskFull(Msg msg) { return {Code::kDiskFull, std::move(msg)}; }
  static Status IoError(Msg msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Unavailable(Msg msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Denied(Msg msg) { return {Code::kPermissionDenied, std::move(msg)}; }

  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(Code code, Msg msg);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>" style text for logs.
  std::string ToString() const;

  // Adds context in front of the message: "saving visit: disk is full".
  // Plain-text context stays English in a translated message (parts()).
  Status WithContext(const std::string& context) const;
  Status WithContext(Msg context) const;

  // The message as the parts a UI translates one by one; joined with ": "
  // their English texts give message(). Plain text (a message or context
  // given as std::string) is a part whose id is that text, with no args.
  // Empty when ok().
  std::vector<Msg> parts() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  // Null while no part is a Msg: then message_ is the one plain part.
  std::shared_ptr<const std::vector<Msg>> parts_;
};

// Result<T>: a value or an error Status (never both).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}  // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  // The value, or `fallback` on error (screens show what they can; the error is reported elsewhere).
  T value_or(T fallback) && { return ok() ? std::get<T>(std::move(data_)) : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

#define CCF_RETURN_IF_ERROR(expr)        \
  do {                                   \
    ::ccfield::Status _st = (expr);      \
    if (!_st.ok()) return _st;           \
  } while (0)

#define CCF_CONCAT_INNER(a, b) a##b
#define CCF_CONCAT(a, b) CCF_CONCAT_INNER(a, b)
#define CCF_ASSIGN_OR_RETURN(lhs, expr) CCF_ASSIGN_OR_RETURN_IMPL(CCF_CONCAT(_res_, __LINE__), lhs, expr)
#define CCF_ASSIGN_OR_RETURN_IMPL(res, lhs, expr) \
  auto res = (expr);                              \
  if (!res.ok()) return res.status();             \
  lhs = std::move(res).value()

}  // namespace ccfield
