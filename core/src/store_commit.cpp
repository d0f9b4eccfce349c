// Store::Commit: the one write path. Applies ops, writes one change-log entry
// per changed field, and keeps the search index in step, all in one
// BEGIN IMMEDIATE transaction.

#include <cmath>
#include <set>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

using nlohmann::json;

namespace {

bool IsLanguageField(std::string_view name) { return name == "language" || name == "default_language"; }

// Checks one field value against its spec; returns the value to store.
Result<json> NormalizeValue(RecordType type, const FieldSpec& f, const std::string& name, const json& v) {
  const std::string where = std::string(TypeName(type)) + " " + name;
  auto bad = [&](const std::string& what) { return Status::Invalid(where + ": " + what); };
  if (v.is_null()) {
    if (f.required) return bad("is required and cannot be cleared");
    return json();
  }
  auto check_text = [&](const std::string& s, size_t limit) -> Status {
    if (auto pos = FindInvalidUtf8(s)) return bad("text is not valid UTF-8 (byte " + std::to_string(*pos) + ")");
    if (s.size() > limit) {
      return bad("text is too long (" + std::to_string(s.size()) + " bytes; the limit is " +
                 std::to_string(limit) + ")");
    }
    return Status::Ok();
  };
  switch (f.kind) {
    case FieldKind::kText:
    case FieldKind::kLongText: {
      if (!v.is_string()) return bad("must be text");
      const std::string& s = v.get_ref<const std::string&>();
      size_t limit = f.max_bytes ? f.max_bytes : (f.kind == FieldKind::kText ? kMaxTextBytes : kMaxLongTextBytes);
      CCF_RETURN_IF_ERROR(check_text(s, limit));
      if (f.required && s.empty()) return bad("is required");
      if (!f.allowed.empty()) {
        bool ok = false;
        std::string list;
        for (std::string_view a : f.allowed) {
          ok = ok || a == s;
          list += (list.empty() ? "" : ", ") + std::string(a);
        }
        if (!ok) return bad("\"" + s + "\" is not one of: " + list);
      }
      if (IsLanguageField(name) && !IsLanguageTag(s)) return bad("\"" + s + "\" is not a language tag like fr or pt-MZ");
      if (name == "country" && (s.size() != 2 || !std::isupper(static_cast<unsigned char>(s[0])) ||
                                !std::isupper(static_cast<unsigned char>(s[1])))) {
        return bad("must be a two-letter country code like TZ");
      }
      return v;
    }
    case FieldKind::kInteger:
      if (!v.is_number_integer()) return bad("must be a whole number");
      return v;
    case FieldKind::kReal: {
      if (!v.is_number()) return bad("must be a number");
      double x = v.get<double>();
      if (!std::isfinite(x)) return bad("must be a finite number");
      if (f.min < f.max && (x < f.min || x > f.max)) {
        return bad("must be between " + std::to_string(f.min) + " and " + std::to_string(f.max));
      }
      return json(x);
    }
    case FieldKind::kBool:
      if (!v.is_boolean()) return bad("must be true or false");
      return v;
    case FieldKind::kStringList: {
      if (!v.is_array()) return bad("must be a list of text");
      if (v.size() > 50) return bad("has more than 50 items");
      std::set<std::string> seen;
      for (const json& x : v) {
        if (!x.is_string()) return bad("must be a list of text");
        const std::string& s = x.get_ref<const std::string&>();
        CCF_RETURN_IF_ERROR(check_text(s, 100));
        if (name == "sdg_targets" && !IsSdgTarget(s)) return bad("\"" + s + "\" is not an SDG target like 11.5");
        if (name == "languages" && !IsLanguageTag(s)) return bad("\"" + s + "\" is not a language tag");
        if (!seen.insert(s).second) return bad("\"" + s + "\" is listed twice");
      }
      return v;
    }
    case FieldKind::kTimestamp:
      if (!v.is_string() || !ParseTimestamp(v.get<std::string>())) {
        return bad("must be a time with its UTC offset, like 2026-10-14T08:05:00+03:00");
      }
      return v;
    case FieldKind::kDate:
      if (!v.is_string() || !IsValidDate(v.get<std::string>())) return bad("must be a date YYYY-MM-DD");
      return v;
    case FieldKind::kRef:
      if (!v.is_string() || !IsUuid(v.get<std::string>())) return bad("must be a record id (UUID)");
      return v;
    case FieldKind::kAnswer:
      return v;  // checked against the visit's form in CheckRecord
  }
  return bad("unknown field kind");
}

}  // namespace

// Holds the state of one Commit call.
class Store::Writer {
 public:
  Writer(Store* store) : s_(store), db_(store->db_.get()) {}

  Status Apply(const Op& op) {
    return std::visit([this](const auto& o) { return ApplyOne(o); }, op);
  }

  CommitResult result;

 private:
  Status ApplyOne(const SetFields& op) {
    const std::string type_name(TypeName(op.type));
    if (!IsUuid(op.id)) return Status::Invalid(type_name + " id \"" + op.id + "\" is not a UUID");
    if (!op.fields.is_object()) return Status::Invalid(type_name + " fields must be an object");
    // Expand an "answers" object into "answers.<id>" fields.
    json flat = json::object();
    for (const auto& [k, v] : op.fields.items()) {
      if (k == "answers" && op.type == RecordType::kVisit) {
        if (!v.is_object()) return Status::Invalid("visit answers must be an object");
        for (const auto& [ak, av] : v.items()) flat[std::string(kAnswersPrefix) + ak] = av;
      } else {
        flat[k] = v;
      }
    }
    CCF_ASSIGN_OR_RETURN(std::optional<Record> existing, internal::LoadRecord(db_, op.type, op.id));
    const bool creating = !existing;
    if (existing && existing->deleted) {
      return Status::Conflict(type_name + " " + op.id + " is deleted; restore it before editing");
    }
    Record rec = creating ? Record{op.type, op.id, json::object(), false, {}, {}} : *existing;
    if (op.type == RecordType::kVisit && !rec.fields.contains("answers")) rec.fields["answers"] = json::object();
    std::vector<std::pair<std::string, json>> changed;
    for (const auto& [name, value] : flat.items()) {
      const FieldSpec* f = FindField(op.type, name);
      if (!f) return Status::Invalid(type_name + " has no field \"" + name + "\"");
      CCF_ASSIGN_OR_RETURN(json norm, NormalizeValue(op.type, *f, name, value));
      if (rec.Get(name) == norm && !creating) continue;
      if (norm.is_null() && rec.Get(name).is_null()) continue;
      if (name.starts_with(kAnswersPrefix)) {
        std::string aid = name.substr(kAnswersPrefix.size());
        if (norm.is_null()) {
          rec.fields["answers"].erase(aid);
        } else {
          rec.fields["answers"][aid] = norm;
        }
      } else if (norm.is_null()) {
        rec.fields.erase(name);
      } else {
        rec.fields[name] = norm;
      }
      changed.emplace_back(name, norm);
    }
    if (op.type == RecordType::kVisit && creating && !rec.fields.contains("workspace_id")) {
      // Convenience: a new visit belongs to its site's workspace.
      if (const json& site = rec.Get("site_id"); site.is_string()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> s, internal::LoadRecord(db_, RecordType::kSite, site.get<std::string>()));
        if (s && s->Get("workspace_id").is_string()) {
          rec.fields["workspace_id"] = s->Get("workspace_id");
          changed.emplace_back("workspace_id", rec.fields["workspace_id"]);
        }
      }
    }
    if (changed.empty()) return Status::Ok();
    CCF_RETURN_IF_ERROR(CheckRecord(rec, creating));
    const std::string now = FormatUtcMillis(s_->env_->WallMillis());
    if (creating) rec.created_at = now;
    rec.updated_at = now;
    CCF_RETURN_IF_ERROR(WriteRow(rec, creating));
    for (const auto& [name, value] : changed) CCF_RETURN_IF_ERROR(Log(rec, name, value, creating, now));
    CCF_RETURN_IF_ERROR(Reindex(rec, flat));
    return Status::Ok();
  }

  Status ApplyOne(const DeleteRecord& op) { return SetDeleted(op.type, op.id, true); }
  Status ApplyOne(const RestoreRecord& op) { return SetDeleted(op.type, op.id, false); }

  Status SetDeleted(RecordType type, const std::string& id, bool deleted) {
    CCF_ASSIGN_OR_RETURN(std::optional<Record> rec, internal::LoadRecord(db_, type, id));
    if (!rec) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
    if (rec->deleted == deleted) return Status::Ok();  // already so: nothing to log
    const std::string now = FormatUtcMillis(s_->env_->WallMillis());
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE " + std::string(Spec(type).table) +
                                                   " SET deleted = ?, updated_at = ? WHERE id = ?"));
    CCF_RETURN_IF_ERROR(q.Bind(1, deleted ? 1 : 0).Bind(2, now).Bind(3, id).Run());
    rec->deleted = deleted;
    CCF_RETURN_IF_ERROR(Log(*rec, std::string(kDeletedField), json(deleted), false, now));
    if (s_->schema_version_ < 2) return Status::Ok();
    if (deleted) return internal::UnindexRecord(db_, id);
    return internal::IndexRecord(db_, *rec, Lookup());
  }

  // Rules that need the whole record and the rest of the store.
  Status CheckRecord(const Record& rec, bool creating) {
    const std::string type_name(TypeName(rec.type));
    if (creating) {
      for (const FieldSpec& f : Spec(rec.type).fields) {
        if (f.required && rec.Get(f.name).is_null()) {
          return Status::Invalid("a new " + type_name + " needs " + std::string(f.name));
        }
      }
    }
    for (const FieldSpec& f : Spec(rec.type).fields) {
      if (f.kind != FieldKind::kRef) continue;
      const json& ref = rec.Get(f.name);
      if (!ref.is_string()) continue;
      CCF_ASSIGN_OR_RETURN(std::optional<Record> target,
                           internal::LoadRecord(db_, f.ref_type, ref.get<std::string>()));
      const std::string target_name(TypeName(f.ref_type));
      if (!target) return Status::NotFound(type_name + " " + std::string(f.name) + ": no " + target_name + " with id " + ref.get<std::string>());
      if (target->deleted) return Status::Conflict(type_name + " " + std::string(f.name) + ": the " + target_name + " is deleted");
      const json& ws = rec.Get("workspace_id");
      if (f.name != "workspace_id" && ws.is_string() && target->Get("workspace_id").is_string() &&
          target->Get("workspace_id") != ws) {
        return Status::Conflict(type_name + " " + std::string(f.name) + ": the " + target_name + " belongs to another workspace");
      }
    }
    if (rec.type == RecordType::kVisit) return CheckVisit(rec);
    return Status::Ok();
  }

  Status CheckVisit(const Record& rec) {
    const std::string key = rec.Get("form").get<std::string>();
    const FormDef* form = s_->FindForm(key);
    if (!form) return Status::NotFound("unknown form \"" + key + "\"; see `ccfield forms`");
    const bool complete = rec.Get("status") == "complete";
    CCF_RETURN_IF_ERROR(ValidateAnswers(*form, rec.Get("answers"), complete));
    const json& start = rec.Get("started_at");
    const json& end = rec.Get("ended_at");
    if (start.is_string() && end.is_string() && *ParseTimestamp(end.get<std::string>()) < *ParseTimestamp(start.get<std::string>())) {
      return Status::Invalid("visit ended_at is before started_at");
    }
    if (rec.Get("gps_lat").is_null() != rec.Get("gps_lon").is_null()) {
      return Status::Invalid("visit position needs both gps_lat and gps_lon");
    }
    return Status::Ok();
  }

  Status WriteRow(const Record& rec, bool creating) {
    const RecordSpec& spec = Spec(rec.type);
    std::string cols = "id, deleted, created_at, updated_at", params = "?, 0, ?, ?";
    for (const FieldSpec& f : spec.fields) {
      cols += ", " + std::string(f.name);
      params += ", ?";
    }
    if (rec.type == RecordType::kVisit) {
      cols += ", answers, started_utc";
      params += ", ?, ?";
    }
    // INSERT OR REPLACE keeps one code path for create and update; the row's
    // created_at is carried over from the loaded record.
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare((creating ? "INSERT INTO " : "REPLACE INTO ") +
                                                   std::string(spec.table) + "(" + cols + ") VALUES(" + params + ")"));
    q.Bind(1, rec.id).Bind(2, rec.created_at).Bind(3, rec.updated_at);
    int i = 4;
    for (const FieldSpec& f : spec.fields) q.BindJson(i++, rec.Get(f.name));
    if (rec.type == RecordType::kVisit) {
      q.Bind(i++, rec.Get("answers").dump());
      q.Bind(i++, *ParseTimestamp(rec.Get("started_at").get<std::string>()));
    }
    return q.Run();
  }

  Status Log(const Record& rec, const std::string& field, const json& value, bool created, const std::string& now) {
    if (!next_device_seq_) {
      CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("SELECT value FROM meta WHERE key = 'device_seq'"));
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      next_device_seq_ = (row ? std::stoll(q.Text(0)) : 0) + 1;
    }
    if (!log_stmt_) {
      CCF_ASSIGN_OR_RETURN(
          sql::Stmt q,
          db_->Prepare("INSERT INTO change_log(device_id, device_seq, device_time, author, record_type, record_id, "
                       "field, value, created) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
      log_stmt_ = std::move(q);
    }
    sql::Stmt& q = *log_stmt_;
    q.Reset();
    q.Bind(1, s_->device_id_).Bind(2, *next_device_seq_).Bind(3, now).Bind(4, s_->author_);
    q.Bind(5, TypeName(rec.type)).Bind(6, rec.id).Bind(7, field);
    if (value.is_null()) {
      q.BindNull(8);
    } else {
      q.Bind(8, value.dump());
    }
    q.Bind(9, created ? 1 : 0);
    CCF_RETURN_IF_ERROR(q.Run());
    int64_t seq = db_->LastInsertRowid();
    if (result.last_seq < result.first_seq || result.first_seq == 0) result.first_seq = seq;
    result.last_seq = seq;
    ++result.changed_fields;
    ++*next_device_seq_;
    return Status::Ok();
  }

  Status Reindex(const Record& rec, const json& changed_fields) {
    if (s_->schema_version_ < 2) return Status::Ok();
    CCF_RETURN_IF_ERROR(internal::IndexRecord(db_, rec, Lookup()));
    // Visit titles include the site name: follow a rename.
    if (rec.type == RecordType::kSite && changed_fields.contains("name")) {
      ListQuery lq;
      lq.site_id = rec.id;
      lq.limit = 1 << 30;
      CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, s_->List(lq));
      for (const Record& v : visits) CCF_RETURN_IF_ERROR(internal::IndexRecord(db_, v, Lookup()));
    }
    return Status::Ok();
  }

  internal::FormLookup Lookup() {
    return [this](std::string_view key) { return s_->FindForm(key); };
  }

 public:
  Status Finish() {
    if (!next_device_seq_) return Status::Ok();
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE meta SET value = ? WHERE key = 'device_seq'"));
    return q.Bind(1, std::to_string(*next_device_seq_ - 1)).Run();
  }

 private:
  Store* s_;
  sql::Db* db_;
  std::optional<int64_t> next_device_seq_;
  std::optional<sql::Stmt> log_stmt_;
};

Result<CommitResult> Store::Commit(const std::vector<Op>& ops) {
  if (broken_) {
    return Status::ReadOnly("an earlier save failed in a way that needs the store to be reopened; restart the app");
  }
  CCF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE").WithContext("saving"));
  Writer w(this);
  Status st;
  for (const Op& op : ops) {
    st = w.Apply(op);
    if (!st.ok()) break;
  }
  if (st.ok()) st = w.Finish();
  if (!st.ok()) {
    (void)db_->Exec("ROLLBACK");
    return st;
  }
  Status commit = db_->Exec("COMMIT");
  if (!commit.ok()) {
    if (db_->InTransaction()) (void)db_->Exec("ROLLBACK");
    // Disk full and busy roll back cleanly; anything else leaves the outcome
    // unknown, so stop writing until the file is reopened and recovered.
    if (commit.code() != Code::kDiskFull && commit.code() != Code::kBusy) broken_ = true;
    return commit.WithContext("saving");
  }
  return w.result;
}

}  // namespace ccfield
