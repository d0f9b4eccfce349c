// Text deltas (issue 14): MakeTextDelta / ApplyTextDelta round trips in
// several scripts, the strict reader against hostile deltas, a seeded fuzz of
// random edits, and the size of a delta for a typical note edit.
#include "ccfield/sync/text_delta.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/text.h"
#include "support/status_checks.h"

namespace ccfield::sync {
namespace {

using nlohmann::json;
using testing::Unwrap;

// Seeds for the randomized tests: CCFIELD_TEST_SEED=<n> replays a failure.
uint64_t BaseSeed() {
  const char* env = std::getenv("CCFIELD_TEST_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261207;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// A note-like text of about `bytes` bytes made of `words`, deterministic.
std::string Prose(const std::vector<std::string>& words, size_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < bytes) {
    out += words[rng() % words.size()];
    out += (rng() % 9 == 0) ? ". " : " ";
  }
  return out;
}

const std::vector<std::string> kEnglish = {"the",     "drain", "was",    "blocked", "near", "market",    "water",
                                           "flowed",  "into",  "houses", "after",   "rain", "residents", "cleared",
                                           "plastic", "waste", "from",   "culvert", "again"};
const std::vector<std::string> kArabic = {"المياه", "في",     "الشارع", "بعد",   "المطر",
                                          "القناة", "مسدودة", "السكان", "نظفوا", "النفايات"};
const std::vector<std::string> kEmoji = {"🌧️", "🚰", "💧", "🏠", "👩🏽‍🔧", "water", "🇲🇿", "ok"};
// "e" + combining acute, "n" + combining tilde, Devanagari with a virama.
const std::vector<std::string> kCombining = {"cafe\u0301", "man\u0303ana", "nai\u0308ve",
                                             "क्षेत्र",       "पानी",         "o\u0302\u0323"};

// Splits valid UTF-8 into its characters (one string per code point).
std::vector<std::string> Characters(const std::string& s) {
  std::vector<std::string> out;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) out.emplace_back();
    out.back() += ch;
  }
  return out;
}

// Checks that the delta exists and gives `value` back.
json RoundTrip(const std::string& base, const std::string& value) {
  const std::optional<json> delta = MakeTextDelta(base, value);
  REQUIRE_MESSAGE(delta.has_value(), "no delta for a small edit of a long text");
  CHECK(Unwrap(ApplyTextDelta(base, *delta)) == value);
  CHECK((*delta)["n"].get<size_t>() == CodePoints(value));
  CHECK((*delta)["c"] == BaseChecksum(base));  // always made with the base's checksum
  CHECK(delta->dump().size() <= kMaxDeltaShare * json(value).dump().size());
  return *delta;
}

TEST_CASE("text delta: edits at the start, middle and end round-trip in several scripts") {
  for (const auto* words : {&kEnglish, &kArabic, &kEmoji, &kCombining}) {
    const std::string base = Prose(*words, 1200, 7);
    CAPTURE(base.substr(0, 40));
    const std::string insert = (*words)[1] + " " + (*words)[2];
    RoundTrip(base, insert + " " + base);  // start
    RoundTrip(base, base + " " + insert);  // end
    std::vector<std::string> chars = Characters(base);
    chars.erase(chars.begin() + 200, chars.begin() + 260);
    chars.insert(chars.begin() + 100, insert);
    std::string middle;
    for (const std::string& c : chars) middle += c;
    RoundTrip(base, middle);  // middle: cut and insert
  }
}

TEST_CASE("text delta: positions and lengths count code points, not bytes") {
  // 😀 is 4 bytes, ب 2, é as e + U+0301 two code points.
  const std::string base = std::string("😀😀 بب e\u0301 ") + Prose(kEnglish, 400, 3);
  const std::string value = std::string("😀😀 بب e\u0301 X") + Prose(kEnglish, 400, 3);
  const json delta = RoundTrip(base, value);
  REQUIRE(delta["d"].size() == 1);
  CHECK(delta["d"][0] == json::array({9, 0, "X"}));
}

TEST_CASE("text delta: several separate edits give several hunks") {
  const std::string base = Prose(kEnglish, 1200, 11);
  std::string value = base;
  value.replace(1000, 5, "REPLACED AT THE END");
  value.replace(500, 10, "in the middle");
  value.insert(20, "inserted near the start ");
  const json delta = RoundTrip(base, value);
  CHECK(delta["d"].size() == 3);
}

TEST_CASE("text delta: empty and equal texts") {
  const std::string text = Prose(kArabic, 300, 5);
  // Nothing changed: an empty hunk list, far smaller than the value.
  const json same = RoundTrip(text, text);
  CHECK(same["d"].empty());
  // A delta from or to the empty text is never smaller than the value itself.
  CHECK_FALSE(MakeTextDelta("", text).has_value());
  CHECK_FALSE(MakeTextDelta(text, "").has_value());
  CHECK_FALSE(MakeTextDelta("", "").has_value());
  // The reader handles them all the same.
  CHECK(Unwrap(ApplyTextDelta("", json{{"d", json::array({json::array({0, 0, text})})}, {"n", CodePoints(text)}})) ==
        text);
  CHECK(Unwrap(ApplyTextDelta(text, json{{"d", json::array({json::array({0, CodePoints(text), ""})})}, {"n", 0}}))
            .empty());
  CHECK(Unwrap(ApplyTextDelta("", json{{"d", json::array()}, {"n", 0}})).empty());
}

TEST_CASE("text delta: no delta when it does not pay or the text is not UTF-8") {
  const std::string base = Prose(kEnglish, 1200, 1);
  CHECK_FALSE(MakeTextDelta(base, Prose(kEnglish, 1200, 2)).has_value());  // rewritten
  CHECK_FALSE(MakeTextDelta("short note", "short notes").has_value());     // too short to pay
  CHECK_FALSE(MakeTextDelta(base, base + "\xC3").has_value());             // cut UTF-8
  CHECK_FALSE(MakeTextDelta(base + "\xED\xA0\x80", base).has_value());     // a surrogate
}

TEST_CASE("text delta: a middle too different to diff within the cap becomes one hunk") {
  // 20 KB where a 4 KB window has every fourth character changed: an edit
  // distance of ~2,000, past the diff's cap; the one hunk still pays.
  const std::string base = Prose(kEnglish, 20'000, 13);
  std::string value = base;
  for (size_t i = 8'000; i < 12'000; i += 4) value[i] = value[i] == '#' ? '%' : '#';
  const auto start = std::chrono::steady_clock::now();
  const json delta = RoundTrip(base, value);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  CHECK(delta["d"].size() == 1);
  MESSAGE("20 KB with a 4 KB window changed throughout: " << delta.dump().size() << " bytes, " << ms << " ms");
}

TEST_CASE("text delta: 10 KB texts with edits spread through them") {
  const std::string base = Prose(kArabic, 10'000, 17);
  std::string value = base;
  std::mt19937 rng(static_cast<uint32_t>(BaseSeed()));
  for (int i = 0; i < 20; ++i) {
    size_t at = rng() % (value.size() - 10);
    while ((static_cast<unsigned char>(value[at]) & 0xC0) == 0x80) ++at;  // a character boundary
    value.insert(at, " تعديل ");
  }
  const auto start = std::chrono::steady_clock::now();
  const json delta = RoundTrip(base, value);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  CHECK(delta["d"].size() >= 15);  // some insertions may fall next to each other and join
  MESSAGE("10 KB Arabic, 20 insertions: " << delta["d"].size() << " hunks, " << delta.dump().size() << " bytes, " << ms
                                          << " ms");
}

TEST_CASE("text delta: a 1.2 KB note with ~100 characters changed in 3 places") {
  const std::string base = Prose(kEnglish, 1200, 21);
  std::string value = base;
  // Rewrites of about a third of 100 characters each, at the end, middle and start.
  value.replace(1000, 30, "residents report the culvert is clear now");
  value.replace(600, 35, "water stood 40 cm deep for two days");
  value.replace(100, 25, "checked again on Monday, ");
  const json delta = RoundTrip(base, value);
  const size_t bytes = delta.dump().size();
  MESSAGE("1.2 KB note, 3 edits: delta " << bytes << " bytes (value " << json(value).dump().size() << "), hunks "
                                         << delta["d"].size() << ": " << delta.dump());
  CHECK(delta["d"].size() == 3);
  CHECK(bytes < 200);  // ~100 changed characters and three hunks' numbers
}

// Each of these is refused with kInvalidArgument and a message holding `says`.
struct Hostile {
  const char* name;
  json delta;
  const char* says;
};

TEST_CASE("text delta: the base's checksum tells a base of the same length and hunks apart") {
  // Same length and every hunk within it: only "c" can tell the bases apart.
  const std::string base = Prose(kEnglish, 600, 11);
  std::string other = base;
  other[10] = other[10] == 'x' ? 'y' : 'x';
  const std::string value = base.substr(0, 300) + "INSERTED " + base.substr(300);
  const json delta = RoundTrip(base, value);
  const Result<std::string> wrong = ApplyTextDelta(other, delta);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message().find("made for another base text") != std::string::npos);
  // Without "c" (a hand-made delta) the same patch applies to either.
  json bare = delta;
  bare.erase("c");
  CHECK(Unwrap(ApplyTextDelta(other, bare)).size() == value.size());
  CHECK(BaseChecksum("") == 0);
  CHECK(BaseChecksum("123456789") == 0xCBF43926u);  // the CRC-32 check value
}

TEST_CASE("text delta: hostile deltas are refused with a clear error") {
  const std::string base = "héllo wörld";  // 11 code points, 13 bytes
  const uint64_t huge = std::numeric_limits<uint64_t>::max();
  const std::vector<Hostile> cases = {
      {"not an object", json::array(), "JSON object"},
      {"a string", json("hello"), "JSON object"},
      {"null", json(), "JSON object"},
      {"no d", json{{"n", 11}}, "\"d\""},
      {"d not an array", json{{"d", json::object()}, {"n", 11}}, "\"d\""},
      {"no n", json{{"d", json::array()}}, "\"n\""},
      {"n negative", json{{"d", json::array()}, {"n", -1}}, "\"n\""},
      {"n a fraction", json{{"d", json::array()}, {"n", 11.0}}, "\"n\""},
      {"n a string", json{{"d", json::array()}, {"n", "11"}}, "\"n\""},
      {"unknown key", json{{"d", json::array()}, {"n", 11}, {"x", 1}}, "unknown key"},
      {"checksum of another base", json{{"d", json::array()}, {"n", 11}, {"c", BaseChecksum("hello world")}},
       "made for another base text"},
      {"checksum not a number", json{{"d", json::array()}, {"n", 11}, {"c", "abc"}}, "\"c\""},
      {"checksum negative", json{{"d", json::array()}, {"n", 11}, {"c", -1}}, "\"c\""},
      {"wrong n", json{{"d", json::array()}, {"n", 13}}, "made for another base"},
      {"wrong n after a hunk", json{{"d", {{0, 1, "H"}}}, {"n", 12}}, "\"n\" says 12"},
      {"hunk not an array", json{{"d", {"abc"}}, {"n", 11}}, "hunk 0"},
      {"hunk too short", json{{"d", {{0, 1}}}, {"n", 11}}, "[pos, del"},
      {"hunk too long", json{{"d", {{0, 1, "a", 4}}}, {"n", 11}}, "[pos, del"},
      {"negative pos", json{{"d", {{-1, 1, "a"}}}, {"n", 11}}, "integers >= 0"},
      {"negative del", json{{"d", {{0, -1, "a"}}}, {"n", 11}}, "integers >= 0"},
      {"fraction pos", json{{"d", {{0.5, 1, "a"}}}, {"n", 11}}, "integers >= 0"},
      {"ins not a string", json{{"d", {{0, 1, 7}}}, {"n", 11}}, "string to insert"},
      {"pos past the end", json{{"d", {{12, 0, "a"}}}, {"n", 12}}, "reaches past"},
      {"del past the end", json{{"d", {{5, 7, ""}}}, {"n", 5}}, "reaches past"},
      {"huge pos", json{{"d", {{huge, 0, "a"}}}, {"n", 12}}, "reaches past"},
      {"huge del (wraps pos + del)", json{{"d", {{1, huge, ""}}}, {"n", 1}}, "reaches past"},
      {"huge n", json{{"d", json::array()}, {"n", huge}}, "made for another base"},
      {"overlapping", json{{"d", {{0, 3, "a"}, {2, 1, "b"}}}, {"n", 9}}, "overlaps"},
      {"touching", json{{"d", {{0, 3, "a"}, {3, 1, "b"}}}, {"n", 9}}, "touches"},
      {"out of order", json{{"d", {{5, 1, "a"}, {1, 1, "b"}}}, {"n", 11}}, "overlaps"},
      {"two insertions at one place", json{{"d", {{2, 0, "a"}, {2, 0, "b"}}}, {"n", 13}}, "touches"},
      {"a hunk that changes nothing", json{{"d", {{2, 0, ""}}}, {"n", 11}}, "changes nothing"},
      {"ins not UTF-8", json{{"d", {{0, 1, std::string("\xC3")}}}, {"n", 11}}, "not valid UTF-8"},
      {"ins a lone surrogate", json{{"d", {{0, 1, std::string("\xED\xB0\x80")}}}, {"n", 11}}, "not valid UTF-8"},
  };
  for (const Hostile& c : cases) {
    CAPTURE(c.name);
    const Result<std::string> r = ApplyTextDelta(base, c.delta);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_MESSAGE(r.status().message().find(c.says) != std::string::npos, r.status().message());
  }
  // The same base with a correct delta, for contrast: "héllo" -> "hello", "wörld" -> "world!".
  CHECK(Unwrap(ApplyTextDelta(base, json{{"d", {{1, 1, "e"}, {7, 1, "o"}, {11, 0, "!"}}}, {"n", 12}})) ==
        "hello world!");
  // A base that is not UTF-8 is refused before the delta is read.
  const Result<std::string> bad_base = ApplyTextDelta("\xFF", json{{"d", json::array()}, {"n", 1}});
  REQUIRE_FALSE(bad_base.ok());
  CHECK(bad_base.status().message().find("base text") != std::string::npos);
}

// Code points the fuzz draws from: ASCII (with the characters JSON escapes),
// Latin with accents, a combining mark, Arabic, CJK and emoji (4 bytes).
const std::vector<std::string> kFuzzAlphabet = {"a",    "b", "c",      " ", " ", "e",  "\n", "\"", "\\", "\t",
                                                "\x01", "é", "\u0301", "ب", "ل", "水", "😀",  "🇲",  "x",  "y"};

std::string RandomText(std::mt19937_64& rng, size_t max_chars) {
  std::string out;
  const size_t n = rng() % (max_chars + 1);
  for (size_t i = 0; i < n; ++i) out += kFuzzAlphabet[rng() % kFuzzAlphabet.size()];
  return out;
}

TEST_CASE("text delta: fuzz, 2,000 random edits round-trip") {
  const uint64_t seed = BaseSeed();
  std::mt19937_64 rng(seed);
  int deltas = 0;
  for (int i = 0; i < 2000; ++i) {
    CAPTURE(seed);
    CAPTURE(i);
    const std::string base = RandomText(rng, i % 10 == 0 ? 20 : 600);
    std::vector<std::string> chars = Characters(base);
    const int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t at = chars.empty() ? 0 : rng() % (chars.size() + 1);
      const size_t del = std::min<size_t>(rng() % 12, chars.size() - at);
      chars.erase(chars.begin() + static_cast<std::ptrdiff_t>(at),
                  chars.begin() + static_cast<std::ptrdiff_t>(at + del));
      const std::vector<std::string> ins = Characters(RandomText(rng, 15));
      chars.insert(chars.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
    }
    std::string value;
    for (const std::string& c : chars) value += c;
    if (i % 50 == 0) value = RandomText(rng, 600);  // unrelated texts now and then
    const std::optional<json> delta = MakeTextDelta(base, value);
    if (!delta) continue;
    ++deltas;
    const Result<std::string> applied = ApplyTextDelta(base, *delta);
    REQUIRE_MESSAGE(applied.ok(), applied.status().ToString() << " delta " << delta->dump());
    REQUIRE(applied.value() == value);
    // What the other side parses is what was sent.
    REQUIRE(Unwrap(ApplyTextDelta(base, json::parse(delta->dump()))) == value);
  }
  MESSAGE("fuzz: " << deltas << " of 2000 pairs got a delta");
  CHECK(deltas > 1000);
}

}  // namespace
}  // namespace ccfield::sync
