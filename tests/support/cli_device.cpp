#include "support/cli_device.h"

#include <doctest/doctest.h>

#include <sstream>

#include "cli/cli.h"

namespace ccfield::testing {

nlohmann::json CliOut::Json() const {
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  INFO("stdout: ", out, " stderr: ", err);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

CliOut RunCli(const std::vector<std::string>& args, Env* env) {
  std::ostringstream out, err;
  const int code = cli::Run(args, env, out, err);
  return {code, out.str(), err.str()};
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

CliOut CliDevice::Run(std::vector<std::string> args) {
  args.insert(args.begin(), {"--data", dir.path()});
  return RunCli(args, DefaultEnv());
}

nlohmann::json CliDevice::Ok(std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  Out r = Run(args);
  INFO("ccfield ", args[1], ": ", r.err, r.out);
  REQUIRE(r.code == 0);
  return r.Json();
}

std::vector<std::string> CliDevice::SiteIds() {
  std::vector<std::string> ids;
  const nlohmann::json list = Ok({"list", "sites", "--limit", "1000"});
  for (const nlohmann::json& s : list["items"]) ids.push_back(s["id"]);
  return ids;
}

bool CliDevice::HasSite(const std::string& id) {
  for (const std::string& s : SiteIds()) {
    if (s == id) return true;
  }
  return false;
}

}  // namespace ccfield::testing
