#include "text/bidi.h"

#include <fribidi.h>

#include <algorithm>
#include <climits>

#include "ccfield/core/text.h"
#include "text/utf8.h"

namespace ccfield::ui {
namespace {

using Chars = std::vector<FriBidiChar>;

Chars Decode(std::string_view s) {
  Chars out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) out.push_back(NextCodePoint(s, &pos));
  return out;
}

// Characters that steer layout but have no glyph of their own; ImGui would
// draw them as boxes. FEFF is also FriBidi's filler after a lam-alef ligature.
bool IsInvisibleControl(FriBidiChar c) {
  return c == 0x061C || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0xFEFF;
}

std::string Encode(const Chars& chars, bool drop_controls) {
  std::string out;
  out.reserve(chars.size() * 2);
  for (FriBidiChar c : chars) {
    if (drop_controls && IsInvisibleControl(c)) continue;
    AppendUtf8(&out, c);
  }
  return out;
}

// Resolved bidi analysis of one paragraph or line.
struct Analysis {
  std::vector<FriBidiCharType> types;
  std::vector<FriBidiLevel> levels;
  FriBidiParType dir = FRIBIDI_PAR_ON;
};

// Resolves embedding levels; dir is FRIBIDI_PAR_ON to detect it from the first
// strong character. False if FriBidi failed (out of memory) or text is huge.
bool Analyze(const Chars& text, FriBidiParType dir, Analysis* a) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return false;
  const auto n = static_cast<FriBidiStrIndex>(text.size());
  a->types.resize(text.size());
  a->levels.resize(text.size());
  std::vector<FriBidiBracketType> brackets(text.size());
  fribidi_get_bidi_types(text.data(), n, a->types.data());
  fribidi_get_bracket_types(text.data(), n, a->types.data(), brackets.data());
  a->dir = dir;
  return fribidi_get_par_embedding_levels_ex(a->types.data(), brackets.data(), n, &a->dir, a->levels.data()) != 0;
}

// Flags for drawing left to right: Arabic shaping and mirrored brackets,
// but no FRIBIDI_FLAG_REORDER_NSM. A combining mark (a vowel, shadda, the
// tanwin of "عالٍ") stays before its base letter in visual order; Noto's
// marks have no advance and their outline right of the pen, so the base
// letter drawn next at the same pen position carries the mark over (or
// under) its left half instead of after it, between two letters.
constexpr FriBidiFlags kDrawFlags = FRIBIDI_FLAG_SHAPE_MIRRORING | FRIBIDI_FLAGS_ARABIC;

// Arabic joining and presentation forms (plus mirroring if in flags), in place.
void Shape(FriBidiFlags flags, const Analysis& a, Chars* text) {
  const auto n = static_cast<FriBidiStrIndex>(text->size());
  std::vector<FriBidiJoiningType> joining(text->size());
  fribidi_get_joining_types(text->data(), n, joining.data());
  std::vector<FriBidiArabicProp> props(joining.begin(), joining.end());
  fribidi_join_arabic(a.types.data(), n, a.levels.data(), props.data());
  fribidi_shape(flags, a.levels.data(), n, props.data(), text->data());
}

// Shapes and reorders one line; *dir is the requested direction on input
// (FRIBIDI_PAR_ON: auto) and the resolved one on output.
std::string ToVisual(Chars text, FriBidiParType* dir) {
  Analysis a;
  if (!Analyze(text, *dir, &a)) return Encode(text, false);
  *dir = a.dir;
  Shape(kDrawFlags, a, &text);
  if (fribidi_reorder_line(kDrawFlags, a.types.data(), static_cast<FriBidiStrIndex>(text.size()), 0, a.dir,
                           a.levels.data(), text.data(), nullptr) == 0) {
    return Encode(text, false);
  }
  return Encode(text, true);
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Length of the longest prefix of p[start, end) that fits, at least one code
// point past `first` (the word start) so wrapping always advances.
size_t FitPrefix(std::string_view p, size_t start, size_t first, size_t end, float max_width,
                 const std::function<float(std::string_view)>& measure) {
  size_t fit = first;
  NextCodePoint(p, &fit);
  size_t pos = fit;
  while (pos < end) {
    size_t next = pos;
    NextCodePoint(p, &next);
    if (measure(p.substr(start, next - start)) > max_width) break;
    fit = pos = next;
  }
  return fit;
}

// Greedy wrap of one paragraph (shaped, logical order) into views of p.
void WrapParagraph(std::string_view p, float max_width, const std::function<float(std::string_view)>& measure,
                   std::vector<std::string_view>* lines) {
  const size_t n = p.size();
  const size_t first_line = lines->size();
  size_t pos = 0;
  while (pos < n) {
    size_t end = pos;  // end of the last word that fits on this line
    while (true) {
      size_t word = end;
      while (word < n && IsSpace(p[word])) ++word;
      if (word == n) break;
      size_t word_end = word;
      while (word_end < n && !IsSpace(p[word_end])) ++word_end;
      if (measure(p.substr(pos, word_end - pos)) <= max_width) {
        end = word_end;
        continue;
      }
      if (end == pos) end = FitPrefix(p, pos, word, word_end, max_width, measure);
      break;
    }
    if (end == pos) break;  // only spaces left
    lines->push_back(p.substr(pos, end - pos));
    pos = end;
    while (pos < n && IsSpace(p[pos])) ++pos;
  }
  if (lines->size() == first_line) lines->push_back({});
}

}  // namespace

bool HasRtl(std::string_view utf8) {
  // Lead bytes below 0xD6 are ASCII, Latin, Greek, Cyrillic or Armenian, and
  // continuation bytes are below 0xC0: none of them can start an RTL letter.
  size_t pos = 0;
  while (pos < utf8.size()) {
    if (static_cast<unsigned char>(utf8[pos]) < 0xD6) {
      ++pos;
      continue;
    }
    const char32_t c = NextCodePoint(utf8, &pos);
    if (c >= 0x0590 && FRIBIDI_IS_RTL(fribidi_get_bidi_type(c))) return true;
  }
  return false;
}

namespace {

// Text already in visual order: it holds Arabic presentation forms, which
// people do not type but shaping produces (the catalog of an RTL language is
// shaped once at load, i18n.cpp). Shaping and reordering it again would turn
// it back to front. (Letters without joined forms, like hamza, stay as they
// are in shaped text, so their presence says nothing.)
bool AlreadyVisual(std::string_view utf8) {
  size_t pos = 0;
  while (pos < utf8.size()) {
    if (static_cast<unsigned char>(utf8[pos]) < 0xEF) {  // presentation forms start with 0xEF
      ++pos;
      continue;
    }
    const char32_t c = NextCodePoint(utf8, &pos);
    if ((c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFC)) return true;
  }
  return false;
}

// Wraps a right-to-left line already in visual order: the sentence starts at
// its right end, so lines are filled with words taken from the right.
void WrapVisualOrder(std::string_view line, float max_width, const std::function<float(std::string_view)>& measure,
                     std::vector<std::string>* out) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start <= line.size()) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) sp = line.size();
    if (sp > start) words.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
  size_t end = words.size();  // words[first, end) make the line being built
  while (end > 0) {
    size_t first = end - 1;
    auto join = [&](size_t a, size_t b) {
      std::string l;
      for (size_t i = a; i < b; ++i) l += (i > a ? " " : "") + std::string(words[i]);
      return l;
    };
    while (first > 0 && measure(join(first - 1, end)) <= max_width) --first;
    out->push_back(join(first, end));
    end = first;
  }
  if (words.empty()) out->emplace_back();
}

bool IsIsolateStart(char32_t c) { return c >= 0x2066 && c <= 0x2068; }  // LRI, RLI, FSI
constexpr char32_t kPdi = 0x2069;

// A sentence already in visual order with values put in its placeholders
// between isolate marks (FSI value PDI, i18n.cpp): each value is laid out on
// its own, in its own direction, where its placeholder stood. Marks that do
// not pair up are dropped.
std::string VisualWithIsolates(std::string_view visual) {
  std::string out;
  out.reserve(visual.size());
  size_t pos = 0;
  while (pos < visual.size()) {
    const size_t start = pos;
    const char32_t c = NextCodePoint(visual, &pos);
    if (!IsIsolateStart(c)) {
      if (c != kPdi) out.append(visual.substr(start, pos - start));
      continue;
    }
    int depth = 1;
    size_t end = pos, after = visual.size();
    while (end < visual.size()) {
      const size_t here = end;
      const char32_t d = NextCodePoint(visual, &end);
      depth += IsIsolateStart(d) ? 1 : d == kPdi ? -1 : 0;
      if (depth == 0) {
        after = end;
        end = here;
        break;
      }
    }
    out += VisualLine(visual.substr(pos, end - pos));
    pos = after;
  }
  return out;
}

}  // namespace

std::string VisualLine(std::string_view utf8_line, bool* rtl_paragraph) {
  if (AlreadyVisual(utf8_line)) {
    if (rtl_paragraph) *rtl_paragraph = true;
    return VisualWithIsolates(utf8_line);
  }
  if (!HasRtl(utf8_line)) {
    if (rtl_paragraph) *rtl_paragraph = false;
    return ReplaceInvalidUtf8(utf8_line);
  }
  FriBidiParType dir = FRIBIDI_PAR_ON;
  std::string out = ToVisual(Decode(utf8_line), &dir);
  if (rtl_paragraph) *rtl_paragraph = FRIBIDI_IS_RTL(dir);
  return out;
}

std::vector<std::string> WrapVisual(std::string_view utf8_paragraph, float max_width,
                                    const std::function<float(std::string_view)>& measure, bool* rtl) {
  std::vector<std::string> out;
  bool direction_known = false;
  if (rtl) *rtl = false;
  size_t start = 0;
  while (start <= utf8_paragraph.size()) {
    size_t nl = utf8_paragraph.find('\n', start);
    if (nl == std::string_view::npos) nl = utf8_paragraph.size();
    std::string_view raw = utf8_paragraph.substr(start, nl - start);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    start = nl + 1;

    if (AlreadyVisual(raw)) {
      if (!direction_known && rtl) *rtl = true;
      direction_known = true;
      WrapVisualOrder(VisualWithIsolates(raw), max_width, measure, &out);
      continue;
    }
    // Shape the whole paragraph first so widths are those of the drawn
    // glyphs; joining never crosses a space, so breaking later is safe.
    const bool has_rtl = HasRtl(raw);
    FriBidiParType dir = FRIBIDI_PAR_LTR;
    std::string shaped;
    if (has_rtl) {
      Chars text = Decode(raw);
      Analysis a;
      if (Analyze(text, FRIBIDI_PAR_ON, &a)) {
        dir = a.dir;
        Shape(FRIBIDI_FLAGS_ARABIC, a, &text);  // mirroring happens per line
      }
      std::erase(text, FriBidiChar{0xFEFF});
      shaped = Encode(text, false);
    } else {
      shaped = ReplaceInvalidUtf8(raw);
    }
    if (!direction_known && shaped.find_first_not_of(" \t") != std::string::npos) {
      direction_known = true;
      if (rtl) *rtl = FRIBIDI_IS_RTL(dir);
    }

    std::vector<std::string_view> lines;
    WrapParagraph(shaped, max_width, measure, &lines);
    for (std::string_view line : lines) {
      if (!has_rtl) {
        out.emplace_back(line);
        continue;
      }
      FriBidiParType line_dir = dir;  // every line keeps its paragraph's direction
      out.push_back(ToVisual(Decode(line), &line_dir));
    }
  }
  return out;
}

namespace {

// Identity layout: no right-to-left letters, so visual order is logical order.
LineLayout IdentityLayout(const Chars& text, std::vector<size_t> offsets) {
  LineLayout l;
  l.logical_offsets = std::move(offsets);
  const int n = static_cast<int>(text.size());
  for (int i = 0; i < n; ++i) {
    l.visual_offsets.push_back(l.visual.size());
    AppendUtf8(&l.visual, text[i]);
    l.logical_to_visual.push_back(i);
    l.visual_to_logical.push_back(i);
    l.visual_rtl.push_back(false);
  }
  l.visual_offsets.push_back(l.visual.size());
  return l;
}

}  // namespace

LineLayout LayoutLine(std::string_view utf8_line) {
  Chars text;
  std::vector<size_t> offsets;
  size_t pos = 0;
  while (pos < utf8_line.size()) {
    offsets.push_back(pos);
    text.push_back(NextCodePoint(utf8_line, &pos));
  }
  offsets.push_back(utf8_line.size());
  if (!HasRtl(utf8_line)) return IdentityLayout(text, std::move(offsets));
  Analysis a;
  if (!Analyze(text, FRIBIDI_PAR_ON, &a)) return IdentityLayout(text, std::move(offsets));
  const auto n = static_cast<FriBidiStrIndex>(text.size());
  std::vector<FriBidiLevel> logical_levels = a.levels;
  Shape(kDrawFlags, a, &text);
  std::vector<FriBidiStrIndex> map(text.size());
  for (FriBidiStrIndex i = 0; i < n; ++i) map[i] = i;  // becomes visual -> logical
  if (fribidi_reorder_line(kDrawFlags, a.types.data(), n, 0, a.dir, a.levels.data(), text.data(), map.data()) == 0) {
    return IdentityLayout(Decode(utf8_line), std::move(offsets));
  }
  LineLayout l;
  l.rtl = FRIBIDI_IS_RTL(a.dir);
  l.logical_offsets = std::move(offsets);
  l.logical_to_visual.assign(text.size(), -1);
  for (FriBidiStrIndex v = 0; v < n; ++v) {
    if (IsInvisibleControl(text[v])) continue;  // isolates, marks, the lam-alef filler
    l.logical_to_visual[map[v]] = static_cast<int>(l.visual_to_logical.size());
    l.visual_to_logical.push_back(map[v]);
    l.visual_rtl.push_back((logical_levels[map[v]] & 1) != 0);
    l.visual_offsets.push_back(l.visual.size());
    AppendUtf8(&l.visual, text[v]);
  }
  l.visual_offsets.push_back(l.visual.size());
  return l;
}

namespace {

// Index of the code point starting at or after `byte` in the logical text.
int LogicalIndex(const LineLayout& l, size_t byte) {
  const auto it = std::lower_bound(l.logical_offsets.begin(), l.logical_offsets.end(), byte);
  return static_cast<int>(it - l.logical_offsets.begin());
}

}  // namespace

size_t VisualCaret(const LineLayout& l, size_t logical_byte) {
  const int n = static_cast<int>(l.logical_to_visual.size());
  const int c = std::min(LogicalIndex(l, logical_byte), n);
  // After the visible character before the caret: its right edge if it runs
  // left to right, its left edge if right to left.
  for (int p = c - 1; p >= 0; --p) {
    const int v = l.logical_to_visual[p];
    if (v >= 0) return static_cast<size_t>(l.visual_rtl[v] ? v : v + 1);
  }
  // At the start: before the first visible character.
  for (int q = c; q < n; ++q) {
    const int v = l.logical_to_visual[q];
    if (v >= 0) return static_cast<size_t>(l.visual_rtl[v] ? v + 1 : v);
  }
  return l.rtl ? l.visual_to_logical.size() : 0;
}

size_t LogicalCaretAt(const LineLayout& l, size_t visual_index, bool right_half) {
  const size_t m = l.visual_to_logical.size();
  if (m == 0) return 0;
  if (visual_index >= m) {  // right of the text: after the last visual character
    visual_index = m - 1;
    right_half = true;
  }
  const int n = static_cast<int>(l.logical_to_visual.size());
  const bool rtl = l.visual_rtl[visual_index];
  const bool after = rtl ? !right_half : right_half;
  int p = l.visual_to_logical[visual_index] + (after ? 1 : 0);
  // Past the invisible characters that went with it (the lam of a lam-alef,
  // whose glyph stands at the alef).
  while (after && p < n && l.logical_to_visual[p] < 0) ++p;
  while (!after && p > 0 && l.logical_to_visual[p - 1] < 0) --p;
  return l.logical_offsets[p];
}

std::vector<std::pair<size_t, size_t>> VisualRanges(const LineLayout& layout,
                                                    const std::vector<std::pair<size_t, size_t>>& logical) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t v = 0; v < layout.visual_to_logical.size(); ++v) {
    const size_t byte = layout.logical_offsets[static_cast<size_t>(layout.visual_to_logical[v])];
    const bool inside = std::any_of(logical.begin(), logical.end(),
                                    [&](const auto& r) { return byte >= r.first && byte < r.second; });
    if (!inside) continue;
    if (!out.empty() && out.back().second == v) {
      out.back().second = v + 1;
    } else {
      out.emplace_back(v, v + 1);
    }
  }
  return out;
}

}  // namespace ccfield::ui
