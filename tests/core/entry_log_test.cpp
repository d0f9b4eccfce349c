// Issue 14, store schema 11: the change log keeps one entry per record per
// commit (its fields, their bases), and sync reads, acks, refuses and
// receives whole entries while every field keeps today's rules.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

using nlohmann::json;
using testing::StoreFixture;
using testing::Unwrap;

// Rows of the change log (entries), not fields.
int64_t LogRows(const std::string& path, const std::string& where = "1") {
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare("SELECT count(*) FROM change_log WHERE " + where));
  REQUIRE(Unwrap(q.Step()));
  return q.Int(0);
}

std::string One(const std::string& path, const std::string& sql) {
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare(sql));
  REQUIRE(Unwrap(q.Step()));
  return q.IsNull(0) ? "NULL" : q.Text(0);
}

int64_t FieldVersion(const std::string& path, const std::string& record, const std::string& field) {
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare("SELECT version FROM field_versions WHERE record_id = ? AND field = ?"));
  q.Bind(1, record).Bind(2, field);
  return Unwrap(q.Step()) ? q.Int(0) : 0;
}

// Sends everything pending and acks each entry with its own version.
ServerVersion SyncAll(Store* s, ServerVersion v) {
  auto pending = Unwrap(s->replica().PendingChanges(100000));
  if (pending.empty()) return v;
  REQUIRE_OK(s->replica().MarkSent(pending.front().device_seq, pending.back().device_seq));
  SyncBatch b;
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) {
    b.acks.push_back({pending[i].device_seq, ++v, ChangeOutcome::kApplied, ClockFlag::kNone, ""});
  }
  b.cursor = v;
  REQUIRE_OK(s->replica().ApplySyncBatch(b));
  return v;
}

// A change another device made, as a pull brings it.
FieldChange Remote(const std::string& record, const std::string& ws, const std::string& field, json value,
                   DeviceSeq dseq, ServerVersion v) {
  FieldChange c;
  c.type = ChangeType::kVisit;
  c.record_id = record;
  c.workspace_id = ws;
  c.field = field;
  c.value = std::move(value);
  c.device_id = "tablet-b";
  c.device_seq = dseq;
  c.time = "2026-12-01T09:00:00.000Z";
  c.author = "Bakari";
  c.user = "bakari";
  c.version = v;
  return c;
}

TEST_CASE("entries: a commit logs one row per record, with its fields and their bases") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const int64_t before = LogRows(fx.path);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "first"}});
  // A new visit: one entry, record fields before form answers, created.
  CHECK(LogRows(fx.path) == before + 1);
  std::vector<ChangeEntry> h = Unwrap(fx->History(visit));
  REQUIRE(h.size() >= 7);
  CHECK(EntryEnd(h, 0) == h.size());
  bool answers_seen = false;
  for (const ChangeEntry& c : h) {
    CHECK(c.seq == h[0].seq);
    CHECK(c.created);
    if (c.field.starts_with("answers.")) answers_seen = true;
    CHECK_MESSAGE((!answers_seen || c.field.starts_with("answers.")), c.field);
  }
  ServerVersion v = SyncAll(fx.store(), 0);

  // Two ops on the visit and one on the site, in one commit: one entry each.
  CommitResult r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, visit, {{"notes", "second"}}},
                                      SetFields{RecordType::kSite, seeded.site_id, {{"name", "Drain D-15"}}},
                                      SetFields{RecordType::kVisit, visit,
                                                {{"status", "complete"}, {"notes", "third"},
                                                 {"answers", {{"blockage_pct", "gt75"}}}}}}));
  CHECK(r.last_seq - r.first_seq + 1 == 2);
  CHECK(r.changed_fields == 4);
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE(pending.size() == 4);
  CHECK(pending[0].record_id == visit);
  CHECK(EntryEnd(pending, 0) == 3);
  std::map<std::string, ChangeEntry> by_field;
  for (size_t i = 0; i < 3; ++i) by_field[pending[i].field] = pending[i];
  CHECK(by_field.at("notes").value == "third");  // the last value written wins
  CHECK(by_field.at("status").value == "complete");
  CHECK(by_field.at("answers.blockage_pct").value == "gt75");
  CHECK(pending[2].field == "answers.blockage_pct");  // answers after record fields
  for (const auto& [f, c] : by_field) {
    CHECK_FALSE(c.created);
    CHECK(c.workspace_id == seeded.workspace_id);
    CHECK(c.base == FieldVersion(fx.path, visit, f));  // each field's own base
    CHECK(c.base > 0);
  }
  CHECK(pending[3].record_id == seeded.site_id);
  CHECK(pending[3].device_seq == pending[0].device_seq + 1);
  // Only the bases above 0 are stored; the values are stored once.
  const json stored = json::parse(One(fx.path, "SELECT fields FROM change_log WHERE seq = " +
                                                    std::to_string(pending[0].seq)));
  CHECK(stored == json{{"notes", "third"}, {"status", "complete"}, {"answers.blockage_pct", "gt75"}});
  CHECK(json::parse(One(fx.path, "SELECT bases FROM change_log WHERE seq = " + std::to_string(pending[0].seq))).size() ==
        3);

  // A delete of a record seen by the server is one field, based on the record's newest version.
  v = SyncAll(fx.store(), v);
  const std::string fresh = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, visit}, DeleteRecord{RecordType::kVisit, fresh}}));
  pending = Unwrap(fx->replica().PendingChanges(1000));
  std::map<std::string, ChangeEntry> deletes;
  for (const ChangeEntry& c : pending) {
    if (c.field == "_deleted") deletes[c.record_id] = c;
  }
  CHECK(deletes.at(visit).base == v - 1);
  CHECK(deletes.at(fresh).base == 0);
  CHECK(One(fx.path, "SELECT count(*) FROM change_log WHERE bases IS NULL AND record_id = '" + fresh + "'") == "2");
}

TEST_CASE("entries: a received entry is one row, and each field keeps an unsent local edit of that field only") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "mine"}});
  ServerVersion v = SyncAll(fx.store(), 0);
  // Unsent here: notes and one answer (a dotted name: no JSON path quoting trips on it).
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, visit,
                                   {{"notes", "local \"answers.asset_type\""}, {"answers", {{"asset_type", "manhole"}}}}}}));
  SyncBatch b;
  for (auto [f, val] : std::vector<std::pair<std::string, json>>{{"notes", "theirs"},
                                                                 {"status", "complete"},
                                                                 {"weather", "dry"},
                                                                 {"answers.asset_type", "inlet_gully"},
                                                                 {"answers.blockage_pct", "gt75"}}) {
    b.changes.push_back(Remote(visit, seeded.workspace_id, f, val, 7, v + 1));
  }
  b.cursor = v + 1;
  const int64_t rows = LogRows(fx.path);
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  CHECK(LogRows(fx.path) == rows + 1);
  CHECK(LogRows(fx.path, "device_id = 'tablet-b' AND device_seq = 7 AND sync_state = 'remote' AND server_version = " +
                             std::to_string(v + 1)) == 1);
  Record r = Unwrap(fx->Get(RecordType::kVisit, visit));
  CHECK(r.Get("notes") == "local \"answers.asset_type\"");  // unsent edit of notes wins
  CHECK(r.Get("answers.asset_type") == "manhole");          // and of this answer
  CHECK(r.Get("status") == "complete");                     // the other fields apply
  CHECK(r.Get("weather") == "dry");
  CHECK(r.Get("answers.blockage_pct") == "gt75");
  CHECK(FieldVersion(fx.path, visit, "status") == v + 1);
  CHECK(FieldVersion(fx.path, visit, "notes") < v + 1);
  // History still tells who changed each field, when and from where.
  std::vector<ChangeEntry> h = Unwrap(fx->History(visit));
  std::set<std::string> theirs;
  for (const ChangeEntry& c : h) {
    if (c.device_id != "tablet-b") continue;
    theirs.insert(c.field);
    CHECK(c.user == "bakari");
    CHECK(c.author == "Bakari");
    CHECK(c.time == "2026-12-01T09:00:00.000Z");
  }
  CHECK(theirs.size() == 5);
  // The same page again changes nothing.
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  CHECK(LogRows(fx.path) == rows + 1);
  CHECK(Unwrap(fx->Get(RecordType::kVisit, visit)).Get("notes") == "local \"answers.asset_type\"");
}

TEST_CASE("entries: an entry's ack holds for its fields unless a field's own ack overrides it") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  const std::string other = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  ServerVersion v = SyncAll(fx.store(), 0);
  const ServerVersion notes_before = FieldVersion(fx.path, visit, "notes");
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, visit, {{"notes", "a"}, {"status", "complete"}, {"weather", "dry"}}},
                         SetFields{RecordType::kVisit, other, {{"notes", "b"}, {"weather", "windy_dusty"}}}}));
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE(pending.size() == 5);
  REQUIRE_OK(fx->replica().MarkSent(pending.front().device_seq, pending.back().device_seq));
  const DeviceSeq first = pending[0].device_seq, second = pending[3].device_seq;
  SyncBatch b;
  // Protocol 3 grouped: the entry's ack, then the field the conflict kept out.
  b.acks.push_back({first, v + 1, ChangeOutcome::kApplied, ClockFlag::kFuture, ""});
  b.acks.push_back({first, 0, ChangeOutcome::kConflict, ClockFlag::kNone, "notes"});
  // One ack per field, as the server emits them (no entry-level ack).
  b.acks.push_back({second, v + 2, ChangeOutcome::kApplied, ClockFlag::kNone, "notes"});
  b.acks.push_back({second, v + 2, ChangeOutcome::kApplied, ClockFlag::kNone, "weather"});
  b.cursor = v + 2;
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  CHECK(One(fx.path, "SELECT sync_state || ' ' || server_version FROM change_log WHERE device_seq = " +
                         std::to_string(first)) == "conflict " + std::to_string(v + 1));
  CHECK(One(fx.path, "SELECT sync_state || ' ' || server_version FROM change_log WHERE device_seq = " +
                         std::to_string(second)) == "synced " + std::to_string(v + 2));
  CHECK(FieldVersion(fx.path, visit, "status") == v + 1);
  CHECK(FieldVersion(fx.path, visit, "weather") == v + 1);
  CHECK(FieldVersion(fx.path, visit, "notes") == notes_before);  // kept out: version 0 bumps nothing
  CHECK(FieldVersion(fx.path, other, "weather") == v + 2);
  // The clock flag belongs to the entry: every field of it shows it.
  int flagged = 0;
  for (const ChangeEntry& c : Unwrap(fx->History(visit))) {
    if (c.device_seq == first) {
      CHECK(c.clock == ClockFlag::kFuture);
      ++flagged;
    }
  }
  CHECK(flagged == 3);
  CHECK(Unwrap(fx->replica().PendingChanges(1000)).empty());
  ChangeStateCounts n = Unwrap(fx->replica().CountChangeStates());
  CHECK(n.conflict == 1);
}

TEST_CASE("entries: a refusal refuses the whole entry, and a retry sends the record as one entry") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE_OK(fx->replica().MarkSent(pending.front().device_seq, pending.back().device_seq));
  SyncBatch b;
  ServerVersion v = 0;
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) {
    if (pending[i].record_id == visit) {
      b.rejects.push_back({pending[i].device_seq, RejectCode::kForbidden, "not a member"});
    } else {
      b.acks.push_back({pending[i].device_seq, ++v, ChangeOutcome::kApplied, ClockFlag::kNone, ""});
    }
  }
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  const size_t visit_fields = Unwrap(fx->History(visit)).size();
  auto refused = Unwrap(fx->replica().ChangesInState(ChangeState::kRejected, 1));
  CHECK(refused.size() == visit_fields);  // the limit never splits an entry
  for (const auto& [c, why] : refused) {
    CHECK(c.record_id == visit);
    CHECK(why == "not a member");
  }
  RecordStatus st = Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, visit));
  CHECK(st.state == RecordState::kRefused);
  CHECK(st.reason == "not a member");

  const int64_t rows = LogRows(fx.path);
  CommitResult retried = Unwrap(fx->RetryRefused(RecordType::kVisit, visit));
  CHECK(retried.first_seq == retried.last_seq);
  CHECK(LogRows(fx.path) == rows + 1);
  CHECK(LogRows(fx.path, "sync_state = 'superseded'") == 1);
  pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE_FALSE(pending.empty());
  CHECK(EntryEnd(pending, 0) == pending.size());
  CHECK(pending[0].created);  // the server never had it: all of it, as creating it
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, visit)).state == RecordState::kDraft);
}

TEST_CASE("entries: PendingChanges gives whole entries, going over the limit rather than splitting one") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  SyncAll(fx.store(), 0);
  const std::string a = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  const std::string b = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  const size_t per_visit = Unwrap(fx->History(a)).size();
  REQUIRE(per_visit > 3);
  auto one = Unwrap(fx->replica().PendingChanges(1));
  CHECK(one.size() == per_visit);
  auto some = Unwrap(fx->replica().PendingChanges(static_cast<int>(per_visit) + 1));
  CHECK(some.size() == 2 * per_visit);
  CHECK(some.back().record_id == b);
  CHECK(Unwrap(fx->replica().PendingChanges(static_cast<int>(per_visit))).size() == per_visit);
  // MarkSent by device_seq range takes the whole entries.
  REQUIRE_OK(fx->replica().MarkSent(one.front().device_seq, one.back().device_seq));
  CHECK(LogRows(fx.path, "sync_state = 'sent'") == 1);
}

TEST_CASE("entries: an entry with damaged stored text is set aside whole, and the rest still sync") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  SyncAll(fx.store(), 0);
  const std::string bad = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "bad"}});
  const std::string good = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  fx.Close();
  {
    auto raw = testing::OpenRawDb(fx.path);
    REQUIRE_OK(raw->Exec("UPDATE change_log SET fields = replace(fields, '\"bad\"', '\"b' || cast(x'ff' AS TEXT) || "
                         "'d\"') WHERE record_id = '" + bad + "'"));
  }
  fx.Reopen();
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE_FALSE(pending.empty());
  for (const ChangeEntry& c : pending) CHECK(c.record_id == good);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, bad)).state == RecordState::kRefused);
  // A received field of that record still applies (the damaged entry reads as no fields).
  SyncBatch b;
  b.changes.push_back(Remote(bad, seeded.workspace_id, "weather", "dry", 3, 50));
  b.cursor = 50;
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  CHECK(Unwrap(fx->Get(RecordType::kVisit, bad)).Get("weather") == "dry");
  CHECK(Unwrap(fx->History(bad)).size() == 2);  // the damaged entry, then the received field
}

// A store as the schema-10 code left it (tests/data/core/make_schema10_store.cpp
// made it and wrote down what that code answered), opened by today's code.
TEST_CASE("entries: a schema-10 store upgrades to one-field entries and answers as before") {
  const std::string data = std::string(CCFIELD_SOURCE_DIR) + "/tests/data/core/schema10_store";
  const json before = json::parse(std::ifstream(data + ".json"));
  StoreFixture fx;
  fx.Close();
  std::filesystem::copy_file(data + ".db", fx.path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(fx.path + "-wal");
  std::filesystem::remove(fx.path + "-shm");
  REQUIRE(One(fx.path, "PRAGMA user_version") == "10");
  const std::string rows10 = One(fx.path, "SELECT count(*) FROM change_log");
  const std::string max_seq10 = One(fx.path, "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'");
  const std::string field_versions10 = One(fx.path, "SELECT group_concat(record_id || field || version) FROM "
                                                    "(SELECT * FROM field_versions ORDER BY record_id, field)");
  fx.Reopen();
  REQUIRE(fx->schema_version() == kSchemaVersion);
  CHECK(fx->device_id() == before["device_id"].get<std::string>());
  CHECK_OK(fx->CheckIntegrity());
  CHECK(One(fx.path, "SELECT count(*) FROM change_log") == rows10);
  CHECK(One(fx.path, "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'") == max_seq10);
  CHECK(One(fx.path, "SELECT group_concat(record_id || field || version) FROM "
                     "(SELECT * FROM field_versions ORDER BY record_id, field)") == field_versions10);

  auto as_json = [](const ChangeEntry& e) {
    return json{{"seq", e.seq},       {"device_id", e.device_id}, {"device_seq", e.device_seq}, {"time", e.time},
                {"author", e.author}, {"type", ChangeTypeName(e.type)}, {"record_id", e.record_id},
                {"field", e.field},   {"value", e.value},         {"created", e.created},       {"user", e.user},
                {"clock", ClockFlagName(e.clock)}, {"base", e.base}, {"workspace_id", e.workspace_id}};
  };
  for (const auto& [id, want] : before["history"].items()) {
    json got = json::array();
    for (const ChangeEntry& e : Unwrap(fx->History(id))) {
      json j = as_json(e);
      j["base"] = 0;  // History of schema 10 never read bases
      got.push_back(j);
    }
    CHECK_MESSAGE(got == want, id);
  }
  json pending = json::array();
  for (const ChangeEntry& e : Unwrap(fx->replica().PendingChanges(100000))) pending.push_back(as_json(e));
  CHECK(pending == before["pending"]);
  ChangeStateCounts n = Unwrap(fx->replica().CountChangeStates());
  const json counts = {{"waiting", n.waiting}, {"sent", n.sent},     {"synced", n.synced}, {"rejected", n.rejected},
                       {"conflict", n.conflict}, {"remote", n.remote}, {"demo", n.demo},     {"superseded", n.superseded}};
  CHECK(counts == before["counts"]);
  json rejected = json::array();
  for (const auto& [e, why] : Unwrap(fx->replica().ChangesInState(ChangeState::kRejected, 1000))) {
    json j = as_json(e);
    j["base"] = 0;
    rejected.push_back({{"entry", j}, {"reason", why}});
  }
  CHECK(rejected == before["rejected"]);
  for (RecordType t : {RecordType::kWorkspace, RecordType::kSite, RecordType::kVisit}) {
    const std::string name(TypeName(t));
    json states = json::object();
    for (const auto& [id, s] : Unwrap(fx->screens().RecordStates(t))) states[id] = {RecordStateName(s.state), s.reason};
    CHECK_MESSAGE(states == before["record_states"].value(name, json::object()), name);
    RecordStateCounts c = Unwrap(fx->screens().CountRecordStates(t));
    const json counts = {c.draft, c.waiting, c.sent, c.refused, c.conflict, c.demo};
    CHECK_MESSAGE(counts == before["record_state_counts"][name], name);
  }
  json conflicts = json::array();
  for (const FieldConflict& c : Unwrap(fx->replica().Conflicts(false))) {
    conflicts.push_back({{"id", c.id}, {"record_id", c.record_id}, {"field", c.field}, {"winner", c.winner},
                         {"loser", c.loser}, {"winner_user", c.winner_user}, {"mine", c.mine}});
  }
  CHECK(conflicts == before["conflicts"]);
  for (const auto& [id, fields] : before["records"].items()) {
    CHECK_MESSAGE(Unwrap(fx->Get(RecordType::kVisit, id)).fields == fields, id);
  }

  // New commits group, and go on after the old sequence numbers.
  const std::string visit = before["visits"][3];
  CommitResult r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, visit, {{"notes", "after"}, {"weather", "dry"}}}}));
  CHECK(r.first_seq == r.last_seq);
  CHECK(r.first_seq > std::stoll(max_seq10));
  CHECK(r.changed_fields == 2);
  auto now_pending = Unwrap(fx->replica().PendingChanges(100000));
  REQUIRE(now_pending.size() == pending.size() + 2);
  CHECK(now_pending.back().device_seq == now_pending[now_pending.size() - 2].device_seq);
  CHECK(now_pending.back().device_seq > pending.back()["device_seq"].get<int64_t>());
  // A remote entry over an old one-field unsent edit of the same record keeps that field.
  const std::string edited = before["visits"][0];
  SyncBatch b;
  for (auto [f, val] : std::vector<std::pair<std::string, json>>{{"notes", "late"}, {"weather", "windy_dusty"}}) {
    b.changes.push_back(Remote(edited, before["workspace"], f, val, 900, 1000));
  }
  b.cursor = 1000;
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  Record e = Unwrap(fx->Get(RecordType::kVisit, edited));
  CHECK(e.Get("notes") == before["records"][edited]["notes"]);
  CHECK(e.Get("weather") == "windy_dusty");
}


TEST_CASE("entries: the value a field got at a server version, for text patches, from own and received entries") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "own words"}});
  const ServerVersion own = SyncAll(fx.store(), 0);  // the visit's entry is the last one acked
  CHECK(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own)) == std::optional<json>("own words"));
  CHECK_FALSE(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own + 1)).has_value());
  CHECK_FALSE(Unwrap(fx->replica().ValueAtVersion(visit, "summary", own)).has_value());
  CHECK_FALSE(Unwrap(fx->replica().ValueAtVersion(visit, "notes", 0)).has_value());
  // A received entry.
  SyncBatch b;
  b.changes = {Remote(visit, seeded.workspace_id, "notes", "their words", 7, own + 5)};
  b.cursor = own + 5;
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  CHECK(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own + 5)) == std::optional<json>("their words"));
  CHECK(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own)) == std::optional<json>("own words"));
  // A damaged row is no base, and does not fail the lookup.
  fx.Close();
  {
    auto raw = testing::OpenRawDb(fx.path);
    REQUIRE_OK(raw->Exec("UPDATE change_log SET fields = '{not json' WHERE record_id = '" + visit +
                         "' AND server_version = " + std::to_string(own + 5)));
  }
  fx.Reopen();
  CHECK_FALSE(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own + 5)).has_value());
  CHECK(Unwrap(fx->replica().ValueAtVersion(visit, "notes", own)) == std::optional<json>("own words"));
}

}  // namespace
}  // namespace ccfield::store_test
