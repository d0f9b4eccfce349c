// Issue 10, "Done means" (fuzzing): two decoder bugs the fuzz targets found
// (docs/fuzzing.md). A number too large for a double (1e400) made nlohmann
// throw out_of_range, which ParseUntrustedJson did not catch, so it escaped
// every decoder; and "limit"/"protocol" were narrowed to int before being
// checked (2^31 became a negative pull limit, 2^32 + 1 was taken for
// protocol 1). Attacks over real HTTP.
#include <doctest/doctest.h>
#include <httplib.h>

#include <string>

#include "ccfield/core/json_text.h"
#include "support/security_fixture.h"
#include "support/server_process.h"

namespace ccfield::security_test {
namespace {

constexpr const char* kDevice = "3f1e7d6a-4b2c-4d8e-9f00-112233445567";

// Signs alice in on kDevice (no device name); the token.
std::string Login(httplib::Client& c) { return LoginToken(c, "alice", kDevice, ""); }

TEST_CASE("attack: 1e400 in a login or sync body gets 400 naming the number and the server lives") {
  Result<json> parsed = ParseUntrustedJson("[1e400]", "body");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().starts_with("body is not valid JSON: "));

  ServerProcess server(kServerPath);
  httplib::Client c("127.0.0.1", server.port);
  httplib::Result bad_login = c.Post("/v1/login", R"({"username": 1e400})", "application/json");
  REQUIRE(bad_login);
  CHECK(bad_login->status == 400);
  CHECK(bad_login->body.find("1e400") != std::string::npos);
  const std::string token = Login(c);
  const std::string body = std::string(R"({"protocol": 1, "device_id": ")") + kDevice +
                           R"(", "cursor": 0, "changes": [{"seq": 1, "type": "site", "id": "x", "field": "lat", "value": -1e400}]})";
  httplib::Result r = PostSync(c, token, body);
  REQUIRE(r);
  CHECK(r->status == 400);
  CheckServerAlive(c);
}

TEST_CASE("attack: a limit of 2^31 or a protocol of 2^32 + 1 is not narrowed into another value") {
  ServerProcess server(kServerPath);
  httplib::Client c("127.0.0.1", server.port);
  const std::string token = Login(c);
  const auto sync = [&](const std::string& extra) {
    const std::string body = std::string(R"({"device_id": ")") + kDevice + R"(", "cursor": 0, "changes": [])" + extra + "}";
    return PostSync(c, token, body);
  };
  httplib::Result wide = sync(R"(, "protocol": 1, "limit": 2147483648)");
  REQUIRE(wide);
  CHECK(wide->status == 200);  // clamped to the largest pull, not a negative one
  httplib::Result wrapped = sync(R"(, "protocol": 4294967297)");
  REQUIRE(wrapped);
  CHECK(wrapped->status == 400);
  CHECK(wrapped->body.find("protocol version 4294967297 is not supported") != std::string::npos);
}

}  // namespace
}  // namespace ccfield::security_test
