#include "ccfield/core/status.h"

#include <algorithm>
#include <string_view>

namespace ccfield {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid input";
    case Code::kNotFound: return "not found";
    case Code::kConflict: return "conflict";
    case Code::kBusy: return "busy";
    case Code::kDiskFull: return "disk full";
    case Code::kCorrupt: return "corrupt store";
    case Code::kIoError: return "I/O error";
    case Code::kReadOnly: return "read-only";
    case Code::kUnavailable: return "unavailable";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Msg::English() const {
  std::string out;
  size_t pos = 0;
  while (pos < id.size()) {
    const size_t close = id[pos] == '{' ? id.find('}', pos) : std::string::npos;
    if (close != std::string::npos) {
      const std::string_view name(id.data() + pos + 1, close - pos - 1);
      const auto arg = std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == name; });
      if (arg != args.end()) {
        out += arg->second;
        pos = close + 1;
        continue;
      }
    }
    out.push_back(id[pos++]);
  }
  return out;
}

Status::Status(Code code, Msg msg) : code_(code), message_(msg.English()) {
  parts_ = std::make_shared<const std::vector<Msg>>(std::vector<Msg>{std::move(msg)});
}

Status Status::WithContext(const std::string& context) const { return WithContext(Msg(context)); }

Status Status::WithContext(Msg context) const {
  if (ok()) return *this;
  Status out(code_, context.English() + ": " + message_);
  std::vector<Msg> parts{std::move(context)};
  for (Msg& m : this->parts()) parts.push_back(std::move(m));
  out.parts_ = std::make_shared<const std::vector<Msg>>(std::move(parts));
  return out;
}

std::vector<Msg> Status::parts() const {
  if (ok()) return {};
  if (parts_) return *parts_;
  return {Msg(message_)};
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace ccfield
