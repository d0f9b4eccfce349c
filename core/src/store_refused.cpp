// Refused changes: retry, move to another workspace, discard
// (Store::RetryRefused, MoveToWorkspace, DiscardRefused).

#include "ccfield/core/store.h"
#include "store_internal.h"
#include "store_writer.h"

namespace ccfield {

using nlohmann::json;

// ---- Refused changes: retry, move, discard ----

namespace {

// The refused fields of the record (the fields of its own entries in state
// 'rejected'), first refused first.
Result<std::vector<std::string>> RefusedFields(sql::Db* db, const std::string& device_id, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT f.key FROM change_log l, " + internal::EntryFieldsTable("l.fields") + " f "
                                                "WHERE l.record_id = ? AND l.device_id = ? AND l.sync_state = 'rejected' "
                                                "GROUP BY f.key ORDER BY min(l.seq), min(f.id)"));
  q.Bind(1, id).Bind(2, device_id);
  return sql::TextColumn(q);
}

// Whether the server has accepted any change of the record.
Result<bool> KnownToServer(sql::Db* db, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT 1 FROM change_log WHERE record_id = ? AND sync_state IN "
                                                "('synced', 'conflict', 'remote') LIMIT 1"));
  q.Bind(1, id);
  return q.Step();
}

Status SupersedeRefused(sql::Db* db, const std::string& device_id, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("UPDATE change_log SET sync_state = 'superseded' WHERE record_id = ? "
                                                "AND device_id = ? AND sync_state = 'rejected'"));
  return q.Bind(1, id).Bind(2, device_id).Run();
}

// The record's fields as changes: record fields first, then answers (the
// server must know a visit's form before its answers).
std::vector<std::pair<std::string, json>> AllFields(const Record& rec) {
  std::vector<std::pair<std::string, json>> out, answers;
  for (const auto& [k, v] : rec.fields.items()) {
    if (k == "answers" && rec.type == RecordType::kVisit) {
      for (const auto& [ak, av] : v.items()) answers.emplace_back(std::string(kAnswersPrefix) + ak, av);
    } else if (!v.is_null()) {
      out.emplace_back(k, v);
    }
  }
  out.insert(out.end(), answers.begin(), answers.end());
  return out;
}

}  // namespace

Status Store::ResendRefused(Writer* w, RecordType type, const std::string& id) {
  sql::Db* db = db_.get();
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> fields, RefusedFields(db, device_id_, id));
  if (fields.empty()) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(std::optional<Record> rec, internal::LoadRecord(db, type, id));
  if (!rec) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
  CCF_ASSIGN_OR_RETURN(bool known, KnownToServer(db, id));
  std::vector<std::pair<std::string, json>> changes;
  if (!known) {
    // The server never had the record: send all of it, unless it was deleted
    // here (then there is nothing to send).
    if (!rec->deleted) changes = AllFields(*rec);
  } else {
    for (const std::string& f : fields) changes.emplace_back(f, f == kDeletedField ? json(rec->deleted) : rec->Get(f));
  }
  CCF_RETURN_IF_ERROR(w->Resend(*rec, changes, !known));
  return SupersedeRefused(db, device_id_, id);
}

Result<CommitResult> Store::RetryRefused(RecordType type, const std::string& id) {
  Writer w(this);
  return RunWriter(&w, [&] { return ResendRefused(&w, type, id); });
}

Result<CommitResult> Store::MoveToWorkspace(RecordType type, const std::string& id, const std::string& workspace_id) {
  if (type != RecordType::kSite && type != RecordType::kVisit) {
    return Status::Invalid("only sites and visits can be moved to another workspace");
  }
  Writer w(this);
  return RunWriter(&w, [&]() -> Status {
    std::vector<Record> moved;
    CCF_ASSIGN_OR_RETURN(std::optional<Record> rec, internal::LoadRecord(db_.get(), type, id));
    if (!rec) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
    moved.push_back(*rec);
    if (type == RecordType::kSite) {
      ListQuery lq;
      lq.site_id = id;
      lq.limit = 1 << 30;
      CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, List(lq));
      moved.insert(moved.end(), visits.begin(), visits.end());
    }
    for (const Record& r : moved) {
      json fields = {{"workspace_id", workspace_id}};
      // A project of the old workspace cannot stay on the visit.
      if (const json& p = r.Get("project_id"); p.is_string()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> project,
                             internal::LoadRecord(db_.get(), RecordType::kProject, p.get<std::string>()));
        if (!project || project->Get("workspace_id") != json(workspace_id)) fields["project_id"] = nullptr;
      }
      CCF_RETURN_IF_ERROR(w.Apply(SetFields{r.type, r.id, fields}));
    }
    for (const Record& r : moved) CCF_RETURN_IF_ERROR(ResendRefused(&w, r.type, r.id));
    return Status::Ok();
  });
}

Status Store::DiscardRefused(RecordType type, const std::string& id) {
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  sql::Db* db = db_.get();
  auto lookup = [this](std::string_view key) { return FindForm(key); };
  return sql::Transact(db, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(std::vector<std::string> fields, RefusedFields(db, device_id_, id));
    if (fields.empty()) return Status::NotFound("nothing of this record was refused");
    CCF_ASSIGN_OR_RETURN(std::optional<Record> rec, internal::LoadRecord(db, type, id));
    if (!rec) return Status::NotFound("no " + std::string(TypeName(type)) + " with id " + id);
    CCF_ASSIGN_OR_RETURN(bool known, KnownToServer(db, id));
    if (!known) {
      // Never on the server: remove it here, with the visits of a site that
      // never reached the server either.
      std::vector<Record> gone{*rec};
      if (type == RecordType::kSite) {
        ListQuery lq;
        lq.site_id = id;
        lq.limit = 1 << 30;
        lq.include_deleted = true;
        CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, List(lq));
        for (const Record& v : visits) {
          CCF_ASSIGN_OR_RETURN(bool v_known, KnownToServer(db, v.id));
          if (v_known) return Status::Conflict("a visit of this site is on the server: move the site instead");
          gone.push_back(v);
        }
      }
      for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
        CCF_RETURN_IF_ERROR(internal::UnindexRecord(db, it->id));
        CCF_ASSIGN_OR_RETURN(sql::Stmt del, db->Prepare("DELETE FROM " + std::string(Spec(it->type).table) +
                                                        " WHERE id = ?"));
        CCF_RETURN_IF_ERROR(del.Bind(1, it->id).Run());
        for (const char* sql : {"DELETE FROM change_log WHERE record_id = ?1",
                                "DELETE FROM field_versions WHERE record_id = ?1",
                                "DELETE FROM conflicts WHERE record_id = ?1",
                                "DELETE FROM drafts WHERE instr(key, ?1) > 0 OR instr(body, ?1) > 0"}) {
          CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare(sql));
          CCF_RETURN_IF_ERROR(q.Bind(1, it->id).Run());
        }
      }
      return Status::Ok();
    }
    // On the server: each refused field goes back to the newest value the
    // server accepted (nothing is logged: the server already has it).
    CCF_ASSIGN_OR_RETURN(sql::Stmt server_value, db->Prepare(
        "SELECT l.fields FROM change_log l WHERE l.record_id = ?1 AND l.sync_state IN ('synced', 'conflict', "
        "'remote') AND EXISTS (SELECT 1 FROM " + internal::EntryFieldsTable("l.fields") + " WHERE key = ?2) "
        "ORDER BY l.server_version DESC LIMIT 1"));
    Record r = *rec;
    for (const std::string& f : fields) {
      server_value.Reset();
      server_value.Bind(1, id).Bind(2, f);
      CCF_ASSIGN_OR_RETURN(bool row, server_value.Step());
      json v;
      if (row) {
        const json entry = json::parse(server_value.Text(0), nullptr, false);
        if (entry.is_object() && entry.contains(f)) v = entry[f];
      }
      if (f == kDeletedField) {
        r.deleted = v.is_boolean() && v.get<bool>();
      } else if (f.starts_with(kAnswersPrefix)) {
        const std::string aid = f.substr(kAnswersPrefix.size());
        if (v.is_null()) {
          r.fields["answers"].erase(aid);
        } else {
          r.fields["answers"][aid] = v;
        }
      } else if (v.is_null()) {
        const FieldSpec* spec = FindField(type, f);
        if (!spec || !spec->required) r.fields.erase(f);
      } else {
        r.fields[f] = v;
      }
    }
    CCF_RETURN_IF_ERROR(internal::WriteRecordRow(db, r, false));
    CCF_RETURN_IF_ERROR(internal::IndexLater(db, schema_version_, r, lookup));
    if (type == RecordType::kSite && r.Title() != rec->Title()) {  // its visits' titles hold the name
      CCF_RETURN_IF_ERROR(internal::IndexVisitsOfSiteLater(db, schema_version_, id, lookup));
    }
    return SupersedeRefused(db, device_id_, id);
  });
}

}  // namespace ccfield
