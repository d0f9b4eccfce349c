#include "ccfield/core/status.h"

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

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace ccfield
