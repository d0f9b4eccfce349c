// The server's request handler (server/src/api_handler.h) driven in-process,
// without httplib or a socket: the limits, decoding and auth answer with the
// codes of docs/sync-protocol.md, and the answers decode with the protocol's
// codecs. The same handler serves HTTP (tests/server/http_server_test.cpp).
#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "admin.h"
#include "api_handler.h"
#include "auth.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/gzip.h"
#include "ccfield/sync/protocol.h"
#include "sqlite_storage.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "sync/in_process_transport.h"

namespace ccfield::testing {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery";

// A server storage with one workspace and its member "amina", behind an
// InProcessServer (the real ApiHandler).
struct HandlerFixture {
  HandlerFixture() : env(dir.path()) {
    REQUIRE(server::InitCrypto());
    storage = Unwrap(server::SqliteStorage::Open(server::SqliteStorage::PathIn(dir.path())));
    ws = Unwrap(server::CreateWorkspace(storage.get(), &env, "Kilosa", "TZ", "sw"));
    REQUIRE_OK(server::CreateUser(storage.get(), &env, "amina", kPassword, false,
                                  server::PasswordCost::kMinimumForTests));
    REQUIRE_OK(server::AddMember(storage.get(), &env, ws, "amina", "field_staff"));
    srv = std::make_unique<InProcessServer>(storage.get(), &env);
  }

  sync::LoginRequest LoginBody(const std::string& password = kPassword) const {
    return {"amina", password, device_id, "Amina's tablet", ""};
  }

  // Signs amina in on device_id; returns the token.
  std::string Login() {
    sync::HttpResult r = srv->Handle("POST", "/v1/login", sync::ToJson(LoginBody()).dump(), "");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return Unwrap(sync::ParseLoginResponse(json::parse(r.body))).token;
  }

  std::string SyncBody(int changes = 0, int protocol = sync::kProtocolVersion) const {
    sync::SyncRequest req;
    req.protocol = protocol;
    req.device_id = device_id;
    for (int i = 1; i <= changes; ++i) {
      FieldChange c;
      c.device_seq = i;
      c.type = ChangeType::kSite;
      c.record_id = "0b6a5d7e-0000-4000-8000-" + std::to_string(100000000000 + i);
      c.workspace_id = ws;
      c.field = "name";
      c.value = "x";
      req.changes.push_back(std::move(c));
    }
    return sync::ToJson(req).dump();
  }

  // A POST as a device sends it, plus `extra` header fields.
  server::ApiRequest Post(const std::string& path, std::string body, const std::string& token,
                          server::HeaderList extra = {}) const {
    server::ApiRequest req;
    req.method = "POST";
    req.path = path;
    req.peer = "127.0.0.1";
    req.body = std::move(body);
    req.headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    for (auto& h : extra) req.headers.push_back(std::move(h));
    return req;
  }

  TempDir dir;
  FakeEnv env;
  std::unique_ptr<server::SqliteStorage> storage;
  std::string ws;
  std::string device_id = "5f0c6a43-8d1e-4c2b-9a7e-2d3b4c5d6e7f";
  std::unique_ptr<InProcessServer> srv;
};

// The error code of a JSON error body ("" when the body is not one).
std::string CodeOf(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")) return "<not an error body: " + body + ">";
  return j["error"].value("code", "");
}

TEST_CASE("api handler: bodies over the size limit get 413 too_large, plain or after gunzip") {
  HandlerFixture f;
  const std::string token = f.Login();
  json big = json::parse(f.SyncBody());
  SUBCASE("plain") {
    big["padding"] = std::string(sync::kMaxRequestBytes + 10, ' ');
    server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", big.dump(), token));
    CHECK(r.status == 413);
    CHECK(CodeOf(r.body) == "too_large");
  }
  SUBCASE("gzip that inflates past the limit") {
    big["padding"] = std::string(2 * sync::kMaxRequestBytes, ' ');
    std::string gz = Unwrap(sync::Gzip(big.dump()));
    REQUIRE(gz.size() < sync::kMaxRequestBytes / 100);
    server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", gz, token, {{"Content-Encoding", "gzip"}}));
    CHECK(r.status == 413);
    CHECK(CodeOf(r.body) == "too_large");
  }
  SUBCASE("a transport that stopped reading past the limit") {
    server::ApiRequest req = f.Post("/v1/sync", "", token);
    req.body_over_limit = true;
    server::ApiResponse r = f.srv->Handle(req);
    CHECK(r.status == 413);
    CHECK(CodeOf(r.body) == "too_large");
  }
  SUBCASE("more changes than one request may carry") {
    // Protocol 1, whose `changes` the server counts before parsing. Counting
    // protocol 3's `entries` the same way is the server's step of issue 14.
    const std::string body = f.SyncBody(static_cast<int>(sync::kMaxChangesPerRequest) + 1, sync::kProtocolV1);
    REQUIRE(body.size() < sync::kMaxRequestBytes);
    const sync::ServerVersion before = Unwrap(f.storage->CurrentVersion());
    server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", body, token));
    CHECK(r.status == 413);
    CHECK(CodeOf(r.body) == "too_large");
    CHECK(Unwrap(f.storage->CurrentVersion()) == before);
  }
}

TEST_CASE("api handler: Content-Encoding and Content-Type other than gzip and JSON get 415, broken gzip 400") {
  HandlerFixture f;
  const std::string token = f.Login();
  for (const char* encoding : {"compress", "br", "deflate"}) {
    CAPTURE(encoding);
    server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), token, {{"Content-Encoding", encoding}}));
    CHECK(r.status == 415);
    CHECK(CodeOf(r.body) == "unsupported");
  }
  server::ApiRequest text = f.Post("/v1/sync", "hello", token);
  text.headers[0].second = "text/plain";
  server::ApiResponse r = f.srv->Handle(text);
  CHECK(r.status == 415);
  CHECK(CodeOf(r.body) == "unsupported");

  r = f.srv->Handle(f.Post("/v1/sync", std::string("\x1f\x8b\x08\x00garbage", 12), token,
                           {{"Content-Encoding", "gzip"}}));
  CHECK(r.status == 400);
  CHECK(CodeOf(r.body) == "invalid");

  // A good gzip body in any spelling of the header is decoded and synced.
  r = f.srv->Handle(f.Post("/v1/sync", Unwrap(sync::Gzip(f.SyncBody())), token, {{"content-encoding", "GZip"}}));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK_OK(sync::ParseSyncResponse(json::parse(r.body)));
}

TEST_CASE("api handler: a missing or unknown token gets 401, a token of another device 403") {
  HandlerFixture f;
  server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), ""));
  CHECK(r.status == 401);
  CHECK(CodeOf(r.body) == "unauthenticated");
  r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), "not-a-token"));
  CHECK(r.status == 401);
  CHECK(CodeOf(r.body) == "unauthenticated");
  r = f.srv->Handle(f.Post("/v1/logout", "{}", ""));
  CHECK(r.status == 401);

  const std::string token = f.Login();
  f.device_id = "11111111-2222-4333-8444-555555555555";
  r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), token));
  CHECK(r.status == 403);
  CHECK(CodeOf(r.body) == "device_mismatch");
}

TEST_CASE("api handler: too many header fields get 431, unknown endpoints a JSON 404") {
  HandlerFixture f;
  server::HeaderList many;
  for (int i = 0; i < 70; ++i) many.emplace_back("X-Filler-" + std::to_string(i), "x");
  server::ApiResponse r = f.srv->Handle(f.Post("/v1/login", sync::ToJson(f.LoginBody()).dump(), "", many));
  CHECK(r.status == 431);
  CHECK(CodeOf(r.body) == "too_large");

  r = f.srv->Handle(f.Post("/v1/nothing", "{}", ""));
  CHECK(r.status == 404);
  CHECK(CodeOf(r.body) == "not_found");
  sync::HttpResult get = f.srv->Handle("GET", "/v1/sync", "", "");
  CHECK(get.status == 404);
  CHECK(CodeOf(get.body) == "not_found");
  get = f.srv->Handle("GET", "/v1/status", "", "");
  REQUIRE(get.status == 200);
  CHECK(json::parse(get.body)["protocol"] == sync::kProtocolVersion);
}

TEST_CASE("api handler: login and logout speak the protocol codecs, wrong passwords get 429 with Retry-After") {
  HandlerFixture f;
  sync::HttpResult r = f.srv->Handle("POST", "/v1/login", "{\"username\": 5}", "");
  CHECK(r.status == 400);
  CHECK(CodeOf(r.body) == "invalid");

  r = f.srv->Handle("POST", "/v1/login", sync::ToJson(f.LoginBody()).dump(), "");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  sync::LoginResponse login = Unwrap(sync::ParseLoginResponse(json::parse(r.body)));
  CHECK_FALSE(login.token.empty());
  CHECK_FALSE(login.device_secret.empty());  // the first login of this device
  REQUIRE(login.workspaces_known);
  REQUIRE(login.workspaces.size() == 1);
  CHECK(login.workspaces[0].id == f.ws);
  CHECK(login.workspaces[0].role == "field_staff");

  r = f.srv->Handle("POST", "/v1/logout", sync::ToJson(sync::LogoutRequest{}).dump(), login.token);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(Unwrap(sync::ParseLogoutResponse(json::parse(r.body))).ok);
  r = f.srv->Handle("POST", "/v1/sync", f.SyncBody(), login.token);
  CHECK(r.status == 401);
  CHECK(CodeOf(r.body) == "revoked_token");

  // Guessing: the free failures, then a delay the answer names.
  sync::LoginRequest guess = f.LoginBody("wrong password");
  guess.device_secret = login.device_secret;
  int status = 0;
  for (int i = 0; i < 10 && status != 429; ++i) {
    r = f.srv->Handle("POST", "/v1/login", sync::ToJson(guess).dump(), "");
    status = r.status;
    if (status != 429) CHECK(status == 401);
  }
  REQUIRE(status == 429);
  CHECK(CodeOf(r.body) == "throttled");
  REQUIRE(r.retry_after_seconds.has_value());
  CHECK(*r.retry_after_seconds >= 1);
}

TEST_CASE("api handler: answers are gzipped when the request accepts gzip") {
  HandlerFixture f;
  const std::string token = f.Login();
  server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), token, {{"Accept-Encoding", "br, gzip"}}));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Content-Encoding") == "gzip");
  CHECK(r.Header("Content-Type") == "application/json");
  std::optional<std::string> plain = Unwrap(sync::Gunzip(r.body, sync::kMaxRequestBytes));
  REQUIRE(plain.has_value());
  CHECK_OK(sync::ParseSyncResponse(json::parse(*plain)));

  r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), token, {{"Accept-Encoding", "gzip;q=0, identity"}}));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Content-Encoding").empty());
  CHECK_OK(sync::ParseSyncResponse(json::parse(r.body)));
}

TEST_CASE("api handler: a sync answer says the server's own time in Server-Timing, and other answers do not") {
  HandlerFixture f;
  const std::string token = f.Login();
  server::ApiResponse r = f.srv->Handle(f.Post("/v1/sync", f.SyncBody(), token));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Server-Timing").rfind("app;dur=", 0) == 0);  // the fake clock stands still: dur=0.0
  server::ApiResponse refused = f.srv->Handle(f.Post("/v1/sync", "{", token));
  CHECK(refused.status == 400);
  CHECK(refused.Header("Server-Timing").rfind("app;dur=", 0) == 0);
  server::ApiResponse login = f.srv->Handle(f.Post("/v1/login", "{}", ""));
  CHECK(login.Header("Server-Timing").empty());  // a login's time would say whether the user exists
}

}  // namespace
}  // namespace ccfield::testing
