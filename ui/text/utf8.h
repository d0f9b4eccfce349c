#pragma once
// UTF-8 decoding shared by the text layer. Invalid input never fails: each
// byte that does not start a well-formed sequence becomes U+FFFD, so text from
// any record or catalog can be shown.

#include <cstddef>
#include <string>
#include <string_view>

#include "ccfield/core/text.h"

namespace ccfield::ui {

// Core's, so that the store and the screens write characters alike.
using ccfield::AppendUtf8;
using ccfield::kReplacementChar;

// Decodes the code point starting at s[*pos] and advances *pos past it (by one
// byte for an invalid sequence, which decodes to U+FFFD).
// REQUIRES: *pos < s.size().
char32_t NextCodePoint(std::string_view s, size_t* pos);

// Checking and repairing whole strings is core's too (FindInvalidUtf8,
// ReplaceInvalidUtf8): one validator for the app.

}  // namespace ccfield::ui
