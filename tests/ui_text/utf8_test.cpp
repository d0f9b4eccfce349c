// UTF-8 decoding: invalid input is replaced, never trusted.
#include "text/utf8.h"

#include <doctest/doctest.h>

namespace ccfield::ui {
namespace {

std::u32string DecodeAll(std::string_view s) {
  std::u32string out;
  size_t pos = 0;
  while (pos < s.size()) out.push_back(NextCodePoint(s, &pos));
  return out;
}

TEST_CASE("ui_text utf8: decodes 1 to 4 byte sequences") {
  CHECK(DecodeAll("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == std::u32string{U'a', 0xE9, 0x20AC, 0x1F600});
  std::string out;
  for (char32_t c : {U'a', char32_t{0xE9}, char32_t{0x20AC}, char32_t{0x1F600}}) AppendUtf8(&out, c);
  CHECK(out == "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST_CASE("ui_text utf8: each invalid byte becomes U+FFFD") {
  CHECK(DecodeAll("\xFF"
                  "a") == std::u32string{kReplacementChar, U'a'});
  CHECK(DecodeAll("\xC0\xAF") == std::u32string{kReplacementChar, kReplacementChar});  // overlong '/'
  CHECK(DecodeAll("\xED\xA0\x80") == std::u32string(3, kReplacementChar));             // surrogate
  CHECK(DecodeAll("\xF4\x90\x80\x80") == std::u32string(4, kReplacementChar));         // > U+10FFFF
  CHECK(DecodeAll("\xE2\x82") == std::u32string(2, kReplacementChar));                 // truncated
  CHECK(DecodeAll("\x80") == std::u32string{kReplacementChar});                        // lone continuation
}

}  // namespace
}  // namespace ccfield::ui
