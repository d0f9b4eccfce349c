#pragma once
// The 17 Sustainable Development Goals and the targets the forms and projects
// use, as data (data/sdg.json compiled in).
#include <string>
#include <vector>

#include "ccfield/core/forms.h"

namespace ccfield {

struct SdgGoal {
  int goal;
  Labels title;
};

struct SdgTarget {
  std::string code;  // "11.5"
  int goal;
  Labels title;
};

const std::vector<SdgGoal>& SdgGoals();
const std::vector<SdgTarget>& SdgTargets();
// The target or nullptr when it is not in the catalogue.
const SdgTarget* FindSdgTarget(std::string_view code);

}  // namespace ccfield
