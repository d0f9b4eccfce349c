#include "ccfield/core/sdg.h"

#include <cstdio>
#include <cstdlib>

#include "ccfield/core/embedded.h"

namespace ccfield {
namespace {

Labels ToLabels(const nlohmann::json& j) {
  Labels out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

struct Catalogue {
  std::vector<SdgGoal> goals;
  std::vector<SdgTarget> targets;
};

const Catalogue& Get() {
  static const Catalogue* c = [] {
    auto* out = new Catalogue;
    nlohmann::json j = nlohmann::json::parse(FindEmbedded(kEmbeddedData, "sdg.json"), nullptr, false);
    if (!j.is_object()) {
      std::fprintf(stderr, "ccfield: the built-in SDG catalogue is unreadable\n");
      std::abort();  // a build defect, caught by tests
    }
    for (const auto& g : j.value("goals", nlohmann::json::array())) {
      out->goals.push_back({g.value("goal", 0), ToLabels(g.value("title", nlohmann::json()))});
    }
    for (const auto& t : j.value("targets", nlohmann::json::array())) {
      out->targets.push_back({t.value("code", ""), t.value("goal", 0), ToLabels(t.value("title", nlohmann::json()))});
    }
    return out;
  }();
  return *c;
}

}  // namespace

const std::vector<SdgGoal>& SdgGoals() { return Get().goals; }
const std::vector<SdgTarget>& SdgTargets() { return Get().targets; }

const SdgTarget* FindSdgTarget(std::string_view code) {
  for (const SdgTarget& t : Get().targets) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

}  // namespace ccfield
