// Text and time checks shared by validation, import and sync.
#include "ccfield/core/text.h"

#include <doctest/doctest.h>

#include <string>

namespace ccfield {
namespace {

using namespace std::string_literals;

TEST_CASE("FindInvalidUtf8 accepts valid text in every script the app shows") {
  CHECK_FALSE(FindInvalidUtf8("").has_value());
  CHECK_FALSE(FindInvalidUtf8("plain ASCII, with\ttabs\nand newlines").has_value());
  CHECK_FALSE(FindInvalidUtf8("électricité – Засорён – ქუთაისი – ጎርፍ – فيضان").has_value());
  CHECK_FALSE(FindInvalidUtf8("\xF0\x9F\x8C\x8A emoji").has_value());  // U+1F30A, 4 bytes
  CHECK_FALSE(FindInvalidUtf8("\xF4\x8F\xBF\xBF").has_value());       // U+10FFFF, the last code point
  CHECK_FALSE(FindInvalidUtf8("\xED\x9F\xBF").has_value());           // U+D7FF, just below the surrogates
  CHECK_FALSE(FindInvalidUtf8("nul \0 inside"s).has_value());         // U+0000 is valid UTF-8
}

TEST_CASE("ReplaceInvalidUtf8 puts U+FFFD for each bad byte and keeps valid text and a real U+FFFD") {
  CHECK(ReplaceInvalidUtf8("ab\xFF") == "ab\xEF\xBF\xBD");
  CHECK(ReplaceInvalidUtf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated: one per byte
  CHECK(ReplaceInvalidUtf8("\xC0\xAF/") == "\xEF\xBF\xBD\xEF\xBF\xBD/");  // overlong
  CHECK(ReplaceInvalidUtf8("\xEF\xBF\xBD ok") == "\xEF\xBF\xBD ok");
  CHECK(ReplaceInvalidUtf8("Засорён \xFF فيضان") == "Засорён \xEF\xBF\xBD فيضان");
  CHECK_FALSE(FindInvalidUtf8(ReplaceInvalidUtf8("\xF4\x90\x80\x80\xED\xA0\x80\x80")).has_value());
}

TEST_CASE("FindInvalidUtf8 rejects overlong encodings") {
  CHECK(FindInvalidUtf8("\xC0\x80") == 0u);              // U+0000 in 2 bytes
  CHECK(FindInvalidUtf8("ab\xC1\xBF") == 2u);            // U+007F in 2 bytes
  CHECK(FindInvalidUtf8("\xE0\x80\xAF") == 0u);          // '/' in 3 bytes
  CHECK(FindInvalidUtf8("x\xE0\x9F\xBF") == 1u);         // U+07FF in 3 bytes
  CHECK(FindInvalidUtf8("\xF0\x8F\xBF\xBF") == 0u);      // U+FFFF in 4 bytes
}

TEST_CASE("FindInvalidUtf8 rejects surrogates and code points above U+10FFFF") {
  CHECK(FindInvalidUtf8("\xED\xA0\x80") == 0u);          // U+D800
  CHECK(FindInvalidUtf8("ok \xED\xBF\xBF") == 3u);       // U+DFFF
  CHECK(FindInvalidUtf8("\xF4\x90\x80\x80") == 0u);      // U+110000
  CHECK(FindInvalidUtf8("\xF5\x80\x80\x80") == 0u);
  CHECK(FindInvalidUtf8("\xF8\x88\x80\x80\x80") == 0u);  // old 5-byte form
  CHECK(FindInvalidUtf8("\xFF") == 0u);
}

TEST_CASE("FindInvalidUtf8 rejects truncated sequences and stray continuation bytes") {
  CHECK(FindInvalidUtf8("caf\xC3") == 3u);               // é cut after its first byte
  CHECK(FindInvalidUtf8("\xE2\x80") == 0u);              // – cut short
  CHECK(FindInvalidUtf8("\xF0\x9F\x8C") == 0u);
  CHECK(FindInvalidUtf8("\xC3x") == 0u);                 // lead byte followed by ASCII
  CHECK(FindInvalidUtf8("abc\x80") == 3u);               // continuation byte with no lead
  CHECK(FindInvalidUtf8("\xE2\x80\x93\xBF") == 3u);      // valid – then a stray byte
}

TEST_CASE("ParseTimestamp converts offsets and Z to UTC milliseconds") {
  const int64_t utc = 1'791'954'300'000;  // 2026-10-14T05:05:00Z
  CHECK(ParseTimestamp("2026-10-14T05:05:00Z") == utc);
  CHECK(ParseTimestamp("2026-10-14T08:05:00+03:00") == utc);
  CHECK(ParseTimestamp("2026-10-14T00:35:00-04:30") == utc);
  CHECK(ParseTimestamp("2026-10-14T08:05+03:00") == utc);  // seconds are optional
  CHECK(ParseTimestamp("2026-10-14 08:05:00+03:00") == utc);
  CHECK(ParseTimestamp("1970-01-01T00:00:00Z") == 0);
  // Offsets are compared as instants: these two are the same moment.
  CHECK(ParseTimestamp("2026-12-31T23:30:00-01:00") == ParseTimestamp("2027-01-01T00:30:00Z"));
}

TEST_CASE("ParseTimestamp reads fractional seconds to the millisecond") {
  CHECK(ParseTimestamp("1970-01-01T00:00:01.5Z") == 1'500);
  CHECK(ParseTimestamp("1970-01-01T00:00:01.25Z") == 1'250);
  CHECK(ParseTimestamp("1970-01-01T00:00:01.123Z") == 1'123);
  CHECK(ParseTimestamp("1970-01-01T00:00:01.123456789Z") == 1'123);  // truncated, not rounded
  CHECK_FALSE(ParseTimestamp("1970-01-01T00:00:01.Z").has_value());
  CHECK_FALSE(ParseTimestamp("1970-01-01T00:00:01.1234567890Z").has_value());
}

TEST_CASE("ParseTimestamp rejects a time without UTC offset and malformed times") {
  for (const char* text : {
           "2026-10-14T08:05:00",
           "2026-10-14T08:05",
           "2026-10-14",
           "",
           "2026-10-14T08:05:00+0300",
           "2026-10-14T08:05:00+03",
           "2026-10-14T08:05:00+15:00",
           "2026-10-14T24:00:00Z",
           "2026-10-14T08:60:00Z",
           "2026-10-14T08:05:00Zjunk",
           "2026-13-01T08:05:00Z",
           "2026-1-01T08:05:00Z",
           "2026-10-14X08:05:00Z",
       }) {
    CAPTURE(text);
    CHECK_FALSE(ParseTimestamp(text).has_value());
  }
}

TEST_CASE("ParseTimestamp and IsValidDate know leap years") {
  CHECK(ParseTimestamp("2028-02-29T12:00:00Z").has_value());
  CHECK(ParseTimestamp("2000-02-29T12:00:00Z").has_value());  // divisible by 400
  CHECK_FALSE(ParseTimestamp("2026-02-29T12:00:00Z").has_value());
  CHECK_FALSE(ParseTimestamp("2100-02-29T12:00:00Z").has_value());  // divisible by 100
  CHECK(ParseTimestamp("2028-03-01T00:00:00Z").value() - ParseTimestamp("2028-02-28T00:00:00Z").value() ==
        2 * 86'400'000);
  CHECK(IsValidDate("2028-02-29"));
  CHECK_FALSE(IsValidDate("2026-02-29"));
  CHECK(IsValidDate("2026-04-30"));
  CHECK_FALSE(IsValidDate("2026-04-31"));
  CHECK_FALSE(IsValidDate("2026-00-10"));
  CHECK_FALSE(IsValidDate("2026-10-14T08:00:00Z"));  // a date field takes only a date
  CHECK_FALSE(IsValidDate("14/10/2026"));
}

TEST_CASE("IsSdgTarget accepts goal.target codes for goals 1 to 17") {
  for (const char* ok : {"11.5", "6.b", "1.1", "17.19", "3.d"}) {
    INFO(ok);
    CHECK(IsSdgTarget(ok));
  }
  for (const char* bad : {"", "11", "11.", ".5", "0.1", "18.1", "11.5.1", "11.A", "11.123", "011.5", "a.1", "11,5",
                          " 11.5"}) {
    INFO(bad);
    CHECK_FALSE(IsSdgTarget(bad));
  }
}

TEST_CASE("IsLanguageTag accepts BCP 47 shaped tags") {
  for (const char* ok : {"fr", "en", "pt-MZ", "sr-Latn", "ka", "ast", "zh-Hant-TW"}) {
    INFO(ok);
    CHECK(IsLanguageTag(ok));
  }
  for (const char* bad : {"", "f", "french", "fr_FR", "fr-", "-fr", "1a", "fr--MZ", "fr-toolongsubtag", "fr MZ"}) {
    INFO(bad);
    CHECK_FALSE(IsLanguageTag(bad));
  }
}

TEST_CASE("IsUuid accepts lowercase RFC 4122 strings only") {
  CHECK(IsUuid("e2ed3dba-906b-4e8b-b491-c22cd94071ad"));
  CHECK_FALSE(IsUuid("E2ED3DBA-906B-4E8B-B491-C22CD94071AD"));
  CHECK_FALSE(IsUuid("e2ed3dba906b4e8bb491c22cd94071ad"));
  CHECK_FALSE(IsUuid("e2ed3dba-906b-4e8b-b491-c22cd94071a"));
  CHECK_FALSE(IsUuid("g2ed3dba-906b-4e8b-b491-c22cd94071ad"));
  CHECK_FALSE(IsUuid("site-1"));
}

}  // namespace
}  // namespace ccfield
