#include "cli/args.h"

#include <stdexcept>

namespace ccfield::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
  Args out;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (options_done || a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a == "--") {
        options_done = true;
        continue;
      }
      if (!options_done && a.size() > 1 && a[0] == '-' && a != "-") {
        return Status::Invalid("unknown option " + a + " (see --help)");
      }
      out.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (!spec) return Status::Invalid("unknown option --" + name + " (see --help)");
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= argv.size()) return Status::Invalid("option --" + name + " needs a value");
      value = argv[++i];
    } else if (!spec->takes_value && inline_value) {
      return Status::Invalid("option --" + name + " takes no value");
    }
    auto& slot = out.values_[name];
    if (!slot.empty() && !spec->repeatable) return Status::Invalid("option --" + name + " given twice");
    slot.push_back(value);
  }
  return out;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& Args::All(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

Result<double> ParseNumber(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    return Status::Invalid(what + ": \"" + text + "\" is not a number");
  }
}

}  // namespace ccfield::cli
