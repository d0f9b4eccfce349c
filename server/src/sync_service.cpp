#include "sync_service.h"

#include <algorithm>
#include <map>
#include <optional>

#include "ccfield/core/text.h"
#include "ccfield/core/uuid.h"
#include "ccfield/sync/merge.h"
#include "server_changes.h"

namespace ccfield::server {

using nlohmann::json;
using sync::Ack;
using sync::AckOutcome;
using sync::PushChange;

namespace {

// About how many bytes `v` takes in a response.
size_t ApproxBytes(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().size() + 2;
  if (v.is_primitive()) return 8;
  return v.dump(-1, ' ', false, json::error_handler_t::replace).size();
}

}  // namespace

// The state of one Sync() call.
class SyncService::Cycle {
 public:
  Cycle(SyncService* svc, const AuthContext& who, const sync::SyncRequest& req)
      : s_(svc->storage_), svc_(svc), who_(who), req_(req), now_(svc->env_->WallMillis()) {}

  Result<sync::SyncResponse> Run() {
    out_.server_time = FormatUtcMillis(now_);
    // The caller's memberships as auth read them for this request: a device
    // drops its copy of a workspace that is no longer listed (removed member).
    for (const Membership& m : who_.memberships) out_.workspaces.push_back({m.workspace_id, m.role});
    out_.workspaces_known = true;
    CCF_ASSIGN_OR_RETURN(std::optional<DeviceRow> device, s_->FindDevice(who_.device_id));
    prev_sync_ms_ = device ? device->last_sync_ms : 0;
    // No device can have seen a version the server has not made yet.
    CCF_ASSIGN_OR_RETURN(version_at_start_, s_->CurrentVersion());
    CCF_ASSIGN_OR_RETURN(expired_through_, s_->ExpiredThrough());
    // The device holds everything up to its cursor (retention horizon). A
    // cursor past what exists cannot be held; clamp it.
    CCF_RETURN_IF_ERROR(s_->SetDeviceCursor(who_.device_id, std::clamp<ServerVersion>(req_.cursor, 0,
                                                                                      version_at_start_)));
    CCF_ASSIGN_OR_RETURN(QuotaDemand demand, Demand());
    CCF_ASSIGN_OR_RETURN(refusal_, CheckQuota(s_, svc_->options_.quota, who_.user_id, demand, now_));
    if (refusal_) return Status::Busy(refusal_->message);  // rolls the whole request back
    // For each change, the value of the next "form" change to the same record
    // later in the request (answers may come before their visit's form).
    std::vector<std::optional<std::string>> later_form(req_.changes.size());
    std::map<std::string, std::string> next_form;
    for (size_t i = req_.changes.size(); i-- > 0;) {
      const PushChange& c = req_.changes[i];
      if (auto it = next_form.find(c.id); it != next_form.end()) later_form[i] = it->second;
      if (c.field == "form" && c.value.is_string()) next_form[c.id] = c.value.get<std::string>();
    }
    for (size_t i = 0; i < req_.changes.size(); ++i) {
      CCF_RETURN_IF_ERROR(Push(req_.changes[i], later_form[i] ? &*later_form[i] : nullptr));
    }
    CCF_RETURN_IF_ERROR(ChargeQuota(s_, who_.user_id, demand, now_));
    CCF_ASSIGN_OR_RETURN(ServerVersion after_push, s_->CurrentVersion());
    if (after_push > version_at_start_) CCF_RETURN_IF_ERROR(s_->MarkVersionTime(after_push, now_));
    CCF_RETURN_IF_ERROR(Pull());
    // A full batch means the device has more to send: changes of the next
    // batch were made before this sync, so it does not move the clock check.
    if (req_.changes.size() < sync::kMaxChangesPerRequest) {
      CCF_RETURN_IF_ERROR(s_->SetDeviceLastSync(who_.device_id, now_));
    }
    return std::move(out_);
  }

  // Set when the request was refused for a quota.
  std::optional<QuotaRefusal> refusal_;

 private:
  // What the request's new changes (not re-sent ones) add to the quotas.
  Result<QuotaDemand> Demand() {
    QuotaDemand d;
    for (const PushChange& c : req_.changes) {
      CCF_ASSIGN_OR_RETURN(std::optional<HistoryEntry> seen, s_->FindChange(who_.device_id, c.seq));
      if (!seen) d.Add(c.workspace_id, static_cast<int64_t>(ApproxBytes(c.value)));
    }
    return d;
  }

  // The outcome a re-sent change had the first time (its answer was lost):
  // the device must handle it exactly as if that answer had arrived.
  static AckOutcome ResentOutcome(const HistoryEntry& seen) {
    if (seen.ack == "conflict" || seen.outcome == HistoryOutcome::kKeptOut) return AckOutcome::kConflict;
    if (seen.ack == "merged" || seen.outcome == HistoryOutcome::kMerged) return AckOutcome::kMerged;
    return AckOutcome::kDuplicate;  // applied before: "duplicate" says so
  }

  Status Push(const PushChange& c, const std::string* later_form) {
    CCF_ASSIGN_OR_RETURN(std::optional<HistoryEntry> seen, s_->FindChange(who_.device_id, c.seq));
    if (seen) {
      // The same seq for another record or field is not a re-send: acking it
      // "duplicate" would make the device drop a change the server never had.
      // (The value may differ legitimately: the server stores merge results.)
      if (seen->type != c.type || seen->record_id != c.id || seen->field != c.field) {
        out_.rejects.push_back({c.seq, "seq_reused",
                                "this device already sent change " + std::to_string(c.seq) +
                                    " for another record; the device's numbering is damaged or its id is shared"});
        return Status::Ok();
      }
      out_.acks.push_back(Ack{c.seq, seen->version, ResentOutcome(*seen), seen->clock_flag});
      return Status::Ok();
    }
    if (c.base > version_at_start_) {
      // A base from the future would win every merge without a conflict.
      out_.rejects.push_back({c.seq, "invalid", "base version " + std::to_string(c.base) +
                                                    " is newer than anything the server has (" +
                                                    std::to_string(version_at_start_) + ")"});
      return Status::Ok();
    }
    if (!c.time.empty() && !ParseTimestamp(c.time)) {
      out_.rejects.push_back({c.seq, "invalid", "time must be an ISO 8601 time with its UTC offset"});
      return Status::Ok();
    }
    CCF_ASSIGN_OR_RETURN(CheckOutcome checked, CheckChange(s_, &svc_->forms_, who_, c, later_form));
    if (auto* rej = std::get_if<ChangeReject>(&checked)) {
      out_.rejects.push_back({c.seq, rej->code, rej->reason});
      return Status::Ok();
    }
    CheckedChange& ok = std::get<CheckedChange>(checked);
    const std::string clock = ClockFlag(c.time);
    if (ok.is_delete_field) return ApplyDeleted(c, ok, clock);
    return ApplyEdit(c, ok, clock);
  }

  std::string ClockFlag(const std::string& time) const {
    std::optional<int64_t> t = ParseTimestamp(time);
    if (!t) return "";
    if (*t > now_ + svc_->options_.clock_future_ms) return "future";
    if (prev_sync_ms_ > 0 && *t < prev_sync_ms_ - svc_->options_.clock_past_ms) return "before_last_sync";
    return "";
  }

  HistoryEntry Pushed(const PushChange& c, ServerVersion v, HistoryOutcome o, const json& value,
                      const std::string& clock) const {
    HistoryEntry e;
    e.version = v;
    e.type = c.type;
    e.record_id = c.id;
    e.workspace_id = c.workspace_id;
    e.field = c.field;
    e.value = value;
    e.device_id = who_.device_id;
    e.device_seq = c.seq;
    e.time = c.time;
    e.author = c.author;
    e.created = c.created;
    e.outcome = o;
    e.clock_flag = clock;
    e.user_id = who_.user_id;
    return e;
  }

  ServerEdit Edit(const PushChange& c, const std::string& field, json value, std::string author) const {
    ServerEdit e;
    e.type = c.type;
    e.record_id = c.id;
    e.workspace_id = c.workspace_id;
    e.field = field;
    e.value = std::move(value);
    e.time = out_.server_time;
    e.author = std::move(author);
    return e;
  }

  // A field edit: three-way merge against the current state (sync/merge.h).
  Status ApplyEdit(const PushChange& c, const CheckedChange& ok, const std::string& clock) {
    RecordMeta meta;
    if (ok.record) {
      meta = *ok.record;
    } else {
      meta.id = c.id;
      meta.type = c.type;
      meta.workspace_id = c.workspace_id;
      CCF_RETURN_IF_ERROR(s_->CreateRecord(meta));
    }
    CCF_ASSIGN_OR_RETURN(StoredField cur, s_->GetField(c.id, c.field));
    json base_value;
    if (c.base > 0) {
      CCF_ASSIGN_OR_RETURN(base_value, s_->ValueAt(c.id, c.field, c.base));
    }
    // The device made this edit on its own text: when its own latest change to
    // the field is at or after the base (two edits in one batch, or an edit
    // before the merge result came back), that change is the common base.
    CCF_ASSIGN_OR_RETURN(std::optional<ServerStorage::OwnChange> own,
                         s_->LatestOwnChange(c.id, c.field, who_.device_id));
    bool have_base = true;
    if (own && own->version >= c.base) {
      base_value = own->value;
    } else if (c.base > 0 && c.base < expired_through_) {
      // The base's value may have expired (docs/retention.md): without it a
      // text merge could silently drop words, so concurrent edits conflict.
      have_base = false;
    }
    sync::Incoming in{ok.value, c.base, who_.device_id, ok.long_text && have_base};
    sync::FieldMerge m = sync::MergeField(cur.state, base_value, in);
    const bool merged = m.outcome == sync::FieldOutcome::kTextMerged;
    const bool revives =
        meta.deleted &&
        sync::EditRevivesDeleted(c.base, meta.deleted_version, meta.deleted_by_device == who_.device_id);

    CCF_ASSIGN_OR_RETURN(ServerVersion v, s_->NextVersion());
    HistoryEntry entry =
        Pushed(c, v, merged ? HistoryOutcome::kMerged : HistoryOutcome::kApplied, merged ? ok.value : m.value, clock);
    entry.ack = (m.outcome == sync::FieldOutcome::kConflict || revives) ? "conflict" : merged ? "merged" : "applied";
    CCF_RETURN_IF_ERROR(s_->AppendChange(entry));
    Ack ack{c.seq, v, AckOutcome::kApplied, clock};
    if (merged) {
      // The merge is the server's change: every device, the pusher too, receives it.
      CCF_RETURN_IF_ERROR(WriteServerChange(s_, Edit(c, c.field, m.value, c.author)).status());
      ack.outcome = AckOutcome::kMerged;
    } else {
      StoredField f;
      f.state = sync::FieldState{true, m.value, v, who_.device_id};
      f.author = c.author;
      f.time = c.time;
      CCF_RETURN_IF_ERROR(s_->SetField(c.id, c.field, f));
    }
    CCF_RETURN_IF_ERROR(ResolveOpen(c.id, c.field, c.base, v));
    if (m.outcome == sync::FieldOutcome::kConflict) {
      sync::Conflict x = NewConflict(c);
      x.base = base_value;
      x.winner = m.value;
      x.loser = m.loser;
      x.winner_device = who_.device_id;
      x.loser_device = cur.state.device_id;
      x.winner_author = c.author;
      x.loser_author = cur.author;
      x.loser_time = cur.time;
      x.winner_version = v;
      CCF_RETURN_IF_ERROR(StoreConflict(&x));
      ack.outcome = AckOutcome::kConflict;
    }
    if (revives) {
      CCF_RETURN_IF_ERROR(Revive(c, meta));
      ack.outcome = AckOutcome::kConflict;
    }
    out_.acks.push_back(ack);
    return Status::Ok();
  }

  // An edit the deleting device had not seen brings the record back; a
  // conflict keeps the delete.
  Status Revive(const PushChange& c, const RecordMeta& meta) {
    CCF_ASSIGN_OR_RETURN(StoredField del, s_->GetField(c.id, std::string(kDeletedField)));
    CCF_ASSIGN_OR_RETURN(json base, s_->ValueAt(c.id, std::string(kDeletedField), c.base));
    CCF_ASSIGN_OR_RETURN(ServerVersion vs,
                         WriteServerChange(s_, Edit(c, std::string(kDeletedField), false, sync::kServerDeviceId)));
    CCF_RETURN_IF_ERROR(s_->SetDeleted(c.id, false, vs, sync::kServerDeviceId));
    sync::Conflict x = NewConflict(c);
    x.field = kDeletedField;
    x.base = base.is_null() ? json(false) : base;
    x.winner = false;
    x.loser = true;
    x.winner_device = who_.device_id;
    x.loser_device = meta.deleted_by_device;
    x.winner_author = c.author;
    x.loser_author = del.author;
    x.loser_time = del.time;
    x.winner_version = vs;
    return StoreConflict(&x);
  }

  // "_deleted": a delete (true) or restore (false).
  Status ApplyDeleted(const PushChange& c, const CheckedChange& ok, const std::string& clock) {
    const RecordMeta& meta = *ok.record;
    const bool want = ok.value.get<bool>();
    const std::string field(kDeletedField);
    if (want && !meta.deleted) {
      CCF_ASSIGN_OR_RETURN(ServerVersion others, s_->MaxVersionByOthers(c.id, who_.device_id));
      if (sync::DeleteLosesToEdit(c.base, others)) {
        // Kept out: an edit the device had not seen keeps the record alive.
        HistoryEntry kept = Pushed(c, 0, HistoryOutcome::kKeptOut, true, clock);
        kept.ack = "conflict";
        CCF_RETURN_IF_ERROR(s_->AppendChange(kept));
        CCF_ASSIGN_OR_RETURN(json base, s_->ValueAt(c.id, field, c.base));
        CCF_ASSIGN_OR_RETURN(ServerVersion vs, WriteServerChange(s_, Edit(c, field, false, sync::kServerDeviceId)));
        CCF_RETURN_IF_ERROR(ResolveOpen(c.id, field, c.base, vs));
        CCF_ASSIGN_OR_RETURN(std::optional<HistoryEntry> winner, s_->ChangeAtVersion(others));
        sync::Conflict x = NewConflict(c);
        x.base = base.is_null() ? json(false) : base;
        x.winner = false;
        x.loser = true;
        x.winner_device = winner ? winner->device_id : "";
        x.winner_author = winner ? winner->author : "";
        x.loser_device = who_.device_id;
        x.loser_author = c.author;
        x.loser_time = c.time;
        x.winner_version = vs;
        CCF_RETURN_IF_ERROR(StoreConflict(&x));
        out_.acks.push_back(Ack{c.seq, 0, AckOutcome::kConflict, clock});
        return Status::Ok();
      }
    }
    const bool restore_conflict =
        !want && meta.deleted &&
        sync::EditRevivesDeleted(c.base, meta.deleted_version, meta.deleted_by_device == who_.device_id);
    CCF_ASSIGN_OR_RETURN(ServerVersion v, s_->NextVersion());
    HistoryEntry entry = Pushed(c, v, HistoryOutcome::kApplied, want, clock);
    entry.ack = restore_conflict ? "conflict" : "applied";
    CCF_RETURN_IF_ERROR(s_->AppendChange(entry));
    StoredField f;
    f.state = sync::FieldState{true, want, v, who_.device_id};
    f.author = c.author;
    f.time = c.time;
    CCF_RETURN_IF_ERROR(s_->SetField(c.id, field, f));
    if (want != meta.deleted) CCF_RETURN_IF_ERROR(s_->SetDeleted(c.id, want, v, who_.device_id));
    CCF_RETURN_IF_ERROR(ResolveOpen(c.id, field, c.base, v));
    AckOutcome outcome = AckOutcome::kApplied;
    if (restore_conflict) {
      // A restore made without seeing a delete wins, and a conflict keeps the delete.
      sync::Conflict x = NewConflict(c);
      x.base = json(false);
      x.winner = false;
      x.loser = true;
      x.winner_device = who_.device_id;
      x.loser_device = meta.deleted_by_device;
      x.winner_author = c.author;
      x.winner_version = v;
      CCF_RETURN_IF_ERROR(StoreConflict(&x));
      outcome = AckOutcome::kConflict;
    }
    out_.acks.push_back(Ack{c.seq, v, outcome, clock});
    return Status::Ok();
  }

  // Rule 6: an edit made after the device received a conflict (base >= its
  // winner_version) resolves every open conflict on that field.
  Status ResolveOpen(const std::string& record_id, const std::string& field, ServerVersion base,
                     ServerVersion resolved_by) {
    if (base <= 0) return Status::Ok();
    CCF_ASSIGN_OR_RETURN(std::vector<sync::Conflict> open, s_->OpenConflicts(record_id, field));
    for (const sync::Conflict& x : open) {
      if (x.winner_version > base) continue;
      CCF_ASSIGN_OR_RETURN(ServerVersion nv, s_->NextVersion());
      CCF_RETURN_IF_ERROR(s_->ResolveConflict(x.id, resolved_by, nv));
    }
    return Status::Ok();
  }

  sync::Conflict NewConflict(const PushChange& c) const {
    sync::Conflict x;
    x.id = NewUuid(svc_->env_);
    x.type = c.type;
    x.record_id = c.id;
    x.workspace_id = c.workspace_id;
    x.field = c.field;
    return x;
  }

  Status StoreConflict(sync::Conflict* x) {
    CCF_ASSIGN_OR_RETURN(x->version, s_->NextVersion());
    return s_->CreateConflict(*x);
  }

  // Changes and conflict updates after the cursor that the caller may see.
  Status Pull() {
    const int limit = std::clamp(req_.limit, 1, sync::kMaxPullLimit);
    PullQuery q;
    q.after = req_.cursor;
    q.workspaces = who_.Workspaces();
    q.device_id = who_.device_id;
    q.limit = limit + 1;
    CCF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> changes, s_->ChangesAfter(q));
    CCF_ASSIGN_OR_RETURN(std::vector<sync::Conflict> conflicts, s_->ConflictsAfter(q.after, q.workspaces, limit + 1));
    size_t ci = 0, xi = 0;
    int taken = 0;
    size_t bytes = 0;
    ServerVersion last = 0;
    // Up to `limit` items, and (after the first) no more than the byte budget:
    // a slow link must be able to finish one response.
    while (taken < limit && bytes < svc_->options_.max_response_bytes &&
           (ci < changes.size() || xi < conflicts.size())) {
      bool take_change = xi >= conflicts.size() || (ci < changes.size() && changes[ci].version < conflicts[xi].version);
      if (take_change) {
        last = changes[ci].version;
        bytes += ApproxBytes(changes[ci].value) + 200;
        sync::ServerChange sc = changes[ci].ToServerChange();
        CCF_ASSIGN_OR_RETURN(sc.user, UserName(changes[ci++].user_id));
        out_.changes.push_back(std::move(sc));
      } else {
        last = conflicts[xi].version;
        bytes += ApproxBytes(conflicts[xi].winner) + ApproxBytes(conflicts[xi].loser) +
                 ApproxBytes(conflicts[xi].base) + 400;
        out_.conflicts.push_back(std::move(conflicts[xi++]));
      }
      ++taken;
    }
    out_.more = ci < changes.size() || xi < conflicts.size();
    if (out_.more) {
      out_.cursor = last;
    } else {
      CCF_ASSIGN_OR_RETURN(out_.cursor, s_->CurrentVersion());
    }
    return Status::Ok();
  }

  // The user name behind a history entry's user_id (what devices show beside
  // the typed author); "" for server changes and users since removed.
  Result<std::string> UserName(const std::string& user_id) {
    if (user_id.empty()) return std::string();
    if (auto it = user_names_.find(user_id); it != user_names_.end()) return it->second;
    CCF_ASSIGN_OR_RETURN(std::optional<UserRow> u, s_->FindUserById(user_id));
    return user_names_[user_id] = u ? u->username : std::string();
  }

  ServerStorage* s_;
  SyncService* svc_;
  std::map<std::string, std::string> user_names_;
  const AuthContext& who_;
  const sync::SyncRequest& req_;
  const int64_t now_;
  ServerVersion version_at_start_ = 0;
  ServerVersion expired_through_ = 0;
  int64_t prev_sync_ms_ = 0;
  sync::SyncResponse out_;
};

SyncService::SyncService(ServerStorage* storage, Env* env, SyncServiceOptions options)
    : storage_(storage), env_(env), options_(options), forms_(storage) {}

Result<sync::SyncResponse> SyncService::Sync(const AuthContext& who, const sync::SyncRequest& req) {
  ApiResult<sync::SyncResponse> a = Answer(who, req);
  if (a.ok()) return std::move(a.value());
  if (a.error().code == "quota_exceeded") return Status::Busy(a.error().message);
  return last_status_;
}

ApiResult<sync::SyncResponse> SyncService::Answer(const AuthContext& who, const sync::SyncRequest& req) {
  if (req.device_id != who.device_id) {
    last_status_ = Status::Denied("the request's device_id is not the device this sign-in belongs to");
    return ApiError::Forbidden("device_mismatch", last_status_.message());
  }
  if (req.changes.size() > sync::kMaxChangesPerRequest) {
    last_status_ = Status::Invalid("more than " + std::to_string(sync::kMaxChangesPerRequest) +
                                   " changes in one request");
    return ApiError::FromStatus(last_status_);
  }
  Result<sync::SyncResponse> r = Status::Internal("not run");
  std::optional<QuotaRefusal> refusal;
  last_status_ = RunInTransaction(storage_, [&] {
    Cycle cycle(this, who, req);
    r = cycle.Run();
    refusal = cycle.refusal_;
    return r.status();
  });
  if (refusal) {
    ApiError e{429, "quota_exceeded", refusal->message};
    e.retry_after_s = refusal->retry_after_s;
    return e;
  }
  if (!last_status_.ok()) return ApiError::FromStatus(last_status_);
  MaybeExpire();
  return std::move(*r);
}

void SyncService::MaybeExpire() {
  const RetentionOptions& o = options_.retention;
  if (o.every_ms < 0) return;
  const int64_t now = env_->WallMillis();
  if (last_expiry_ms_ != 0 && now - last_expiry_ms_ < o.every_ms) return;
  last_expiry_ms_ = now;
  // Best effort: a failed pass (busy, disk full) changes nothing and runs again later.
  (void)ExpireHistory(storage_, now, o.min_age_ms);
}

}  // namespace ccfield::server
