#pragma once
// Data files compiled into the binary by cmake/embed.cmake.
#include <string_view>

namespace ccfield {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "drainage_flood.json"; empty ends the table
  std::string_view data;
};

extern const EmbeddedFile kEmbeddedForms[];  // data/forms/*.json
extern const EmbeddedFile kEmbeddedData[];   // data/sdg.json, data/demo/demo.json

// The embedded file with this name, or an empty view.
std::string_view FindEmbedded(const EmbeddedFile* table, std::string_view name);

}  // namespace ccfield
