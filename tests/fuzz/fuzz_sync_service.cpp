// Fuzz target: a /v1/sync body all the way through the server, without the
// HTTP layer: ParseJsonText, ParseSyncRequest, then SyncService::Answer on a
// real SQLite ServerStorage in a temporary directory (one user, one
// workspace, one device, set up once), so the change checks, merges,
// conflicts, quotas, history expiry and the pull are fuzzed too.
//
// The device id of a decoded request is replaced by the signed-in device's
// (the HTTP layer refuses any other), and the workspace id "W" (in "ws" and
// in string values) by the real workspace's, so that seeds reach the merge
// code instead of stopping at "not a member".
// Checks: no crash and no exception; an error has a message; every answer
// the server gives decodes with the client's ParseSyncResponse.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "admin.h"
#include "auth.h"
#include "auth_context.h"
#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/protocol.h"
#include "fuzz_check.h"
#include "sqlite_storage.h"
#include "support/temp_dir.h"
#include "sync_service.h"

namespace {

using namespace ccfield;
using namespace ccfield::server;

template <typename T>
T Need(Result<T> r, const char* what) {
  FUZZ_CHECK(r.ok(), std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

struct World {
  ccfield::testing::TempDir dir;
  FakeEnv env{dir.path(), 7};
  std::unique_ptr<SqliteStorage> storage;
  std::unique_ptr<SyncService> service;
  std::string workspace_id;
  AuthContext who;

  World() {
    FUZZ_CHECK(InitCrypto(), "libsodium did not start");
    storage = Need(SqliteStorage::Open(SqliteStorage::PathIn(dir.path())), "open storage");
    SyncServiceOptions options;
    options.retention.min_age_ms = int64_t{24} * 3600 * 1000;  // expiry runs within a long fuzz session
    service = std::make_unique<SyncService>(storage.get(), &env, options);
    workspace_id = Need(CreateWorkspace(storage.get(), &env, "Fuzz municipality", "TZ", "sw"), "workspace");
    who.user_id = Need(CreateUser(storage.get(), &env, "fuzzer", "correct horse battery", false,
                                  PasswordCost::kMinimumForTests),
                       "user");
    (void)Need(AddMember(storage.get(), &env, workspace_id, "fuzzer", "field_staff"), "member");
    who.device_id = NewUuid(&env);
    who.memberships = Need(storage->MembershipsOf(who.user_id), "memberships");
  }
};

World& TheWorld() {
  static World world;
  return world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<nlohmann::json> j = sync::ParseJsonText(fuzz::AsText(data, size));
  if (!j.ok()) return fuzz::CheckError(j.status()), 0;
  Result<sync::SyncRequest> req = sync::ParseSyncRequest(*j);
  if (!req.ok()) return fuzz::CheckError(req.status()), 0;

  World& w = TheWorld();
  w.env.Advance(10 * 1000);  // quotas per minute refill as on a real server
  // Every other input comes from a new device, so that re-sent seeds are not
  // all acked as duplicates of the first time and reach the merge again.
  if (data[0] & 1) w.who.device_id = NewUuid(&w.env);
  req->device_id = w.who.device_id;
  for (FieldChange& c : req->changes) {
    if (c.workspace_id == "W") c.workspace_id = w.workspace_id;
    if (c.value.is_string() && c.value.get_ref<const std::string&>() == "W") c.value = w.workspace_id;
  }
  ApiResult<sync::SyncResponse> out = w.service->Answer(w.who, *req);
  if (!out.ok()) {
    FUZZ_CHECK(!out.error().message.empty(), "error without a message");
    FUZZ_CHECK(out.error().http_status < 500, "server error " + out.error().message);
    return 0;
  }
  const std::string body = sync::ToJson(out.value()).dump();
  // CCFIELD_FUZZ_VERBOSE=1: print each answer, to see what the seeds reach.
  static const bool verbose = std::getenv("CCFIELD_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "answer: %s\n", body.substr(0, 600).c_str());
  Result<nlohmann::json> back = sync::ParseJsonText(body);
  FUZZ_CHECK(back.ok(), "the answer is not JSON the client reads: " + back.status().message());
  Result<sync::SyncResponse> resp = sync::ParseSyncResponse(*back);
  FUZZ_CHECK(resp.ok(), "the client cannot decode the answer: " + resp.status().message() + " in " + body);
  return 0;
}
