#pragma once
// Deltas for long text (issue 14, docs/sync-v2.md "Deltas for long text"): an
// edit of a long-text field travels as a patch against a base version both
// sides hold, instead of the whole new value. Pure functions: no storage, no
// clock, no network; thread-safe (no shared state).
//
// A delta is the JSON object
//   {"d": [[pos, del, "ins"], ...], "n": length, "c": checksum}
// read against a base text: each hunk replaces the `del` code points starting
// at code point `pos` of the base with `ins`; `n` is the result's length in
// code points and `c` the CRC-32 of the base's UTF-8 bytes (BaseChecksum):
// checks that the delta meets the base it was made for.
// Positions and lengths count Unicode code points of the base, never bytes,
// so a delta means the same to every reader whatever its string type.
// Hunks come in increasing order of `pos`, each starting after the previous
// one's end with at least one unchanged code point between them (touching
// hunks are one hunk), and each changes something (`del` > 0 or `ins` not
// empty). "d" may be empty (the value is the base).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield::sync {

// A delta that turns `base` into `value`, or nullopt when it does not pay: its
// JSON would be more than kMaxDeltaShare of the value's JSON (a rewrite, or a
// value too short for the hunk syntax to win), or either text is not valid
// UTF-8. Finds several hunks with a diff on code points (Myers), merging hunks
// whose gap costs fewer bytes than a hunk of its own; when the texts differ
// too much to diff within a fixed work limit (a few tens of milliseconds),
// falls back to one hunk between the common prefix and suffix.
// Always ApplyTextDelta(base, *MakeTextDelta(base, value)) == value. The
// delta always carries "c".
inline constexpr double kMaxDeltaShare = 0.6;
// Text values shorter than this travel whole (push and pull): below it a
// delta's syntax and the base lookup rarely pay.
inline constexpr size_t kMinDeltaValueBytes = 128;
// The CRC-32 (zlib's) of `base`'s bytes, as "c" carries it.
uint32_t BaseChecksum(std::string_view base);
std::optional<nlohmann::json> MakeTextDelta(std::string_view base, std::string_view value);

// `base` with `delta` applied. Checks everything before building the result,
// so a hostile delta costs at most one pass over it and the base: the shape
// (an object with "d" and "n", and "c" when the maker gave it; "d" an array
// of [integer, integer, string]), a "c" that matches the base, non-negative integers, hunks in order and not touching, each
// within the base, `ins` valid UTF-8, and a result of exactly `n` code points.
// Any failure, or a base that is not valid UTF-8, is kInvalidArgument with a
// message naming the hunk and the rule. Never throws.
Result<std::string> ApplyTextDelta(std::string_view base, const nlohmann::json& delta);

}  // namespace ccfield::sync
