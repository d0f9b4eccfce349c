#pragma once
// Checks on text and time values shared by validation, import and sync.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccfield {

// Offset of the first byte that is not valid UTF-8 (overlongs, surrogates and
// code points above U+10FFFF are invalid), or nullopt when all is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD:
// for showing text damaged in a store, never for storing or sending it.
std::string ReplaceInvalidUtf8(std::string_view text);

// What a character that cannot be shown or written becomes (U+FFFD).
inline constexpr char32_t kReplacementChar = 0xFFFD;

// Appends `c` as UTF-8 (surrogates and values above U+10FFFF become U+FFFD).
void AppendUtf8(std::string* out, char32_t c);

// At most `max_bytes` of valid UTF-8 `text`, cut at a character boundary.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

// Parses ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM)" into Unix
// milliseconds (UTC). A time without an offset is rejected: local time without
// offset cannot be compared across devices.
std::optional<int64_t> ParseTimestamp(std::string_view text);

// Checks "YYYY-MM-DD" is a real calendar date.
bool IsValidDate(std::string_view text);

// A BCP 47-shaped tag: "fr", "pt-MZ", "sr-Latn".
bool IsLanguageTag(std::string_view text);

// An SDG target code: goal 1..17 "." target ("11.5", "6.b").
bool IsSdgTarget(std::string_view text);

// A lowercase RFC 4122 UUID string (any version).
bool IsUuid(std::string_view text);

// Text folded for "is this the same name": lower case, Latin accents
// removed (é -> e, ß -> s), Cyrillic lower case, punctuation and runs of
// spaces made one space. "Marché  Central" and "marche-central" fold alike.
std::string FoldForMatch(std::string_view text);

}  // namespace ccfield
