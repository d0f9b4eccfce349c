// Issue 10, finding 2: a borrowed device id silently dropped another
// person's edits. A member who saw Alice's device id in pulled changes logged
// in with it and pushed seqs 1..3000; Alice's next changes were acked
// "duplicate" and never stored. Now the id is bound to the device by a
// secret given at its first login, and a reused seq for another record is
// refused, never acked. Over real HTTP against the real server.
#include <doctest/doctest.h>
#include <httplib.h>

#include "ccfield/sync/client.h"
#include "support/security_fixture.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::security_test {
namespace {

httplib::Result LoginRaw(httplib::Client& c, const std::string& user, const std::string& device,
                         const std::string& secret = "") {
  return PostLogin(c, user, ServerProcess::Password(user), device, "laptop", secret);
}

TEST_CASE("attack: logging in with another device's id is refused, and that device loses nothing") {
  ServerProcess server(kServerPath);
  testing::TempDir alice_dir;
  const std::string alice_db = alice_dir.File("ccfield.db");
  auto alice = Unwrap(sync::SyncClient::Open(DefaultEnv(), alice_db));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
  REQUIRE_OK(alice->SyncNow());
  auto store = testing::OpenStore(DefaultEnv(), alice_db);
  const std::string alice_device = store->device_id();
  CHECK_FALSE(Unwrap(store->replica().GetSyncSettings()).device_secret.empty());

  // Bob knows the id (it is in every change Alice sends) but not the secret.
  httplib::Client c("127.0.0.1", server.port);
  httplib::Result stolen = LoginRaw(c, "bob", alice_device);
  REQUIRE(stolen);
  CHECK(stolen->status == 403);
  CHECK(stolen->body.find("device_taken") != std::string::npos);
  httplib::Result guessed = LoginRaw(c, "bob", alice_device, "not-the-secret");
  REQUIRE(guessed);
  CHECK(guessed->status == 403);
  httplib::Result huge = LoginRaw(c, "bob", alice_device, std::string(1 << 20, 'x'));
  REQUIRE(huge);
  CHECK(huge->status == 400);

  // Alice keeps working: every change she makes is on the server.
  std::vector<std::string> sites;
  for (int i = 0; i < 30; ++i) {
    sites.push_back(NewUuid(DefaultEnv()));
    REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, sites.back(),
                                        {{"workspace_id", server.workspace_id}, {"name", "Drain " + std::to_string(i)}}}}));
  }
  REQUIRE_OK(alice->SyncNow());
  CHECK(Unwrap(store->replica().CountChangeStates()).waiting == 0);
  CHECK(Unwrap(store->replica().CountChangeStates()).rejected == 0);
  testing::TempDir bob_dir;
  auto bob = Unwrap(sync::SyncClient::Open(DefaultEnv(), bob_dir.File("ccfield.db")));
  REQUIRE_OK(bob->Login(server.url, "bob", ServerProcess::Password("bob"), "tablet B"));
  REQUIRE_OK(bob->SyncNow());
  auto bob_store = testing::OpenStore(DefaultEnv(), bob_dir.File("ccfield.db"));
  for (const std::string& id : sites) CHECK_OK(bob_store->Get(RecordType::kSite, id));

  // The same tablet signing in again (Bob on Alice's tablet) presents the secret: allowed.
  REQUIRE_OK(alice->Login(server.url, "bob", ServerProcess::Password("bob"), "tablet A"));
  REQUIRE_OK(alice->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
}

TEST_CASE("attack: a seq already used for another record is refused, not acked as a duplicate") {
  ServerProcess server(kServerPath);
  httplib::Client c("127.0.0.1", server.port);
  const std::string device = "7c7c7c7c-1111-4222-8333-444455556666";
  httplib::Result l = LoginRaw(c, "alice", device);
  REQUIRE(l);
  REQUIRE(l->status == 200);
  const std::string token = json::parse(l->body)["token"];
  auto push = [&](const std::string& site, const std::string& name) {
    json body = {{"protocol", 1}, {"device_id", device}, {"cursor", 0}, {"device_time", "2026-12-06T09:00:00Z"},
                 {"changes", json::array({{{"seq", 1}, {"type", "site"}, {"id", site},
                                           {"ws", server.workspace_id}, {"field", "name"}, {"value", name},
                                           {"created", true}, {"time", "2026-12-06T09:00:00Z"}, {"author", "alice"}}})}};
    httplib::Result r = PostSync(c, token, body.dump());
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body);
  };
  json first = push("8d8d8d8d-1111-4222-8333-444455556666", "Drain A");
  INFO("first answer: ", first.dump());
  CHECK(first["acks"].size() == 1);
  json resent = push("8d8d8d8d-1111-4222-8333-444455556666", "Drain A");
  REQUIRE(resent["acks"].size() == 1);
  json reused = push("9e9e9e9e-1111-4222-8333-444455556666", "Drain B");
  CHECK(reused["acks"].empty());
  REQUIRE(reused["rejects"].size() == 1);
  CHECK(reused["rejects"][0]["code"] == "seq_reused");
}

}  // namespace
}  // namespace ccfield::security_test
