#include "ccfield/core/site_kinds.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "ccfield/core/embedded.h"

namespace ccfield {

const std::vector<SiteKind>& SiteKinds() {
  static const std::vector<SiteKind>* kinds = [] {
    auto* out = new std::vector<SiteKind>;
    nlohmann::json j = nlohmann::json::parse(FindEmbedded(kEmbeddedData, "site_kinds.json"), nullptr, false);
    if (j.is_object()) {
      for (const auto& k : j.value("kinds", nlohmann::json::array())) {
        SiteKind kind;
        kind.code = k.value("code", "");
        auto labels = k.find("label");
        if (labels != k.end() && labels->is_object()) {
          for (auto it = labels->begin(); it != labels->end(); ++it) {
            if (it->is_string()) kind.label[it.key()] = it->get<std::string>();
          }
        }
        if (!kind.code.empty()) out->push_back(std::move(kind));
      }
    }
    if (out->empty()) {
      std::fprintf(stderr, "ccfield: the built-in site-kind catalogue is unreadable\n");
      std::abort();  // a build defect, caught by tests
    }
    return out;
  }();
  return *kinds;
}

const SiteKind* FindSiteKind(std::string_view code) {
  for (const SiteKind& k : SiteKinds()) {
    if (k.code == code) return &k;
  }
  return nullptr;
}

bool IsSiteKind(std::string_view code) { return FindSiteKind(code) != nullptr; }

std::string SiteKindLabel(std::string_view code, std::string_view lang) {
  const SiteKind* k = FindSiteKind(code);
  if (!k) return std::string(code);
  return PickLabel(k->label, lang);
}

}  // namespace ccfield
