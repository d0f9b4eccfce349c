#pragma once
// Store::Writer: the state of one write transaction (Store::Commit and the
// refused-change commands): applies ops, writes one change-log entry per
// changed record and keeps the search index in step. Private to core/src.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

// Holds the state of one Commit call.
class Store::Writer {
  using json = nlohmann::json;

 public:
  Writer(Store* store, bool demo_commit = false) : s_(store), db_(store->db_.get()), demo_commit_(demo_commit) {}

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
      CCF_ASSIGN_OR_RETURN(json norm, CheckFieldValue(op.type, name, value));
      if (rec.Get(name) == norm && !creating && !op.log_unchanged) continue;
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
        // Report the missing site itself, not the workspace it would have given.
        if (!s) return Status::NotFound("visit site_id: no site with id " + site.get<std::string>());
        if (s->Get("workspace_id").is_string()) {
          rec.fields["workspace_id"] = s->Get("workspace_id");
          changed.emplace_back("workspace_id", rec.fields["workspace_id"]);
        }
      }
    }
    // Record fields before form answers: whoever replays the log (the server,
    // another device) then knows the visit's form before its answers.
    std::stable_partition(changed.begin(), changed.end(),
                          [](const auto& c) { return !c.first.starts_with(kAnswersPrefix); });
    // A new record with no fields is not "no change": CheckRecord reports
    // the required fields it lacks.
    if (changed.empty() && !creating) return Status::Ok();
    CCF_RETURN_IF_ERROR(CheckRecord(rec, creating));
    CCF_ASSIGN_OR_RETURN(demo_, DemoFor(rec, creating));
    const std::string now = FormatUtcMillis(s_->env_->WallMillis());
    if (creating) rec.created_at = now;
    rec.updated_at = now;
    CCF_RETURN_IF_ERROR(WriteRow(rec, creating));
    for (const auto& [name, value] : changed) CCF_RETURN_IF_ERROR(Log(rec, name, value, creating, now));
    CCF_RETURN_IF_ERROR(Reindex(rec, flat));
    return Status::Ok();
  }

  Status ApplyOne(const DeleteRecord& op) { return SetDeleted(op.type, op.id, true, op.log_unchanged); }
  Status ApplyOne(const RestoreRecord& op) { return SetDeleted(op.type, op.id, false, op.log_unchanged); }

  Status SetDeleted(RecordType type, const std::string& id, bool deleted, bool log_unchanged) {
    CCF_ASSIGN_OR_RETURN(std::optional<Record> rec, internal::LoadRecord(db_, type, id));
    if (!rec) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
    if (rec->deleted == deleted && !log_unchanged) return Status::Ok();  // already so: nothing to log
    CCF_ASSIGN_OR_RETURN(demo_, IsDemoId(id));
    const std::string now = FormatUtcMillis(s_->env_->WallMillis());
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db_->Prepare("UPDATE " + std::string(Spec(type).table) +
                                                   " SET deleted = ?, updated_at = ? WHERE id = ?"));
    CCF_RETURN_IF_ERROR(q.Bind(1, deleted ? 1 : 0).Bind(2, now).Bind(3, id).Run());
    rec->deleted = deleted;
    CCF_RETURN_IF_ERROR(Log(*rec, std::string(kDeletedField), json(deleted), false, now));
    if (s_->schema_version_ < 2) return Status::Ok();
    return internal::IndexLater(db_, s_->schema_version_, *rec, Lookup());
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
    if (rec.type == RecordType::kPhoto && rec.Get("visit_id").is_null() && rec.Get("site_id").is_null()) {
      return Status::Invalid("a photo belongs to a visit or a site: set visit_id or site_id");
    }
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

  // Whether the record is demo data after this op (see Store::Commit). A new
  // record is demo when the commit says so or its workspace is a demo one;
  // a record never moves between demo and real workspaces.
  Result<bool> DemoFor(const Record& rec, bool creating) {
    if (s_->schema_version_ < 6) return false;
    const json& ws = rec.Get("workspace_id");
    bool ws_demo = false;
    if (rec.type != RecordType::kWorkspace && ws.is_string()) {
      CCF_ASSIGN_OR_RETURN(ws_demo, IsDemoId(ws.get<std::string>()));
    }
    if (creating) {
      if (!demo_commit_ && !ws_demo) return false;
      CCF_ASSIGN_OR_RETURN(sql::Stmt * ins,
                           db_->Cached("INSERT OR IGNORE INTO demo_records(record_id, record_type) VALUES(?, ?)"));
      CCF_RETURN_IF_ERROR(ins->Bind(1, rec.id).Bind(2, TypeName(rec.type)).Run());
      return true;
    }
    CCF_ASSIGN_OR_RETURN(bool demo, IsDemoId(rec.id));
    if (rec.type != RecordType::kWorkspace && ws.is_string() && demo != ws_demo) {
      return Status::Invalid(demo ? "demo data stays in the demo workspaces and on this device"
                                  : "a record cannot be moved into a demo workspace (demo data is never sent)");
    }
    return demo;
  }

  Result<bool> IsDemoId(const std::string& id) {
    if (s_->schema_version_ < 6) return false;
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("SELECT 1 FROM demo_records WHERE record_id = ?"));
    q->Bind(1, id);
    Result<bool> row = q->Step();
    q->Reset();
    return row;
  }

 public:
  // Logs `fields` of `rec` again as new changes (RetryRefused): the record
  // row is not touched. `created` marks them as creating the record on the
  // server (it never accepted the record).
  Status Resend(const Record& rec, const std::vector<std::pair<std::string, json>>& fields, bool created) {
    demo_ = false;
    const std::string now = FormatUtcMillis(s_->env_->WallMillis());
    for (const auto& [name, value] : fields) CCF_RETURN_IF_ERROR(Log(rec, name, value, created, now));
    return Status::Ok();
  }

 private:
  Status WriteRow(const Record& rec, bool creating) { return internal::WriteRecordRow(db_, rec, creating); }

  // Notes a changed field of `rec`; Finish writes the entries. Every op of a
  // commit on one record adds to the same entry (a field written twice keeps
  // the last value), so a commit logs one entry per record it changed.
  Status Log(const Record& rec, const std::string& field, const json& value, bool created, const std::string& now) {
    auto [it, added] = entry_of_.emplace(rec.id, entries_.size());
    if (added) entries_.push_back(PendingEntry{rec.type, rec.id, created, demo_, now, {}});
    PendingEntry& e = entries_[it->second];
    e.created = e.created || created;
    e.demo = demo_;
    auto f = std::find_if(e.fields.begin(), e.fields.end(), [&](const auto& x) { return x.first == field; });
    if (f != e.fields.end()) {
      f->second = value;
    } else {
      e.fields.emplace_back(field, value);
    }
    return Status::Ok();
  }

  // What one commit changed in one record, until Finish writes it.
  struct PendingEntry {
    RecordType type;
    std::string id;
    bool created = false;
    bool demo = false;
    std::string time;
    std::vector<std::pair<std::string, json>> fields;  // in the order written
  };

  Result<int64_t> LastDeviceSeq() {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * qp, db_->Cached("SELECT value FROM meta WHERE key = 'device_seq'"));
    sql::Stmt& q = *qp;
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    int64_t last = 0;
    const std::string text = row ? q.Text(0) : std::string();
    q.Reset();
    if (row) {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), last);
      if (ec != std::errc() || end != text.data() + text.size() || last < 0) {
        return Status::Corrupt("the store's device sequence number is damaged (\"" + text + "\")");
      }
    }
    return last;
  }

  // Writes one change-log row for the entry (schema 11).
  Status WriteEntry(const PendingEntry& e, int64_t device_seq) {
    CCF_ASSIGN_OR_RETURN(
        sql::Stmt * q,
        db_->Cached("INSERT INTO change_log(device_id, device_seq, device_time, author, record_type, record_id, "
                    "created, fields, bases, sync_state, account) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    // The account signed in (or last signed in) on this device
                    // owns the change: only that account sends it (schema 7).
                    "(SELECT nullif(value, '') FROM meta WHERE key = 'sync_username'))"));
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    json bases = json::object();
    for (const auto& [name, value] : e.fields) {
      fields[name] = value;
      CCF_ASSIGN_OR_RETURN(int64_t base, BaseVersion(e.id, name));
      if (base > 0) bases[name] = base;
    }
    q->Bind(1, s_->device_id_).Bind(2, device_seq).Bind(3, e.time).Bind(4, s_->author_);
    q->Bind(5, TypeName(e.type)).Bind(6, e.id).Bind(7, e.created ? 1 : 0).Bind(8, fields.dump());
    if (bases.empty()) {
      q->BindNull(9);
    } else {
      q->Bind(9, bases.dump());
    }
    q->Bind(10, e.demo ? "demo" : "waiting");
    return q->Run();
  }

  // Files before schema 11 (tests make them to check the upgrade) keep a
  // row per field, each with its own device sequence number.
  Status WriteFieldRow(const PendingEntry& e, const std::string& field, const json& value, int64_t device_seq) {
    const bool sync_columns = s_->schema_version_ >= 3;
    CCF_ASSIGN_OR_RETURN(
        sql::Stmt * qp,
        db_->Cached(std::string("INSERT INTO change_log(device_id, device_seq, device_time, author, record_type, "
                                "record_id, field, value, created") +
                    (s_->schema_version_ >= 7
                         ? ", base_version, sync_state, account) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "(SELECT nullif(value, '') FROM meta WHERE key = 'sync_username'))"
                     : sync_columns ? ", base_version, sync_state) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                    : ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")));
    int64_t base = 0;
    if (sync_columns) {
      CCF_ASSIGN_OR_RETURN(base, BaseVersion(e.id, field));
    }
    sql::Stmt& q = *qp;
    q.Bind(1, s_->device_id_).Bind(2, device_seq).Bind(3, e.time).Bind(4, s_->author_);
    q.Bind(5, TypeName(e.type)).Bind(6, e.id).Bind(7, field);
    if (value.is_null()) {
      q.BindNull(8);
    } else {
      q.Bind(8, value.dump());
    }
    q.Bind(9, e.created ? 1 : 0);
    if (sync_columns) q.Bind(10, base).Bind(11, e.demo ? "demo" : "waiting");
    return q.Run();
  }

  void Written() {
    const int64_t seq = db_->LastInsertRowid();
    if (result.first_seq == 0) result.first_seq = seq;
    result.last_seq = seq;
  }

  // The server version this edit is based on: the field's version, or for a
  // delete/restore the highest version of any field of the record.
  Result<int64_t> BaseVersion(const std::string& record_id, const std::string& field) {
    const bool whole_record = field == kDeletedField;
    CCF_ASSIGN_OR_RETURN(sql::Stmt * qp,
                         db_->Cached(whole_record ? "SELECT max(version) FROM field_versions WHERE record_id = ?"
                                                  : "SELECT version FROM field_versions WHERE record_id = ? AND field = ?"));
    sql::Stmt& q = *qp;
    q.Bind(1, record_id);
    if (!whole_record) q.Bind(2, field);
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    const int64_t base = row && !q.IsNull(0) ? q.Int(0) : int64_t{0};
    q.Reset();
    return base;
  }

  Status Reindex(const Record& rec, const json& changed_fields) {
    if (s_->schema_version_ < 2) return Status::Ok();
    CCF_RETURN_IF_ERROR(internal::IndexLater(db_, s_->schema_version_, rec, Lookup()));
    // Visit titles include the site name: follow a rename.
    if (rec.type == RecordType::kSite && changed_fields.contains("name")) {
      return internal::IndexVisitsOfSiteLater(db_, s_->schema_version_, rec.id, Lookup());
    }
    return Status::Ok();
  }

  internal::FormLookup Lookup() {
    return [this](std::string_view key) { return s_->FindForm(key); };
  }

 public:
  // Writes the commit's entries (each its own device sequence number, in
  // the order the records were first changed) and the last number used.
  Status Finish() {
    if (entries_.empty()) return Status::Ok();
    CCF_ASSIGN_OR_RETURN(int64_t device_seq, LastDeviceSeq());
    for (PendingEntry& e : entries_) {
      // Record fields before form answers, across the ops that made the entry.
      std::stable_partition(e.fields.begin(), e.fields.end(),
                            [](const auto& c) { return !c.first.starts_with(kAnswersPrefix); });
      if (s_->schema_version_ >= 11) {
        CCF_RETURN_IF_ERROR(WriteEntry(e, ++device_seq));
        Written();
      } else {
        for (const auto& [name, value] : e.fields) {
          CCF_RETURN_IF_ERROR(WriteFieldRow(e, name, value, ++device_seq));
          Written();
        }
      }
      result.changed_fields += static_cast<int>(e.fields.size());
    }
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("UPDATE meta SET value = ? WHERE key = 'device_seq'"));
    return q->Bind(1, std::to_string(device_seq)).Run();
  }

 private:
  Store* s_;
  sql::Db* db_;
  bool demo_commit_ = false;  // CommitOptions::demo
  bool demo_ = false;         // the record of the op being applied is demo data
  std::vector<PendingEntry> entries_;       // this commit's entries, written by Finish
  std::map<std::string, size_t> entry_of_;  // record id -> its entry in entries_
};

}  // namespace ccfield
