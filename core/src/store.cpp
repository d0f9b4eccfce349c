#include "ccfield/core/store.h"

#include <cstdio>
#include <limits>
#include <set>
#include <vector>

#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "schema.h"
#include "ccfield/platform/credentials.h"
#include "store_internal.h"
#include "testing_hooks.h"

namespace ccfield {

using nlohmann::json;

const json& Record::Get(std::string_view field) const {
  static const json kNull;
  if (field.starts_with(kAnswersPrefix)) {
    auto a = fields.find("answers");
    if (a == fields.end() || !a->is_object()) return kNull;
    auto it = a->find(std::string(field.substr(kAnswersPrefix.size())));
    return it == a->end() ? kNull : *it;
  }
  auto it = fields.find(std::string(field));
  return it == fields.end() ? kNull : *it;
}

std::string Record::Title() const {
  const json& t = Get(Spec(type).title_field);
  return t.is_string() ? t.get<std::string>() : id;
}

namespace internal {

std::string SelectColumns(RecordType type) {
  std::string cols = "id, deleted, created_at, updated_at";
  for (const FieldSpec& f : Spec(type).fields) {
    cols += ", ";
    cols += f.name;
  }
  if (type == RecordType::kVisit) cols += ", answers";
  return cols;
}

Record ReadRecord(RecordType type, const sql::Stmt& row) {
  Record r;
  r.type = type;
  r.id = row.Text(0);
  r.deleted = row.Int(1) != 0;
  r.created_at = row.Text(2);
  r.updated_at = row.Text(3);
  int col = 4;
  for (const FieldSpec& f : Spec(type).fields) {
    if (!row.IsNull(col)) {
      switch (f.kind) {
        case FieldKind::kBool: r.fields[std::string(f.name)] = row.Int(col) != 0; break;
        case FieldKind::kInteger: r.fields[std::string(f.name)] = row.Int(col); break;
        case FieldKind::kReal: r.fields[std::string(f.name)] = row.Real(col); break;
        case FieldKind::kStringList:
          r.fields[std::string(f.name)] = json::parse(row.Text(col), nullptr, false);
          break;
        // Text damaged in the file (written by an older version or another
        // tool) is read with U+FFFD for the bad bytes, so no listing, export
        // or sync stops on it; saving the record stores the repaired text.
        default: r.fields[std::string(f.name)] = ReplaceInvalidUtf8(row.Text(col)); break;
      }
    }
    ++col;
  }
  if (type == RecordType::kVisit) {
    json answers = json::parse(row.Text(col), nullptr, false);
    r.fields["answers"] = answers.is_object() ? answers : json::object();
  }
  return r;
}

Result<std::optional<Record>> LoadRecord(sql::Db* db, RecordType type, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt * qp, db->Cached("SELECT " + SelectColumns(type) + " FROM " +
                                                  std::string(Spec(type).table) + " WHERE id = ?"));
  sql::Stmt& q = *qp;
  q.Bind(1, id);
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  std::optional<Record> out;
  if (row) out = ReadRecord(type, q);
  q.Reset();  // a cached statement left mid-read would pin an old snapshot
  return out;
}

std::string ChangeLogColumns(int schema_version) {
  if (schema_version >= 11) {
    return "seq, device_id, device_seq, device_time, author, record_type, record_id, fields, bases, created";
  }
  // The step to schema 11 makes these same texts from the rows (schema.cpp).
  return std::string("seq, device_id, device_seq, device_time, author, record_type, record_id, "
                     "'{' || json_quote(field) || ':' || coalesce(value, 'null') || '}', ") +
         (schema_version >= 3 ? "CASE WHEN base_version > 0 THEN '{' || json_quote(field) || ':' || base_version || '}' END"
                              : "NULL") +
         ", created";
}

std::vector<ChangeEntry> ReadChangeEntries(const sql::Stmt& q) {
  ChangeEntry e;
  e.seq = q.Int(0);
  e.device_id = q.Text(1);
  e.device_seq = q.Int(2);
  e.time = q.Text(3);
  e.author = q.Text(4);
  e.type = ParseChangeType(q.Text(5));
  e.record_id = q.Text(6);
  e.created = q.Int(9) != 0;
  // ordered_json keeps the fields in the order they were written (record
  // fields before form answers: whoever replays them knows the form first).
  const auto fields = nlohmann::ordered_json::parse(q.Text(7), nullptr, false);
  const json bases = q.IsNull(8) ? json::object() : json::parse(q.Text(8), nullptr, false);
  std::vector<ChangeEntry> out;
  if (!fields.is_object() || fields.empty()) {
    e.value = json(json::value_t::discarded);
    out.push_back(std::move(e));
    return out;
  }
  out.reserve(fields.size());
  for (const auto& [name, value] : fields.items()) {
    ChangeEntry c = e;
    c.field = name;
    c.value = json(value);
    if (bases.is_object()) {
      auto b = bases.find(name);
      if (b != bases.end() && b->is_number_integer()) c.base = b->get<int64_t>();
    }
    out.push_back(std::move(c));
  }
  return out;
}

Status ReadEntriesUpTo(sql::Stmt* q, int limit, std::vector<ChangeEntry>* out,
                       const std::function<void(const sql::Stmt&, ChangeEntry*)>& extra) {
  while (static_cast<int64_t>(out->size()) < limit) {
    CCF_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    for (ChangeEntry& c : ReadChangeEntries(*q)) {
      if (extra) extra(*q, &c);
      out->push_back(std::move(c));
    }
  }
  return Status::Ok();
}

Status WriteRecordRow(sql::Db* db, const Record& rec, bool creating) {
  const RecordSpec& spec = Spec(rec.type);
  std::string cols = "id, deleted, created_at, updated_at", params = "?, ?, ?, ?";
  for (const FieldSpec& f : spec.fields) {
    cols += ", " + std::string(f.name);
    params += ", ?";
  }
  if (rec.type == RecordType::kVisit) {
    cols += ", answers, started_utc";
    params += ", ?, ?";
  }
  // REPLACE keeps one code path for every update; created_at comes from the
  // loaded record.
  CCF_ASSIGN_OR_RETURN(sql::Stmt * qp, db->Cached((creating ? "INSERT INTO " : "REPLACE INTO ") +
                                                  std::string(spec.table) + "(" + cols + ") VALUES(" + params + ")"));
  sql::Stmt& q = *qp;
  q.Bind(1, rec.id).Bind(2, rec.deleted ? 1 : 0).Bind(3, rec.created_at).Bind(4, rec.updated_at);
  int i = 5;
  for (const FieldSpec& f : spec.fields) q.BindJson(i++, rec.Get(f.name));
  if (rec.type == RecordType::kVisit) {
    const json& answers = rec.Get("answers");
    q.Bind(i++, answers.is_object() ? answers.dump() : std::string("{}"));
    // A remote page may bring a visit before its start time: order it last.
    const json& started = rec.Get("started_at");
    std::optional<int64_t> utc = started.is_string() ? ParseTimestamp(started.get<std::string>()) : std::nullopt;
    if (utc) {
      q.Bind(i++, *utc);
    } else {
      q.BindNull(i++);
    }
  }
  return q.Run();
}

}  // namespace internal

Result<std::unique_ptr<Store>> Store::Open(Env* env, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store);
  Status st = store->Init(env, options);
  if (!st.ok()) {
    // Every open error names the file (a damaged page may show up in any step).
    if (st.message().find(options.path) == std::string::npos) st = st.WithContext("opening " + options.path);
    return st;
  }
  return store;
}

Store::~Store() = default;

Status Store::Init(Env* env, const StoreOptions& options) {
  env_ = env;
  path_ = options.path;
  sql::OpenOptions oo;
  oo.path = options.path;
  oo.vfs = options.vfs;
  oo.busy_timeout_ms = options.busy_timeout_ms;
  CCF_ASSIGN_OR_RETURN(db_, sql::Db::Open(oo));
  // Check the file is ours before changing anything, even its journal mode: a
  // foreign SQLite file has tables but no meta. This is the first real read of
  // the file, so it also reports a damaged one.
  {
    Result<sql::Stmt> q = db_->Prepare(
        "SELECT (SELECT count(*) FROM sqlite_schema), (SELECT count(*) FROM sqlite_schema WHERE name = 'meta')");
    if (!q.ok()) return q.status().WithContext("opening " + path_);
    Result<bool> r = q->Step();
    if (!r.ok()) return r.status().WithContext("opening " + path_);
    if (q->Int(0) > 0 && q->Int(1) == 0) {
      return Status::Corrupt("opening " + path_ + ": this SQLite file is not a ccfield store");
    }
  }
  // The file holds the login and people's notes: this user only. SQLite gives
  // the -wal and -shm files the main file's mode, so this comes before WAL.
  if (path_ != ":memory:" && !env_->MakePrivate(path_)) {
    env_->Log(LogLevel::kWarning, "could not make " + path_ + " private to this user");
  }
  // WAL + synchronous=FULL: a commit that returned survives power loss.
  CCF_RETURN_IF_ERROR(db_->UseDurableWal(path_));
  CCF_RETURN_IF_ERROR(LoadForms());  // built-in forms: needed to index visits
  auto lookup = [this](std::string_view key) { return FindForm(key); };
  bool fresh = false;  // a new file: a token left under its key (same path and id) is stale
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt v, db_->Prepare("PRAGMA user_version"));
    CCF_ASSIGN_OR_RETURN(bool row, v.Step());
    fresh = !row || v.Int(0) == 0;
  }
  CCF_RETURN_IF_ERROR(Migrate(
      db_.get(), testing_hooks::SchemaVersionLimit(), [this] { return NewUuid(env_); },
      [this, &lookup] { return internal::ReindexAll(db_.get(), lookup); }, &schema_version_));
  {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT value FROM meta WHERE key = 'device_id'"));
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Corrupt(path_ + ": the store has no device id");
    device_id_ = q.Text(0);
  }
  if (fresh && path_ != ":memory:") {
    std::string error;
    if (!DeleteCredential(CredentialKeyForStore(), &error)) env_->Log(LogLevel::kWarning, error);
  }
  if (schema_version_ >= 7) CCF_RETURN_IF_ERROR(MoveTokenOut());
  // Install built-in forms this file has not seen (new app version). Issue
  // 14: only those; every open dumped and offered all of them again. forms_
  // (LoadForms above) already holds every built-in and stored form.
  std::vector<const FormDef*> unseen;
  {
    std::set<std::string> stored;
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT key FROM forms"));
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      stored.insert(q.Text(0));
    }
    for (const FormDef& f : BuiltinForms()) {
      if (!stored.count(f.key())) unseen.push_back(&f);
    }
  }
  if (unseen.empty()) return Status::Ok();
  CCF_RETURN_IF_ERROR(sql::Transact(db_.get(), [&]() -> Status {
    for (const FormDef* form : unseen) {
      const FormDef& f = *form;
      CCF_ASSIGN_OR_RETURN(sql::Stmt ins, db_->Prepare("INSERT OR IGNORE INTO forms(key, form_id, version, definition) "
                                                       "VALUES(?, ?, ?, ?)"));
      CCF_RETURN_IF_ERROR(ins.Bind(1, f.key()).Bind(2, f.id).Bind(3, f.version).Bind(4, f.source.dump()).Run());
    }
    return Status::Ok();
  }).WithContext("installing forms"));
  return LoadForms();
}

Status Store::LoadForms() {
  forms_.assign(BuiltinForms().begin(), BuiltinForms().end());
  return RefreshForms();
}

Status Store::RefreshForms() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt exists,
                       db_->Prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'forms'"));
  CCF_ASSIGN_OR_RETURN(bool row, exists.Step());
  if (!row || exists.Int(0) == 0) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT key, definition FROM forms ORDER BY key"));
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool has, q.Step());
    if (!has) break;
    if (FindForm(q.Text(0))) continue;
    Result<FormDef> f = ParseFormText(q.Text(1));
    if (!f.ok()) return Status::Corrupt("stored form " + q.Text(0) + " is unreadable: " + f.status().message());
    if (f->key() != q.Text(0)) {
      return Status::Corrupt("stored form " + q.Text(0) + " holds the definition of " + f->key());
    }
    forms_.push_back(std::move(f).value());
  }
  return Status::Ok();
}

const FormDef* Store::FindForm(std::string_view key) const {
  for (const FormDef& f : forms_) {
    if (f.key() == key) return &f;
  }
  return nullptr;
}

Status Store::AddForm(const FormDef& form) {
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  // form.source is what is stored and read back: it must parse to this same
  // form, or the form would come back under another key (or not at all).
  if (Result<FormDef> stored = ParseForm(form.source); !stored.ok() || stored->key() != form.key()) {
    return Status::Invalid("form " + form.key() + ": its definition does not match it; add a form made by ParseForm");
  }
  if (const FormDef* existing = FindForm(form.key())) {
    if (existing->source == form.source) return Status::Ok();
    return Status::Conflict("form " + form.key() + " already exists with a different definition; give it a new version");
  }
  auto insert = [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt ins,
                         db_->Prepare("INSERT INTO forms(key, form_id, version, definition) VALUES(?, ?, ?, ?)"));
    return ins.Bind(1, form.key()).Bind(2, form.id).Bind(3, form.version).Bind(4, form.source.dump()).Run();
  };
  // ApplySyncBatch adds a form that arrives by sync inside its own transaction.
  CCF_RETURN_IF_ERROR(db_->InTransaction() ? insert() : sql::Transact(db_.get(), insert));
  forms_.push_back(form);
  return Status::Ok();
}

Result<Record> Store::Get(RecordType type, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(std::optional<Record> r, internal::LoadRecord(db_.get(), type, id));
  if (!r) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
  CCF_ASSIGN_OR_RETURN(bool visible, VisibleRecord(*r));
  if (!visible) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
  return std::move(*r);
}

Result<bool> Store::VisibleRecord(const Record& r) {
  if (r.type == RecordType::kWorkspace) return Visible(r.id, r.id);
  const json& ws = r.Get("workspace_id");
  if (!ws.is_string()) return true;  // the library: every account sees it
  return Visible(ws.get<std::string>(), r.id);
}

Result<Record> Store::FindAny(const std::string& id_or_prefix) {
  if (id_or_prefix.size() < 6 || id_or_prefix.size() > 36) {
    return Status::Invalid("give a record id (at least its first 6 characters)");
  }
  std::vector<Record> found;
  for (RecordType t : kAllRecordTypes) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT " + internal::SelectColumns(t) + " FROM " +
                                                   std::string(Spec(t).table) +
                                                   " WHERE id >= ? AND id < ? ORDER BY id LIMIT 2"));
    q.Bind(1, id_or_prefix).Bind(2, id_or_prefix + "\x7f");
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Record r = internal::ReadRecord(t, q);
      CCF_ASSIGN_OR_RETURN(bool visible, VisibleRecord(r));
      if (visible) found.push_back(std::move(r));
    }
  }
  if (found.empty()) return Status::NotFound("no record with id " + id_or_prefix);
  if (found.size() > 1 && found[0].id != id_or_prefix) {
    return Status::Invalid("id prefix " + id_or_prefix + " matches several records; give more characters");
  }
  return std::move(found[0]);
}

Result<std::vector<Record>> Store::List(const ListQuery& q) {
  const RecordSpec& spec = Spec(q.type);
  std::string sql = "SELECT " + internal::SelectColumns(q.type) + " FROM " + std::string(spec.table) + " WHERE 1";
  std::vector<std::string> binds;
  if (q.only_deleted) {
    sql += " AND deleted = 1";
  } else if (!q.include_deleted) {
    sql += " AND deleted = 0";
  }
  auto filter = [&](const std::optional<std::string>& v, const char* column) {
    if (!v) return;
    sql += std::string(" AND ") + column + " = ?";
    binds.push_back(*v);
  };
  if (q.type == RecordType::kVisit) {
    filter(q.site_id, "site_id");
    filter(q.project_id, "project_id");
    if (q.form_id) {
      sql += " AND form >= ? AND form < ?";  // "id@" prefix, uses no LIKE escaping
      binds.push_back(*q.form_id + "@");
      binds.push_back(*q.form_id + "A");
    }
  }
  if (FindField(q.type, "workspace_id")) filter(q.workspace_id, "workspace_id");
  if (schema_version_ >= 7) {
    if (q.type == RecordType::kWorkspace) sql += " AND " + internal::VisibleCondition("id", "id");
    if (FindField(q.type, "workspace_id")) sql += " AND " + internal::VisibleCondition("workspace_id", "id");
  }
  if (q.type == RecordType::kVisit) {
    sql += " ORDER BY started_utc DESC, id";
  } else {
    sql += " ORDER BY " + std::string(spec.title_field) + " COLLATE NOCASE, id";
  }
  sql += " LIMIT ? OFFSET ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt stmt, db_->Prepare(sql));
  int i = 1;
  for (const std::string& b : binds) stmt.Bind(i++, b);
  stmt.Bind(i++, static_cast<int64_t>(q.limit));
  stmt.Bind(i++, static_cast<int64_t>(q.offset));
  std::vector<Record> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(internal::ReadRecord(q.type, stmt));
  }
  return out;
}

Result<int64_t> Store::Count(RecordType type, bool include_deleted) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT count(*) FROM " + std::string(Spec(type).table) +
                                                 (include_deleted ? "" : " WHERE deleted = 0")));
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : 0;
}

Result<int64_t> StoreSearch::IndexPending(int64_t max_records, bool wait_for_lock) {
  if (s_->schema_version_ < internal::kSearchQueueSchema) return 0;
  sql::Db* db = s_->db_.get();
  auto lookup = [this](std::string_view key) { return s_->FindForm(key); };
  // Most searches find the queue empty: they read, without the write lock.
  CCF_ASSIGN_OR_RETURN(sql::Stmt * waiting, db->Cached("SELECT count(*) FROM search_pending"));
  CCF_ASSIGN_OR_RETURN(bool row, waiting->Step());
  int64_t left = row ? waiting->Int(0) : 0;
  waiting->Reset();
  if (left == 0 || max_records <= 0 || !db->CheckWritable().ok()) return left;
  // A form that came with a sync (the sync client writes through its own
  // Store) or from another process: known here before its visits are indexed.
  CCF_RETURN_IF_ERROR(s_->RefreshForms());
  const int busy_ms = db->busy_timeout_ms();
  if (!wait_for_lock) db->SetBusyTimeout(0);
  Status st = sql::Transact(db, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(left, internal::IndexPending(db, lookup, max_records));
    return Status::Ok();
  });
  if (!wait_for_lock) db->SetBusyTimeout(busy_ms);
  CCF_RETURN_IF_ERROR(st.WithContext("updating the search index"));
  return left;
}

Result<std::vector<SearchHit>> StoreSearch::Find(const SearchQuery& query) {
  if (s_->schema_version_ < 2) return Status::Internal("search needs schema 2");
  // Whatever was saved since the last search is indexed first. A store that
  // cannot be written (disk full, read-only) still searches what is indexed.
  if (Result<int64_t> left = IndexPending(std::numeric_limits<int64_t>::max()); !left.ok()) {
    s_->env_->Log(LogLevel::kWarning, "search: " + left.status().message());
  }
  if (s_->schema_version_ < 7) return internal::RunSearch(s_->db_.get(), query);
  // Hits the signed-in account may not see are dropped (a few extra are
  // asked for so a shared device still fills the page).
  SearchQuery wider = query;
  wider.limit = query.limit + 50;
  CCF_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, internal::RunSearch(s_->db_.get(), wider));
  std::vector<SearchHit> out;
  for (SearchHit& h : hits) {
    if (static_cast<int>(out.size()) >= query.limit) break;
    CCF_ASSIGN_OR_RETURN(std::optional<Record> r, internal::LoadRecord(s_->db_.get(), h.type, h.id));
    // Deleted: an index that could not catch up (a store that refuses writes) still has it.
    if (!r || r->deleted) continue;
    CCF_ASSIGN_OR_RETURN(bool visible, s_->VisibleRecord(*r));
    if (visible) out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<ChangeEntry>> Store::History(const std::string& record_id) {
  const bool with_user = schema_version_ >= 8;
  // For a change the server took, reject_reason keeps its clock flag's code (store_sync.cpp).
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT " + internal::ChangeLogColumns(schema_version_) +
                                                 (with_user ? ", pushed_by" : ", ''") +
                                                 ", CASE WHEN sync_state IN ('synced', 'conflict') THEN "
                                                 "reject_reason END FROM change_log WHERE record_id = ? ORDER BY seq"));
  q.Bind(1, record_id);
  // Each field of an entry is its own change here: history answers who
  // changed this field, when and from where.
  std::vector<ChangeEntry> out;
  CCF_RETURN_IF_ERROR(internal::ReadEntriesUpTo(&q, std::numeric_limits<int>::max(), &out,
                                                [&](const sql::Stmt& r, ChangeEntry* e) {
                                                  if (with_user) e->user = r.Text(10);
                                                  if (!r.IsNull(11)) e->clock = ParseClockFlag(r.Text(11));
                                                }));
  return out;
}

Result<std::vector<ChangeEntry>> Store::ChangesAfter(int64_t after_seq, int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT " + internal::ChangeLogColumns(schema_version_) +
                                                 " FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?"));
  q.Bind(1, after_seq).Bind(2, static_cast<int64_t>(limit));
  std::vector<ChangeEntry> out;
  CCF_RETURN_IF_ERROR(internal::ReadEntriesUpTo(&q, std::numeric_limits<int>::max(), &out));
  return out;
}

Status Store::CheckIntegrity() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("PRAGMA integrity_check"));
  std::string report;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!report.empty()) report += "; ";
    report += q.Text(0);
  }
  if (report != "ok") return Status::Corrupt("integrity check failed: " + report);
  return Status::Ok();
}

Status Store::Backup(const std::string& dest_path) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("VACUUM INTO ?"));
  q.Bind(1, dest_path);
  return q.Run().WithContext("backing up to " + dest_path);
}

Result<bool> Store::IsEmpty() {
  CCF_ASSIGN_OR_RETURN(int64_t n, Count(RecordType::kWorkspace, true));
  return n == 0;
}

}  // namespace ccfield
