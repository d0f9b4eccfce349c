// What a person sees of each record: sent, waiting, draft, refused, conflict
// or demo, derived from the change log's unsent part (entries) and the open
// conflicts that are the signed-in user's to resolve.

#include <optional>
#include <set>
#include <vector>

#include "ccfield/core/store.h"
#include "store_internal.h"

namespace ccfield {

const char* RecordStateName(RecordState s) {
  switch (s) {
    case RecordState::kSent: return "sent";
    case RecordState::kWaiting: return "waiting";
    case RecordState::kDraft: return "draft";
    case RecordState::kConflict: return "conflict";
    case RecordState::kRefused: return "refused";
    case RecordState::kDemo: return "demo";
  }
  return "?";
}

namespace {

// Worst first: the state a record shows when several apply.
int Rank(RecordState s) {
  switch (s) {
    case RecordState::kDemo: return 5;
    case RecordState::kRefused: return 4;
    case RecordState::kConflict: return 3;
    case RecordState::kDraft: return 2;
    case RecordState::kWaiting: return 1;
    case RecordState::kSent: return 0;
  }
  return 0;
}

void Raise(RecordStatus* s, RecordState to, const std::string& reason = "") {
  if (Rank(to) > Rank(s->state)) {
    s->state = to;
    s->reason = reason;
  }
}

// Records of `type` with an open conflict the signed-in user is to resolve.
// SyncReplica::Conflicts marks those (ConflictIsMine: the one place of the
// rule); the others stay stored and keep protecting their values, but do not
// give the record the conflict badge on this user's screens. A conflict being
// resolved here (not yet confirmed) shows no badge either.
Result<std::set<std::string>> MyOpenConflicts(SyncReplica& replica, std::optional<RecordType> type) {
  CCF_ASSIGN_OR_RETURN(std::vector<FieldConflict> open, replica.Conflicts(true));
  std::set<std::string> out;
  for (const FieldConflict& c : open) {
    if (!c.mine || c.resolving_locally) continue;
    if (type && c.type != ChangeTypeOf(*type)) continue;
    out.insert(c.record_id);
  }
  return out;
}

}  // namespace

namespace internal {

RecordStatus WithDraft(RecordStatus status, bool is_draft) {
  if (is_draft) Raise(&status, RecordState::kDraft);
  return status;
}

}  // namespace internal

Result<std::map<std::string, RecordStatus>> ScreenQueries::RecordStates(RecordType type) {
  std::map<std::string, RecordStatus> out;
  if (s_->schema_version_ < 6) return out;
  // record_state holds a row only for records with unsent, refused or demo
  // changes (schema.cpp keeps it with triggers).
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, s_->db_->Cached(
      "SELECT record_id, unsent, refused, demo FROM record_state WHERE record_type = ?"));
  q->Bind(1, TypeName(type));
  std::vector<std::string> refused;
  while (true) {
    Result<bool> row = q->Step();
    if (!row.ok()) {
      q->Reset();
      return row.status();
    }
    if (!*row) break;
    RecordStatus& s = out[q->Text(0)];
    if (q->Int(1) > 0) Raise(&s, RecordState::kWaiting);
    if (q->Int(2) > 0) {
      Raise(&s, RecordState::kRefused);
      refused.push_back(q->Text(0));
    }
    if (q->Int(3) > 0) Raise(&s, RecordState::kDemo);
  }
  q->Reset();
  // The newest refusal's reason, for the few refused records.
  CCF_ASSIGN_OR_RETURN(sql::Stmt * why, s_->db_->Cached(
      "SELECT reject_reason FROM change_log WHERE record_id = ? AND sync_state = 'rejected' ORDER BY seq DESC LIMIT 1"));
  for (const std::string& id : refused) {
    why->Bind(1, id);
    Result<bool> row = why->Step();
    if (row.ok() && *row && out[id].state == RecordState::kRefused) out[id].reason = why->Text(0);
    why->Reset();
    if (!row.ok()) return row.status();
  }
  CCF_ASSIGN_OR_RETURN(std::set<std::string> conflicts, MyOpenConflicts(s_->replica(), type));
  for (const std::string& id : conflicts) Raise(&out[id], RecordState::kConflict);
  return out;
}

Result<RecordStatus> ScreenQueries::LookupState(const std::string& id, bool is_draft) {
  RecordStatus s;
  if (s_->schema_version_ >= 6) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q, s_->db_->Cached(
        "SELECT unsent, refused, demo, CASE WHEN refused > 0 THEN (SELECT reject_reason FROM change_log WHERE "
        "record_id = ?1 AND sync_state = 'rejected' ORDER BY seq DESC LIMIT 1) END FROM record_state "
        "WHERE record_id = ?1"));
    q->Bind(1, id);
    Result<bool> row = q->Step();
    if (row.ok() && *row) {
      if (q->Int(0) > 0) Raise(&s, RecordState::kWaiting);
      if (q->Int(1) > 0) Raise(&s, RecordState::kRefused, q->Text(3));
      if (q->Int(2) > 0) Raise(&s, RecordState::kDemo);
    }
    q->Reset();
    if (!row.ok()) return row.status();
  }
  // Most records have no open conflict at all: only those read the list.
  CCF_ASSIGN_OR_RETURN(sql::Stmt * c, s_->db_->Cached(
      "SELECT 1 FROM conflicts WHERE record_id = ? AND resolved = 0 AND resolving_locally = 0 LIMIT 1"));
  c->Bind(1, id);
  Result<bool> conflict = c->Step();
  c->Reset();
  if (!conflict.ok()) return conflict.status();
  if (*conflict) {
    CCF_ASSIGN_OR_RETURN(std::set<std::string> mine, MyOpenConflicts(s_->replica(), std::nullopt));
    if (mine.count(id)) Raise(&s, RecordState::kConflict);
  }
  return internal::WithDraft(s, is_draft);
}

Result<RecordStatus> ScreenQueries::RecordStateOf(RecordType type, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(Record rec, s_->Get(type, id));
  CCF_ASSIGN_OR_RETURN(RecordStatus s, LookupState(id, type == RecordType::kVisit && rec.Get("status") == "draft"));
  CCF_ASSIGN_OR_RETURN(bool demo, s_->IsDemo(id));  // also for a record with no change of its own
  if (demo) Raise(&s, RecordState::kDemo);
  return s;
}

Result<RecordStateCounts> ScreenQueries::CountRecordStates(RecordType type) {
  RecordStateCounts n;
  const std::string table(Spec(type).table);
  CCF_ASSIGN_OR_RETURN(int64_t live, s_->Count(type));
  // Drafts (visits only) come from their own index; the rest from the
  // records that have a record_state row, checked for being live by index.
  std::set<std::string> drafts;
  if (type == RecordType::kVisit) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT id FROM visits WHERE status = 'draft' AND deleted = 0"));
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      drafts.insert(q.Text(0));
    }
  }
  CCF_ASSIGN_OR_RETURN(std::set<std::string> conflicts, MyOpenConflicts(s_->replica(), type));
  int64_t not_sent = 0;
  std::set<std::string> seen;  // drafts and conflicts already counted
  auto count = [&](const std::string& id, RecordStatus s) {
    if (conflicts.count(id)) Raise(&s, RecordState::kConflict);
    s = internal::WithDraft(s, drafts.count(id) > 0);
    if (s.state == RecordState::kSent) return;
    ++not_sent;
    switch (s.state) {
      case RecordState::kDraft: ++n.draft; break;
      case RecordState::kWaiting: ++n.waiting; break;
      case RecordState::kRefused: ++n.refused; break;
      case RecordState::kConflict: ++n.conflict; break;
      case RecordState::kDemo: ++n.demo; break;
      case RecordState::kSent: break;
    }
  };
  if (s_->schema_version_ >= 6) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "SELECT rs.record_id, rs.unsent, rs.refused, rs.demo FROM record_state rs WHERE rs.record_type = ? AND "
        "EXISTS (SELECT 1 FROM " + table + " t WHERE t.id = rs.record_id AND t.deleted = 0)"));
    q.Bind(1, TypeName(type));
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      RecordStatus s;
      if (q.Int(1) > 0) Raise(&s, RecordState::kWaiting);
      if (q.Int(2) > 0) Raise(&s, RecordState::kRefused);
      if (q.Int(3) > 0) Raise(&s, RecordState::kDemo);
      std::string id = q.Text(0);
      count(id, s);
      if (drafts.count(id) || conflicts.count(id)) seen.insert(std::move(id));
    }
  }
  // Drafts and conflicts of records with nothing unsent.
  std::set<std::string> rest = drafts;
  for (const std::string& id : conflicts) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * alive, s_->db_->Cached("SELECT 1 FROM " + table + " WHERE id = ? AND deleted = 0"));
    alive->Bind(1, id);
    Result<bool> row = alive->Step();
    alive->Reset();
    if (!row.ok()) return row.status();
    if (*row) rest.insert(id);
  }
  for (const std::string& id : rest) {
    if (!seen.count(id)) count(id, RecordStatus{});
  }
  n.sent = live - not_sent;
  return n;
}

Result<std::vector<std::pair<Record, RecordStatus>>> ScreenQueries::RefusedRecords(int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT record_type, record_id, max(seq) AS newest FROM change_log WHERE sync_state = 'rejected' "
      "GROUP BY record_type, record_id ORDER BY newest DESC LIMIT ?"));
  q.Bind(1, static_cast<int64_t>(limit));
  std::vector<std::pair<Record, RecordStatus>> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::optional<RecordType> type = ParseRecordType(q.Text(0));
    if (!type) continue;
    Result<Record> rec = s_->Get(*type, q.Text(1));
    if (!rec.ok()) continue;  // e.g. a form change: not a record a person can act on
    CCF_ASSIGN_OR_RETURN(RecordStatus s, RecordStateOf(*type, rec->id));
    out.emplace_back(std::move(*rec), std::move(s));
  }
  return out;
}

}  // namespace ccfield
