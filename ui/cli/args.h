#pragma once
// One command's words, parsed by CLI11 (args.cpp): positional words plus
// --name value / --name=value / --flag options, with repeated options kept in
// order. Unknown options, a missing value and a non-repeatable option given
// twice are errors with a plain message; "--" ends options.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/status.h"

namespace CLI {
class App;
class ParseError;
}

namespace ccfield::cli {

// A CLI11 parse error in plain words: "unknown option --bogus (see --help)",
// "option --limit needs a value", "option --site given twice".
std::string DescribeParseError(const CLI::ParseError& e);
// Runs `app` over `argv`; a parse error becomes kInvalidArgument with the
// message of DescribeParseError.
Status ParseWithCli11(CLI::App& app, const std::vector<std::string>& argv);

struct OptionSpec {
  std::string name;   // without dashes: "site"
  bool takes_value;   // --site ID vs --deleted
  bool repeatable = false;
};

// A whole decimal number ("-6.7959"); `what` names it in the error.
Result<double> ParseNumber(const std::string& text, const std::string& what);

class Args;
// The whole number of option --`name` (`fallback` when it is not given),
// from 1 to `max`: "--limit takes a whole number", "--limit must be 1..10000".
Result<int> ParseLimit(const Args& args, const std::string& name, int fallback, int max);

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
