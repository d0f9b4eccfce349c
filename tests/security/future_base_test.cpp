// Issue 10, finding 10: a change whose base is far in the future (2^62)
// overwrote a concurrent edit without a conflict. Bases above the server's
// current version are refused, over real HTTP against the real server.
#include <doctest/doctest.h>
#include <httplib.h>

#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

TEST_CASE("attack: a base version from the future is refused, and the site keeps the name the server has") {
  ServerProcess server(kServerPath);
  // Alice makes a site the normal way.
  testing::TempDir alice_dir;
  auto alice = Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_dir.File("ccfield.db")));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
  const std::string site = "5a5a5a5a-1111-4222-8333-444455556666";
  REQUIRE_OK(alice->SyncNow());  // receives the workspace
  {
    auto store = testing::OpenStore(DefaultEnv(), alice_dir.File("ccfield.db"));
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, site,
                                        {{"workspace_id", server.workspace_id}, {"name", "Drain D-14"}}}}));
  }
  REQUIRE_OK(alice->SyncNow());

  // Bob, by hand, renames it claiming a base of 2^62.
  httplib::Client c("127.0.0.1", server.port);
  const std::string device = "6b6b6b6b-1111-4222-8333-444455556666";
  const std::string token = LoginToken(c, "bob", device, "bob's laptop");
  json body = {{"protocol", 1},
               {"device_id", device},
               {"cursor", 0},
               {"device_time", "2026-12-06T09:00:00Z"},
               {"changes", json::array({{{"seq", 1},
                                         {"type", "site"},
                                         {"id", site},
                                         {"ws", server.workspace_id},
                                         {"field", "name"},
                                         {"value", "Bob's name"},
                                         {"base", int64_t{1} << 62},
                                         {"time", "2026-12-06T09:00:00Z"},
                                         {"author", "bob"}}})}};
  httplib::Result r = PostSync(c, token, body.dump());
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  json resp = json::parse(r->body);
  REQUIRE(resp["rejects"].size() == 1);
  CHECK(resp["rejects"][0]["reason"].get<std::string>().find("newer than anything the server has") !=
        std::string::npos);
  CHECK(resp["acks"].empty());

  // Alice's name is still the one the server has.
  testing::TempDir carol_dir;
  auto other = Unwrap(sync::SyncClient::Open(DefaultEnv(), carol_dir.File("ccfield.db")));
  REQUIRE_OK(other->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet C"));
  REQUIRE_OK(other->SyncNow());
  auto store = testing::OpenStore(DefaultEnv(), carol_dir.File("ccfield.db"));
  CHECK(Unwrap(store->Get(RecordType::kSite, site)).Get("name") == "Drain D-14");
}

}  // namespace
}  // namespace ccfield::security_test
