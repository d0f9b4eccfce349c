#pragma once
// What the fuzz targets check beyond "no crash". A failed check prints what
// broke and aborts, so both drivers (ours and libFuzzer) count it as a crash
// and keep the input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/status.h"

#define FUZZ_CHECK(cond, what)                                                                    \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "fuzz check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond,    \
                   std::string(what).c_str());                                                    \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)

namespace ccfield::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// How deep arrays and objects nest in `j` (a scalar is 0), without recursion:
// the very thing the limit protects against must not crash the check.
inline int JsonDepth(const nlohmann::json& j) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&j, 0}};
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const nlohmann::json& child : *node) todo.push_back({&child, depth + 1});
  }
  return deepest;
}

// An error must say something a person can act on.
inline void CheckError(const Status& s) {
  FUZZ_CHECK(!s.ok(), "an error result holds an ok status");
  FUZZ_CHECK(!s.message().empty(), "error without a message");
}

}  // namespace ccfield::fuzz
