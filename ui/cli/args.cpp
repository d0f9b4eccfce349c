#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <stdexcept>

namespace ccfield::cli {

// CLI11's messages ("--site: 1 required TEXT missing") in the words of docs/cli.md.
std::string DescribeParseError(const CLI::ParseError& e) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    // "The following argument was not expected: --bogus" (or "arguments were": the first counts).
    std::string first = what.substr(what.find(':') + 2);
    first = first.substr(0, first.find(' '));
    if (!first.empty() && first[0] == '-') return "unknown option " + first + " (see --help)";
    return "unexpected argument \"" + first + "\" (see --help)";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    const std::string name = what.substr(0, what.find(':'));
    if (what.ends_with("missing")) return "option " + name + " needs a value";
    return "option " + name + " given twice";
  }
  return what;
}

Status ParseWithCli11(CLI::App& app, const std::vector<std::string>& argv) {
  std::vector<std::string> reversed(argv.rbegin(), argv.rend());  // CLI11 parses from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return Status::Invalid(DescribeParseError(e));
  }
  return Status::Ok();
}

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
  CLI::App app;
  app.set_help_flag();  // --help is an ordinary flag here: each command prints its own text
  Args out;
  std::map<std::string, bool> flags;
  for (const OptionSpec& s : specs) {
    const std::string flag = "--" + s.name;
    if (s.takes_value) {
      // Every value is kept, in order; one value per occurrence ("--clear kind --clear ward").
      app.add_option(flag, out.values_[s.name])
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    } else {
      app.add_flag(flag, flags[s.name]);
    }
  }
  // Words that are not options, wherever they stand; "--" ends options.
  app.add_option("words", out.positional_);
  CCF_RETURN_IF_ERROR(ParseWithCli11(app, argv));
  for (const OptionSpec& s : specs) {
    auto& slot = out.values_[s.name];
    if (!s.takes_value && flags[s.name]) slot.push_back("");
    if (slot.size() > 1 && !s.repeatable) return Status::Invalid("option --" + s.name + " given twice");
  }
  std::erase_if(out.values_, [](const auto& kv) { return kv.second.empty(); });
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

Result<int> ParseLimit(const Args& args, const std::string& name, int fallback, int max) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return fallback;
  int n = 0;
  try {
    n = std::stoi(*text);
  } catch (const std::exception&) {
    return Status::Invalid("--" + name + " takes a whole number");
  }
  if (n < 1 || n > max) return Status::Invalid("--" + name + " must be 1.." + std::to_string(max));
  return n;
}

}  // namespace ccfield::cli
