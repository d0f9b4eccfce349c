#pragma once
// A closed set of codes and their names, written once as a table: the name
// functions and the parsers read the same table, so a code and its name
// cannot drift apart.
#include <cstddef>
#include <optional>
#include <string_view>

namespace ccfield {

template <typename E>
struct Named {
  E value;
  const char* name;
};

// The name of `value` in `table`; `unknown` when the table does not list it.
template <typename E, size_t N>
constexpr const char* NameIn(const Named<E> (&table)[N], E value, const char* unknown) {
  for (const Named<E>& n : table) {
    if (n.value == value) return n.name;
  }
  return unknown;
}

// The code named `name` in `table`; nullopt when no entry has that name.
template <typename E, size_t N>
constexpr std::optional<E> ValueIn(const Named<E> (&table)[N], std::string_view name) {
  for (const Named<E>& n : table) {
    if (name == n.name) return n.value;
  }
  return std::nullopt;
}

}  // namespace ccfield
