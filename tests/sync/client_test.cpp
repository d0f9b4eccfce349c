// The device's sync client (sync/client.h, sync/transport.h): the curl and
// HTTP error mapping, the loopback-only http rule, the transport against a
// loopback responder (cpp-httplib), the sync loop and its background thread
// against a scripted fake server, and end to end against the real
// ccfield-server binary on 127.0.0.1 (with the CLI commands on top).
#include "ccfield/sync/client.h"

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/sync/transport.h"
#include "cli/cli.h"
#include "curl_errors.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/sync_system.h"
#include "support/temp_dir.h"

namespace ccfield::sync::system_test {
namespace {

// 2026-11-26T16:40:00Z
constexpr int64_t kNov26 = 1'795'711'200'000;

// ---------------------------------------------------------------------------
// Error mapping (curl_errors.cpp)

TEST_CASE("CurlStatus: network failures are kUnavailable in plain words") {
  const Status refused = internal::CurlStatus(CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 9", kNov26);
  CHECK(refused.code() == Code::kUnavailable);
  CHECK(refused.message().starts_with("cannot reach the server"));
  CHECK(refused.message().find("Failed to connect") != std::string::npos);  // curl's words kept, after ours

  const Status dns = internal::CurlStatus(CURLE_COULDNT_RESOLVE_HOST, "", kNov26);
  CHECK(dns.code() == Code::kUnavailable);
  CHECK(dns.message().starts_with("cannot reach the server"));

  for (CURLcode dropped : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE}) {
    CAPTURE(dropped);
    const Status st = internal::CurlStatus(dropped, "", kNov26);
    CHECK(st.code() == Code::kUnavailable);
    CHECK(st.message().starts_with("the connection dropped"));
  }
  const Status slow = internal::CurlStatus(CURLE_OPERATION_TIMEDOUT, "Operation too slow", kNov26);
  CHECK(slow.code() == Code::kUnavailable);
  CHECK(slow.message().find("too slow") != std::string::npos);

  CHECK(internal::CurlStatus(CURLE_ABORTED_BY_CALLBACK, "", kNov26).message() == "sync was stopped");
  CHECK(internal::CurlStatus(CURLE_URL_MALFORMAT, "", kNov26).code() == Code::kInvalidArgument);
  CHECK(internal::CurlStatus(CURLE_TOO_MANY_REDIRECTS, "", kNov26).code() == Code::kUnavailable);
  CHECK(internal::CurlStatus(CURLE_OUT_OF_MEMORY, "", kNov26).code() == Code::kInternal);
}

TEST_CASE("CurlStatus: an expired or not-yet-valid certificate points at the device clock") {
  const std::string clock =
      "This device's clock says 2026-11-26; if that is wrong, set the correct date and time "
      "and sync again";
  const Status expired =
      internal::CurlStatus(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: certificate has expired", kNov26);
  CHECK(expired.code() == Code::kUnavailable);
  CHECK_MESSAGE(expired.message().find(clock) != std::string::npos, expired.message());

  const Status early = internal::CurlStatus(CURLE_PEER_FAILED_VERIFICATION,
                                            "SSL certificate problem: certificate is not yet valid", kNov26);
  CHECK(early.message().find(clock) != std::string::npos);
  // The date is the device's, whatever it is.
  const Status y2000 = internal::CurlStatus(CURLE_SSL_CONNECT_ERROR, "certificate is NOT YET VALID", 946'684'800'000);
  CHECK(y2000.message().find("This device's clock says 2000-01-01") != std::string::npos);

  // Other certificate problems do not blame the clock.
  const Status self_signed =
      internal::CurlStatus(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: self-signed certificate", kNov26);
  CHECK(self_signed.code() == Code::kUnavailable);
  CHECK(self_signed.message().find("clock") == std::string::npos);
  CHECK(self_signed.message().find("not trusted") != std::string::npos);
}

TEST_CASE("HttpFailure: statuses are classified by what the client should do") {
  auto body = [](const char* code, const char* msg) { return ErrorJson(code, msg).dump(); };

  SyncFailure expired = internal::HttpFailure(401, body("expired_token", "token expired"), std::nullopt);
  CHECK(expired.action == SyncAction::kLogInAgain);
  CHECK(expired.status.code() == Code::kPermissionDenied);
  CHECK(expired.status.message() == "the login has expired; log in again");
  CHECK(internal::HttpFailure(401, "", std::nullopt).action == SyncAction::kLogInAgain);

  SyncFailure revoked = internal::HttpFailure(401, body("revoked_device", "device revoked"), std::nullopt);
  CHECK(revoked.action == SyncAction::kStop);
  CHECK(revoked.status.message().find("removed from the server") != std::string::npos);

  CHECK(internal::HttpFailure(403, body("device_mismatch", "x"), std::nullopt).action == SyncAction::kStop);

  SyncFailure protocol =
      internal::HttpFailure(400, body("invalid", "protocol version 2 is not supported"), std::nullopt);
  CHECK(protocol.action == SyncAction::kStop);
  CHECK(protocol.status.message().find("update the app") != std::string::npos);

  SyncFailure busy = internal::HttpFailure(429, body("throttled", "slow down"), 30);
  CHECK(busy.action == SyncAction::kRetryLater);
  CHECK(busy.retry_after_seconds == 30);

  for (int s : {500, 502, 503, 504}) {
    CAPTURE(s);
    SyncFailure f = internal::HttpFailure(s, "<html>Bad gateway</html>", std::nullopt);
    CHECK(f.action == SyncAction::kRetryLater);
    CHECK(f.status.code() == Code::kUnavailable);
  }
  CHECK(internal::HttpFailure(404, "", std::nullopt).action == SyncAction::kStop);

  CHECK(internal::LoginHttpFailure(401, body("unauthenticated", "x"), std::nullopt).status.message() ==
        "wrong user name or password");
  CHECK(internal::LoginHttpFailure(429, "", 60).status.message().find("wait 60 seconds") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Addresses: https everywhere, plain http only to loopback

TEST_CASE("CheckServerUrl allows plain http only to loopback") {
  for (const char* ok :
       {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9/", "http://LOCALHOST", "http://[::1]:8080",
        "https://10.0.0.1", "https://sync.example.org/prefix/", "HTTPS://sync.example.org"}) {
    CAPTURE(ok);
    CHECK_OK(CheckServerUrl(ok));
  }
  CHECK(*CheckServerUrl("https://sync.example.org/prefix/") == "https://sync.example.org/prefix");
  for (const char* bad :
       {"http://10.0.0.1", "http://10.0.0.1:8080/", "http://example.org", "http://128.0.0.1",
        "http://127.0.0.1.example.org", "http://[::2]", "ftp://127.0.0.1", "sync.example.org", "", "https://"}) {
    CAPTURE(bad);
    Result<std::string> r = CheckServerUrl(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  CHECK(CheckServerUrl("http://10.0.0.1").status().message().find("https://") != std::string::npos);
  // No scheme: a hint with the address as it should be typed.
  CHECK(CheckServerUrl("127.0.0.1:8080").status().message().find("did you mean http://127.0.0.1:8080 ?") !=
        std::string::npos);
  CHECK(CheckServerUrl("localhost:8080/").status().message().find("did you mean http://localhost:8080 ?") !=
        std::string::npos);
  CHECK(CheckServerUrl("sync.example.org").status().message().find("did you mean https://sync.example.org ?") !=
        std::string::npos);
}

TEST_CASE("CurlTransport refuses http:// to another host before any connection") {
  FakeEnv env("/nonexistent");
  TransportConfig config;
  config.env = &env;
  config.base_url = "http://10.0.0.1";
  const auto t0 = Clock::now();
  Result<std::unique_ptr<CurlTransport>> t = CurlTransport::Create(config);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == Code::kInvalidArgument);
  CHECK(MsSince(t0) < 1000);  // no connect attempt (that would take the 20 s connect timeout)

  // A login to such an address fails the same way and saves nothing.
  TempDir dir;
  auto client = Unwrap(SyncClient::Open(&env, dir.File("ccfield.db")));
  Result<LoginResult> login = client->Login("http://10.0.0.1:8080", "alice", "pw", "tablet");
  CHECK(login.status().code() == Code::kInvalidArgument);
  auto store = testing::OpenStore(&env, dir.File("ccfield.db"));
  CHECK(Unwrap(store->replica().GetSyncSettings()).server_url.empty());
}

// ---------------------------------------------------------------------------
// A loopback responder (cpp-httplib) for the transport and the sync loop

class LoopbackServer {
 public:
  // `setup` registers the handlers (before the server starts).
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& setup) {
    server_.set_keep_alive_timeout(1);
    setup(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LoopbackServer() { Stop(); }
  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_CASE("CurlTransport gzips large requests, accepts gzipped answers and counts wire bytes") {
  std::mutex mu;
  std::string seen_body, seen_encoding, seen_auth, seen_ctype;
  const std::string big_answer = json{{"text", std::string(200'000, 'a')}}.dump();
  LoopbackServer server([&](httplib::Server& s) {
    s.Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu);
      seen_body = req.body;  // httplib has already gunzipped it
      seen_encoding = req.get_header_value("Content-Encoding");
      seen_auth = req.get_header_value("Authorization");
      seen_ctype = req.get_header_value("Content-Type");
      res.set_header("Retry-After", "17");
      res.set_content(big_answer, "application/json");
    });
    s.Get("/v1/status", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"protocol":1,"server_time":"2026-11-26T16:40:00.000Z"})", "application/json");
    });
  });
  FakeEnv env("/nonexistent");
  TransportConfig config;
  config.env = &env;
  config.base_url = server.url();
  auto t = Unwrap(CurlTransport::Create(config));

  const std::string big = json{{"notes", std::string(100'000, 'x')}}.dump();
  HttpResult r = Unwrap(t->Post("/echo", big, "s3cret"));
  CHECK(r.status == 200);
  CHECK(r.body == big_answer);
  CHECK(r.retry_after_seconds == 17);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(seen_body == big);
    CHECK(seen_encoding == "gzip");
    CHECK(seen_auth == "Bearer s3cret");
    CHECK(seen_ctype == "application/json");
  }
  // What crossed the wire is compressed both ways, headers included.
  CHECK(r.bytes_up > 100);
  CHECK(r.bytes_up < big.size() / 10);
  CHECK(r.bytes_down > 100);
  CHECK(r.bytes_down < big_answer.size() / 10);

  // A small body goes as it is; the same connection is reused.
  HttpResult small = Unwrap(t->Post("/echo", R"({"a":1})", ""));
  CHECK(small.status == 200);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(seen_body == R"({"a":1})");
    CHECK(seen_encoding.empty());
    CHECK(seen_auth.empty());
  }
  CHECK(small.bytes_up > 7);
  CHECK(small.bytes_up < 1000);

  HttpResult get = Unwrap(t->Get("/v1/status"));
  CHECK(get.status == 200);
  CHECK(json::parse(get.body)["protocol"] == 1);
  HttpResult missing = Unwrap(t->Get("/nowhere"));
  CHECK(missing.status == 404);

  // An answer over the limit fails the transfer instead of filling memory.
  config.max_response_bytes = 1000;
  auto limited = Unwrap(CurlTransport::Create(config));
  Result<HttpResult> too_big = limited->Post("/echo", "{}", "");
  CHECK(too_big.status().code() == Code::kUnavailable);
  CHECK(too_big.status().message().find("too large") != std::string::npos);
}

// A free loopback port with nothing listening on it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST_CASE("CurlTransport: a server that is down is 'cannot reach the server'") {
  FakeEnv env("/nonexistent");
  TransportConfig config;
  config.env = &env;
  config.base_url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  auto t = Unwrap(CurlTransport::Create(config));
  Result<HttpResult> r = t->Post("/v1/sync", "{}", "tok");
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message().starts_with("cannot reach the server"));
}

// ---------------------------------------------------------------------------
// The sync loop against a scripted fake server

// The field changes of a protocol 3 request: the fields of its entries.
size_t FieldCount(const json& request) {
  size_t n = 0;
  for (const json& e : request["entries"]) n += e["f"].size();
  return n;
}

// Answers POST /v1/sync like the real server for a device that only pushes:
// every entry applied with the next version. `script` may answer instead
// (return true after filling `res`).
class FakeSyncServer {
 public:
  using Script = std::function<bool(const json& request, httplib::Response& res)>;
  explicit FakeSyncServer(Script script = nullptr)
      : script_(std::move(script)), server_([this](httplib::Server& s) {
          s.Post("/v1/sync", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
        }) {}

  std::string url() const { return server_.url(); }
  std::vector<json> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string last_auth() {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_;
  }
  void Stop() { server_.Stop(); }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    json request = json::parse(req.body, nullptr, false);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      auth_ = req.get_header_value("Authorization");
    }
    if (script_ && script_(request, res)) return;
    std::lock_guard<std::mutex> lock(mu_);
    json acks = json::array();
    for (const json& e : request["entries"])  // one version per entry
      acks.push_back({{"seq", e["seq"]}, {"v", ++version_}, {"outcome", "applied"}});
    res.set_content(json{{"protocol", 3},
                         {"server_time", "2026-11-26T16:40:00.000Z"},
                         {"acks", acks},
                         {"rejects", json::array()},
                         {"entries", json::array()},
                         {"conflicts", json::array()},
                         {"cursor", version_},
                         {"more", false}}
                        .dump(),
                    "application/json");
  }

  Script script_;
  std::mutex mu_;
  std::vector<json> requests_;
  std::string auth_;
  int64_t version_ = 100;
  LoopbackServer server_;  // last: stopped (its handlers joined) before the rest goes
};

// A device store that is "logged in" to `url` and has a site and a visit waiting.
struct Device {
  Device(Env* env, const std::string& url) : env(env) {
    std::unique_ptr<Store> store = testing::OpenStore(env, path);
    SyncSettings s;
    s.server_url = url;
    s.username = "alice";
    s.token = "t0k";
    REQUIRE_OK(store->replica().SaveSyncSettings(s));
    testing::Seeded seeded = testing::SeedSite(store.get(), env);
    site_id = seeded.site_id;
    visit_id = testing::AddVisit(store.get(), env, seeded.site_id);
    device_id = store->device_id();
  }
  std::unique_ptr<Store> OpenStore() { return testing::OpenStore(env, path); }
  // Change-log entries per state: one entry per record per commit.
  ChangeStateCounts Counts() { return Unwrap(OpenStore()->replica().CountChangeStates()); }
  // Own field changes waiting or sent: the fields of those entries, what
  // SyncReport::pushed counts once the server acknowledges them.
  int64_t PendingFields() {
    return static_cast<int64_t>(Unwrap(OpenStore()->replica().PendingChanges(1 << 30)).size());
  }

  Env* env;
  TempDir dir;
  std::string path = dir.File("ccfield.db");
  std::string site_id;
  std::string visit_id;
  std::string device_id;
};

TEST_CASE("SyncNow pushes pending changes in one request and marks them synced") {
  FakeSyncServer server;
  FakeEnv env("/nonexistent");
  Device device(&env, server.url());
  const ChangeStateCounts before = device.Counts();
  REQUIRE(before.waiting == 3);  // an entry each: the workspace, the site and the visit
  const int64_t fields = device.PendingFields();
  REQUIRE(fields > 5);
  auto client = Unwrap(SyncClient::Open(&env, device.path));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.requests == 1);
  CHECK(r.pushed == fields);  // field changes acknowledged
  CHECK(r.rejected == 0);
  CHECK(r.bytes_up > 0);
  CHECK(r.bytes_down > 0);
  CHECK(r.complete);

  const std::vector<json> reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(server.last_auth() == "Bearer t0k");
  CHECK(reqs[0]["protocol"] == 3);
  CHECK(reqs[0]["device_id"] == device.device_id);
  CHECK(reqs[0]["cursor"] == 0);
  CHECK(FieldCount(reqs[0]) == static_cast<size_t>(fields));
  int64_t last_seq = 0;
  for (const json& c : reqs[0]["entries"]) {
    CHECK(c["seq"].get<int64_t>() > last_seq);  // DeviceSeq order, an entry each
    last_seq = c["seq"].get<int64_t>();
  }
  const ChangeStateCounts after = device.Counts();
  CHECK(after.waiting == 0);
  CHECK(after.sent == 0);
  CHECK(after.synced == before.waiting);
  auto store = device.OpenStore();
  const auto entries = static_cast<int64_t>(reqs[0]["entries"].size());
  CHECK(Unwrap(store->replica().GetSyncSettings()).cursor == 100 + entries);

  // Nothing waiting: exactly one request, sending the new cursor.
  SyncReport noop = Unwrap(client->SyncNow());
  CHECK(noop.requests == 1);
  CHECK(noop.pushed == 0);
  CHECK(server.requests().back()["cursor"] == 100 + entries);
  CHECK(server.requests().back()["entries"].empty());
}

TEST_CASE("SyncNow sends a big backlog in batches and halves a batch the server finds too large") {
  // Once `strict`, the server refuses requests of more than 3 changes. The
  // backlog then is one-field entries (a note edited 12 times, a commit
  // each): a batch is halved down to 2 changes, and an entry is never split.
  std::atomic<bool> strict{false};
  FakeSyncServer server([&strict](const json& request, httplib::Response& res) {
    if (!strict || FieldCount(request) <= 3) return false;
    res.status = 413;
    res.set_content(ErrorJson("too_large", "too many changes").dump(), "application/json");
    return true;
  });
  FakeEnv env("/nonexistent");
  Device device(&env, server.url());
  {
    REQUIRE_OK(Unwrap(SyncClient::Open(&env, device.path))->SyncNow());  // the first records, whole
    std::unique_ptr<Store> store = device.OpenStore();
    for (int i = 0; i < 12; ++i) {
      const std::string notes = "look " + std::to_string(i);
      REQUIRE_OK(store->Commit({SetFields{RecordType::kVisit, device.visit_id, {{"notes", notes}}}}));
    }
  }
  strict = true;
  const size_t first = server.requests().size();
  const int64_t waiting = device.Counts().waiting;
  REQUIRE(waiting == 12);
  REQUIRE(device.PendingFields() == waiting);  // a field each
  SyncClientOptions options;
  options.push_batch = 8;
  auto client = Unwrap(SyncClient::Open(&env, device.path, options));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.pushed == waiting);
  CHECK(device.Counts().synced == 3 + waiting);  // the first three entries, then these
  const std::vector<json> reqs = server.requests();
  REQUIRE(reqs.size() >= first + 3);
  CHECK(FieldCount(reqs[first]) == 8);      // refused
  CHECK(FieldCount(reqs[first + 1]) == 4);  // refused
  CHECK(FieldCount(reqs[first + 2]) == 2);
  CHECK(r.requests == static_cast<int>(reqs.size() - first));
}

TEST_CASE("SyncNow keeps each request under the 8 MiB limit by sending fewer changes") {
  FakeSyncServer server;
  FakeEnv env("/nonexistent");
  Device device(&env, server.url());
  {
    // 90 visits with 95 KB of notes each: about 8.6 MB of changes.
    std::unique_ptr<Store> store = device.OpenStore();
    std::string notes;
    while (notes.size() < 95'000) notes += "Silt and plastic bags at the inlet; water stands 20 cm deep. ";
    for (int i = 0; i < 90; ++i) {
      REQUIRE_OK(store->Commit(
          {SetFields{RecordType::kVisit, NewUuid(&env), testing::VisitFields(device.site_id, {{"notes", notes}})}}));
    }
  }
  const int64_t waiting = device.Counts().waiting;  // entries
  const int64_t fields = device.PendingFields();
  auto client = Unwrap(SyncClient::Open(&env, device.path));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.pushed == fields);
  CHECK(r.requests >= 2);
  CHECK(device.Counts().synced == waiting);
  size_t sent = 0;
  for (const json& req : server.requests()) {
    CHECK(req.dump().size() <= kMaxRequestBytes);
    sent += FieldCount(req);
  }
  CHECK(sent == static_cast<size_t>(fields));
}

TEST_CASE("SyncNow classifies server errors, saves them for status, and a success clears them") {
  std::atomic<int> mode{0};
  FakeSyncServer server([&](const json&, httplib::Response& res) {
    switch (mode.load()) {
      case 1:
        res.status = 401;
        res.set_content(ErrorJson("expired_token", "the token has expired").dump(), "application/json");
        return true;
      case 2:
        res.status = 503;
        res.set_content("<html>down for maintenance</html>", "text/html");
        return true;
      case 3:
        res.status = 403;
        res.set_content(ErrorJson("device_mismatch", "token of another device").dump(), "application/json");
        return true;
      case 4:
        res.set_content(R"({"protocol":2,"acks":[],"rejects":[],"changes":[],"cursor":5,"more":false})",
                        "application/json");
        return true;
      case 5:
        res.set_content("this is not json", "application/json");
        return true;
      default:
        return false;
    }
  });
  FakeEnv env("/nonexistent");
  Device device(&env, server.url());
  auto client = Unwrap(SyncClient::Open(&env, device.path));
  struct Case {
    int mode;
    SyncAction action;
    const char* words;
  };
  for (const Case& c :
       {Case{1, SyncAction::kLogInAgain, "log in again"}, Case{2, SyncAction::kRetryLater, "the server has a problem"},
        Case{3, SyncAction::kStop, "log in again on this device"}, Case{4, SyncAction::kStop, "update the app"},
        Case{5, SyncAction::kRetryLater, "could not be read"}}) {
    CAPTURE(c.mode);
    mode = c.mode;
    SyncOutcome out = client->Sync();
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.action == c.action);
    CHECK_MESSAGE(out.status.message().find(c.words) != std::string::npos, out.status.message());
    SyncStatus st = Unwrap(ReadSyncStatus(device.OpenStore().get()));
    CHECK(st.blocked_by == out.status.message());
    CHECK(StatusSentence(st).find("blocked by: " + out.status.message()) != std::string::npos);
    CHECK(st.waiting > 0);  // nothing lost: the changes wait (as sent) for the next try
  }
  mode = 0;
  CHECK_OK(client->SyncNow());
  SyncStatus st = Unwrap(ReadSyncStatus(device.OpenStore().get()));
  CHECK(st.blocked_by.empty());
  CHECK(st.waiting == 0);
  CHECK_FALSE(st.last_ok.empty());
}

TEST_CASE("SyncNow without a login asks to log in, without touching the network") {
  FakeEnv env("/nonexistent");
  TempDir dir;
  auto client = Unwrap(SyncClient::Open(&env, dir.File("ccfield.db")));
  SyncOutcome out = client->Sync();
  CHECK(out.action == SyncAction::kLogInAgain);
  CHECK(out.status.message().find("log in first") != std::string::npos);
  CHECK(out.report.requests == 0);
}

// ---------------------------------------------------------------------------
// Background mode

TEST_CASE("Background: Stop aborts a transfer in progress promptly") {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  FakeSyncServer server([&](const json&, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });  // a link that went silent
    res.status = 503;
    return true;
  });
  Device device(DefaultEnv(), server.url());
  std::atomic<int> finished{0};
  SyncClientOptions options;
  options.on_finished = [&](const SyncOutcome&) { ++finished; };
  auto client = Unwrap(SyncClient::Open(DefaultEnv(), device.path, options));
  client->Start();
  client->RequestSync();
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return entered; }));
  }
  CHECK(client->Status().running);
  const auto t0 = Clock::now();
  client->Stop();
  const int64_t stop_ms = MsSince(t0);
  CHECK_MESSAGE(stop_ms < 2500, "Stop took " << stop_ms << " ms");
  CHECK_FALSE(client->Status().background);
  CHECK_FALSE(client->Status().running);
  CHECK(finished == 0);  // stopped, not finished
  // A stopped sync is not an error to show.
  CHECK(Unwrap(ReadSyncStatus(device.OpenStore().get())).blocked_by.empty());
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
}

TEST_CASE("Background: server down -> blocked with a plain reason, retries follow the backoff") {
  Device device(DefaultEnv(), "http://127.0.0.1:" + std::to_string(ClosedPort()));
  std::atomic<int> attempts{0};
  SyncClientOptions options;
  options.backoff.base_ms = 40;
  options.backoff.cap_ms = 160;
  options.backoff.floor_ms = 20;
  options.on_finished = [&](const SyncOutcome& out) {
    CHECK_FALSE(out.status.ok());
    ++attempts;
  };
  auto client = Unwrap(SyncClient::Open(DefaultEnv(), device.path, options));
  client->Start();
  // Counts are read at start, before any sync.
  REQUIRE(WaitFor([&] { return client->Status().waiting > 0; }, 2000));
  CHECK(attempts == 0);  // nothing happens until asked
  client->RequestSync();
  // One request; the later attempts come from the backoff alone.
  REQUIRE(WaitFor([&] { return attempts >= 4; }, 5000));
  SyncStatus st = client->Status();
  CHECK(st.background);
  CHECK(st.blocked_by.starts_with("cannot reach the server"));
  CHECK(st.blocked_action == SyncAction::kRetryLater);
  CHECK(st.failures >= 4);
  CHECK(st.waiting > 0);
  CHECK(StatusSentence(st).find("blocked by: cannot reach the server") != std::string::npos);
  // Never a busy loop: at least floor_ms between attempts.
  const int before = attempts;
  std::this_thread::sleep_for(milliseconds(400));
  CHECK(attempts - before <= 400 / options.backoff.floor_ms);
  REQUIRE(WaitFor([&] { return client->Status().next_retry_ms.has_value(); }, 2000));
  const auto t0 = Clock::now();
  client->Stop();
  CHECK(MsSince(t0) < 1000);
  CHECK_FALSE(client->Status().next_retry_ms.has_value());
  // The error was saved for `ccfield status` in another process.
  CHECK(Unwrap(ReadSyncStatus(device.OpenStore().get())).blocked_by.starts_with("cannot reach the server"));
}

TEST_CASE("Background: a login failure is not retried on its own") {
  FakeSyncServer server([](const json&, httplib::Response& res) {
    res.status = 401;
    res.set_content(ErrorJson("revoked_token", "revoked").dump(), "application/json");
    return true;
  });
  Device device(DefaultEnv(), server.url());
  std::atomic<int> attempts{0};
  SyncClientOptions options;
  options.backoff.base_ms = 10;
  options.backoff.floor_ms = 1;
  options.on_finished = [&](const SyncOutcome&) { ++attempts; };
  auto client = Unwrap(SyncClient::Open(DefaultEnv(), device.path, options));
  client->Start();
  client->RequestSync();
  REQUIRE(WaitFor([&] { return attempts == 1; }, 3000));
  std::this_thread::sleep_for(milliseconds(200));
  CHECK(attempts == 1);
  SyncStatus st = client->Status();
  CHECK(st.blocked_action == SyncAction::kLogInAgain);
  CHECK(st.blocked_by == "the login was revoked; log in again");
  CHECK_FALSE(st.next_retry_ms.has_value());
  client->RequestSync();  // asked again (after a new login, say): it tries again
  REQUIRE(WaitFor([&] { return attempts == 2; }, 3000));
  client->Stop();
}

// ---------------------------------------------------------------------------
// End to end: the real ccfield-server on 127.0.0.1

// A device: its own data directory with ccfield.db (as the CLI lays it out).
struct RealDevice : SyncDevice {
  SyncStatus Status() { return Unwrap(ReadSyncStatus(OpenStore().get())); }
};

TEST_CASE("End to end: login, push a visit, another device pulls it, rejects and no-op syncs") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  Env* env = DefaultEnv();

  RealDevice a;
  auto client_a = a.Client();
  LoginResult login = Unwrap(client_a->Login(server.url, "alice", "pw-alice-2026", "tablet A"));
  CHECK(login.server_url == server.url);
  REQUIRE(login.workspaces.size() == 1);
  CHECK(login.workspaces[0].id == server.workspace_id);
  CHECK(login.workspaces[0].role == "field_staff");
  CHECK(client_a->Login(server.url, "alice", "wrong", "tablet A").status().message() == "wrong user name or password");
  CHECK(client_a->Status().logged_in);

  // First sync: the workspace arrives.
  SyncReport first = Unwrap(client_a->SyncNow());
  CHECK(first.received > 0);
  std::unique_ptr<Store> store_a = a.OpenStore();
  REQUIRE_OK(store_a->Get(RecordType::kWorkspace, server.workspace_id));

  // A site and a visit made on the device.
  const std::string site_id = testing::AddSite(store_a.get(), env, server.workspace_id, "Culvert C-3");
  // No form answers here: see the known-issue case below.
  const std::string visit_id =
      testing::AddVisit(store_a.get(), env, site_id, {{"notes", "Blocked by sand."}, {"answers", json::object()}});
  // Two entries (the site's and the visit's); the status counts entries,
  // the sync report field changes.
  const int64_t made = Unwrap(store_a->replica().CountChangeStates()).waiting;
  REQUIRE(made == 2);
  const auto made_fields = static_cast<int64_t>(Unwrap(store_a->replica().PendingChanges(1 << 30)).size());
  REQUIRE(made_fields > 5);
  CHECK(a.Status().waiting == made);
  CHECK(StatusSentence(a.Status()).starts_with(std::to_string(made) + " changes waiting, last successful sync at "));

  SyncReport push = Unwrap(client_a->SyncNow());
  CHECK(push.requests == 1);
  CHECK(push.pushed == made_fields);
  CHECK(push.rejected == 0);
  CHECK(push.conflicts == 0);
  CHECK(a.Status().waiting == 0);
  CHECK(Unwrap(store_a->replica().CountChangeStates()).synced == made);

  // A no-op sync is exactly one request.
  SyncReport noop = Unwrap(client_a->SyncNow());
  CHECK(noop.requests == 1);
  CHECK(noop.pushed == 0);
  CHECK(noop.received == 0);

  // Device B (same user, another tablet) pulls the visit.
  RealDevice b;
  auto client_b = b.Client();
  REQUIRE_OK(client_b->Login(server.url, "alice", "pw-alice-2026", "tablet B"));
  SyncReport pull = Unwrap(client_b->SyncNow());
  CHECK(pull.received >= made_fields);
  std::unique_ptr<Store> store_b = b.OpenStore();
  Record visit_a = Unwrap(store_a->Get(RecordType::kVisit, visit_id));
  Record visit_b = Unwrap(store_b->Get(RecordType::kVisit, visit_id));
  CHECK(visit_b.fields == visit_a.fields);
  CHECK(Unwrap(store_b->Get(RecordType::kSite, site_id)).fields ==
        Unwrap(store_a->Get(RecordType::kSite, site_id)).fields);
  CHECK(visit_b.Get("notes") == "Blocked by sand.");

  // A change the server refuses: good practices are read-only for devices.
  const std::string practice_id = NewUuid(env);
  REQUIRE_OK(store_a->Commit({SetFields{RecordType::kPractice, practice_id, {{"title", "Rain gardens"}}}}));
  SyncReport rejected = Unwrap(client_a->SyncNow());
  CHECK(rejected.requests == 1);
  CHECK(rejected.rejected >= 1);
  SyncStatus st = a.Status();
  CHECK(st.rejected >= 1);
  CHECK(st.waiting == 0);
  auto rejects = Unwrap(store_a->replica().ChangesInState(ChangeState::kRejected, 10));
  REQUIRE_FALSE(rejects.empty());
  CHECK(rejects[0].first.record_id == practice_id);
  CHECK_FALSE(rejects[0].second.empty());  // the server's reason, in plain words
  MESSAGE("rejected with: " << rejects[0].second);

  // Concurrent edits of one field: the later arrival wins, a conflict keeps the other.
  REQUIRE_OK(store_a->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Clear the culvert"}}}}));
  REQUIRE_OK(
      store_b->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Call the roads office"}}}}));
  REQUIRE_OK(client_a->SyncNow());
  SyncReport clash = Unwrap(client_b->SyncNow());
  CHECK(clash.conflicts == 1);
  CHECK(b.Status().open_conflicts == 1);
  std::vector<FieldConflict> open = Unwrap(store_b->replica().Conflicts(true));
  REQUIRE(open.size() == 1);
  CHECK(open[0].field == "follow_up_action");
  CHECK(open[0].winner == "Call the roads office");
  CHECK(open[0].loser == "Clear the culvert");
  // Resolved on B; the next sync confirms it and A hears of it.
  REQUIRE_OK(store_b->replica().ResolveConflict(open[0].id, "Clear the culvert"));
  CHECK(b.Status().open_conflicts == 0);
  REQUIRE_OK(client_b->SyncNow());
  CHECK(Unwrap(store_b->replica().Conflicts(true)).empty());
  REQUIRE_OK(client_a->SyncNow());
  CHECK(Unwrap(store_a->Get(RecordType::kVisit, visit_id)).Get("follow_up_action") == "Clear the culvert");

  // The server goes away: blocked, with a plain reason; nothing is lost.
  REQUIRE_OK(store_a->Commit({SetFields{RecordType::kVisit, visit_id, {{"notes", "Sand removed."}}}}));
  server.Kill(SIGKILL);  // while the client holds a kept-alive connection to it
  SyncOutcome down = client_a->Sync();
  CHECK(down.action == SyncAction::kRetryLater);
  CHECK(down.status.message().starts_with("cannot reach the server"));
  st = a.Status();
  CHECK(st.waiting == 1);
  CHECK(StatusSentence(st).find(", blocked by: cannot reach the server") != std::string::npos);
}

TEST_CASE("End to end: background sync completes and calls on_finished, Stop is prompt") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  RealDevice a;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SyncOutcome> outcomes;
  SyncClientOptions options;
  options.on_finished = [&](const SyncOutcome& out) {
    std::lock_guard<std::mutex> lock(mu);
    outcomes.push_back(out);
    cv.notify_all();
  };
  auto client = a.Client(options);
  REQUIRE_OK(client->Login(server.url, "bob", "pw-bob-2026", "tablet"));
  client->Start();
  client->RequestSync();
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !outcomes.empty(); }));
    CHECK_OK(outcomes[0].status);
    CHECK(outcomes[0].report.requests >= 1);
    CHECK(outcomes[0].report.received > 0);
  }
  SyncStatus st = client->Status();
  CHECK_FALSE(st.running);
  CHECK(st.blocked_by.empty());
  CHECK_FALSE(st.last_ok.empty());
  CHECK_FALSE(st.next_retry_ms.has_value());

  // A local edit, then a refresh: the count shows it without a sync.
  {
    std::unique_ptr<Store> store = a.OpenStore();
    testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
  }
  client->RefreshStatus();
  REQUIRE(WaitFor([&] { return client->Status().waiting > 0; }, 3000));
  client->RequestSync();
  REQUIRE(WaitFor([&] { return client->Status().waiting == 0 && !client->Status().running; }, 5000));

  const auto t0 = Clock::now();
  client->Stop();
  CHECK(MsSince(t0) < 1000);
}

TEST_CASE("End to end: a revoked device is told to stop") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  RealDevice a;
  auto client = a.Client();
  REQUIRE_OK(client->Login(server.url, "alice", "pw-alice-2026", "lost tablet"));
  REQUIRE_OK(client->SyncNow());
  server.Admin({"revoke-device", a.OpenStore()->device_id()});
  SyncOutcome out = client->Sync();
  REQUIRE_FALSE(out.status.ok());
  CHECK(out.action == SyncAction::kStop);
  CHECK(out.status.code() == Code::kPermissionDenied);
  CHECK_MESSAGE(out.status.message().find("removed from the server") != std::string::npos, out.status.message());
}

// Regression tests for two bugs found end to end (both fixed).

// core logs a new visit's "answers.<id>" changes before its "form" change
// (fields in key order), and the server checks each answer against the form
// applied so far in the request: the answers are rejected.
TEST_CASE("End to end: a new visit with form answers syncs whole") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  RealDevice a, b;
  auto client_a = a.Client();
  REQUIRE_OK(client_a->Login(server.url, "alice", "pw-alice-2026", "tablet A"));
  REQUIRE_OK(client_a->SyncNow());
  std::unique_ptr<Store> store_a = a.OpenStore();
  const std::string site_id = testing::AddSite(store_a.get(), DefaultEnv(), server.workspace_id);
  const std::string visit_id = testing::AddVisit(store_a.get(), DefaultEnv(), site_id);  // with answers
  SyncReport push = Unwrap(client_a->SyncNow());
  CHECK(push.rejected == 0);
  for (const auto& [e, reason] : Unwrap(store_a->replica().ChangesInState(ChangeState::kRejected, 10))) {
    MESSAGE("rejected " << e.field << ": " << reason);
  }
  auto client_b = b.Client();
  REQUIRE_OK(client_b->Login(server.url, "alice", "pw-alice-2026", "tablet B"));
  REQUIRE_OK(client_b->SyncNow());
  CHECK(Unwrap(b.OpenStore()->Get(RecordType::kVisit, visit_id)).Get("answers.asset_type") == "culvert");
}

// The device whose edit wins a conflict receives, in the same answer, the
// other device's earlier change of that field; Store::ApplySyncBatch applies
// it over the newer own value (acks first, then older remote changes), so
// the record shows the losing value while the server holds the winner.
TEST_CASE("End to end: after a conflict the winning device keeps the winning value") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  RealDevice a, b;
  auto client_a = a.Client();
  auto client_b = b.Client();
  REQUIRE_OK(client_a->Login(server.url, "alice", "pw-alice-2026", "tablet A"));
  REQUIRE_OK(client_b->Login(server.url, "bob", "pw-bob-2026", "tablet B"));
  REQUIRE_OK(client_a->SyncNow());
  std::string visit_id;
  {
    std::unique_ptr<Store> store = a.OpenStore();
    const std::string site = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
    visit_id = testing::AddVisit(store.get(), DefaultEnv(), site, {{"answers", json::object()}});
  }
  REQUIRE_OK(client_a->SyncNow());
  REQUIRE_OK(client_b->SyncNow());
  REQUIRE_OK(a.OpenStore()->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Dig out"}}}}));
  REQUIRE_OK(b.OpenStore()->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", "Replace"}}}}));
  REQUIRE_OK(client_a->SyncNow());
  SyncReport clash = Unwrap(client_b->SyncNow());
  CHECK(clash.conflicts == 1);
  // The later arrival (B) wins on the server and must win on B too.
  CHECK(Unwrap(b.OpenStore()->Get(RecordType::kVisit, visit_id)).Get("follow_up_action") == "Replace");
  REQUIRE_OK(client_a->SyncNow());
  CHECK(Unwrap(a.OpenStore()->Get(RecordType::kVisit, visit_id)).Get("follow_up_action") == "Replace");
}

// The CLI in-process: `ccfield --data DIR ARGS...`.
struct CliRun {
  int code;
  std::string out, err;
};
CliRun Cli(const std::string& data_dir, std::vector<std::string> args) {
  std::ostringstream out, err;
  args.insert(args.begin(), {"--data", data_dir});
  const int code = cli::Run(args, DefaultEnv(), out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("End to end: the CLI commands login, sync, status, conflicts, resolve") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  RealDevice a, b;
  const std::string dir_a = a.dir.path(), dir_b = b.dir.path();

  CHECK(Cli(dir_a, {"login", "--help"}).code == 0);
  CliRun bad = Cli(dir_a, {"login", "http://10.0.0.1", "--user", "alice", "--password", "pw-alice-2026"});
  CHECK(bad.code == cli::kExitInvalid);
  CHECK(bad.err.find("https://") != std::string::npos);
  CliRun wrong = Cli(dir_a, {"login", server.url, "--user", "alice", "--password", "nope"});
  CHECK(wrong.code == cli::kExitFailure);
  CHECK(wrong.err.find("wrong user name or password") != std::string::npos);

  CliRun login = Cli(dir_a, {"--json", "login", server.url, "--user", "alice", "--password", "pw-alice-2026"});
  REQUIRE_MESSAGE(login.code == 0, login.err);
  json lj = json::parse(login.out);
  CHECK(lj["server_url"] == server.url);
  CHECK(lj["workspaces"][0]["id"] == server.workspace_id);
  REQUIRE(Cli(dir_b, {"login", server.url, "--user", "bob", "--password", "pw-bob-2026"}).code == 0);

  CliRun sync = Cli(dir_a, {"sync"});
  REQUIRE_MESSAGE(sync.code == 0, sync.err);
  CHECK(sync.out.starts_with("Pushed nothing, received "));
  REQUIRE(Cli(dir_b, {"sync"}).code == 0);

  // A visit from A; both sync; B and A then edit the same field.
  std::string visit_id;
  {
    std::unique_ptr<Store> store = a.OpenStore();
    const std::string site = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
    visit_id = testing::AddVisit(store.get(), DefaultEnv(), site, {{"answers", json::object()}});
  }
  CliRun status = Cli(dir_a, {"status"});
  CHECK(status.out.find("changes waiting, last successful sync at ") != std::string::npos);
  CliRun pushed = Cli(dir_a, {"--json", "sync"});
  REQUIRE_MESSAGE(pushed.code == 0, pushed.err);
  json pj = json::parse(pushed.out);
  CHECK(pj["requests"] == 1);
  CHECK(pj["pushed"].get<int>() > 5);
  // Issue 14: in records: the site and the visit, however many fields each.
  CHECK(pj["pushed_records"] == json{{"site", 1}, {"visit", 1}});
  REQUIRE(Cli(dir_b, {"sync"}).code == 0);
  for (auto [dir, value] : {std::pair{dir_a, "Dig out the inlet"}, std::pair{dir_b, "Replace the grate"}}) {
    std::unique_ptr<Store> store = testing::OpenStore(DefaultEnv(), dir + "/ccfield.db");
    REQUIRE_OK(store->Commit({SetFields{RecordType::kVisit, visit_id, {{"follow_up_action", value}}}}));
  }
  CliRun one_edit = Cli(dir_a, {"sync"});
  REQUIRE(one_edit.code == 0);
  CHECK(one_edit.out.starts_with("Pushed 1 visit (1 field change), received nothing, 0 conflicts\n"));
  CliRun clash = Cli(dir_b, {"sync"});
  CHECK(clash.out.find("1 conflict") != std::string::npos);

  CliRun st = Cli(dir_b, {"--json", "status"});
  json sj = json::parse(st.out);
  CHECK(sj["open_conflicts"] == 1);
  CHECK(sj["waiting"] == 0);
  CHECK(sj["logged_in"] == true);
  CHECK(sj["blocked_by"] == "");

  CliRun list = Cli(dir_b, {"conflicts"});
  CHECK(list.out.find("field follow_up_action") != std::string::npos);
  // ("current:" is the record's value on B: see the known-issue case below.)
  CHECK(list.out.find("other:   \"Dig out the inlet\"") != std::string::npos);
  CHECK(list.out.find("on device " + a.OpenStore()->device_id().substr(0, 8)) != std::string::npos);
  json cj = json::parse(Cli(dir_b, {"--json", "conflicts"}).out);
  REQUIRE(cj["count"] == 1);
  const std::string conflict_id = cj["items"][0]["id"];
  CHECK(cj["items"][0]["other"] == "Dig out the inlet");

  CHECK(Cli(dir_b, {"resolve", conflict_id}).code == cli::kExitUsage);
  CHECK(Cli(dir_b, {"resolve", "ffffffff", "--keep", "other"}).code == cli::kExitNotFound);
  CliRun resolved = Cli(dir_b, {"resolve", conflict_id.substr(0, 8), "--keep", "other"});
  REQUIRE_MESSAGE(resolved.code == 0, resolved.err);
  CHECK(resolved.out.find("\"Dig out the inlet\"") != std::string::npos);
  CHECK(Cli(dir_b, {"conflicts"}).out == "No open conflicts.\n");
  REQUIRE(Cli(dir_b, {"sync"}).code == 0);
  REQUIRE(Cli(dir_a, {"sync"}).code == 0);
  CHECK(Unwrap(a.OpenStore()->Get(RecordType::kVisit, visit_id)).Get("follow_up_action") == "Dig out the inlet");

  // Server down: a plain error, a non-zero exit, and status says what blocks.
  server.Kill();
  CliRun down = Cli(dir_a, {"sync"});
  CHECK(down.code == cli::kExitFailure);
  CHECK(down.err.find("cannot reach the server") != std::string::npos);
  CHECK(Cli(dir_a, {"status"}).out.find("blocked by: cannot reach the server") != std::string::npos);
  CliRun down_json = Cli(dir_a, {"--json", "sync"});
  CHECK(json::parse(down_json.err)["error"]["code"] == "unavailable");
}

}  // namespace
}  // namespace ccfield::sync::system_test
