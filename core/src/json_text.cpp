#include "ccfield/core/json_text.h"

#include <string>

#include "ccfield/core/text.h"

namespace ccfield {

std::optional<size_t> FindJsonTooDeep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

Result<nlohmann::json> ParseUntrustedJson(std::string_view text, std::string_view what, int max_depth) {
  const std::string who(what);
  if (auto bad = FindInvalidUtf8(text)) {
    return Status::Invalid(who + " is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  if (auto deep = FindJsonTooDeep(text, max_depth)) {
    return Status::Invalid(who + " nests lists and objects more than " + std::to_string(max_depth) +
                           " levels deep (at byte " + std::to_string(*deep) + ")");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 7: ..."
    std::string detail = e.what();
    if (size_t at = detail.find("] "); at != std::string::npos) detail = detail.substr(at + 2);
    return Status::Invalid(who + " is not valid JSON: " + detail);
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (1e400) is out_of_range, not a
    // parse_error (found by tests/fuzz: it escaped and ended the process).
    std::string detail = e.what();
    if (size_t at = detail.find("] "); at != std::string::npos) detail = detail.substr(at + 2);
    return Status::Invalid(who + " is not valid JSON: " + detail);
  }
}

std::string JsonForOutput(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ccfield
