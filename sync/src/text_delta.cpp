// Text deltas (text_delta.h): a diff on code points (Myers, O((N+M)·D) time)
// turned into hunks, and the strict reader that applies them.
//
// How MakeTextDelta works:
//   1. Decode both texts into code points and strip the common prefix and
//      suffix (most edits of a note touch a small middle).
//   2. Diff the middles with Myers' greedy algorithm, keeping each step's
//      furthest-reaching points (the trace) to walk the path back. The edit
//      distance D is capped (kMaxEditDistance: the trace is ~D² integers) and
//      so is the work (kWorkBudget); past either, the middle is one hunk.
//   3. Join hunks whose unchanged gap costs fewer JSON bytes when resent than
//      a hunk of its own: a code-point diff of reworded prose matches stray
//      letters and spaces, which would otherwise become many tiny hunks.
//   4. Give up (nullopt) when the delta is not clearly smaller than the value.
#include "ccfield/sync/text_delta.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zlib.h>

#include "ccfield/core/text.h"

namespace ccfield::sync {

namespace {

// Largest edit distance (code points deleted + inserted in the middle) the
// diff looks for: its trace holds ~D² 32-bit integers, 4 MB at this cap.
// A note with a few sentences rewritten is far below; a text changed
// throughout is one hunk, and then usually not worth a delta anyway.
constexpr int32_t kMaxEditDistance = 1000;

// Elementary diff steps (a diagonal visited, a code point compared) for one
// call: a few tens of milliseconds in a release build. Bounds the cost of
// long texts (up to kMaxMergeTextBytes) whose middles differ a lot.
constexpr int64_t kWorkBudget = 20'000'000;

// base [a0, a1) becomes value [b0, b1), in code points of the whole texts.
struct Span {
  size_t a0, a1, b0, b1;
};

// Length in bytes of a UTF-8 sequence from its lead byte (the text is valid).
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Code points of valid UTF-8 `text`.
std::u32string Decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t len = SequenceLength(lead);
    char32_t c = len == 1 ? lead : len == 2 ? (lead & 0x1F) : len == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (size_t j = 1; j < len; ++j) c = (c << 6) | (static_cast<unsigned char>(text[i + j]) & 0x3F);
    out.push_back(c);
    i += len;
  }
  return out;
}

// Code points in valid UTF-8 `text`: the bytes that are not continuation bytes.
size_t CountCodePoints(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// Bytes `c` takes inside a JSON string as nlohmann::json::dump writes it.
size_t JsonLength(char32_t c) {
  if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') return 2;
  if (c < 0x20) return 6;  // \u00XX
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c < 0x10000) return 3;
  return 4;
}

size_t Digits(size_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// The hunks turning a[0, n) into b[0, m), offsets relative to a and b, in
// order; nullopt when the edit distance or the work exceeds the caps.
// REQUIRES: n, m < 2^30 (the diagonals fit in int32_t).
std::optional<std::vector<Span>> DiffMiddle(const char32_t* a, int32_t n, const char32_t* b, int32_t m) {
  const int32_t max_d = std::min<int32_t>(n + m, kMaxEditDistance);
  const int32_t off = max_d + 1;
  // v[off + k]: the furthest x reached on diagonal k = x - y.
  std::vector<int32_t> v(static_cast<size_t>(2 * max_d + 3), 0);
  // Step d's v over k in [-d, d] starts at trace[d * d].
  std::vector<int32_t> trace;
  int64_t budget = kWorkBudget;
  int32_t found_d = -1;
  for (int32_t d = 0; d <= max_d && found_d < 0; ++d) {
    for (int32_t k = -d; k <= d; k += 2) {
      const bool down = k == -d || (k != d && v[off + k - 1] < v[off + k + 1]);
      int32_t x = down ? v[off + k + 1] : v[off + k - 1] + 1;
      int32_t y = x - k;
      const int32_t start = x;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      budget -= 1 + (x - start);
      if (budget < 0) return std::nullopt;  // checked per diagonal: one step's snakes can be long
      v[off + k] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
    trace.insert(trace.end(), v.begin() + (off - d), v.begin() + (off + d + 1));
  }
  if (found_d < 0) return std::nullopt;

  // Walk back from (n, m): each step d came from a point of step d - 1 by one
  // insertion (down) or deletion (right), then followed a snake of equal code
  // points. Only the single edits are recorded; adjacent ones become hunks.
  std::vector<Span> edits;
  int32_t x = n;
  int32_t y = m;
  for (int32_t d = found_d; d > 0; --d) {
    const int32_t* prev = trace.data() + static_cast<size_t>(d - 1) * static_cast<size_t>(d - 1);
    auto at = [&](int32_t k) { return prev[k + (d - 1)]; };
    const int32_t k = x - y;
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const int32_t pk = down ? k + 1 : k - 1;
    const int32_t px = at(pk);
    const int32_t py = px - pk;
    if (px < 0 || py < 0 || px > n || py > m) return std::nullopt;  // not a path: never seen, but cheap to refuse
    const auto ux = static_cast<size_t>(px);
    const auto uy = static_cast<size_t>(py);
    edits.push_back(down ? Span{ux, ux, uy, uy + 1} : Span{ux, ux + 1, uy, uy});
    x = px;
    y = py;
  }
  std::reverse(edits.begin(), edits.end());
  std::vector<Span> hunks;
  for (const Span& e : edits) {
    if (!hunks.empty() && hunks.back().a1 == e.a0 && hunks.back().b1 == e.b0) {
      hunks.back().a1 = e.a1;
      hunks.back().b1 = e.b1;
    } else {
      hunks.push_back(e);
    }
  }
  return hunks;
}

// True when `hunks` (whole-text offsets) turn a into b: in order, within
// both texts, the same gaps on both sides, and the gaps equal. Guards the
// output of the diff, which is never wrong in the tests; a wrong delta would
// be a corrupted note on the other side, so it is checked anyway (O(N)).
bool Consistent(const std::vector<Span>& hunks, const std::u32string& a, const std::u32string& b) {
  size_t ea = 0;
  size_t eb = 0;
  for (const Span& h : hunks) {
    if (h.a0 < ea || h.b0 < eb || h.a1 < h.a0 || h.b1 < h.b0 || h.a1 > a.size() || h.b1 > b.size()) return false;
    if (h.a0 - ea != h.b0 - eb || a.compare(ea, h.a0 - ea, b, eb, h.b0 - eb) != 0) return false;
    ea = h.a1;
    eb = h.b1;
  }
  return a.size() - ea == b.size() - eb && a.compare(ea, a.size() - ea, b, eb, b.size() - eb) == 0;
}

// Joins a hunk to the previous one when resending the unchanged gap between
// them costs no more bytes than the next hunk's own "[pos,del,\"\"]," would.
std::vector<Span> JoinCheapGaps(const std::vector<Span>& hunks, const std::u32string& b) {
  std::vector<Span> out;
  for (const Span& h : hunks) {
    if (!out.empty()) {
      Span& last = out.back();
      const size_t own_cost = 7 + Digits(h.a0) + Digits(h.a1 - h.a0);
      size_t gap_cost = 0;
      for (size_t i = last.b1; i < h.b0 && gap_cost <= own_cost; ++i) gap_cost += JsonLength(b[i]);
      if (gap_cost <= own_cost) {
        last.a1 = h.a1;
        last.b1 = h.b1;
        continue;
      }
    }
    out.push_back(h);
  }
  return out;
}

std::string Encode(const std::u32string& text, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) AppendUtf8(&out, text[i]);
  return out;
}

// A JSON number that is an integer >= 0, or nullopt (negative, fraction, not a number).
std::optional<uint64_t> NonNegativeInteger(const nlohmann::json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) {
    const auto v = j.get<int64_t>();
    if (v >= 0) return static_cast<uint64_t>(v);
  }
  return std::nullopt;
}

struct Hunk {
  uint64_t pos, del;
  const std::string* ins;
};

Status Invalid(const std::string& what) { return Status::Invalid("text delta: " + what); }

}  // namespace

uint32_t BaseChecksum(std::string_view base) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes lengths as uInt: feed a long text in pieces.
  while (!base.empty()) {
    const size_t n = std::min<size_t>(base.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(base.data()), static_cast<uInt>(n));
    base.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

namespace {

Status HunkInvalid(size_t i, const std::string& what) { return Invalid("hunk " + std::to_string(i) + " " + what); }

Result<std::string> ApplyChecked(std::string_view base, const nlohmann::json& delta) {
  if (FindInvalidUtf8(base)) return Invalid("the base text is not valid UTF-8");
  if (!delta.is_object()) return Invalid("must be a JSON object {\"d\": [...], \"n\": length}");
  for (const auto& item : delta.items()) {
    if (item.key() != "d" && item.key() != "n" && item.key() != "c") {
      return Invalid("unknown key \"" + item.key() + "\"");
    }
  }
  if (const auto c_it = delta.find("c"); c_it != delta.end()) {
    const std::optional<uint64_t> c = NonNegativeInteger(*c_it);
    if (!c) return Invalid("\"c\" (the base's checksum) must be an integer >= 0");
    if (*c != BaseChecksum(base)) return Invalid("was made for another base text (its checksum differs)");
  }
  const auto d_it = delta.find("d");
  const auto n_it = delta.find("n");
  if (d_it == delta.end() || !d_it->is_array()) return Invalid("\"d\" must be an array of hunks");
  if (n_it == delta.end()) return Invalid("\"n\" (the result's length) is missing");
  const std::optional<uint64_t> n = NonNegativeInteger(*n_it);
  if (!n) return Invalid("\"n\" must be an integer >= 0");

  // Check every hunk and the result's length before copying anything.
  const uint64_t base_len = CountCodePoints(base);
  std::vector<Hunk> hunks;
  hunks.reserve(d_it->size());
  uint64_t result_len = base_len;
  for (size_t i = 0; i < d_it->size(); ++i) {
    const nlohmann::json& h = (*d_it)[i];
    if (!h.is_array() || h.size() != 3) return HunkInvalid(i, "must be [pos, del, \"ins\"]");
    const std::optional<uint64_t> pos = NonNegativeInteger(h[0]);
    const std::optional<uint64_t> del = NonNegativeInteger(h[1]);
    if (!pos || !del) return HunkInvalid(i, "needs integers >= 0 for pos and del");
    if (!h[2].is_string()) return HunkInvalid(i, "needs a string to insert");
    const std::string& ins = h[2].get_ref<const std::string&>();
    if (FindInvalidUtf8(ins)) return HunkInvalid(i, "inserts text that is not valid UTF-8");
    if (*pos > base_len || *del > base_len - *pos) {
      return HunkInvalid(i, "reaches past the base text's " + std::to_string(base_len) + " characters");
    }
    if (!hunks.empty() && *pos <= hunks.back().pos + hunks.back().del) {
      return HunkInvalid(i, "overlaps or touches the one before (hunks go in order with unchanged text between)");
    }
    if (*del == 0 && ins.empty()) return HunkInvalid(i, "changes nothing");
    hunks.push_back(Hunk{*pos, *del, &ins});
    // Never wraps: the deletions sum to at most base_len, the insertions to
    // at most the delta's own size.
    result_len = result_len - *del + CountCodePoints(ins);
  }
  if (result_len != *n) {
    return Invalid("the result has " + std::to_string(result_len) + " characters, \"n\" says " + std::to_string(*n) +
                   " (made for another base?)");
  }

  std::string out;
  size_t byte = 0;                       // position in base, in bytes
  uint64_t cp = 0;                       // the same, in code points
  auto skip_to = [&](uint64_t target) {  // REQUIRES: cp <= target <= base_len
    while (cp < target) {
      byte += SequenceLength(static_cast<unsigned char>(base[byte]));
      ++cp;
    }
  };
  for (const Hunk& h : hunks) {
    const size_t from = byte;
    skip_to(h.pos);
    out.append(base.substr(from, byte - from));
    out.append(*h.ins);
    skip_to(h.pos + h.del);
  }
  out.append(base.substr(byte));
  return out;
}

}  // namespace

std::optional<nlohmann::json> MakeTextDelta(std::string_view base, std::string_view value) {
  if (FindInvalidUtf8(base) || FindInvalidUtf8(value)) return std::nullopt;
  const std::u32string a = Decode(base);
  const std::u32string b = Decode(value);

  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const size_t a_end = a.size() - suffix;
  const size_t b_end = b.size() - suffix;
  const Span whole{prefix, a_end, prefix, b_end};

  std::vector<Span> hunks;
  if (prefix < a_end && prefix < b_end && a_end - prefix < (1u << 30) && b_end - prefix < (1u << 30)) {
    std::optional<std::vector<Span>> middle = DiffMiddle(a.data() + prefix, static_cast<int32_t>(a_end - prefix),
                                                         b.data() + prefix, static_cast<int32_t>(b_end - prefix));
    if (middle) {
      for (Span& h : *middle) hunks.push_back(Span{h.a0 + prefix, h.a1 + prefix, h.b0 + prefix, h.b1 + prefix});
      if (!Consistent(hunks, a, b)) hunks.assign(1, whole);
    } else {
      hunks.push_back(whole);
    }
  } else if (prefix < a_end || prefix < b_end) {
    hunks.push_back(whole);  // a pure insertion or deletion
  }
  hunks = JoinCheapGaps(hunks, b);

  nlohmann::json d = nlohmann::json::array();
  for (const Span& h : hunks) d.push_back(nlohmann::json::array({h.a0, h.a1 - h.a0, Encode(b, h.b0, h.b1)}));
  nlohmann::json delta = {{"d", std::move(d)}, {"n", b.size()}, {"c", BaseChecksum(base)}};

  const size_t delta_bytes = delta.dump().size();
  const size_t value_bytes = nlohmann::json(std::string(value)).dump().size();
  if (static_cast<double>(delta_bytes) > kMaxDeltaShare * static_cast<double>(value_bytes)) return std::nullopt;
  return delta;
}

Result<std::string> ApplyTextDelta(std::string_view base, const nlohmann::json& delta) {
  try {
    return ApplyChecked(base, delta);
  } catch (const std::exception& e) {
    // Only allocation failures can get here; the checks above use no throwing accessor.
    return Invalid(std::string("could not be applied: ") + e.what());
  }
}

}  // namespace ccfield::sync
