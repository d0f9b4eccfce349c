// MergeText: a diff3-style three-way merge, line-wise, then word-wise inside
// the regions where both sides changed the same lines.
//
// How it works, at one level (lines or words):
//   1. Split the three texts into tokens that keep every byte, so joining the
//      tokens gives the text back: lines keep their "\n" (and "\r\n"); a last
//      line without a newline is a token of its own. Words are runs of ASCII
//      non-space bytes and runs of ASCII whitespace; bytes >= 0x80 are never
//      whitespace, so a UTF-8 character is never split.
//   2. Diff base->ours and base->theirs (Myers, O((N+M)·D) time, O(N+M)
//      memory) into hunks: "base tokens [b0,b1) become side tokens [s0,s1)".
//      Two hunks of one side always have an unchanged base token between them.
//   3. Walk both hunk lists in base order. A hunk that overlaps nothing from
//      the other side applies as is; the same change made by both sides
//      applies once. Hunks that overlap (transitively) form a cluster; at the
//      line level the cluster's lines are merged again word-wise, at the word
//      level the merge fails.
//
// Overlap between hunks of different sides: they change a common base token,
// or one inserts strictly inside the range the other changes, or both insert
// at the same place (which insertion goes first would be a guess). Touching
// changes (ours edits line 3, theirs line 4; ours inserts before a line that
// theirs rewrites) both apply; an insertion goes before a change that starts
// at the same base position.
//
// The diff work of one call is capped (kWorkBudget); when the texts are too
// different to diff within it, or larger than kMaxMergeTextBytes, the merge
// gives up (nullopt) and the caller records a conflict, which loses nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ccfield/sync/merge.h"

namespace ccfield::sync {

namespace {

// Elementary diff steps (a diagonal visited, a token compared, a slot of the
// work arrays cleared) allowed for one MergeText call: about 70 ms in a
// release build. A 100 KB note with 500 edits on each side needs about 2 ms;
// the cap is reached by texts rewritten throughout on both sides, and by a
// word-wise merge of a large region where one side changed many words (e.g.
// a case change on every line of a 100 KB note against any other edit).
constexpr int64_t kWorkBudget = 20'000'000;

class Budget {
 public:
  explicit Budget(int64_t steps) : left_(steps) {}
  // Charges `steps`; false once the budget is spent (and from then on).
  bool Spend(int64_t steps) {
    left_ -= steps;
    return left_ >= 0;
  }

 private:
  int64_t left_;
};

enum class Level { kLines, kWords };

using Tokens = std::vector<std::string_view>;

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

Tokens SplitLines(std::string_view text) {
  Tokens out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

Tokens SplitWords(std::string_view text) {
  Tokens out;
  size_t start = 0;
  while (start < text.size()) {
    const bool space = IsAsciiSpace(text[start]);
    size_t end = start + 1;
    while (end < text.size() && IsAsciiSpace(text[end]) == space) ++end;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

Tokens Split(std::string_view text, Level level) {
  return level == Level::kLines ? SplitLines(text) : SplitWords(text);
}

// Maps equal tokens to equal small integers, so the diff compares ints.
// The string_views point into the caller's texts, which outlive the map.
class Interner {
 public:
  std::vector<int> Ids(const Tokens& tokens) {
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (std::string_view t : tokens) ids.push_back(map_.try_emplace(t, static_cast<int>(map_.size())).first->second);
    return ids;
  }

 private:
  std::unordered_map<std::string_view, int> map_;
};

// Marks which tokens of `a` a shortest edit script deletes and which tokens of
// `b` it inserts; the unmarked tokens of a and b pair up in order and are equal.
// Myers' bisection ("An O(ND) Difference Algorithm", section 4b): find a
// point on an optimal path by running the search from both ends until they
// meet, split there and recurse. Work arrays are O(N+M).
class Differ {
 public:
  Differ(const std::vector<int>& a, const std::vector<int>& b, Budget* budget)
      : a_(a), b_(b), budget_(budget), deleted_(a.size(), 0), inserted_(b.size(), 0) {}

  // False when the budget ran out (the marks are then incomplete).
  bool Run() { return Compare(0, static_cast<ptrdiff_t>(a_.size()), 0, static_cast<ptrdiff_t>(b_.size())); }

  const std::vector<char>& deleted() const { return deleted_; }
  const std::vector<char>& inserted() const { return inserted_; }

 private:
  enum class Bisected { kSplit, kNothingInCommon, kOutOfBudget };

  bool Compare(ptrdiff_t alo, ptrdiff_t ahi, ptrdiff_t blo, ptrdiff_t bhi) {
    const ptrdiff_t before = (ahi - alo) + (bhi - blo);
    while (alo < ahi && blo < bhi && a_[alo] == b_[blo]) ++alo, ++blo;
    while (alo < ahi && blo < bhi && a_[ahi - 1] == b_[bhi - 1]) --ahi, --bhi;
    if (!budget_->Spend(1 + (before - (ahi - alo) - (bhi - blo)) / 2)) return false;
    if (alo == ahi || blo == bhi) {
      MarkAll(alo, ahi, blo, bhi);
      return true;
    }
    ptrdiff_t x = 0, y = 0;
    switch (Bisect(alo, ahi, blo, bhi, &x, &y)) {
      case Bisected::kOutOfBudget:
        return false;
      case Bisected::kNothingInCommon:
        MarkAll(alo, ahi, blo, bhi);
        return true;
      case Bisected::kSplit:
        break;
    }
    if ((x == 0 && y == 0) || (x == ahi - alo && y == bhi - blo)) {
      // Cannot happen after the prefix/suffix strip; if it ever did, recursing
      // would not terminate. Replacing the whole range is still a valid diff.
      MarkAll(alo, ahi, blo, bhi);
      return true;
    }
    return Compare(alo, alo + x, blo, blo + y) && Compare(alo + x, ahi, blo + y, bhi);
  }

  void MarkAll(ptrdiff_t alo, ptrdiff_t ahi, ptrdiff_t blo, ptrdiff_t bhi) {
    std::fill(deleted_.begin() + alo, deleted_.begin() + ahi, 1);
    std::fill(inserted_.begin() + blo, inserted_.begin() + bhi, 1);
  }

  // Myers' step onto diagonal k at cost d: from the neighbouring diagonal
  // whose (d-1)-path reached further; v[at] is diagonal k's slot.
  static ptrdiff_t NextX(const std::vector<ptrdiff_t>& v, ptrdiff_t at, ptrdiff_t k, ptrdiff_t d) {
    return (k == -d || (k != d && v[at - 1] < v[at + 1])) ? v[at + 1] : v[at - 1] + 1;
  }

  // Finds a point (x, y), relative to (alo, blo), on a shortest edit path.
  // REQUIRES: both ranges non-empty.
  Bisected Bisect(ptrdiff_t alo, ptrdiff_t ahi, ptrdiff_t blo, ptrdiff_t bhi, ptrdiff_t* split_x, ptrdiff_t* split_y) {
    const ptrdiff_t n = ahi - alo;
    const ptrdiff_t m = bhi - blo;
    const ptrdiff_t max_d = (n + m + 1) / 2;
    const ptrdiff_t offset = max_d + 1;
    const ptrdiff_t len = 2 * max_d + 3;
    if (!budget_->Spend(2 * len)) return Bisected::kOutOfBudget;
    // forward_[offset + k]: furthest x reached on diagonal k = x - y from (0, 0);
    // reverse_[offset + k]: furthest distance walked back from (n, m) on
    // diagonal k of the reversed sequences. -1: not reached.
    forward_.assign(len, -1);
    reverse_.assign(len, -1);
    forward_[offset + 1] = 0;
    reverse_[offset + 1] = 0;
    const ptrdiff_t delta = n - m;
    // With an odd delta the paths can first meet on a forward step, else on a reverse step.
    const bool front = delta % 2 != 0;
    // Diagonals that ran off the grid are not walked again.
    ptrdiff_t k1_start = 0, k1_end = 0, k2_start = 0, k2_end = 0;
    for (ptrdiff_t d = 0; d < max_d; ++d) {
      int64_t steps = 1;
      for (ptrdiff_t k1 = -d + k1_start; k1 <= d - k1_end; k1 += 2) {
        const ptrdiff_t k1_at = offset + k1;
        ptrdiff_t x1 = NextX(forward_, k1_at, k1, d);
        ptrdiff_t y1 = x1 - k1;
        const ptrdiff_t x1_from = x1;
        while (x1 < n && y1 < m && a_[alo + x1] == b_[blo + y1]) ++x1, ++y1;
        steps += 1 + (x1 - x1_from);
        forward_[k1_at] = x1;
        if (x1 > n) {
          k1_end += 2;  // ran off the right
        } else if (y1 > m) {
          k1_start += 2;  // ran off the bottom
        } else if (front) {
          const ptrdiff_t k2_at = offset + delta - k1;
          if (k2_at >= 0 && k2_at < len && reverse_[k2_at] != -1 && x1 >= n - reverse_[k2_at]) {
            *split_x = x1;
            *split_y = y1;
            return Bisected::kSplit;
          }
        }
      }
      for (ptrdiff_t k2 = -d + k2_start; k2 <= d - k2_end; k2 += 2) {
        const ptrdiff_t k2_at = offset + k2;
        ptrdiff_t x2 = NextX(reverse_, k2_at, k2, d);
        ptrdiff_t y2 = x2 - k2;
        const ptrdiff_t x2_from = x2;
        while (x2 < n && y2 < m && a_[ahi - 1 - x2] == b_[bhi - 1 - y2]) ++x2, ++y2;
        steps += 1 + (x2 - x2_from);
        reverse_[k2_at] = x2;
        if (x2 > n) {
          k2_end += 2;  // ran off the left
        } else if (y2 > m) {
          k2_start += 2;  // ran off the top
        } else if (!front) {
          const ptrdiff_t k1_at = offset + delta - k2;
          if (k1_at >= 0 && k1_at < len && forward_[k1_at] != -1) {
            const ptrdiff_t x1 = forward_[k1_at];
            const ptrdiff_t y1 = x1 - (k1_at - offset);
            if (x1 >= n - x2) {
              *split_x = x1;
              *split_y = y1;
              return Bisected::kSplit;
            }
          }
        }
      }
      if (!budget_->Spend(steps)) return Bisected::kOutOfBudget;
    }
    // The searches only fail to meet when a and b share no token.
    return Bisected::kNothingInCommon;
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  Budget* budget_;
  std::vector<char> deleted_;
  std::vector<char> inserted_;
  std::vector<ptrdiff_t> forward_;
  std::vector<ptrdiff_t> reverse_;
};

// Base tokens [b0, b1) become side tokens [s0, s1). b0 == b1: an insertion
// before base token b0; s0 == s1: a deletion.
struct Hunk {
  size_t b0, b1;
  size_t s0, s1;
};

std::optional<std::vector<Hunk>> Diff(const std::vector<int>& base, const std::vector<int>& side, Budget* budget) {
  Differ differ(base, side, budget);
  if (!differ.Run()) return std::nullopt;
  const std::vector<char>& deleted = differ.deleted();
  const std::vector<char>& inserted = differ.inserted();
  std::vector<Hunk> hunks;
  size_t i = 0, j = 0;
  while (i < base.size() || j < side.size()) {
    if (i < base.size() && j < side.size() && !deleted[i] && !inserted[j]) {
      ++i, ++j;  // an unchanged token
      continue;
    }
    Hunk h{i, i, j, j};
    while (i < base.size() && deleted[i]) ++i;
    while (j < side.size() && inserted[j]) ++j;
    h.b1 = i;
    h.s1 = j;
    hunks.push_back(h);
  }
  return hunks;
}

// Whether hunks x and y, from different sides, cannot both apply.
bool Overlap(const Hunk& x, const Hunk& y) {
  const bool x_inserts = x.b0 == x.b1;
  const bool y_inserts = y.b0 == y.b1;
  if (x_inserts && y_inserts) return x.b0 == y.b0;
  if (x_inserts) return y.b0 < x.b0 && x.b0 < y.b1;
  if (y_inserts) return x.b0 < y.b0 && y.b0 < x.b1;
  return x.b0 < y.b1 && y.b0 < x.b1;
}

// Base order; at one base position an insertion applies before a change.
bool Before(const Hunk& x, const Hunk& y) {
  if (x.b0 != y.b0) return x.b0 < y.b0;
  return x.b0 == x.b1 && y.b0 != y.b1;
}

void Append(std::string* out, const Tokens& tokens, size_t from, size_t to) {
  for (size_t k = from; k < to; ++k) out->append(tokens[k]);
}

// Base tokens [lo, hi) with the side's hunks [first, last) applied.
std::string ApplyHunks(const Tokens& base, const Tokens& side, const std::vector<Hunk>& hunks, size_t first,
                       size_t last, size_t lo, size_t hi) {
  std::string out;
  size_t pos = lo;
  for (size_t h = first; h < last; ++h) {
    Append(&out, base, pos, hunks[h].b0);
    Append(&out, side, hunks[h].s0, hunks[h].s1);
    pos = hunks[h].b1;
  }
  Append(&out, base, pos, hi);
  return out;
}

std::optional<std::string> Merge3(std::string_view base, std::string_view ours, std::string_view theirs, Level level,
                                  Budget* budget) {
  if (ours == theirs || theirs == base) return std::string(ours);
  if (ours == base) return std::string(theirs);

  const Tokens b = Split(base, level);
  const Tokens o = Split(ours, level);
  const Tokens t = Split(theirs, level);
  Interner interner;
  const std::vector<int> b_ids = interner.Ids(b);
  const std::vector<int> o_ids = interner.Ids(o);
  const std::vector<int> t_ids = interner.Ids(t);
  const std::optional<std::vector<Hunk>> o_hunks = Diff(b_ids, o_ids, budget);
  if (!o_hunks) return std::nullopt;
  const std::optional<std::vector<Hunk>> t_hunks = Diff(b_ids, t_ids, budget);
  if (!t_hunks) return std::nullopt;
  const std::vector<Hunk>& oh = *o_hunks;
  const std::vector<Hunk>& th = *t_hunks;

  std::string out;
  out.reserve(std::max(ours.size(), theirs.size()));
  size_t pos = 0;  // base tokens before pos are done
  size_t i = 0, j = 0;
  while (i < oh.size() || j < th.size()) {
    // The same change on both sides applies once. (It cannot overlap any
    // other hunk: each side's neighbouring hunks are at least one unchanged
    // base token away.)
    if (i < oh.size() && j < th.size() && oh[i].b0 == th[j].b0 && oh[i].b1 == th[j].b1 &&
        std::equal(o_ids.begin() + oh[i].s0, o_ids.begin() + oh[i].s1, t_ids.begin() + th[j].s0,
                   t_ids.begin() + th[j].s1)) {
      Append(&out, b, pos, oh[i].b0);
      Append(&out, o, oh[i].s0, oh[i].s1);
      pos = oh[i].b1;
      ++i, ++j;
      continue;
    }
    // Start a cluster with the earlier hunk, then take the next hunk of either
    // side while it overlaps the last one taken from the other side. Checking
    // only the last is enough: hunks of one side are disjoint and in order.
    const size_t i0 = i, j0 = j;
    if (j == th.size() || (i < oh.size() && !Before(th[j], oh[i]))) {
      ++i;
    } else {
      ++j;
    }
    for (;;) {
      if (i < oh.size() && j > j0 && Overlap(oh[i], th[j - 1])) {
        ++i;
      } else if (j < th.size() && i > i0 && Overlap(th[j], oh[i - 1])) {
        ++j;
      } else {
        break;
      }
    }
    if (i == i0 || j == j0) {  // one hunk, one side: apply it
      const bool mine = i > i0;
      const Hunk& h = mine ? oh[i0] : th[j0];
      Append(&out, b, pos, h.b0);
      Append(&out, mine ? o : t, h.s0, h.s1);
      pos = h.b1;
      continue;
    }
    if (level == Level::kWords) return std::nullopt;  // same words changed differently
    // Both sides changed these lines: merge them again, word by word.
    const size_t lo = std::min(oh[i0].b0, th[j0].b0);
    const size_t hi = std::max(oh[i - 1].b1, th[j - 1].b1);
    std::string base_region;
    Append(&base_region, b, lo, hi);
    const std::string ours_region = ApplyHunks(b, o, oh, i0, i, lo, hi);
    const std::string theirs_region = ApplyHunks(b, t, th, j0, j, lo, hi);
    std::optional<std::string> merged = Merge3(base_region, ours_region, theirs_region, Level::kWords, budget);
    if (!merged) return std::nullopt;
    Append(&out, b, pos, lo);
    out += *merged;
    pos = hi;
  }
  Append(&out, b, pos, b.size());
  return out;
}

}  // namespace

std::optional<std::string> MergeText(std::string_view base, std::string_view ours, std::string_view theirs) {
  // The invariants hold whatever the size: merge(b,x,x) = merge(b,x,b) = x, merge(b,b,y) = y.
  if (ours == theirs || theirs == base) return std::string(ours);
  if (ours == base) return std::string(theirs);
  if (base.size() > kMaxMergeTextBytes || ours.size() > kMaxMergeTextBytes || theirs.size() > kMaxMergeTextBytes) {
    return std::nullopt;
  }
  Budget budget(kWorkBudget);
  return Merge3(base, ours, theirs, Level::kLines, &budget);
}

}  // namespace ccfield::sync
