#pragma once
// A small argument parser: positional words plus --name value / --flag
// options, with repeated options kept in order. Unknown options are errors.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield::cli {

struct OptionSpec {
  std::string name;   // without dashes: "site"
  bool takes_value;   // --site ID vs --deleted
  bool repeatable = false;
};

// A whole decimal number ("-6.7959"); `what` names it in the error.
Result<double> ParseNumber(const std::string& text, const std::string& what);

class Args {
 public:
  // Parses `argv` against the options; "--" ends options.
  static Result<Args> Parse(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  const std::vector<std::string>& All(const std::string& name) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace ccfield::cli
