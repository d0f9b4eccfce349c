// Encodings end to end (docs/sync-protocol.md, "Encodings"): the server's
// handler (zstd and gzip requests, bombs, broken bodies, 415, the answer's
// encoding, GET /v1/status) and the real HTTP server on 127.0.0.1 with the
// real CurlTransport on top: new client and new server agree on zstd; a
// client from before zstd (gzip only) and a server without zstd keep working
// with the other side. The "server without zstd" is today's server with
// ApiHandlerOptions::zstd off (the same code, not an old build); the
// gzip-only client is CurlTransport with TransportConfig::zstd off, and a
// raw gzip request as a protocol-1 client writes it is in
// tests/server/http_server_test.cpp.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "admin.h"
#include "api_handler.h"
#include "auth.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/transport.h"
#include "http_server.h"
#include "sqlite_storage.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"

namespace ccfield::testing {
namespace {

using nlohmann::json;
using sync::BodyEncoding;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kDevice = "5f0c6a43-8d1e-4c2b-9a7e-2d3b4c5d6e7f";

// A server storage with one workspace and its member "amina".
struct Storage {
  Storage() : env(dir.path()) {
    REQUIRE(server::InitCrypto());
    storage = Unwrap(server::SqliteStorage::Open(server::SqliteStorage::PathIn(dir.path())));
    ws = Unwrap(server::CreateWorkspace(storage.get(), &env, "Kilosa", "TZ", "sw"));
    REQUIRE_OK(
        server::CreateUser(storage.get(), &env, "amina", kPassword, false, server::PasswordCost::kMinimumForTests));
    REQUIRE_OK(server::AddMember(storage.get(), &env, ws, "amina", "field_staff"));
  }

  // A sync request with `n` new sites' names (about 250 bytes each).
  std::string SyncBody(int n, int first_seq = 1) const {
    sync::SyncRequest req;
    req.device_id = kDevice;
    for (int i = first_seq; i < first_seq + n; ++i) {
      FieldChange c;
      c.device_seq = i;
      c.type = ChangeType::kSite;
      c.record_id = "0b6a5d7e-0000-4000-8000-" + std::to_string(100000000000 + i);
      c.workspace_id = ws;
      c.field = "name";
      c.value = "Drain at the market, site " + std::to_string(i);
      c.created = true;
      req.changes.push_back(std::move(c));
    }
    return sync::ToJson(req).dump();
  }

  TempDir dir;
  FakeEnv env;
  std::unique_ptr<server::SqliteStorage> storage;
  std::string ws;
};

server::ApiHandlerOptions HandlerOptions(bool zstd) {
  server::ApiHandlerOptions o;
  o.auth.password_cost = server::PasswordCost::kMinimumForTests;
  o.zstd = zstd;
  return o;
}

server::ApiRequest Request(const std::string& method, const std::string& path, std::string body,
                           const std::string& token, server::HeaderList extra = {}) {
  server::ApiRequest req;
  req.method = method;
  req.path = path;
  req.peer = "127.0.0.1";
  req.body = std::move(body);
  req.headers.emplace_back("Content-Type", "application/json");
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  for (auto& h : extra) req.headers.push_back(std::move(h));
  return req;
}

std::string Login(server::ApiHandler* h) {
  const sync::LoginRequest login{"amina", kPassword, kDevice, "Amina's tablet", ""};
  server::ApiResponse r = h->Handle(Request("POST", "/v1/login", sync::ToJson(login).dump(), ""));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return Unwrap(sync::ParseLoginResponse(json::parse(r.body))).token;
}

std::string CodeOf(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")) return "<not an error body: " + body + ">";
  return j["error"].value("code", "");
}

// The decoded body of an answer, as its Content-Encoding says.
std::string Plain(const server::ApiResponse& r) {
  const BodyEncoding e = *sync::ParseContentEncoding(r.Header("Content-Encoding"));
  return Unwrap(sync::DecodeBody(e, r.body, sync::kMaxRequestBytes)).bytes;
}

TEST_CASE("encodings: the handler takes zstd requests and answers in zstd, else gzip, else identity") {
  Storage s;
  server::ApiHandler h(s.storage.get(), &s.env, HandlerOptions(true));
  const std::string token = Login(&h);
  const std::string zst = Unwrap(sync::EncodeBody(BodyEncoding::kZstd, s.SyncBody(20)));
  server::ApiResponse r = h.Handle(
      Request("POST", "/v1/sync", zst, token, {{"Content-Encoding", "zstd"}, {"Accept-Encoding", "zstd, gzip"}}));
  REQUIRE_MESSAGE(r.status == 200, r.status);
  CHECK(r.Header("Content-Encoding") == "zstd");
  CHECK(r.Header("Vary") == "Accept-Encoding");
  CHECK(Unwrap(sync::ParseSyncResponse(json::parse(Plain(r)))).acks.size() == 20);

  r = h.Handle(Request("POST", "/v1/sync", s.SyncBody(0), token, {{"Accept-Encoding", "gzip"}}));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Content-Encoding") == "gzip");
  CHECK_OK(sync::ParseSyncResponse(json::parse(Plain(r))));
  r = h.Handle(Request("POST", "/v1/sync", s.SyncBody(0), token, {{"Accept-Encoding", "br"}}));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Content-Encoding").empty());
  CHECK(r.Header("Vary") == "Accept-Encoding");
  CHECK_OK(sync::ParseSyncResponse(json::parse(r.body)));

  r = h.Handle(Request("GET", "/v1/status", "", ""));
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["encodings"] == json::array({"zstd", "gzip"}));
}

TEST_CASE("encodings: zstd bombs get 413 and broken zstd 400 invalid, with nothing applied") {
  Storage s;
  server::ApiHandler h(s.storage.get(), &s.env, HandlerOptions(true));
  const std::string token = Login(&h);
  const sync::ServerVersion before = Unwrap(s.storage->CurrentVersion());
  json big = json::parse(s.SyncBody(3));
  big["padding"] = std::string(4 * sync::kMaxRequestBytes, ' ');
  const std::string bomb = Unwrap(sync::EncodeBody(BodyEncoding::kZstd, big.dump(), 19));
  REQUIRE(bomb.size() < sync::kMaxRequestBytes / 100);
  server::ApiResponse r = h.Handle(Request("POST", "/v1/sync", bomb, token, {{"Content-Encoding", "zstd"}}));
  CHECK(r.status == 413);
  CHECK(CodeOf(r.body) == "too_large");

  const std::string good = Unwrap(sync::EncodeBody(BodyEncoding::kZstd, s.SyncBody(3)));
  for (const std::string& bad : {std::string("{\"not\":\"zstd\"}"), good.substr(0, good.size() - 3), good + "x"}) {
    r = h.Handle(Request("POST", "/v1/sync", bad, token, {{"Content-Encoding", "zstd"}}));
    CHECK(r.status == 400);
    CHECK(CodeOf(r.body) == "invalid");
    CHECK(json::parse(r.body)["error"]["message"].get<std::string>().find("zstd") != std::string::npos);
  }
  CHECK(Unwrap(s.storage->CurrentVersion()) == before);

  r = h.Handle(Request("POST", "/v1/sync", s.SyncBody(3), token, {{"Content-Encoding", "br"}}));
  CHECK(r.status == 415);
  CHECK(CodeOf(r.body) == "unsupported");
  CHECK(json::parse(r.body)["error"]["message"] == "Content-Encoding \"br\" is not supported; use zstd or gzip");
  CHECK(Unwrap(s.storage->CurrentVersion()) == before);
}

TEST_CASE("encodings: a server with zstd off answers a zstd request 415 and answers in gzip") {
  Storage s;
  server::ApiHandler h(s.storage.get(), &s.env, HandlerOptions(false));
  const std::string token = Login(&h);
  const std::string zst = Unwrap(sync::EncodeBody(BodyEncoding::kZstd, s.SyncBody(3)));
  server::ApiResponse r = h.Handle(
      Request("POST", "/v1/sync", zst, token, {{"Content-Encoding", "zstd"}, {"Accept-Encoding", "zstd, gzip"}}));
  CHECK(r.status == 415);
  CHECK(CodeOf(Plain(r)) == "unsupported");
  CHECK(json::parse(Plain(r))["error"]["message"] == "Content-Encoding \"zstd\" is not supported; use gzip");
  const std::string gz = Unwrap(sync::EncodeBody(BodyEncoding::kGzip, s.SyncBody(3)));
  r = h.Handle(
      Request("POST", "/v1/sync", gz, token, {{"Content-Encoding", "gzip"}, {"Accept-Encoding", "zstd, gzip"}}));
  REQUIRE(r.status == 200);
  CHECK(r.Header("Content-Encoding") == "gzip");
  CHECK(Unwrap(sync::ParseSyncResponse(json::parse(Plain(r)))).acks.size() == 3);
  r = h.Handle(Request("GET", "/v1/status", "", ""));
  CHECK(json::parse(r.body)["encodings"] == json::array({"gzip"}));
}

// ---- The real HTTP server and the real client transport --------------------

struct LoopbackServer {
  explicit LoopbackServer(Storage* s, bool zstd) {
    server::HttpServerOptions o;
    static_cast<server::ApiHandlerOptions&>(o) = HandlerOptions(zstd);
    o.port = 0;
    http = std::make_unique<server::HttpServer>(s->storage.get(), &s->env, o);
    port = Unwrap(http->Bind());
    thread = std::thread([this] { CHECK(http->Run().ok()); });
    for (int i = 0; i < 500 && !http->IsRunning(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(http->IsRunning());
  }
  ~LoopbackServer() {
    http->Stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  std::unique_ptr<server::HttpServer> http;
  std::thread thread;
  int port = 0;
};

std::unique_ptr<sync::CurlTransport> Client(const LoopbackServer& server, Env* env, bool zstd,
                                            bool server_takes_zstd = false) {
  sync::TransportConfig c;
  c.base_url = server.url();
  c.env = env;
  c.zstd = zstd;
  c.server_takes_zstd = server_takes_zstd;
  return Unwrap(sync::CurlTransport::Create(c));
}

std::string LoginOver(sync::Transport* t) {
  const sync::LoginRequest login{"amina", kPassword, kDevice, "Amina's tablet", ""};
  sync::HttpResult r = Unwrap(t->Post("/v1/login", sync::ToJson(login).dump(), ""));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return Unwrap(sync::ParseLoginResponse(json::parse(r.body))).token;
}

// POSTs a sync of `n` new sites (a body well over compress_min_bytes).
sync::HttpResult SyncOver(sync::Transport* t, const Storage& s, const std::string& token, int n, int first_seq) {
  sync::HttpResult r = Unwrap(t->Post("/v1/sync", s.SyncBody(n, first_seq), token));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(Unwrap(sync::ParseSyncResponse(json::parse(r.body))).acks.size() == static_cast<size_t>(n));
  return r;
}

TEST_CASE("encodings over HTTP: the new client learns zstd from an answer or from /v1/status") {
  Storage s;
  LoopbackServer server(&s, true);
  SUBCASE("from a zstd answer: the first big request goes in gzip, the next in zstd") {
    auto t = Client(server, &s.env, true);
    const std::string token = LoginOver(t.get());  // small: sent as it is, answered in zstd
    sync::HttpResult r = SyncOver(t.get(), s, token, 20, 1);
    CHECK(r.request_encoding == "zstd");
    CHECK(r.content_encoding == "zstd");
    CHECK(r.wire_requests == 1);
  }
  SUBCASE("from /v1/status before any answer in zstd") {
    auto t = Client(server, &s.env, true);
    sync::HttpResult st = Unwrap(t->Get("/v1/status"));
    CHECK(st.content_encoding == "zstd");
    CHECK(json::parse(st.body)["encodings"] == json::array({"zstd", "gzip"}));
    const std::string token = LoginOver(t.get());
    CHECK(SyncOver(t.get(), s, token, 20, 1).request_encoding == "zstd");
  }
  SUBCASE("nothing learned yet: gzip") {
    auto t = Client(server, &s.env, true);
    const sync::LoginRequest login{"amina", kPassword, kDevice, "Amina's tablet", std::string(2000, 'x')};
    sync::HttpResult r = Unwrap(t->Post("/v1/login", sync::ToJson(login).dump(), ""));
    CHECK(r.request_encoding == "gzip");  // refused (wrong device secret) but decoded
    CHECK(r.content_encoding == "zstd");
  }
}

std::unique_ptr<Store> OpenDevice(Env* env, const std::string& path) {
  StoreOptions o;
  o.path = path;
  return Unwrap(Store::Open(env, o));
}

TEST_CASE("encodings over HTTP: a device remembers a zstd server, so the next process's first body goes in zstd") {
  Storage s;
  LoopbackServer server(&s, true);
  TempDir device_dir;
  FakeEnv env(device_dir.path());
  const std::string path = device_dir.File("ccfield.db");
  // The real transport, with what the client told it about the server.
  std::vector<bool> told;
  sync::SyncClientOptions options;
  options.photos = false;
  options.transport_factory = [&told](const sync::TransportConfig& c) -> Result<std::unique_ptr<sync::Transport>> {
    told.push_back(c.server_takes_zstd);
    return sync::CurlTransportFactory()(c);
  };
  {
    auto client = Unwrap(sync::SyncClient::Open(&env, path, options));
    Unwrap(client->Login(server.url(), "amina", kPassword, "Amina's tablet"));
    Unwrap(client->SyncNow());
  }
  REQUIRE(!told.empty());
  CHECK(told.front() == false);  // a first contact knows nothing yet
  {
    auto store = OpenDevice(&env, path);
    CHECK(Unwrap(store->replica().GetSyncSettings()).zstd_server == server.url());
  }
  told.clear();
  {
    auto client = Unwrap(sync::SyncClient::Open(&env, path, options));  // as a new `ccfield sync` process
    Unwrap(client->SyncNow());
  }
  REQUIRE(told.size() == 1);
  CHECK(told.front() == true);
}

TEST_CASE("encodings over HTTP: a device forgets zstd when the server answers in gzip") {
  Storage s;
  TempDir device_dir;
  FakeEnv env(device_dir.path());
  const std::string path = device_dir.File("ccfield.db");
  sync::SyncClientOptions options;
  options.photos = false;
  std::string url;
  {
    LoopbackServer server(&s, true);
    url = server.url();
    auto client = Unwrap(sync::SyncClient::Open(&env, path, options));
    Unwrap(client->Login(url, "amina", kPassword, "Amina's tablet"));
    Unwrap(client->SyncNow());
  }
  auto zstd_server = [&] { return Unwrap(OpenDevice(&env, path)->replica().GetSyncSettings()).zstd_server; };
  REQUIRE(zstd_server() == url);
  // The same storage behind a server without zstd (another port: the device is pointed at it).
  LoopbackServer plain(&s, false);
  {
    auto store = OpenDevice(&env, path);
    SyncSettings settings = Unwrap(store->replica().GetSyncSettings());
    settings.server_url = plain.url();
    REQUIRE_OK(store->replica().SaveSyncSettings(settings));
  }
  auto client = Unwrap(sync::SyncClient::Open(&env, path, options));
  sync::SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.requests == 1);
  CHECK(zstd_server() == "");
}

TEST_CASE("encodings over HTTP: a client from before zstd gets gzip from the new server") {
  Storage s;
  LoopbackServer server(&s, true);
  auto t = Client(server, &s.env, false);
  const std::string token = LoginOver(t.get());
  sync::HttpResult r = SyncOver(t.get(), s, token, 20, 1);
  CHECK(r.request_encoding == "gzip");
  CHECK(r.content_encoding == "gzip");
  r = SyncOver(t.get(), s, token, 20, 21);
  CHECK(r.request_encoding == "gzip");
}

TEST_CASE("encodings over HTTP: the new client against a server without zstd keeps to gzip") {
  Storage s;
  LoopbackServer server(&s, false);
  SUBCASE("nothing offers zstd, so it is never sent") {
    auto t = Client(server, &s.env, true);
    sync::HttpResult st = Unwrap(t->Get("/v1/status"));
    CHECK(st.content_encoding == "gzip");
    const std::string token = LoginOver(t.get());
    sync::HttpResult r = SyncOver(t.get(), s, token, 20, 1);
    CHECK(r.request_encoding == "gzip");
    CHECK(r.content_encoding == "gzip");
    CHECK(r.wire_requests == 1);
  }
  SUBCASE("a client that believed the server took zstd gets 415, sends gzip at once and remembers") {
    auto t = Client(server, &s.env, true, /*server_takes_zstd=*/true);
    const std::string token = LoginOver(t.get());
    sync::HttpResult r = SyncOver(t.get(), s, token, 20, 1);
    CHECK(r.wire_requests == 2);
    CHECK(r.request_encoding == "gzip");
    r = SyncOver(t.get(), s, token, 20, 21);
    CHECK(r.wire_requests == 1);
    CHECK(r.request_encoding == "gzip");
  }
}

}  // namespace
}  // namespace ccfield::testing
