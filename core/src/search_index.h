#pragma once
// The FTS5 query the search runs, on its own so that the store bench can show
// the exact expression StoreSearch::Find uses (bench/store_bench.cpp links it
// through core/src; nothing outside core and its bench includes this).
#include <string>
#include <string_view>

namespace ccfield::internal {

// The FTS5 MATCH expression for what a person typed: every word (letters and
// digits, any script) quoted, joined by AND, the last one a prefix; at most 16
// words. "" when `text` has no word (the search then returns nothing).
std::string BuildMatchQuery(std::string_view text);

}  // namespace ccfield::internal
