#include "text/soft_wrap.h"

#include <algorithm>

#include "text/utf8.h"

namespace ccfield::ui {

SoftWrapped SoftWrap(std::string_view text, float width, const AdvanceFn& advance) {
  SoftWrapped out;
  if (width <= 0) {
    out.display = text;
    return out;
  }
  constexpr size_t kNone = std::string_view::npos;
  std::vector<size_t> at;  // break positions in `text`
  size_t line_start = 0;
  size_t after_space = kNone;  // the latest place after a run of spaces on this line
  float x = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      line_start = ++i;
      after_space = kNone;
      x = 0;
      continue;
    }
    size_t next = i;
    const char32_t c = NextCodePoint(text, &next);
    const float w = advance(c);
    if (c == ' ') {  // spaces hang at the end of their line
      x += w;
      i = next;
      after_space = i;
      continue;
    }
    if (x + w > width && i > line_start) {
      const size_t brk = after_space != kNone && after_space > line_start ? after_space : i;
      at.push_back(brk);
      line_start = brk;
      after_space = kNone;
      x = 0;
      for (size_t p = brk; p < i;) x += advance(NextCodePoint(text, &p));
    }
    x += w;
    i = next;
  }
  out.display.reserve(text.size() + at.size());
  size_t prev = 0;
  for (size_t b : at) {
    out.display.append(text.substr(prev, b - prev));
    out.breaks.push_back(out.display.size());
    out.display.push_back('\n');
    prev = b;
  }
  out.display.append(text.substr(prev));
  return out;
}

std::string Unwrap(const SoftWrapped& wrapped) {
  std::string out;
  out.reserve(wrapped.display.size());
  size_t prev = 0;
  for (size_t b : wrapped.breaks) {
    out.append(wrapped.display, prev, b - prev);
    prev = b + 1;
  }
  out.append(wrapped.display, std::min(prev, wrapped.display.size()), std::string::npos);
  return out;
}

size_t ToDisplay(const SoftWrapped& wrapped, size_t text_pos) {
  size_t pos = text_pos;
  for (size_t k = 0; k < wrapped.breaks.size(); ++k) {
    if (wrapped.breaks[k] - k <= text_pos) ++pos;  // this break sits at or before text_pos in the text
  }
  return pos;
}

namespace {

// Start of the code point that ends at `pos` (UTF-8 continuation bytes are 10xxxxxx).
size_t PreviousCodePoint(std::string_view s, size_t pos) {
  if (pos == 0) return 0;
  --pos;
  while (pos > 0 && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) --pos;
  return pos;
}

}  // namespace

BoxEdit ApplyBoxEdit(const SoftWrapped& before, size_t before_cursor, std::string_view after, size_t after_cursor,
                     size_t after_select_start, size_t after_select_end) {
  const std::string& b = before.display;
  // Backspace or Delete that removed one soft break alone.
  for (size_t s : {before_cursor - 1, before_cursor}) {
    if (before_cursor == 0 && s == before_cursor - 1) continue;
    auto it = std::lower_bound(before.breaks.begin(), before.breaks.end(), s);
    if (it == before.breaks.end() || *it != s || after.size() + 1 != b.size()) continue;
    if (after.substr(0, s) != std::string_view(b).substr(0, s) || after.substr(s) != std::string_view(b).substr(s + 1)) {
      continue;
    }
    BoxEdit e;
    e.text = Unwrap(before);
    const size_t at = s - static_cast<size_t>(it - before.breaks.begin());  // the break's place in the text
    size_t from = at, to = at;
    if (s + 1 == before_cursor) {
      from = PreviousCodePoint(e.text, at);  // Backspace: the character before the break
    } else if (at < e.text.size()) {
      NextCodePoint(e.text, &to);  // Delete: the character after it
    }
    e.text.erase(from, to - from);
    e.cursor = e.select_start = e.select_end = from;
    return e;
  }

  // Everything else: the span between the common head and tail changed.
  const size_t nb = b.size(), na = after.size();
  size_t head = 0;
  while (head < nb && head < na && b[head] == after[head]) ++head;
  size_t tail = 0;
  while (tail < nb - head && tail < na - head && b[nb - 1 - tail] == after[na - 1 - tail]) ++tail;
  std::vector<size_t> soft;  // soft breaks that survived, in `after` positions, ascending
  for (size_t s : before.breaks) {
    if (s < head) {
      soft.push_back(s);
    } else if (s >= nb - tail) {
      soft.push_back(s - nb + na);
    }
  }
  BoxEdit e;
  e.text.reserve(na);
  size_t prev = 0;
  for (size_t s : soft) {
    e.text.append(after.substr(prev, s - prev));
    prev = s + 1;
  }
  e.text.append(after.substr(std::min(prev, na)));
  auto to_text = [&soft](size_t pos) {
    return pos - static_cast<size_t>(std::lower_bound(soft.begin(), soft.end(), pos) - soft.begin());
  };
  e.cursor = to_text(after_cursor);
  e.select_start = to_text(after_select_start);
  e.select_end = to_text(after_select_end);
  return e;
}

}  // namespace ccfield::ui
