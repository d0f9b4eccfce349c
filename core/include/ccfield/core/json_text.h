#pragma once
// Reading JSON that comes from outside (the network, files, people): the one
// door every untrusted JSON text goes through. Deeply nested text is refused
// before it is parsed, because nlohmann's copy and dump recurse per level
// (a 100,000-deep array crashed the server). Trusted JSON (our own store,
// the data compiled in) may be parsed directly.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield {

// Deep enough for every document ccfield reads (a sync request is 4 levels,
// a form definition 6, a GeoJSON point collection 5), far from any stack limit.
inline constexpr int kMaxJsonDepth = 64;

// The byte offset where arrays and objects nest deeper than `max_depth`, or
// nullopt. Linear, no recursion; brackets inside strings do not count.
std::optional<size_t> FindJsonTooDeep(std::string_view text, int max_depth = kMaxJsonDepth);

// Parses `text` as JSON after checking it is valid UTF-8 and nests at most
// `max_depth` levels. Errors are kInvalidArgument and start with `what`
// ("body", "import file"): "body is not valid JSON: syntax error at line 1,
// column 7 ...", "body nests lists and objects more than 64 levels deep".
Result<nlohmann::json> ParseUntrustedJson(std::string_view text, std::string_view what,
                                          int max_depth = kMaxJsonDepth);

// JSON text of a value for output (CLI --json, exports). A string that is not
// valid UTF-8 (text damaged in a store written by an older version or another
// tool) is written with U+FFFD in place of the bad bytes instead of throwing,
// so one damaged value never stops a listing, a history or an export.
std::string JsonForOutput(const nlohmann::json& j, int indent = -1);

}  // namespace ccfield
