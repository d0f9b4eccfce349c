// MergeText: the three-way text merge the server applies to concurrent edits
// of long-text fields (notes, good-practice text).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ccfield/sync/merge.h"

namespace ccfield::sync {
namespace {

using namespace std::string_literals;

// Seeds for the randomized tests: CCFIELD_TEST_SEED=<n> replays a failure.
uint64_t BaseSeed() {
  const char* env = std::getenv("CCFIELD_TEST_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261126;
}

// Texts used for the invariants: empty, one line, no final newline, CRLF,
// repeated and blank lines, several scripts, multibyte characters next to
// spaces and tabs.
const std::vector<std::string>& SampleTexts() {
  static const std::vector<std::string> kTexts = {
      "",
      "\n",
      "a",
      "a\n",
      "a\nb",
      "a\nb\n",
      "b\na\n",
      "a\n\n\nb\n",
      "a\na\na\n",
      "one two three\n",
      "one  two\tthree\n",
      "one TWO three\n",
      "x\r\ny\r\n",
      "x\r\nY\r\n",
      "x\ny\n",
      "Le puits est sec.\nLa pompe fuit.\n",
      "Le puits est à sec.\nLa pompe fuit encore.\n",
      "Колодец пересох.\nНасос течёт.\n",
      "ჭა დაშრა.\nტუმბო ჟონავს.\n",
      "ჭა\tდაშრა. ტუმბო\n",
      "\xF0\x9F\x8C\x8A \xF0\x9F\x8C\x8A\n",
  };
  return kTexts;
}

TEST_CASE("MergeText keeps the invariants for every pair and triple of sample texts") {
  const auto& texts = SampleTexts();
  for (const std::string& b : texts) {
    for (const std::string& x : texts) {
      CAPTURE(b);
      CAPTURE(x);
      CHECK(MergeText(b, x, b) == x);
      CHECK(MergeText(b, b, x) == x);
      CHECK(MergeText(b, x, x) == x);
      for (const std::string& y : texts) {
        CAPTURE(y);
        // The merge does not depend on which side arrived first.
        CHECK(MergeText(b, x, y) == MergeText(b, y, x));
      }
    }
  }
}

TEST_CASE("MergeText handles empty texts") {
  CHECK(MergeText("", "", "") == ""s);
  CHECK(MergeText("", "added\n", "") == "added\n"s);
  CHECK(MergeText("gone\n", "", "gone\n") == ""s);
  // Two different texts typed into an empty field: no order to choose.
  CHECK_FALSE(MergeText("", "ours\n", "theirs\n").has_value());
  // One side clears the note, the other edits it.
  CHECK_FALSE(MergeText("a\nb\n", "", "a\nB\n").has_value());
  // Both clear it.
  CHECK(MergeText("a\nb\n", "", "") == ""s);
}

TEST_CASE("MergeText merges edits of different lines of a French note") {
  const std::string base =
      "Visite du puits de Kalaban.\n"
      "Le puits est à sec depuis mars.\n"
      "La pompe manuelle fuit au niveau du joint.\n"
      "Le comité de gestion se réunit le lundi.\n"
      "Prochaine visite : après la saison des pluies.\n";
  const std::string ours =
      "Visite du puits de Kalaban.\n"
      "Le puits est à sec depuis février.\n"  // edited
      "La pompe manuelle fuit au niveau du joint.\n"
      "Le comité de gestion se réunit le lundi.\n"
      "Prochaine visite : après la saison des pluies.\n";
  const std::string theirs =
      "Visite du puits de Kalaban.\n"
      "Le puits est à sec depuis mars.\n"
      "La pompe manuelle fuit au niveau du joint.\n"
      "Le comité de gestion se réunit le mardi.\n"  // edited
      "Prochaine visite : après la saison des pluies.\n"
      "Joint commandé à Bamako.\n";  // added
  const std::string expected =
      "Visite du puits de Kalaban.\n"
      "Le puits est à sec depuis février.\n"
      "La pompe manuelle fuit au niveau du joint.\n"
      "Le comité de gestion se réunit le mardi.\n"
      "Prochaine visite : après la saison des pluies.\n"
      "Joint commandé à Bamako.\n";
  CHECK(MergeText(base, ours, theirs) == expected);
  CHECK(MergeText(base, theirs, ours) == expected);
}

TEST_CASE("MergeText merges edits of adjacent lines") {
  CHECK(MergeText("a\nb\nc\n", "A\nb\nc\n", "a\nB\nc\n") == "A\nB\nc\n"s);
  CHECK(MergeText("a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n") == "a\nB\nC\n"s);
}

TEST_CASE("MergeText merges different words of the same line word-wise") {
  CHECK(MergeText("La pompe fuit au joint.\n", "La vieille pompe fuit au joint.\n", "La pompe fuit au clapet.\n") ==
        "La vieille pompe fuit au clapet.\n"s);
  // Several lines changed by both sides, each in different words.
  CHECK(MergeText("un deux trois\nquatre cinq six\n", "UN deux trois\nquatre cinq SIX\n",
                  "un deux TROIS\nQUATRE cinq six\n") == "UN deux TROIS\nQUATRE cinq SIX\n"s);
  // Whitespace is kept as it was written, and a whitespace change is an edit too.
  CHECK(MergeText("a  b\tc\n", "A  b\tc\n", "a  b\t\tc\n") == "A  b\t\tc\n"s);
}

TEST_CASE("MergeText refuses when the same word is changed differently") {
  CHECK_FALSE(MergeText("La pompe fuit.\n", "La pompe goutte.\n", "La pompe est réparée.\n").has_value());
  CHECK_FALSE(MergeText("depuis mars\n", "depuis février\n", "depuis avril\n").has_value());
  // A word deleted on one side and changed on the other.
  CHECK_FALSE(MergeText("a b c\n", "a c\n", "a B c\n").has_value());
  // Both insert different words at the same place.
  CHECK_FALSE(MergeText("a c\n", "a b c\n", "a x c\n").has_value());
}

TEST_CASE("MergeText applies the same change made on both sides once") {
  CHECK(MergeText("a\nb\nc\n", "a\nB\nc\nd\n", "a\nB\nc\n") == "a\nB\nc\nd\n"s);
  CHECK(MergeText("a\nc\n", "a\nb\nc\n", "a\nb\nc\nd\n") == "a\nb\nc\nd\n"s);
  CHECK(MergeText("a b c\n", "a X c\n", "a X c d\n") == "a X c d\n"s);
}

TEST_CASE("MergeText inserts at the start and at the end") {
  const std::string base = "middle\n";
  CHECK(MergeText(base, "first\nmiddle\n", "middle\nlast\n") == "first\nmiddle\nlast\n"s);
  CHECK(MergeText(base, "middle\nlast\n", "first\nmiddle\n") == "first\nmiddle\nlast\n"s);
  // Insertions at the same place conflict unless identical.
  CHECK_FALSE(MergeText(base, "one\nmiddle\n", "two\nmiddle\n").has_value());
  CHECK_FALSE(MergeText(base, "middle\none\n", "middle\ntwo\n").has_value());
  CHECK(MergeText(base, "middle\nsame\n", "middle\nsame\n") == "middle\nsame\n"s);
  // An insertion right before a line the other side rewrites keeps both.
  CHECK(MergeText("a\nb\n", "a\nnew\nb\n", "a\nB\n") == "a\nnew\nB\n"s);
  CHECK(MergeText("a\nb\n", "a\nB\n", "a\nnew\nb\n") == "a\nnew\nB\n"s);
}

TEST_CASE("MergeText handles deletions against edits") {
  const std::string base = "one\ntwo\nthree\nfour\n";
  const struct {
    const char* what;
    const char* ours;
    const char* theirs;
    std::optional<std::string> merged;  // nullopt: the edits conflict
  } cases[] = {
      {"delete one line, edit another", "one\nthree\nfour\n", "one\ntwo\nthree\nFOUR\n", "one\nthree\nFOUR\n"},
      {"delete adjacent lines on each side", "one\nthree\nfour\n", "one\ntwo\nfour\n", "one\nfour\n"},
      {"both delete the same line", "one\nthree\nfour\n", "one\nthree\nfour\nfive\n", "one\nthree\nfour\nfive\n"},
      {"delete a line the other side edits", "one\nthree\nfour\n", "one\nTWO\nthree\nfour\n", std::nullopt},
      {"delete a block the other side inserts into", "one\nfour\n", "one\ntwo\nnew\nthree\nfour\n", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    CHECK(MergeText(base, c.ours, c.theirs) == c.merged);
  }
  // Delete one word of a line, edit another word of it.
  CHECK(MergeText("la pompe fuit beaucoup\n", "la pompe fuit\n", "la Pompe fuit beaucoup\n") == "la Pompe fuit\n"s);
}

TEST_CASE("MergeText keeps CRLF line endings") {
  const std::string base = "Ligne un\r\nLigne deux\r\nLigne trois\r\n";
  CHECK(MergeText(base, "Ligne 1\r\nLigne deux\r\nLigne trois\r\n", "Ligne un\r\nLigne deux\r\nLigne 3\r\n") ==
        "Ligne 1\r\nLigne deux\r\nLigne 3\r\n"s);
  CHECK(MergeText(base, "Ligne UN\r\nLigne deux\r\nLigne trois\r\n",
                  "Ligne un\r\nLigne deux\r\nLigne trois\r\nfin\r\n") ==
        "Ligne UN\r\nLigne deux\r\nLigne trois\r\nfin\r\n"s);
  // One side switched the line endings, the other changed a word: both stay.
  CHECK(MergeText("a b\r\nc d\r\n", "a b\nc d\n", "a B\r\nc d\r\n") == "a B\nc d\n"s);
}

TEST_CASE("MergeText handles a missing final newline") {
  // Appending a line to a text without a final newline changes its last line.
  CHECK(MergeText("a\nb", "A\nb", "a\nb\nc") == "A\nb\nc"s);
  CHECK(MergeText("a\nb", "a\nB", "a\nb\nc") == "a\nB\nc"s);
  CHECK(MergeText("a\nb", "a\nB", "a\nb\n") == "a\nB\n"s);
  CHECK(MergeText("a\nb\n", "a\nb", "A\nb\n") == "A\nb"s);
  CHECK_FALSE(MergeText("a\nb", "a\nb\nc", "a\nb\nd").has_value());
}

TEST_CASE("MergeText merges Cyrillic and Georgian text without splitting characters") {
  CHECK(MergeText("Колодец пересох в марте.\nНасос течёт.\n", "Колодец пересох в феврале.\nНасос течёт.\n",
                  "Колодец пересох в марте.\nНасос течёт сильно.\n") ==
        "Колодец пересох в феврале.\nНасос течёт сильно.\n"s);
  CHECK(MergeText("ჭა დაშრა მარტში.\n", "ჭა სრულად დაშრა მარტში.\n", "ჭა დაშრა თებერვალში.\n") ==
        "ჭა სრულად დაშრა თებერვალში.\n"s);
  CHECK_FALSE(MergeText("ჭა დაშრა.\n", "ჭა დაშრა!\n", "ჭა დაშრა?\n").has_value());
  // Words that share their first bytes (both start with U+0434) are still different words.
  CHECK_FALSE(MergeText("да\n", "дом\n", "дно\n").has_value());
  // A non-breaking space (U+00A0) is part of a word, not a separator.
  const std::string nbsp = "\xC2\xA0";
  CHECK_FALSE(MergeText("a" + nbsp + "b\n", "A" + nbsp + "b\n", "a" + nbsp + "B\n").has_value());
}

// A line that occurs nowhere else in the test.
std::string UniqueLine(std::mt19937_64& rng, int* counter) {
  static const char* const kWords[] = {"pompe", "puits", "Колодец", "ჭა", "joint", "fuite", "réparé", "ტუმბო", "насос"};
  std::string line = "L" + std::to_string((*counter)++);
  for (int w = static_cast<int>(rng() % 6); w > 0; --w) {
    line += ' ';
    line += kWords[rng() % std::size(kWords)];
  }
  return line + "\n";
}

struct Edit {
  size_t from, to;                 // replaced base lines [from, to)
  std::vector<std::string> lines;  // new lines (none: a deletion; from == to: an insertion)
};

Edit RandomEdit(std::mt19937_64& rng, size_t from, size_t max_to, int* counter) {
  Edit e{from, from + rng() % (max_to - from + 1), {}};
  // Pure insertions, deletions and replacements.
  size_t added = e.from == e.to ? 1 + rng() % 3 : rng() % 4;
  for (size_t k = 0; k < added; ++k) e.lines.push_back(UniqueLine(rng, counter));
  return e;
}

std::string Apply(const std::vector<std::string>& base, const std::vector<const Edit*>& edits) {
  std::string out;
  size_t pos = 0;
  for (const Edit* e : edits) {
    for (; pos < e->from; ++pos) out += base[pos];
    for (const std::string& l : e->lines) out += l;
    pos = e->to;
  }
  for (; pos < base.size(); ++pos) out += base[pos];
  return out;
}

TEST_CASE("MergeText merges random edits of disjoint line ranges into both edits") {
  const uint64_t base_seed = BaseSeed();
  for (uint64_t iter = 0; iter < 2000; ++iter) {
    const uint64_t seed = base_seed + iter;
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    int counter = 0;
    std::vector<std::string> base(rng() % 30);
    for (std::string& l : base) l = UniqueLine(rng, &counter);
    // Two ranges in order: first [a0, a1), then [b0, b1) with a1 <= b0. They
    // may touch, except two insertions at the same place (a real conflict).
    const size_t a0 = base.empty() ? 0 : rng() % (base.size() + 1);
    Edit first = RandomEdit(rng, a0, base.size(), &counter);
    const size_t b0 = first.to + rng() % (base.size() - first.to + 1);
    Edit second = RandomEdit(rng, b0, base.size(), &counter);
    if (first.from == first.to && second.from == second.to && first.from == second.from) continue;
    std::string text_base;
    for (const std::string& l : base) text_base += l;
    // Applying both: the first range in base order goes first, so an insertion
    // right before a replaced range lands before the replacement.
    const std::string expected = Apply(base, {&first, &second});
    const std::string x = Apply(base, {&first});
    const std::string y = Apply(base, {&second});
    CAPTURE(text_base);
    CAPTURE(x);
    CAPTURE(y);
    REQUIRE(MergeText(text_base, x, y) == expected);
    REQUIRE(MergeText(text_base, y, x) == expected);
  }
}

TEST_CASE("MergeText merges random edits of different words of one line") {
  const uint64_t base_seed = BaseSeed();
  static const char* const kSpaces[] = {" ", "  ", "\t", " \t "};
  for (uint64_t iter = 0; iter < 2000; ++iter) {
    const uint64_t seed = base_seed + iter;
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const size_t n = 2 + rng() % 12;
    std::vector<std::string> words(n), spaces(n);
    for (size_t k = 0; k < n; ++k) {
      words[k] = (k % 3 == 0 ? "слово" : k % 3 == 1 ? "სიტყვა" : "mot") + std::to_string(k);
      spaces[k] = k + 1 < n ? kSpaces[rng() % std::size(kSpaces)] : "\n";
    }
    const size_t p = rng() % n;
    size_t q = rng() % n;
    if (q == p) q = (p + 1) % n;
    auto join = [&](const std::vector<std::string>& w) {
      std::string s;
      for (size_t k = 0; k < n; ++k) s += w[k] + spaces[k];
      return s;
    };
    std::vector<std::string> x = words, y = words, both = words;
    x[p] = both[p] = "X" + std::to_string(rng() % 1000) + "é";
    y[q] = both[q] = "Y" + std::to_string(rng() % 1000) + "ქ";
    CAPTURE(join(words));
    CHECK(MergeText(join(words), join(x), join(y)) == join(both));
  }
}

TEST_CASE("MergeText is symmetric on random texts with repeated lines and words") {
  // Repeated lines make the diff's alignment a choice; whatever it chooses,
  // the result must not depend on the order of the sides, and a merge is never
  // longer than the three texts together.
  const uint64_t base_seed = BaseSeed();
  static const char* const kLines[] = {"a\n", "b\n", "\n", "a b\n", "b a\n", "a  b\n", "c\r\n", "d"};
  auto random_text = [](std::mt19937_64& rng) {
    std::string s;
    for (int k = static_cast<int>(rng() % 8); k > 0; --k) s += kLines[rng() % std::size(kLines)];
    return s;
  };
  for (uint64_t iter = 0; iter < 5000; ++iter) {
    const uint64_t seed = base_seed + iter;
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const std::string b = random_text(rng), x = random_text(rng), y = random_text(rng);
    CAPTURE(b);
    CAPTURE(x);
    CAPTURE(y);
    const std::optional<std::string> xy = MergeText(b, x, y);
    CHECK(xy == MergeText(b, y, x));
    if (xy) CHECK(xy->size() <= b.size() + x.size() + y.size());
  }
}

// About 100 KB of note: numbered French lines.
std::string LongNote(size_t bytes) {
  std::string s;
  for (int k = 0; s.size() < bytes; ++k) {
    s += "Ligne " + std::to_string(k) + " : le puits " + std::to_string(k * 7 % 13) +
         " est à sec, la pompe fuit au joint, le comité se réunit lundi.\n";
  }
  return s;
}

// Replaces `what` at its first occurrence at or after `from`.
void ReplaceAt(std::string* s, size_t from, const std::string& what, const std::string& with) {
  size_t at = s->find(what, from);
  REQUIRE(at != std::string::npos);
  s->replace(at, what.size(), with);
}

// How fast these run is measured by bench/sync_bench (text merge section), not here.
TEST_CASE("MergeText merges 100 KB notes with scattered edits on both sides") {
  const std::string base = LongNote(100 * 1024);
  std::string ours = base, theirs = base;
  // Scattered edits: ours changes every 10th kilobyte's "lundi", theirs "pompe"
  // in the same lines (word-wise) and appends a paragraph.
  for (size_t at = 0; at < base.size(); at += 10 * 1024) {
    ReplaceAt(&ours, at, "lundi", "mardi");
    ReplaceAt(&theirs, at, "pompe", "pompe manuelle");
  }
  ours.insert(0, "Résumé : tout va mal.\n");
  theirs += "Fin de la visite.\n";
  const std::optional<std::string> merged = MergeText(base, ours, theirs);
  REQUIRE(merged.has_value());
  CHECK(merged->rfind("Résumé : tout va mal.\n", 0) == 0);
  CHECK(merged->ends_with("Fin de la visite.\n"));
  CHECK(merged->size() == base.size() + (ours.size() - base.size()) + (theirs.size() - base.size()));
  CHECK(MergeText(base, theirs, ours) == merged);
}

// `bytes` of short words over the letters a-c, which make a diff work hard:
// separated by spaces, and by newlines too when `newlines`.
std::string RandomWords(std::mt19937_64& rng, size_t bytes, bool newlines) {
  std::string s;
  while (s.size() < bytes) {
    for (int c = 1 + static_cast<int>(rng() % 6); c > 0; --c) s += static_cast<char>('a' + rng() % 3);
    s += newlines && rng() % 8 == 0 ? '\n' : ' ';
  }
  return s;
}

// The diff work is capped (kWorkBudget in text_merge.cpp): uncapped, these
// inputs take many seconds (O(N·D) with D ~ N). The time it takes is a bench
// figure (bench/sync_bench), not a unit-test assertion.
TEST_CASE("MergeText gives up on pathological 100 KB texts") {
  std::mt19937_64 rng(BaseSeed());
  SUBCASE("one 100 KB line rewritten differently on both sides") {
    const std::string base = RandomWords(rng, 100 * 1024, false);
    const std::string ours = RandomWords(rng, 100 * 1024, false);
    const std::string theirs = RandomWords(rng, 100 * 1024, false);
    CHECK_FALSE(MergeText(base, ours, theirs).has_value());
  }
  SUBCASE("many short lines rewritten differently on both sides") {
    const std::string base = RandomWords(rng, 100 * 1024, true);
    const std::string ours = RandomWords(rng, 100 * 1024, true);
    const std::string theirs = RandomWords(rng, 100 * 1024, true);
    CHECK_FALSE(MergeText(base, ours, theirs).has_value());
  }
  SUBCASE("texts over the size limit are not merged, but the invariants hold") {
    const std::string big(kMaxMergeTextBytes + 1, 'a');
    const std::string other = big + "\nb";
    CHECK_FALSE(MergeText(big, other, "a\n").has_value());
    CHECK(MergeText(big, other, big) == other);
    CHECK(MergeText(big, big, other) == other);
    CHECK(MergeText(big, other, other) == other);
  }
}

}  // namespace
}  // namespace ccfield::sync
