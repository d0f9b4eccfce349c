#pragma once
// What the admin command files share (admin.cpp: dispatch, records and
// imports; admin_people.cpp: users, members, devices, sign-ins). Not part of
// the admin API (admin.h).

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin.h"
#include "ccfield/core/records.h"

namespace ccfield::server::admin_detail {

// One admin command: its synopsis (after "admin") and what it does.
struct CommandHelp {
  const char* name;
  std::string synopsis;
  std::string details;
};

// Arguments of one command: positionals and --options.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--x" -> value ("" for flags)
  std::string error;
};
Args ParseArgs(const std::vector<std::string>& args, size_t from, const std::set<std::string>& with_value,
               const std::set<std::string>& flags);
std::string Opt(const Args& a, const std::string& key);

// Writes one field of an admin-made record as a server change.
Status WriteField(ServerStorage* s, Env* env, RecordType type, const std::string& id, const std::string& ws,
                  const std::string& field, const nlohmann::json& value, bool created);
std::string FormatMs(int64_t ms);

// One RunAdmin call, for the command files.
struct AdminCall {
  const std::vector<std::string>& args;
  ServerStorage* s;
  Env* env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const AdminOptions& options;
  std::function<int(const std::string&)> usage;  // prints msg + synopsis, returns kExitUsage
  std::function<int(const Status&)> fail;        // prints the error, returns kExitFailed
};

// The people commands (admin_people.cpp).
const std::vector<CommandHelp>& PeopleCommands();
// Runs args[0] when it is a people command; nullopt when it is not one.
std::optional<int> RunPeopleCommand(const AdminCall& call);

}  // namespace ccfield::server::admin_detail
