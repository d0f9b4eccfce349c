// SqliteStorage: the history, one row of `changes` per entry (schema 8,
// docs/sync-v2.md "Entries"). A row holds the record, the origin, the
// entry's version and `fields`, the JSON object of every field's value as the
// server took it; `outcomes` names the fields that were not applied (merged,
// kept_out; NULL when all were), `acks` what the device was told per field
// (NULL for server entries and entries stored before schema 4), `applied`
// how many fields it applied (0: nothing in it for devices to pull).
//
// Field lookups ("the value of F at version <= base", "who changed F") walk
// the record's entries newest first through changes_by_record and look
// inside `fields`: a record has tens of entries, not thousands.
#include <limits>
#include <set>

#include "sqlite_storage.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

Result<HistoryOutcome> ParseOutcome(const std::string& s) {
  if (s == "applied") return HistoryOutcome::kApplied;
  if (s == "merged") return HistoryOutcome::kMerged;
  if (s == "kept_out") return HistoryOutcome::kKeptOut;
  return Status::Corrupt("server.db holds an unknown change outcome \"" + s + "\"");
}

constexpr const char* kEntryColumns =
    "c.version, c.type, c.record_id, c.workspace_id, c.device_id, c.device_seq, c.device_time, c.author, "
    "c.created, c.clock_flag, c.user_id, c.fields, c.outcomes, c.acks";

// The JSON path of a top-level field: '$."answers.q1"' (field names hold
// dots; they never hold a double quote: CheckFieldValue knows every name).
std::string FieldPath(const std::string& field) { return "$.\"" + field + "\""; }

// The same in SQL, for a field name `key_sql` computed by the query.
#define CCF_FIELD_PATH(key_sql) "('$.\"' || " key_sql " || '\"')"

// Reads one row selected with kEntryColumns (then `extra` more columns) and
// appends its fields, in name order, to `out`, leaving out the fields in
// `skip` and, with `applied_only`, those not applied.
Status ReadEntry(const sql::Stmt& s, bool applied_only, const std::set<std::string>& skip,
                 std::vector<HistoryEntry>* out) {
  HistoryEntry head;
  head.version = s.Int(0);
  head.type = ParseChangeType(s.Text(1));
  head.record_id = s.Text(2);
  head.workspace_id = s.Text(3);
  head.device_id = s.Text(4);
  head.device_seq = s.Int(5);
  head.time = s.Text(6);
  head.author = s.Text(7);
  head.created = s.Int(8) != 0;
  head.clock = ParseClockFlag(s.Text(9));
  head.user_id = s.Text(10);
  CCF_ASSIGN_OR_RETURN(json fields, StoredJson(s.Text(11)));
  json outcomes = json::object();
  if (!s.IsNull(12)) {
    CCF_ASSIGN_OR_RETURN(outcomes, StoredJson(s.Text(12)));
  }
  json acks = json::object();
  if (!s.IsNull(13)) {
    CCF_ASSIGN_OR_RETURN(acks, StoredJson(s.Text(13)));
  }
  if (!fields.is_object() || fields.empty() || !outcomes.is_object() || !acks.is_object()) {
    return Status::Corrupt("server.db holds a history entry whose fields are not a JSON object");
  }
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string& name = it.key();
    if (skip.count(name)) continue;
    HistoryEntry e = head;
    e.field = name;
    e.value = std::move(it.value());
    if (auto o = outcomes.find(name); o != outcomes.end() && o->is_string()) {
      CCF_ASSIGN_OR_RETURN(e.outcome, ParseOutcome(o->get<std::string>()));
    }
    if (applied_only && e.outcome != HistoryOutcome::kApplied) continue;
    if (e.outcome == HistoryOutcome::kKeptOut) e.version = 0;  // the entry's version is its other fields'
    if (auto a = acks.find(name); a != acks.end() && a->is_string()) e.ack = ParseChangeOutcome(a->get<std::string>());
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

const char* SqliteStorage::EntrySchemaSql() {
  // Schema 8: each schema-7 row (one field change) becomes a one-field entry
  // with its version and (device_id, device_seq) unchanged, so a re-sent
  // change of a device that synced before the upgrade gets its first answer.
  return R"sql(
CREATE TABLE changes_v8(
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  device_time TEXT NOT NULL,
  author TEXT NOT NULL,
  created INTEGER NOT NULL,
  clock_flag TEXT NOT NULL,
  user_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  outcomes TEXT,
  acks TEXT,
  applied INTEGER NOT NULL,
  UNIQUE(device_id, device_seq)
);
INSERT INTO changes_v8(id, version, type, record_id, workspace_id, device_id, device_seq, device_time, author,
                       created, clock_flag, user_id, fields, outcomes, acks, applied)
  SELECT id, version, type, record_id, workspace_id, device_id, device_seq, device_time, author, created,
         clock_flag, user_id, json_object(field, json(value)),
         CASE outcome WHEN 'applied' THEN NULL ELSE json_object(field, outcome) END,
         CASE ack WHEN '' THEN NULL ELSE json_object(field, ack) END,
         outcome = 'applied'
  FROM changes ORDER BY id;
DROP TABLE changes;
ALTER TABLE changes_v8 RENAME TO changes;
CREATE INDEX changes_by_version ON changes(version);
CREATE INDEX changes_by_record ON changes(record_id, version);
)sql";
}

Result<std::vector<HistoryEntry>> SqliteStorage::FindEntry(const std::string& device_id, DeviceSeq seq) {
  static const std::string sql =
      std::string("SELECT ") + kEntryColumns + " FROM changes c WHERE c.device_id = ? AND c.device_seq = ?";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, device_id).Bind(2, seq);
  std::vector<HistoryEntry> out;
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) CCF_RETURN_IF_ERROR(ReadEntry(*q, false, {}, &out));
  return out;
}

Result<std::optional<HistoryEntry>> SqliteStorage::ChangeAtVersion(ServerVersion version) {
  static const std::string sql = std::string("SELECT ") + kEntryColumns + " FROM changes c WHERE c.version = ? LIMIT 1";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, version);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<HistoryEntry>();
  std::vector<HistoryEntry> fields;
  CCF_RETURN_IF_ERROR(ReadEntry(*q, false, {}, &fields));
  for (HistoryEntry& f : fields) {
    if (f.version == version) return std::optional<HistoryEntry>(std::move(f));
  }
  return std::optional<HistoryEntry>(std::move(fields.front()));
}

Status SqliteStorage::AppendEntry(const std::vector<HistoryEntry>& entry) {
  CCF_RETURN_IF_ERROR(WriteGuard());
  if (entry.empty()) return Status::Internal("a history entry without fields");
  const HistoryEntry& head = entry.front();
  json fields = json::object(), outcomes = json::object(), acks = json::object();
  ServerVersion version = 0;
  int64_t applied = 0;
  for (const HistoryEntry& e : entry) {
    if (e.device_seq != head.device_seq || e.device_id != head.device_id || e.record_id != head.record_id) {
      return Status::Internal("the fields of a history entry must share the record and the origin");
    }
    if (fields.contains(e.field)) return Status::Internal("history entry names field " + e.field + " twice");
    fields[e.field] = e.value;
    if (e.outcome != HistoryOutcome::kApplied) outcomes[e.field] = HistoryOutcomeName(e.outcome);
    if (e.outcome == HistoryOutcome::kApplied) ++applied;
    if (e.ack) acks[e.field] = ChangeOutcomeName(*e.ack);
    version = std::max(version, e.version);
  }
  CCF_ASSIGN_OR_RETURN(Query q, Q("INSERT INTO changes(version, type, record_id, workspace_id, device_id, "
                                  "device_seq, device_time, author, created, clock_flag, user_id, fields, outcomes, "
                                  "acks, applied) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  q->Bind(1, version)
      .Bind(2, std::string(ChangeTypeName(head.type)))
      .Bind(3, head.record_id)
      .Bind(4, head.workspace_id)
      .Bind(5, head.device_id)
      .Bind(6, head.device_seq)
      .Bind(7, head.time)
      .Bind(8, head.author)
      .Bind(9, head.created ? 1 : 0)
      .Bind(10, std::string(ClockFlagName(head.clock)))
      .Bind(11, head.user_id)
      .Bind(12, JsonText(fields));
  if (outcomes.empty()) {
    q->BindNull(13);
  } else {
    q->Bind(13, JsonText(outcomes));
  }
  if (acks.empty()) {
    q->BindNull(14);
  } else {
    q->Bind(14, JsonText(acks));
  }
  q->Bind(15, applied);
  return q->Run();
}

Result<json> SqliteStorage::ValueAt(const std::string& record_id, const std::string& field, ServerVersion version) {
  // As of `version` is just before the next one: one query for both (ValueBefore).
  if (version <= 0) return json();
  const ServerVersion next = version == std::numeric_limits<ServerVersion>::max() ? version : version + 1;
  CCF_ASSIGN_OR_RETURN(std::optional<VersionedValue> v, ValueBefore(record_id, field, next));
  return v ? std::move(v->value) : json();
}

Result<std::optional<ServerStorage::VersionedValue>> SqliteStorage::ValueBefore(const std::string& record_id,
                                                                                const std::string& field,
                                                                                ServerVersion version) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT c.fields -> ?3, c.version FROM changes c WHERE c.record_id = ?1 "
                                  "AND c.version > 0 AND c.version < ?2 AND c.applied > 0 "
                                  "AND c.fields -> ?3 IS NOT NULL AND (c.outcomes IS NULL OR c.outcomes -> ?3 IS NULL) "
                                  "ORDER BY c.version DESC LIMIT 1"));
  q->Bind(1, record_id).Bind(2, version).Bind(3, FieldPath(field));
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<VersionedValue>();
  const ServerVersion at = q->Int(1);
  CCF_ASSIGN_OR_RETURN(json value, StoredJson(q->Text(0)));
  return std::optional<VersionedValue>(VersionedValue{std::move(value), at});
}

Result<std::optional<ServerStorage::OwnChange>> SqliteStorage::LatestOwnChange(const std::string& record_id,
                                                                               const std::string& field,
                                                                               const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT c.fields -> ?3, c.version FROM changes c WHERE c.record_id = ?1 "
                                  "AND c.device_id = ?2 AND c.version > 0 AND c.fields -> ?3 IS NOT NULL "
                                  "AND coalesce(c.outcomes ->> ?3, '') <> 'kept_out' "
                                  "ORDER BY c.version DESC LIMIT 1"));
  q->Bind(1, record_id).Bind(2, device_id).Bind(3, FieldPath(field));
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<OwnChange>();
  const ServerVersion version = q->Int(1);
  CCF_ASSIGN_OR_RETURN(json value, StoredJson(q->Text(0)));
  return std::optional<OwnChange>(OwnChange{std::move(value), version});
}

Result<ServerVersion> SqliteStorage::MaxVersionByOthers(const std::string& record_id, const std::string& device_id) {
  CCF_ASSIGN_OR_RETURN(Query q, Q("SELECT MAX(version) FROM changes WHERE record_id = ? AND device_id <> ? "
                                  "AND applied > 0"));
  q->Bind(1, record_id).Bind(2, device_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row || q->IsNull(0)) return ServerVersion{0};
  return q->Int(0);
}

Result<std::vector<HistoryEntry>> SqliteStorage::ChangesAfter(const PullQuery& pq) {
  if (pq.limit <= 0) return std::vector<HistoryEntry>();
  // A field is for the device unless it was not applied or the field's
  // current value is a later change of the device's own. An entry with no
  // such field is left out in SQL, so that LIMIT counts what is returned.
  const std::string sql =
      std::string("SELECT ") + kEntryColumns +
      ", (SELECT json_group_array(f.field) FROM fields f WHERE f.record_id = c.record_id AND f.device_id = ?2 "
      "AND f.version > c.version) FROM changes c WHERE c.version > ?1 AND c.applied > 0 AND c.device_id <> ?2 "
      "AND c.workspace_id IN (" +
      Placeholders(pq.workspaces.size() + 1) +
      ") AND EXISTS (SELECT 1 FROM json_each(c.fields) j WHERE (c.outcomes IS NULL OR c.outcomes -> " +
      CCF_FIELD_PATH("j.key") +
      " IS NULL) AND NOT EXISTS (SELECT 1 FROM fields f WHERE f.record_id = c.record_id AND f.field = j.key "
      "AND f.device_id = ?2 AND f.version > c.version)) ORDER BY c.version LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare(sql));
  q.Bind(1, pq.after).Bind(2, pq.device_id).Bind(3, "");
  int i = 4;
  for (const std::string& ws : pq.workspaces) q.Bind(i++, ws);
  q.Bind(i, pq.limit);
  std::vector<HistoryEntry> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return out;
    std::set<std::string> own_later;
    CCF_ASSIGN_OR_RETURN(json later, StoredJson(q.Text(14)));
    for (const json& name : later) {
      if (name.is_string()) own_later.insert(name.get<std::string>());
    }
    CCF_RETURN_IF_ERROR(ReadEntry(q, true, own_later, &out));
  }
}

Result<std::vector<HistoryEntry>> SqliteStorage::FieldHistory(const std::string& record_id, const std::string& field) {
  static const std::string sql = std::string("SELECT ") + kEntryColumns +
                                 " FROM changes c WHERE c.record_id = ?1 AND c.fields -> ?2 IS NOT NULL "
                                 "ORDER BY c.id";
  CCF_ASSIGN_OR_RETURN(Query q, Q(sql.c_str()));
  q->Bind(1, record_id).Bind(2, FieldPath(field));
  std::vector<HistoryEntry> all, out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    all.clear();
    CCF_RETURN_IF_ERROR(ReadEntry(*q, false, {}, &all));
    for (HistoryEntry& e : all) {
      if (e.field == field) out.push_back(std::move(e));
    }
  }
  return out;
}

#undef CCF_FIELD_PATH

}  // namespace ccfield::server
