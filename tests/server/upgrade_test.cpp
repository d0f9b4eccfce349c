// Upgrades (issue 14): what today's devices and servers left behind keeps
// working with entries. Bodies a protocol-1 client sent and a schema-7
// server.db, both recorded with the code before entries (tests/data/server/,
// README.md there), are sent to and opened by the new server.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "ccfield/core/sqlite_db.h"
#include "http_server.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

const std::string kData = CCFIELD_SOURCE_DIR "/tests/data/server";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json ReadJson(const std::string& path) { return json::parse(ReadText(path)); }

// Every occurrence of `from` in `text` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The outcome a change answered `first` is given when re-sent.
std::string ResentOutcomeName(const std::string& first) { return first == "applied" ? "duplicate" : first; }

// The real HTTP server on 127.0.0.1 (this process, a free port).
struct LoopbackServer {
  ServerFixture f;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  int port = 0;

  LoopbackServer() {
    HttpServerOptions o;
    o.port = 0;
    o.auth.password_cost = PasswordCost::kMinimumForTests;
    server = std::make_unique<HttpServer>(f.storage.get(), &f.env, o);
    port = Unwrap(server->Bind());
    thread = std::thread([this] { CHECK(server->Run().ok()); });
    for (int i = 0; i < 500 && !server->IsRunning(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(server->IsRunning());
  }
  ~LoopbackServer() {
    server->Stop();
    thread.join();
  }
  json Post(const std::string& path, const std::string& body, const std::string& token = "") {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result r = c.Post(path.c_str(), h, body, "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body);
  }
  std::string Login(const std::string& user, const std::string& device_id) {
    json body = {{"username", user}, {"password", kPassword}, {"device_id", device_id}, {"device_name", "tablet"}};
    return Post("/v1/login", body.dump())["token"].get<std::string>();
  }
};

// The keys of a JSON object.
std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

TEST_CASE("upgrade: a protocol 1 client's recorded requests get protocol 1 answers with changes and per-change acks") {
  LoopbackServer s;
  const json ids = ReadJson(kData + "/v1/ids.json");
  const std::string ws = s.f.AddWorkspace();
  s.f.AddUser("amina");
  s.f.AddMember(ws, "amina");
  s.f.AddUser("bakari");
  s.f.AddMember(ws, "bakari");
  const std::string pusher = s.Login("amina", ids["pusher_device"].get<std::string>());
  const std::string puller = s.Login("bakari", ids["puller_device"].get<std::string>());
  // The recorded bodies name the workspace of the server they were recorded
  // on; this server made another id for it. Nothing else is changed.
  auto body = [&](const std::string& name) {
    return ReplaceAll(ReadText(kData + "/v1/" + name), ids["workspace"].get<std::string>(), ws);
  };

  const std::string push_body = body("push.json");
  const json pushed = json::parse(push_body);
  REQUIRE(pushed["protocol"] == 1);
  const json first = s.Post("/v1/sync", push_body, pusher);
  const json recorded = ReadJson(kData + "/v1/push.answer.json");
  CHECK(first["protocol"] == 1);
  CHECK(Keys(first) == Keys(recorded));
  CHECK_FALSE(first.contains("entries"));
  REQUIRE(first["acks"].size() == pushed["changes"].size());
  REQUIRE(first["acks"].size() == recorded["acks"].size());
  std::set<int64_t> versions;
  for (size_t i = 0; i < first["acks"].size(); ++i) {
    const json& a = first["acks"][i];
    CHECK(Keys(a) == Keys(recorded["acks"][i]));
    CHECK(a["seq"] == pushed["changes"][i]["seq"]);
    CHECK(a["outcome"] == "applied");
    CHECK(a["v"] == recorded["acks"][i]["v"]);  // one-field entries: one version each, as before
    versions.insert(a["v"].get<int64_t>());
  }
  CHECK(versions.size() == first["acks"].size());
  CHECK(first["rejects"].empty());

  // Another v1 device pulls: each field a change of its own, as before.
  const json pulled = s.Post("/v1/sync", body("pull.json"), puller);
  const json pulled_then = ReadJson(kData + "/v1/pull.answer.json");
  CHECK(pulled["protocol"] == 1);
  CHECK(Keys(pulled) == Keys(pulled_then));
  // The pusher's changes (the server's own, the workspace and member
  // records, have ids of their own on each server).
  auto pushers = [&](const json& changes) {
    json out = json::array();
    for (const json& c : changes) {
      if (c["device"] == ids["pusher_device"]) out.push_back(c);
    }
    return out;
  };
  const json got_changes = pushers(pulled["changes"]), then_changes = pushers(pulled_then["changes"]);
  REQUIRE(got_changes.size() == pushed["changes"].size());
  REQUIRE(then_changes.size() == pushed["changes"].size());
  for (size_t i = 0; i < got_changes.size(); ++i) {
    json got = got_changes[i], then = then_changes[i];
    CHECK(Keys(got) == Keys(then));
    then["ws"] = ws;
    if (then.contains("workspace_id")) then["workspace_id"] = ws;
    if (then["field"] == "workspace_id") then["value"] = ws;
    got.erase("time");
    then.erase("time");
    CHECK(got == then);
  }

  // The answer to the push was lost: the same body again is answered as
  // the first time, change by change.
  const json again = s.Post("/v1/sync", push_body, pusher);
  CHECK(again["protocol"] == 1);
  REQUIRE(again["acks"].size() == first["acks"].size());
  for (size_t i = 0; i < again["acks"].size(); ++i) {
    CHECK(again["acks"][i]["seq"] == first["acks"][i]["seq"]);
    CHECK(again["acks"][i]["v"] == first["acks"][i]["v"]);
    CHECK(again["acks"][i]["outcome"] == "duplicate");
  }
}

// The schema-7 server.db (tests/data/server/schema7) opened by this server.
struct MigratedServer {
  ServerFixture f;
  json m = ReadJson(kData + "/schema7/manifest.json");

  MigratedServer() {
    f.service.reset();
    f.storage.reset();
    const std::string db = SqliteStorage::PathIn(f.dir.path());
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    std::filesystem::copy_file(kData + "/schema7/server.db", db);
    f.Reopen();
  }
};

TEST_CASE("upgrade: a schema 7 server.db becomes schema 8, each change a one-field entry, nothing lost") {
  MigratedServer s;
  {
    sql::OpenOptions oo;
    oo.path = SqliteStorage::PathIn(s.f.dir.path());
    oo.read_only = true;
    auto db = Unwrap(sql::Db::Open(oo));
    auto q = Unwrap(db->Prepare("PRAGMA user_version"));
    REQUIRE(Unwrap(q.Step()));
    CHECK(q.Int(0) == 8);
  }
  CHECK(Unwrap(s.f.storage->CurrentVersion()) == s.m["current_version"].get<int64_t>());
  REQUIRE(s.m["changes"].size() > 10);
  std::map<std::string, std::vector<const json*>> by_field;  // record/field -> rows in order
  for (const json& row : s.m["changes"]) {
    CAPTURE(row.dump());
    std::vector<HistoryEntry> e =
        Unwrap(s.f.storage->FindEntry(row["device_id"].get<std::string>(), row["device_seq"].get<int64_t>()));
    REQUIRE(e.size() == 1);
    CHECK(e[0].record_id == row["record_id"]);
    CHECK(e[0].field == row["field"]);
    CHECK(e[0].value == row["value"]);
    CHECK(e[0].version == row["version"]);
    CHECK(std::string(HistoryOutcomeName(e[0].outcome)) == row["outcome"].get<std::string>());
    CHECK(std::string(e[0].ack ? ChangeOutcomeName(*e[0].ack) : "") == row["ack"].get<std::string>());
    by_field[row["record_id"].get<std::string>() + "/" + row["field"].get<std::string>()].push_back(&row);
    // Merge bases are found in the migrated rows.
    if (row["outcome"] == "applied") {
      CHECK(Unwrap(s.f.storage->ValueAt(row["record_id"].get<std::string>(), row["field"].get<std::string>(),
                                        row["version"].get<int64_t>())) == row["value"]);
    }
  }
  // Who changed each field, when, from where: the same rows, in order.
  for (const auto& [key, rows] : by_field) {
    CAPTURE(key);
    const size_t slash = key.find('/');
    std::vector<HistoryEntry> h = Unwrap(s.f.storage->FieldHistory(key.substr(0, slash), key.substr(slash + 1)));
    REQUIRE(h.size() == rows.size());
    for (size_t i = 0; i < h.size(); ++i) {
      CHECK(h[i].device_id == (*rows[i])["device_id"]);
      CHECK(h[i].device_seq == (*rows[i])["device_seq"]);
    }
  }

  SUBCASE("a new device pulls every applied change of the old history") {
    Staff c = AddStaff(&s.f, s.m["workspace"].get<std::string>(), "chiku");
    sync::SyncResponse r = s.f.Sync(c.who, {}, 0);
    std::set<std::pair<int64_t, std::string>> got, want;
    const int64_t migrated = s.m["current_version"].get<int64_t>();
    for (const FieldChange& x : r.changes) {
      if (x.version <= migrated) got.emplace(x.version, x.field);  // not chiku's new member record
    }
    for (const json& row : s.m["changes"]) {
      if (row["outcome"] == "applied") want.emplace(row["version"].get<int64_t>(), row["field"].get<std::string>());
    }
    CHECK(got == want);
    CHECK(r.conflicts.size() == 1);
  }
  SUBCASE("a change re-sent by a v1 device after the upgrade gets its first answer") {
    sync::SyncRequest req = Unwrap(sync::ParseSyncRequest(s.m["resend_request"]));
    const sync::ServerVersion before = Unwrap(s.f.storage->CurrentVersion());
    sync::SyncResponse r =
        Unwrap(s.f.service->Sync(s.f.Who(s.m["b_user"].get<std::string>(), s.m["b_device"].get<std::string>()), req));
    CHECK(r.rejects.empty());
    const json& first = s.m["resend_first_answer"]["acks"];
    REQUIRE(r.acks.size() == first.size());
    std::set<std::string> outcomes;
    for (size_t i = 0; i < r.acks.size(); ++i) {
      CHECK(r.acks[i].device_seq == first[i]["seq"]);
      CHECK(r.acks[i].version == first[i]["v"]);
      CHECK(ChangeOutcomeName(r.acks[i].outcome) == ResentOutcomeName(first[i]["outcome"].get<std::string>()));
      outcomes.insert(first[i]["outcome"].get<std::string>());
    }
    // The recording covers a merged text and a conflict, not only applied changes.
    CHECK(outcomes == std::set<std::string>{"applied", "merged", "conflict"});
    CHECK(Unwrap(s.f.storage->CurrentVersion()) == before);
  }
  SUBCASE("new entries are merged against the migrated history") {
    const std::string visit = s.m["visit"].get<std::string>(), ws = s.m["workspace"].get<std::string>();
    const StoredField notes = Unwrap(s.f.storage->GetField(visit, "notes"));
    const AuthContext a = s.f.Who(s.m["a_user"].get<std::string>(), s.m["a_device"].get<std::string>());
    std::vector<FieldChange> entry = {Change(100, "visit", visit, ws, "notes",
                                             notes.state.value.get<std::string>() + "line four\n", notes.state.version),
                                      Change(100, "visit", visit, ws, "condition_rating", "1")};
    sync::SyncResponse r = s.f.Sync(a, entry, s.m["current_version"].get<int64_t>());
    REQUIRE(r.rejects.empty());
    REQUIRE(r.acks.size() == 2);
    CHECK(r.acks[0].version == r.acks[1].version);
    CHECK(Unwrap(s.f.storage->FieldHistory(visit, "notes")).back().device_seq == 100);
  }
}

}  // namespace
}  // namespace ccfield::server::testing
