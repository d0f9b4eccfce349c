#pragma once
// UTF-8 decoding shared by the text layer. Invalid input never fails: each
// byte that does not start a well-formed sequence becomes U+FFFD, so text from
// any record or catalog can be shown.

#include <cstddef>
#include <string>
#include <string_view>

namespace ccfield::ui {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point starting at s[*pos] and advances *pos past it (by one
// byte for an invalid sequence, which decodes to U+FFFD).
// REQUIRES: *pos < s.size().
char32_t NextCodePoint(std::string_view s, size_t* pos);

// Appends c as UTF-8 (surrogates and values above U+10FFFF become U+FFFD).
void AppendUtf8(std::string* out, char32_t c);

// Checking and repairing whole strings is core's (ccfield/core/text.h:
// FindInvalidUtf8, ReplaceInvalidUtf8): one validator for the app.

}  // namespace ccfield::ui
