// Makes tests/data/core/schema10_store.db and schema10_store.json: a device
// store as ccfield's schema-10 code (main at 27b9d64, before issue 14's
// entries) left it, and what that code answered about it. Built by hand
// against that code's libccfield_core and run once; tests/core/entry_log_test.cpp
// opens a copy with today's code and checks the answers are the same.
//
//   g++ -std=c++20 -I core/include -I platform/include tests/data/core/make_schema10_store.cpp \
//       build/core/libccfield_core.a build/platform/libccfield_platform.a \
//       $(pkg-config --libs sqlite3 libsodium dbus-1 libgps) -o /tmp/make_schema10
//   /tmp/make_schema10 tests/data/core/schema10_store   # then VACUUM the .db (smaller file)
// Not built by CMake: today's code can no longer make these answers.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"

using namespace ccfield;
using nlohmann::json;

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.status().message() << "\n";
    std::exit(1);
  }
  return std::move(*r);
}
void Must(Status s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.message() << "\n";
    std::exit(1);
  }
}

json EntryJson(const ChangeEntry& e) {
  return {{"seq", e.seq},       {"device_id", e.device_id}, {"device_seq", e.device_seq}, {"time", e.time},
          {"author", e.author}, {"type", ChangeTypeName(e.type)}, {"record_id", e.record_id},
          {"field", e.field},   {"value", e.value},         {"created", e.created},       {"user", e.user},
          {"clock", ClockFlagName(e.clock)}, {"base", e.base}, {"workspace_id", e.workspace_id}};
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string base = argv[1];
  std::remove((base + ".db").c_str());
  Env* env = DefaultEnv();
  StoreOptions o;
  o.path = base + ".db";
  auto store = Must(Store::Open(env, o), "open");
  if (store->schema_version() != 10) return 3;
  store->SetAuthor("Amina");
  const std::string ws = NewUuid(env), site = NewUuid(env), site2 = NewUuid(env);
  Must(store->Commit({SetFields{RecordType::kWorkspace, ws, {{"name", "Dar drains"}, {"country", "TZ"}}}}), "ws");
  Must(store->Commit({SetFields{RecordType::kSite, site, {{"workspace_id", ws}, {"name", "Drain D-14"}, {"kind", "drain"}}},
                      SetFields{RecordType::kSite, site2, {{"workspace_id", ws}, {"name", "Market \"answers.q1\" drain"}, {"kind", "drain"}}}}),
       "sites");
  std::vector<std::string> visits;
  for (int i = 0; i < 5; ++i) {
    visits.push_back(NewUuid(env));
    json f = {{"site_id", i == 4 ? site2 : site},
              {"form", "drainage_flood@1.0"},
              {"status", "draft"},
              {"started_at", "2026-10-14T08:05:00+03:00"},
              {"notes", "visit " + std::to_string(i)},
              {"answers", {{"asset_type", "culvert"}, {"blockage_pct", "lt25"}}}};
    Must(store->Commit({SetFields{RecordType::kVisit, visits.back(), f}}), "visit");
  }
  // Send everything: acks with versions (one conflict, one clock flag), one visit refused.
  auto pending = Must(store->replica().PendingChanges(100000), "pending");
  Must(store->replica().MarkSent(pending.front().device_seq, pending.back().device_seq), "sent");
  SyncBatch b;
  ServerVersion v = 0;
  for (const ChangeEntry& c : pending) {
    if (c.record_id == visits[1]) {
      b.rejects.push_back({c.device_seq, RejectCode::kForbidden, "you are not a member of this workspace"});
      continue;
    }
    ChangeAck a{c.device_seq, ++v, ChangeOutcome::kApplied, ClockFlag::kNone, ""};
    if (c.record_id == visits[2] && c.field == "notes") a.outcome = ChangeOutcome::kConflict;
    if (c.record_id == visits[3] && c.field == "notes") a.clock = ClockFlag::kFuture;
    b.acks.push_back(a);
  }
  // Changes from another device (protocol 1: one field each), some over fields edited here.
  const std::string remote_visit = NewUuid(env);
  int64_t dseq = 40;
  auto remote = [&](const std::string& id, const std::string& field, json value, bool created) {
    FieldChange c;
    c.type = ChangeType::kVisit;
    c.record_id = id;
    c.workspace_id = ws;
    c.field = field;
    c.value = std::move(value);
    c.created = created;
    c.device_id = "tablet-b";
    c.device_seq = ++dseq;
    c.time = "2026-12-01T09:00:00.000Z";
    c.author = "Bakari";
    c.user = "bakari";
    c.version = ++v;
    b.changes.push_back(c);
  };
  for (auto [f, val] : std::vector<std::pair<std::string, json>>{{"site_id", site}, {"form", "drainage_flood@1.0"},
                                                                 {"status", "draft"}, {"started_at", "2026-11-02T07:00:00Z"},
                                                                 {"workspace_id", ws}, {"notes", "from b"},
                                                                 {"answers.asset_type", "pipe"}}) {
    remote(remote_visit, f, val, true);
  }
  remote(visits[0], "status", "complete", false);
  FieldConflict cf;
  cf.id = NewUuid(env);
  cf.version = ++v;
  cf.type = ChangeType::kVisit;
  cf.record_id = visits[2];
  cf.workspace_id = ws;
  cf.field = "notes";
  cf.base = json();
  cf.winner = "from b";
  cf.loser = "visit 2";
  cf.winner_device = "tablet-b";
  cf.loser_device = store->device_id();
  cf.winner_author = "Bakari";
  cf.loser_author = "Amina";
  cf.winner_user = "bakari";
  cf.loser_user = "";
  cf.loser_time = "2026-12-01T08:00:00.000Z";
  cf.winner_version = v - 1;
  b.conflicts.push_back(cf);
  b.cursor = v;
  b.server_time = "2026-12-01T10:00:00.000Z";
  Must(store->replica().ApplySyncBatch(b), "batch");
  // Unsent after the sync: an edit of three fields, a delete, a demo record.
  Must(store->Commit({SetFields{RecordType::kVisit, visits[0], {{"notes", "cleared \"answers.q1\""}, {"status", "draft"},
                                                                  {"answers", {{"blockage_pct", "gt75"}}}}}}),
       "edit");
  Must(store->Commit({DeleteRecord{RecordType::kVisit, visits[4]}}), "delete");
  CommitOptions demo;
  demo.demo = true;
  Must(store->Commit({SetFields{RecordType::kWorkspace, NewUuid(env), {{"name", "Demo"}, {"country", "TZ"}}}}, demo), "demo");

  json out;
  out["device_id"] = store->device_id();
  out["workspace"] = ws;
  out["sites"] = {site, site2};
  out["visits"] = visits;
  out["remote_visit"] = remote_visit;
  for (const std::string& id : std::vector<std::string>{ws, site, site2, visits[0], visits[1], visits[2], visits[3], visits[4], remote_visit}) {
    json h = json::array();
    for (const ChangeEntry& e : Must(store->History(id), "history")) h.push_back(EntryJson(e));
    out["history"][id] = h;
  }
  out["pending"] = json::array();
  for (const ChangeEntry& e : Must(store->replica().PendingChanges(100000), "pending")) out["pending"].push_back(EntryJson(e));
  ChangeStateCounts n = Must(store->replica().CountChangeStates(), "counts");
  out["counts"] = {{"waiting", n.waiting}, {"sent", n.sent}, {"synced", n.synced}, {"rejected", n.rejected},
                   {"conflict", n.conflict}, {"remote", n.remote}, {"demo", n.demo}, {"superseded", n.superseded}};
  out["rejected"] = json::array();
  for (const auto& [e, why] : Must(store->replica().ChangesInState(ChangeState::kRejected, 1000), "rejected")) {
    out["rejected"].push_back({{"entry", EntryJson(e)}, {"reason", why}});
  }
  for (RecordType t : {RecordType::kWorkspace, RecordType::kSite, RecordType::kVisit}) {
    for (const auto& [id, s] : Must(store->screens().RecordStates(t), "states")) {
      out["record_states"][std::string(TypeName(t))][id] = {RecordStateName(s.state), s.reason};
    }
    RecordStateCounts c = Must(store->screens().CountRecordStates(t), "state counts");
    out["record_state_counts"][std::string(TypeName(t))] = {c.draft, c.waiting, c.sent, c.refused, c.conflict, c.demo};
  }
  out["conflicts"] = json::array();
  for (const FieldConflict& c : Must(store->replica().Conflicts(false), "conflicts")) {
    out["conflicts"].push_back({{"id", c.id}, {"record_id", c.record_id}, {"field", c.field}, {"winner", c.winner},
                                {"loser", c.loser}, {"winner_user", c.winner_user}, {"mine", c.mine}});
  }
  for (const std::string& id : visits) out["records"][id] = Must(store->Get(RecordType::kVisit, id), "get").fields;
  out["records"][remote_visit] = Must(store->Get(RecordType::kVisit, remote_visit), "get").fields;
  store.reset();
  std::ofstream(base + ".json") << out.dump(1) << "\n";
  return 0;
}
