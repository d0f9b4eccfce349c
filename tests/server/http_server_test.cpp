// The real HTTP server on 127.0.0.1 (in this process, on a free port):
// endpoints, status codes and error bodies, gzip and zstd both ways, hostile input.
// After every bad request the server must still answer /v1/status.
#include "http_server.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/gzip.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

constexpr int64_t kDay = int64_t{24} * 3600 * 1000;

struct HttpFixture {
  ServerFixture f;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  int port = 0;
  std::string ws;

  HttpFixture() {
    HttpServerOptions o;
    o.port = 0;
    o.auth.password_cost = PasswordCost::kMinimumForTests;
    server = std::make_unique<HttpServer>(f.storage.get(), &f.env, o);
    port = Unwrap(server->Bind());
    thread = std::thread([this] { CHECK(server->Run().ok()); });
    for (int i = 0; i < 500 && !server->IsRunning(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(server->IsRunning());
    ws = f.AddWorkspace();
  }
  ~HttpFixture() {
    server->Stop();
    thread.join();
  }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    return c;
  }
  httplib::Result Post(const std::string& path, const std::string& body, const std::string& token = "",
                       httplib::Headers headers = {}, bool compress = false) {
    auto c = Client();
    c->set_compress(compress);
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return c->Post(path.c_str(), headers, body, "application/json");
  }
  struct Login {
    std::string token, device_id, user_id;
  };
  Login LoginAs(const std::string& user, const std::string& device_id = "") {
    Login l;
    l.device_id = device_id.empty() ? f.NewDeviceId() : device_id;
    json body = {{"username", user}, {"password", kPassword}, {"device_id", l.device_id}, {"device_name", "tablet"}};
    httplib::Result r = Post("/v1/login", body.dump());
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    json j = json::parse(r->body);
    l.token = j["token"];
    l.user_id = j["user_id"];
    return l;
  }
  Login Member(const std::string& user, const std::string& role = "field_staff") {
    f.AddUser(user);
    f.AddMember(ws, user, role);
    return LoginAs(user);
  }
  std::string SyncBody(const std::string& device_id, std::vector<FieldChange> changes,
                       sync::ServerVersion cursor = 0) {
    sync::SyncRequest req;
    req.device_id = device_id;
    req.cursor = cursor;
    req.device_time = FormatUtcMillis(f.env.WallMillis());
    for (auto& c : changes) c.time = req.device_time;
    req.changes = std::move(changes);
    return sync::ToJson(req).dump();
  }
  // Checks the server still answers.
  void CheckAlive() {
    httplib::Result r = Client()->Get("/v1/status");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
};

// Requires that `result` (an httplib::Result) got an answer and checks its
// HTTP status: two asserts on the caller's line.
#define CHECK_HTTP_STATUS(result, code)                 \
  do {                                                  \
    const httplib::Result& ccf_http_ = (result);        \
    REQUIRE(ccf_http_);                                 \
    CHECK(ccf_http_->status == (code));                 \
  } while (0)

// The error code of a JSON error body ("" when the body is not one).
std::string ErrorCodeOf(const httplib::Result& r) {
  if (!r) return "<no response>";
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "<not an error body: " + r->body.substr(0, 80) + ">";
  return j["error"].value("code", "");
}

TEST_CASE("http: GET /v1/status answers the protocol and the server clock") {
  HttpFixture t;
  httplib::Result r = t.Client()->Get("/v1/status");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  json j = json::parse(r->body);
  CHECK(j["protocol"] == sync::kProtocolVersion);
  CHECK(j["server_time"] == FormatUtcMillis(t.f.env.WallMillis()));
}

TEST_CASE("http: login, sync, logout, the logged-out token is refused") {
  HttpFixture t;
  t.f.AddUser("amina");
  t.f.AddMember(t.ws, "amina", "coordinator");
  json body = {{"username", "amina"},
               {"password", kPassword},
               {"device_id", t.f.NewDeviceId()},
               {"device_name", "Amina's tablet"}};
  httplib::Result r = t.Post("/v1/login", body.dump());
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  CHECK(j["token"].get<std::string>().size() == 43);
  CHECK(j["expires_at"] == FormatUtcMillis(t.f.env.WallMillis() + 30 * kDay));
  CHECK(j["workspaces"] == json::array({{{"id", t.ws}, {"role", "coordinator"}}}));
  const std::string token = j["token"];
  const std::string device = body["device_id"];

  sync::DeviceSeq seq = 0;
  std::string site = t.f.NewId();
  httplib::Result s = t.Post("/v1/sync", t.SyncBody(device, SiteChanges(&seq, site, t.ws)), token);
  REQUIRE(s);
  REQUIRE_MESSAGE(s->status == 200, s->body);
  sync::SyncResponse resp = Unwrap(sync::ParseSyncResponse(json::parse(s->body)));
  CHECK(resp.acks.size() == 2);
  CHECK(resp.rejects.empty());
  CHECK(resp.cursor == t.f.storage->CurrentVersion().value());

  httplib::Result out = t.Post("/v1/logout", "", token);
  REQUIRE(out);
  CHECK(out->status == 200);
  httplib::Result after = t.Post("/v1/sync", t.SyncBody(device, {}), token);
  REQUIRE(after);
  CHECK(after->status == 401);
  CHECK(ErrorCodeOf(after) == "revoked_token");
}

TEST_CASE("http: authentication failures have their own status and code") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  const std::string ok_body = t.SyncBody(a.device_id, {});

  SUBCASE("no token") {
    httplib::Result r = t.Post("/v1/sync", ok_body);
    CHECK(r->status == 401);
    CHECK(ErrorCodeOf(r) == "unauthenticated");
  }
  SUBCASE("forged token") {
    std::string forged = a.token;
    forged[0] = forged[0] == 'x' ? 'y' : 'x';
    httplib::Result r = t.Post("/v1/sync", ok_body, forged);
    CHECK(r->status == 401);
    CHECK(ErrorCodeOf(r) == "unauthenticated");
    httplib::Result basic = t.Post("/v1/sync", ok_body, "", {{"Authorization", "Basic YTpi"}});
    CHECK(basic->status == 401);
  }
  SUBCASE("expired token") {
    t.f.env.Advance(31 * kDay);
    httplib::Result r = t.Post("/v1/sync", ok_body, a.token);
    CHECK(r->status == 401);
    CHECK(ErrorCodeOf(r) == "expired_token");
  }
  SUBCASE("revoked device") {
    REQUIRE_OK(RevokeDevice(t.f.storage.get(), a.device_id));
    httplib::Result r = t.Post("/v1/sync", ok_body, a.token);
    CHECK(r->status == 401);
    CHECK(ErrorCodeOf(r) == "revoked_device");
    json body = {{"username", "amina"}, {"password", kPassword}, {"device_id", a.device_id}};
    httplib::Result login = t.Post("/v1/login", body.dump());
    CHECK(login->status == 401);
    CHECK(ErrorCodeOf(login) == "revoked_device");
  }
  SUBCASE("token of another device") {
    httplib::Result r = t.Post("/v1/sync", t.SyncBody(t.f.NewDeviceId(), {}), a.token);
    CHECK(r->status == 403);
    CHECK(ErrorCodeOf(r) == "device_mismatch");
  }
  t.CheckAlive();
}

TEST_CASE("http: password guessing is slowed down with 429 and Retry-After, even for the right password") {
  HttpFixture t;
  t.f.AddUser("amina");
  const std::string device = t.f.NewDeviceId();
  auto attempt = [&](const std::string& password) {
    json body = {{"username", "amina"}, {"password", password}, {"device_id", device}};
    return t.Post("/v1/login", body.dump());
  };
  for (int i = 0; i < 5; ++i) {
    httplib::Result r = attempt("guess " + std::to_string(i));
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(ErrorCodeOf(r) == "unauthenticated");
  }
  httplib::Result locked = attempt(kPassword);
  REQUIRE(locked);
  CHECK(locked->status == 429);
  CHECK(ErrorCodeOf(locked) == "throttled");
  CHECK(locked->get_header_value("Retry-After") == "1");  // a delay, not a lock-out (auth.h)
  t.f.env.Advance(1000);
  httplib::Result ok = attempt(kPassword);
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("http: malformed, mistyped and non-UTF-8 bodies get 400 and apply nothing") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  const sync::ServerVersion before = t.f.storage->CurrentVersion().value();
  json good = json::parse(t.SyncBody(a.device_id, {Change(1, "site", t.f.NewId(), t.ws, "name", "x")}));
  json wrong_type = good;
  wrong_type["cursor"] = "twelve";
  const char* list = good.contains("entries") ? "entries" : "changes";  // protocol 3 or 1, as the codec writes
  json wrong_change = good;
  wrong_change[list][0]["seq"] = "1";
  json wrong_protocol = good;
  wrong_protocol["protocol"] = 2;
  json changes_not_array = good;
  changes_not_array[list] = json::object();
  std::string bad_utf8 = good.dump();
  bad_utf8.replace(bad_utf8.find("\"x\""), 3, "\"\xff\xfe\"");
  const std::pair<const char*, std::string> cases[] = {
      {"malformed", "{\"protocol\": 1, \"device_id\": "},
      {"not an object", "[1, 2, 3]"},
      {"empty", ""},
      {"wrong type", wrong_type.dump()},
      {"wrong type in a change", wrong_change.dump()},
      {"protocol version", wrong_protocol.dump()},
      {"changes not an array", changes_not_array.dump()},
      {"invalid UTF-8", bad_utf8},
      {"nul byte", std::string("{\"protocol\":1,\0}", 15)},
  };
  for (const auto& [what, body] : cases) {
    CAPTURE(what);
    httplib::Result r = t.Post("/v1/sync", body, a.token);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(ErrorCodeOf(r) == "invalid");
    t.CheckAlive();
  }
  httplib::Result utf = t.Post("/v1/sync", bad_utf8, a.token);
  CHECK(json::parse(utf->body)["error"]["message"].get<std::string>().find("UTF-8") != std::string::npos);
  // Login bodies too.
  for (const std::string& body : {std::string("{"), std::string("{\"username\": 5, \"password\": \"x\"}"),
                                  std::string("{\"username\": \"amina\"}")}) {
    httplib::Result r = t.Post("/v1/login", body);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(ErrorCodeOf(r) == "invalid");
  }
  CHECK(t.f.storage->CurrentVersion().value() == before);
  t.CheckAlive();
}

TEST_CASE("http: oversized requests get 413 too_large, not a dropped connection") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  SUBCASE("body over 8 MiB") {
    json body = json::parse(t.SyncBody(a.device_id, {}));
    body["padding"] = std::string(sync::kMaxRequestBytes + 1000, ' ');
    httplib::Result r = t.Post("/v1/sync", body.dump(), a.token);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(ErrorCodeOf(r) == "too_large");
  }
  SUBCASE("gzip body that inflates past 8 MiB") {
    json body = json::parse(t.SyncBody(a.device_id, {}));
    body["padding"] = std::string(3 * sync::kMaxRequestBytes, ' ');
    httplib::Result r = t.Post("/v1/sync", body.dump(), a.token, {}, /*compress=*/true);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(ErrorCodeOf(r) == "too_large");
  }
  SUBCASE("10,000 changes") {
    std::vector<FieldChange> changes;
    for (int i = 1; i <= 10000; ++i) changes.push_back(Change(i, "site", t.f.NewId(), t.ws, "name", "x"));
    const std::string body = t.SyncBody(a.device_id, changes);
    REQUIRE(body.size() < sync::kMaxRequestBytes);
    httplib::Result r = t.Post("/v1/sync", body, a.token);
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(ErrorCodeOf(r) == "too_large");
    CHECK(t.f.storage->CurrentVersion().value() > 0);
    CHECK_FALSE(Unwrap(t.f.storage->FindChange(a.device_id, 1)).has_value());
  }
  t.CheckAlive();
}

TEST_CASE("http: gzip request bodies are accepted and responses are gzipped on request") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  sync::DeviceSeq seq = 0;
  std::vector<FieldChange> changes;
  for (int i = 0; i < 50; ++i) Append(&changes, SiteChanges(&seq, t.f.NewId(), t.ws, "Site " + std::to_string(i)));
  httplib::Result r = t.Post("/v1/sync", t.SyncBody(a.device_id, changes), a.token, {}, /*compress=*/true);
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  sync::SyncResponse resp = Unwrap(sync::ParseSyncResponse(json::parse(r->body)));
  CHECK(resp.acks.size() == 100);

  // Ask for gzip and look at the raw response.
  HttpFixture::Login b = t.Member("bakari");
  auto c = t.Client();
  c->set_decompress(false);
  httplib::Headers h = {{"Authorization", "Bearer " + b.token}, {"Accept-Encoding", "gzip"}};
  httplib::Result raw = c->Post("/v1/sync", h, t.SyncBody(b.device_id, {}), "application/json");
  REQUIRE(raw);
  CHECK(raw->status == 200);
  CHECK(raw->get_header_value("Content-Encoding") == "gzip");
  CHECK(raw->body.size() > 2);
  CHECK(static_cast<unsigned char>(raw->body[0]) == 0x1f);  // gzip magic
  CHECK(static_cast<unsigned char>(raw->body[1]) == 0x8b);

  // Encodings other than gzip, and bodies that are not JSON, are refused with 415.
  CHECK_HTTP_STATUS(t.Post("/v1/sync", t.SyncBody(a.device_id, {}), a.token, {{"Content-Encoding", "compress"}}), 415);
  auto c2 = t.Client();
  CHECK_HTTP_STATUS(c2->Post("/v1/sync", {{"Authorization", "Bearer " + a.token}}, "hello", "text/plain"), 415);
  // Broken gzip data.
  CHECK_HTTP_STATUS(
      t.Post("/v1/sync", std::string("\x1f\x8b\x08\x00garbage", 12), a.token, {{"Content-Encoding", "gzip"}}), 400);
  t.CheckAlive();
}

// Encodings (docs/sync-protocol.md, "Encodings"): zstd both ways when the
// client offers it, gzip when it offers only gzip (a protocol-1 client, as it
// writes its requests), nothing when it offers neither.
TEST_CASE("http: zstd answers when zstd is offered, gzip when only gzip is, and zstd request bodies") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  sync::DeviceSeq seq = 0;
  std::vector<FieldChange> changes;
  for (int i = 0; i < 50; ++i) Append(&changes, SiteChanges(&seq, t.f.NewId(), t.ws, "Site " + std::to_string(i)));
  auto c = t.Client();
  c->set_decompress(false);
  // zstd request, zstd answer (httplib passes a zstd body through untouched).
  const std::string zst = Unwrap(sync::EncodeBody(sync::BodyEncoding::kZstd, t.SyncBody(a.device_id, changes)));
  httplib::Headers h = {
      {"Authorization", "Bearer " + a.token}, {"Content-Encoding", "zstd"}, {"Accept-Encoding", "zstd, gzip"}};
  httplib::Result r = c->Post("/v1/sync", h, zst, "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Encoding") == "zstd");
  CHECK(r->get_header_value("Vary") == "Accept-Encoding");
  sync::DecodedBody plain = Unwrap(sync::DecodeBody(sync::BodyEncoding::kZstd, r->body, sync::kMaxRequestBytes));
  CHECK(Unwrap(sync::ParseSyncResponse(json::parse(plain.bytes))).acks.size() == 100);

  // A protocol-1 client: gzip request, Accept-Encoding: gzip, gzip answer.
  HttpFixture::Login b = t.Member("bakari");
  std::vector<FieldChange> more;
  sync::DeviceSeq seq_b = 0;
  for (int i = 0; i < 20; ++i) Append(&more, SiteChanges(&seq_b, t.f.NewId(), t.ws, "Site b" + std::to_string(i)));
  const std::string gz = Unwrap(sync::Gzip(t.SyncBody(b.device_id, more)));
  httplib::Headers old = {
      {"Authorization", "Bearer " + b.token}, {"Content-Encoding", "gzip"}, {"Accept-Encoding", "gzip"}};
  r = c->Post("/v1/sync", old, gz, "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Encoding") == "gzip");
  std::optional<std::string> unzipped = Unwrap(sync::Gunzip(r->body, sync::kMaxRequestBytes));
  REQUIRE(unzipped.has_value());
  CHECK(Unwrap(sync::ParseSyncResponse(json::parse(*unzipped))).acks.size() == more.size());

  // No encoding offered: the answer goes as it is.
  r = c->Post("/v1/sync", {{"Authorization", "Bearer " + b.token}}, t.SyncBody(b.device_id, {}), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK_FALSE(r->has_header("Content-Encoding"));
  CHECK_OK(sync::ParseSyncResponse(json::parse(r->body)));

  // Broken zstd: 400, and the server goes on.
  CHECK_HTTP_STATUS(t.Post("/v1/sync", "\x28\xb5\x2f\xfd garbage", a.token, {{"Content-Encoding", "zstd"}}), 400);
  t.CheckAlive();
}

TEST_CASE("http: unknown record types are rejected per change, unknown paths get a JSON 404") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  sync::DeviceSeq seq = 0;
  std::string site = t.f.NewId();
  auto changes = SiteChanges(&seq, site, t.ws);
  changes.push_back(Change(++seq, "spaceship", t.f.NewId(), t.ws, "name", "x"));
  changes.push_back(Change(++seq, "site", site, t.ws, "ward", "W5"));
  httplib::Result r = t.Post("/v1/sync", t.SyncBody(a.device_id, changes), a.token);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  sync::SyncResponse resp = Unwrap(sync::ParseSyncResponse(json::parse(r->body)));
  REQUIRE(resp.rejects.size() == 1);
  CHECK(resp.rejects[0].device_seq == 3);
  CHECK(resp.rejects[0].code == RejectCode::kUnknownType);
  CHECK(resp.acks.size() == 3);

  httplib::Result nf = t.Client()->Get("/v2/status");
  REQUIRE(nf);
  CHECK(nf->status == 404);
  CHECK(ErrorCodeOf(nf) == "not_found");
  CHECK_HTTP_STATUS(t.Client()->Get("/v1/sync"), 404);
  t.CheckAlive();
}

TEST_CASE("http: a replayed request gets duplicates and applies nothing twice") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  sync::DeviceSeq seq = 0;
  const std::string body = t.SyncBody(a.device_id, SiteChanges(&seq, t.f.NewId(), t.ws));
  httplib::Result first = t.Post("/v1/sync", body, a.token);
  REQUIRE(first);
  REQUIRE(first->status == 200);
  const sync::ServerVersion v = t.f.storage->CurrentVersion().value();
  httplib::Result again = t.Post("/v1/sync", body, a.token);
  REQUIRE(again);
  REQUIRE(again->status == 200);
  sync::SyncResponse r1 = Unwrap(sync::ParseSyncResponse(json::parse(first->body)));
  sync::SyncResponse r2 = Unwrap(sync::ParseSyncResponse(json::parse(again->body)));
  REQUIRE(r2.acks.size() == r1.acks.size());
  for (size_t i = 0; i < r1.acks.size(); ++i) {
    CHECK(r2.acks[i].outcome == ChangeOutcome::kDuplicate);
    CHECK(r2.acks[i].version == r1.acks[i].version);
  }
  CHECK(t.f.storage->CurrentVersion().value() == v);
}

TEST_CASE("http: cross-workspace writes are refused and pulls never leak") {
  HttpFixture t;
  HttpFixture::Login a = t.Member("amina");
  std::string other = t.f.AddWorkspace("Other");
  t.f.AddUser("zawadi");
  t.f.AddMember(other, "zawadi");
  HttpFixture::Login z = t.LoginAs("zawadi");
  sync::DeviceSeq zs = 0;
  std::string zsite = t.f.NewId();
  REQUIRE(t.Post("/v1/sync", t.SyncBody(z.device_id, SiteChanges(&zs, zsite, other, "Zawadi's")), z.token)->status ==
          200);

  sync::DeviceSeq seq = 0;
  std::string visit = t.f.NewId();
  std::vector<FieldChange> evil = {
      Change(++seq, "site", t.f.NewId(), other, "name", "planted"),  // into B's workspace
      Change(++seq, "visit", visit, t.ws, "site_id", zsite),         // referencing B's site
      Change(++seq, "site", zsite, t.ws, "name", "hijacked"),        // editing B's record by id
      Change(++seq, "site", zsite, other, "name", "hijacked"),
  };
  httplib::Result r = t.Post("/v1/sync", t.SyncBody(a.device_id, evil), a.token);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  sync::SyncResponse resp = Unwrap(sync::ParseSyncResponse(json::parse(r->body)));
  CHECK(resp.acks.empty());
  REQUIRE(resp.rejects.size() == 4);
  for (const auto& x : resp.rejects) CHECK(x.code == RejectCode::kForbidden);
  CHECK(r->body.find(zsite) == std::string::npos);
  CHECK(r->body.find("Zawadi") == std::string::npos);
  CHECK(r->body.find(other) == std::string::npos);
  CHECK(Unwrap(t.f.storage->GetField(zsite, "name")).state.value == "Zawadi's");
}

TEST_CASE("http: parallel devices syncing at once are all applied, in one order") {
  HttpFixture t;
  constexpr int kDevices = 6;
  constexpr int kRounds = 5;
  std::vector<HttpFixture::Login> logins;
  std::vector<std::vector<std::string>> bodies(kDevices);
  for (int d = 0; d < kDevices; ++d) {
    logins.push_back(t.Member("user" + std::to_string(d)));
    sync::DeviceSeq seq = 0;
    for (int r = 0; r < kRounds; ++r) {
      std::vector<FieldChange> changes;
      for (int i = 0; i < 10; ++i) Append(&changes, SiteChanges(&seq, t.f.NewId(), t.ws));
      bodies[d].push_back(t.SyncBody(logins[d].device_id, changes));
    }
  }
  const sync::ServerVersion before = t.f.storage->CurrentVersion().value();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int d = 0; d < kDevices; ++d) {
    threads.emplace_back([&, d] {
      for (int r = 0; r < kRounds; ++r) {
        httplib::Result res = t.Post("/v1/sync", bodies[d][r], logins[d].token);
        if (res && res->status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == kDevices * kRounds);
  CHECK(t.f.storage->CurrentVersion().value() == before + kDevices * kRounds * 20);
}

}  // namespace
}  // namespace ccfield::server::testing
