// Issue 10, finding 1: deeply nested JSON crashed ccfield-server (SIGSEGV in
// nlohmann's recursive copy) for anyone with a valid token, and a hostile
// server did the same to the client. Every untrusted JSON text now goes
// through ParseUntrustedJson (core/json_text.h), which refuses nesting
// deeper than kMaxJsonDepth before parsing. Attacks over real HTTP.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "ccfield/core/forms.h"
#include "ccfield/core/import.h"
#include "ccfield/core/json_text.h"
#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

// `depth` nested arrays: "[[[...]]]".
std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_CASE("json limits: deep nesting is refused before parsing, brackets in strings do not count") {
  CHECK_FALSE(FindJsonTooDeep(Nested(64)));
  CHECK(FindJsonTooDeep(Nested(65)) == 64u);
  CHECK_FALSE(FindJsonTooDeep("\"" + std::string(1000, '[') + "\""));
  CHECK_FALSE(FindJsonTooDeep(R"(["\"[[[[", {"a": "]]]"}])", 2));
  Result<json> deep = ParseUntrustedJson(Nested(100000), "body");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().code() == Code::kInvalidArgument);
  CHECK(deep.status().message().find("more than 64 levels deep") != std::string::npos);
  Result<json> bad = ParseUntrustedJson("{\"a\": [1, 2", "body");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().starts_with("body is not valid JSON: "));
  CHECK_FALSE(ParseUntrustedJson("\"\xff\"", "body").ok());
  CHECK(Unwrap(ParseUntrustedJson(R"({"a": [1, {"b": null}]})", "body"))["a"][1].contains("b"));
}

TEST_CASE("json limits: import files and form definitions refuse deep nesting with a clear error") {
  testing::StoreFixture fx;
  Result<ImportSummary> imported =
      ImportRecordsText(fx.store(), &fx.env, "{\"practice\": " + Nested(200000) + "}", {});
  REQUIRE_FALSE(imported.ok());
  CHECK(imported.status().message().find("levels deep") != std::string::npos);
  Result<FormDef> form = ParseFormText("{\"id\": \"x\", \"fields\": " + Nested(200000) + "}");
  REQUIRE_FALSE(form.ok());
  CHECK(form.status().message().find("levels deep") != std::string::npos);
}

TEST_CASE("attack: a sync whose change value is nested 100,000 deep gets 400 and the server lives") {
  ServerProcess server(kServerPath);
  httplib::Client c("127.0.0.1", server.port);
  c.set_read_timeout(30, 0);
  const std::string device = "3f1e7d6a-4b2c-4d8e-9f00-112233445566";
  const std::string token = LoginToken(c, "alice", device, "attacker");
  // About 200 KB: under the body limit, so it reaches the parser.
  const std::string body = "{\"protocol\": 1, \"device_id\": \"" + device +
                           "\", \"cursor\": 0, \"device_time\": \"2026-12-06T09:00:00Z\", \"changes\": [{\"seq\": 1, "
                           "\"type\": \"site\", \"id\": \"0e0e0e0e-1111-4222-8333-444455556666\", \"field\": \"name\", "
                           "\"value\": " + Nested(100000) + "}]}";
  httplib::Result r = PostSync(c, token, body);
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("levels deep") != std::string::npos);
  // The same through the login door.
  httplib::Result deep_login = c.Post("/v1/login", "{\"username\": " + Nested(100000) + "}", "application/json");
  REQUIRE(deep_login);
  CHECK(deep_login->status == 400);
  CheckServerAlive(c);
}

TEST_CASE("attack: a hostile server answering with deep nesting gets a clear error, not a crash") {
  httplib::Server hostile;
  const std::string deep = "{\"protocol\": 1, \"cursor\": 5, \"changes\": " + Nested(100000) + "}";
  hostile.Post("/v1/login", [](const httplib::Request&, httplib::Response& res) {
    json ok = {{"token", "t0k3n"}, {"user_id", "u1"}, {"expires_at", "2027-01-01T00:00:00Z"},
               {"workspaces", json::array()}, {"server_time", "2026-12-06T09:00:00Z"}};
    res.set_content(ok.dump(), "application/json");
  });
  hostile.Post("/v1/sync", [&deep](const httplib::Request&, httplib::Response& res) {
    res.set_content(deep, "application/json");
  });
  const int port = hostile.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread t([&] { hostile.listen_after_bind(); });
  while (!hostile.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));

  TempDir dir;
  auto client = Unwrap(sync::SyncClient::Open(DefaultEnv(), dir.File("ccfield.db")));
  Result<sync::LoginResult> login =
      client->Login("http://127.0.0.1:" + std::to_string(port), "alice", "secret-password", "tablet");
  REQUIRE_MESSAGE(login.ok(), login.status().ToString());
  Result<sync::SyncReport> synced = client->SyncNow();
  REQUIRE_FALSE(synced.ok());
  CHECK(synced.status().message().find("levels deep") != std::string::npos);
  hostile.stop();
  t.join();
}

}  // namespace
}  // namespace ccfield::security_test
