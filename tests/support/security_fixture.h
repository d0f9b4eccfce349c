#pragma once
// What the attack tests of tests/security share: the names they use, the
// ccfield-server binary they start, and the raw protocol calls they make
// over real HTTP (a login, a sync, the changes that create a site, the
// "server still answers" check). Only for use inside doctest test cases
// (the helpers REQUIRE and CHECK).
//
// The tests live in namespace ccfield::security_test (each in an anonymous
// namespace of its own inside it), so that these names need no using lines.
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {

using nlohmann::json;
using testing::ServerProcess;
using testing::TempDir;
using testing::Unwrap;
using testing::kServerPath;

// POST /v1/login of `user` with `password` for `device_id`; the body names
// the device `device_name` unless it is empty, and carries `device_secret`
// unless that is empty. The raw answer.
httplib::Result PostLogin(httplib::Client& c, const std::string& user, const std::string& password,
                          const std::string& device_id, const std::string& device_name,
                          const std::string& device_secret = "");
// PostLogin with the user's test password; REQUIREs an answer of 200 and
// returns its token.
std::string LoginToken(httplib::Client& c, const std::string& user, const std::string& device_id,
                       const std::string& device_name);

// POST /v1/sync of `body` with `token` as the bearer. The raw answer.
httplib::Result PostSync(httplib::Client& c, const std::string& token, const std::string& body);

// Appends the two changes that create site `id` in workspace `ws` (its
// workspace_id, marked created, then its name), base 0, numbered from *seq
// on (*seq ends two higher).
void AddNewSiteChanges(json* changes, int64_t* seq, const std::string& ws, const std::string& id,
                       const std::string& name, const std::string& author, const std::string& time);

// The server still answers: GET /v1/status is answered 200.
void CheckServerAlive(httplib::Client& c);

}  // namespace ccfield::security_test
