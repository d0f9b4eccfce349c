#include "sync_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "ccfield/core/text.h"
#include "ccfield/core/uuid.h"
#include "ccfield/sync/merge_process.h"
#include "ccfield/sync/text_delta.h"
#include "pull_page.h"
#include "server_changes.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

// About how many bytes `v` takes in a response.
size_t ApproxBytes(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().size() + 2;
  if (v.is_primitive()) return 8;
  return v.dump(-1, ' ', false, json::error_handler_t::replace).size();
}

// Text rebuilt from pushed patches per request: past it, patches are
// answered resend_whole (the whole values then come within the body limit).
constexpr size_t kMaxRebuiltBytes = 4 * sync::kMaxRequestBytes;
// Text diffed per pull page to make patches (base and new value): past it
// the page's texts go whole. A page holds at most max_response_bytes of
// values anyway; this bounds the diff work done under the storage lock.
constexpr size_t kMaxPatchedBytesPerPage = 2 * 1024 * 1024;

// The merge process's view of the history (sync/merge_process.h), read
// from the storage inside the sync transaction.
class StorageLookup final : public sync::MergeLookup {
 public:
  // `checked` is the record `record_id` as the change's checks just read it
  // (no second read); `expired_through` as read at the start of the request.
  StorageLookup(ServerStorage* s, ServerVersion expired_through, const std::string& record_id,
                const std::optional<RecordMeta>& checked)
      : s_(s), expired_through_(expired_through), record_id_(record_id), checked_(checked) {}

  Result<std::optional<sync::RecordState>> Record(const std::string& record_id) override {
    std::optional<RecordMeta> meta = checked_;
    if (record_id != record_id_) {
      CCF_ASSIGN_OR_RETURN(meta, s_->GetRecord(record_id));
    }
    if (!meta) return std::optional<sync::RecordState>();
    return std::optional<sync::RecordState>(
        sync::RecordState{meta->deleted, meta->deleted_version, meta->deleted_by_device});
  }
  Result<sync::FieldNow> Field(const std::string& record_id, const std::string& field) override {
    CCF_ASSIGN_OR_RETURN(StoredField f, s_->GetField(record_id, field));
    return sync::FieldNow{std::move(f.state), std::move(f.author), std::move(f.time)};
  }
  Result<json> ValueAt(const std::string& record_id, const std::string& field, ServerVersion version) override {
    return s_->ValueAt(record_id, field, version);
  }
  Result<std::optional<sync::OwnChange>> LatestOwnChange(const std::string& record_id, const std::string& field,
                                                         const std::string& device_id) override {
    CCF_ASSIGN_OR_RETURN(std::optional<ServerStorage::OwnChange> own, s_->LatestOwnChange(record_id, field, device_id));
    if (!own) return std::optional<sync::OwnChange>();
    return std::optional<sync::OwnChange>(sync::OwnChange{std::move(own->value), own->version});
  }
  Result<ServerVersion> MaxVersionByOthers(const std::string& record_id, const std::string& device_id) override {
    return s_->MaxVersionByOthers(record_id, device_id);
  }
  Result<std::optional<sync::ChangeOrigin>> ChangeAt(ServerVersion version) override {
    CCF_ASSIGN_OR_RETURN(std::optional<HistoryEntry> e, s_->ChangeAtVersion(version));
    if (!e) return std::optional<sync::ChangeOrigin>();
    // The user's name, as conflicts keep it ("" for server changes and users since removed).
    std::string user;
    if (!e->user_id.empty()) {
      CCF_ASSIGN_OR_RETURN(std::optional<UserRow> u, s_->FindUserById(e->user_id));
      if (u) user = std::move(u->username);
    }
    return std::optional<sync::ChangeOrigin>(
        sync::ChangeOrigin{std::move(e->device_id), std::move(e->author), std::move(user)});
  }
  Result<std::vector<FieldConflict>> OpenConflicts(const std::string& record_id, const std::string& field) override {
    return s_->OpenConflicts(record_id, field);
  }
  Result<ServerVersion> ExpiredThrough() override { return expired_through_; }

 private:
  ServerStorage* s_;
  ServerVersion expired_through_;
  const std::string& record_id_;
  const std::optional<RecordMeta>& checked_;
};

// How many field changes of `req` come before its last entry: a request holds
// at most kMaxFieldChangesPerRequest of them, and the last entry may pass the
// limit with its rest (an entry never spans two requests).
size_t FieldsBeforeLastEntry(const sync::SyncRequest& req) {
  size_t last = 0;
  for (size_t b = 0; b < req.changes.size(); b = EntryEnd(req.changes, b)) last = b;
  return last;
}

}  // namespace

// The state of one Sync() call.
class SyncService::Cycle {
 public:
  Cycle(SyncService* svc, const AuthContext& who, const sync::SyncRequest& req)
      : s_(svc->storage_), svc_(svc), who_(who), req_(req), now_(svc->env_->WallMillis()) {}

  const std::vector<FieldChange>& changes() const { return req_.changes; }
  size_t EntryCount() const {
    size_t n = 0;
    for (size_t b = 0; b < changes().size(); b = EntryEnd(changes(), b)) ++n;
    return n;
  }

  Result<sync::SyncResponse> Run() {
    out_.protocol = req_.protocol;  // answered in the request's protocol (the codec writes it)
    out_.server_time = FormatUtcMillis(now_);
    // The caller's memberships as auth read them for this request: a device
    // drops its copy of a workspace that is no longer listed (removed member).
    for (const Membership& m : who_.memberships) {
      CCF_ASSIGN_OR_RETURN(int long_edge, s_->PhotoLongEdge(m.workspace_id));
      out_.workspaces.push_back({m.workspace_id, m.role, long_edge});
    }
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
    std::vector<std::optional<std::string>> later_form(changes().size());
    std::map<std::string, std::string> next_form;
    for (size_t i = changes().size(); i-- > 0;) {
      const FieldChange& c = changes()[i];
      if (auto it = next_form.find(c.record_id); it != next_form.end()) later_form[i] = it->second;
      if (c.field == "form" && c.value.is_string()) next_form[c.record_id] = c.value.get<std::string>();
    }
    for (size_t b = 0; b < changes().size();) {
      const size_t e = EntryEnd(changes(), b);
      CCF_RETURN_IF_ERROR(PushEntry(b, e, later_form));
      b = e;
    }
    CCF_RETURN_IF_ERROR(ChargeQuota(s_, who_.user_id, demand, now_));
    CCF_ASSIGN_OR_RETURN(ServerVersion after_push, s_->CurrentVersion());
    if (after_push > version_at_start_) CCF_RETURN_IF_ERROR(s_->MarkVersionTime(after_push, now_));
    CCF_RETURN_IF_ERROR(Pull());
    // A full batch means the device has more to send: changes of the next
    // batch were made before this sync, so it does not move the clock check.
    if (EntryCount() < sync::kMaxChangesPerRequest && FieldsBeforeLastEntry(req_) < sync::kMaxFieldChangesPerRequest) {
      CCF_RETURN_IF_ERROR(s_->SetDeviceLastSync(who_.device_id, now_));
    }
    return std::move(out_);
  }

  // Set when the request was refused for a quota.
  std::optional<QuotaRefusal> refusal_;

 private:
  // What the request's new entries (not re-sent ones) add to the quotas:
  // quotas count field changes (an entry of 11 fields counts 11) and value bytes.
  Result<QuotaDemand> Demand() {
    QuotaDemand d;
    for (size_t b = 0; b < changes().size();) {
      const size_t e = EntryEnd(changes(), b);
      CCF_ASSIGN_OR_RETURN(std::optional<HistoryEntry> seen,
                           s_->FindChange(who_.device_id, changes()[b].device_seq));
      for (size_t i = b; !seen && i < e; ++i) {
        const FieldChange& c = changes()[i];
        // A patch counts the length of the text it makes ("n", code points).
        const int64_t bytes = c.delta.is_null() ? static_cast<int64_t>(ApproxBytes(c.value))
                                                : c.delta.value("n", int64_t{0});
        d.Add(c.workspace_id, std::max<int64_t>(bytes, 0));
      }
      b = e;
    }
    return d;
  }

  // The outcome a re-sent field had the first time (its answer was lost):
  // the device must handle it exactly as if that answer had arrived.
  static ChangeOutcome ResentOutcome(const HistoryEntry& seen) {
    if (seen.ack == ChangeOutcome::kConflict || seen.outcome == HistoryOutcome::kKeptOut) {
      return ChangeOutcome::kConflict;
    }
    if (seen.ack == ChangeOutcome::kMerged || seen.outcome == HistoryOutcome::kMerged) return ChangeOutcome::kMerged;
    return ChangeOutcome::kDuplicate;  // applied before: "duplicate" says so
  }

  // A pushed text delta (docs/sync-protocol.md, "Deltas for long text")
  // rebuilt into the whole value from the field's value at its base in the
  // history (the value the text merge reads as the base too), so nothing
  // after PushEntry's checks sees a delta and the history keeps whole values
  // only. False when it does not apply (the base is gone or differs: its
  // checksum, length or hunks do not fit), or when this request has rebuilt
  // kMaxRebuiltBytes already (a small body of patches must not make the
  // server build gigabytes of text): the device then sends it whole.
  Result<bool> RebuildDelta(FieldChange* c) {
    if (rebuilt_bytes_ > kMaxRebuiltBytes || c->base <= 0 || c->base > version_at_start_) return false;
    CCF_ASSIGN_OR_RETURN(json base, s_->ValueAt(c->record_id, c->field, c->base));
    if (!base.is_string()) return false;
    Result<std::string> whole = sync::ApplyTextDelta(base.get_ref<const std::string&>(), c->delta);
    if (!whole.ok()) return false;
    rebuilt_bytes_ += whole->size();
    c->value = std::move(whole).value();
    c->delta = nullptr;
    return true;
  }

  // Refusals are per entry: the device_seq names all of its fields.
  void Refuse(const FieldChange& c, RejectCode code, std::string reason) {
    out_.rejects.push_back(ChangeRefusal{c.device_seq, code, std::move(reason)});
  }

  // Why the fields [b, e) cannot be one entry (they must share the record and
  // the origin, and name each field once); "" when they can.
  std::string EntryShapeError(size_t b, size_t e) const {
    const FieldChange& head = changes()[b];
    std::set<std::string_view> names;
    for (size_t i = b; i < e; ++i) {
      const FieldChange& c = changes()[i];
      if (c.type != head.type || c.record_id != head.record_id || c.workspace_id != head.workspace_id ||
          c.time != head.time || c.author != head.author || c.created != head.created) {
        return "the fields of change " + std::to_string(head.device_seq) +
               " must belong to one record and share its time, author and created";
      }
      if (!names.insert(c.field).second) {
        return "change " + std::to_string(head.device_seq) + " names field " + c.field + " twice";
      }
    }
    return std::string();
  }

  // One pushed entry, the fields [b, e) of the request: answered as before
  // when re-sent; else every field is checked before any is applied (one
  // invalid field refuses the whole entry, so a record is never
  // half-applied), then each field is merged on its own and the entry is kept
  // in the history under one version.
  Status PushEntry(size_t b, size_t e, const std::vector<std::optional<std::string>>& later_form) {
    const FieldChange& head = changes()[b];
    CCF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> seen, s_->FindEntry(who_.device_id, head.device_seq));
    if (!seen.empty()) return Resent(b, e, seen);
    if (std::string shape = EntryShapeError(b, e); !shape.empty()) {
      Refuse(head, RejectCode::kInvalid, std::move(shape));
      return Status::Ok();
    }
    // The entry's own form, if it sets one, is the form its answers fill
    // (nothing of the entry is applied while it is checked).
    std::optional<std::string> entry_form;
    for (size_t i = b; i < e; ++i) {
      const FieldChange& c = changes()[i];
      if (c.field == "form" && c.value.is_string()) entry_form = c.value.get<std::string>();
    }
    // The entry's fields, patches rebuilt into whole values. A patch that
    // does not apply takes nothing of the entry (nor of the record's later
    // entries in this request): resend_whole, once the checks that do not
    // need the value (membership, role, record, workspace) have passed, so
    // the answer says nothing about a text the caller may not see.
    std::vector<FieldChange> fields(changes().begin() + static_cast<std::ptrdiff_t>(b),
                                    changes().begin() + static_cast<std::ptrdiff_t>(e));
    bool resend_whole = not_taken_.contains(head.record_id);
    std::vector<bool> value_unknown(fields.size(), false);
    std::vector<CheckedChange> checked;
    checked.reserve(e - b);
    for (size_t i = b; i < e; ++i) {
      FieldChange& c = fields[i - b];
      if (!c.delta.is_null() && c.base > 0 && c.base <= version_at_start_) {
        CCF_ASSIGN_OR_RETURN(bool rebuilt, RebuildDelta(&c));
        if (!rebuilt) {
          resend_whole = true;
          value_unknown[i - b] = true;
          c.value = "";  // for the checks that do not need it
          c.delta = nullptr;
        }
      }
      if (c.base > version_at_start_) {
        // A base from the future would win every merge without a conflict.
        Refuse(c, RejectCode::kInvalid,
               "base version " + std::to_string(c.base) + " is newer than anything the server has (" +
                   std::to_string(version_at_start_) + ")");
        return Status::Ok();
      }
      if (!c.delta.is_null()) {
        Refuse(c, RejectCode::kInvalid, "field " + c.field + ": a text delta needs a base version");  // never kept
        return Status::Ok();
      }
      if (!c.time.empty() && !ParseTimestamp(c.time)) {
        Refuse(c, RejectCode::kInvalid, "time must be an ISO 8601 time with its UTC offset");
        return Status::Ok();
      }
      const std::string* form = entry_form ? &*entry_form : later_form[i] ? &*later_form[i] : nullptr;
      CCF_ASSIGN_OR_RETURN(CheckOutcome outcome, CheckChange(s_, &svc_->forms_, who_, c, form));
      if (auto* rej = std::get_if<ChangeReject>(&outcome)) {
        // A value this server could not rebuild cannot be judged yet.
        if (value_unknown[i - b] && rej->code == RejectCode::kInvalid) continue;
        Refuse(c, rej->code, rej->reason);
        return Status::Ok();
      }
      checked.push_back(std::get<CheckedChange>(std::move(outcome)));
    }
    if (resend_whole) {
      not_taken_.insert(head.record_id);
      out_.acks.push_back(ChangeAck{head.device_seq, 0, ChangeOutcome::kResendWhole, ClockFlag::kNone, ""});
      return Status::Ok();
    }
    const ClockFlag clock = ClockOf(head.time);
    ServerVersion version = 0;  // the entry's, handed out with its first field that is not kept out
    std::vector<HistoryEntry> entry;
    for (size_t i = b; i < e; ++i) {
      CheckedChange& ok = checked[i - b];
      // An earlier field of the entry may have created or restored the record.
      if (i > b) {
        CCF_ASSIGN_OR_RETURN(ok.record, s_->GetRecord(head.record_id));
      }
      CCF_RETURN_IF_ERROR(Merge(fields[i - b], ok, clock, &version, &entry));
    }
    // A field kept out has version 0; the entry's applied fields share one.
    return s_->AppendEntry(entry);
  }

  // A re-sent entry: each field gets the answer it had the first time. The
  // same seq for another record or other fields is not a re-send: acking it
  // "duplicate" would make the device drop a change the server never had.
  // (Values may differ legitimately: the server stores merge results.)
  Status Resent(size_t b, size_t e, const std::vector<HistoryEntry>& seen) {
    const FieldChange& head = changes()[b];
    bool same = seen.front().type == head.type && seen.front().record_id == head.record_id && seen.size() == e - b;
    std::vector<const HistoryEntry*> match;
    for (size_t i = b; same && i < e; ++i) {
      auto it = std::find_if(seen.begin(), seen.end(),
                             [&](const HistoryEntry& h) { return h.field == changes()[i].field; });
      same = it != seen.end();
      match.push_back(same ? &*it : nullptr);
    }
    if (!same) {
      Refuse(head, RejectCode::kSeqReused,
             "this device already sent change " + std::to_string(head.device_seq) +
                 " for another record; the device's numbering is damaged or its id is shared");
      return Status::Ok();
    }
    for (size_t i = b; i < e; ++i) {
      const HistoryEntry& h = *match[i - b];
      out_.acks.push_back(ChangeAck{head.device_seq, h.version, ResentOutcome(h), h.clock, h.field});
    }
    return Status::Ok();
  }

  ClockFlag ClockOf(const std::string& time) const {
    std::optional<int64_t> t = ParseTimestamp(time);
    if (!t) return ClockFlag::kNone;
    if (*t > now_ + svc_->options_.clock_future_ms) return ClockFlag::kFuture;
    if (prev_sync_ms_ > 0 && *t < prev_sync_ms_ - svc_->options_.clock_past_ms) return ClockFlag::kBeforeLastSync;
    return ClockFlag::kNone;
  }

  // The pushed change as the history keeps it: as sent, with its checked
  // value, this device and user, and what became of it.
  HistoryEntry Pushed(const FieldChange& c, ServerVersion v, HistoryOutcome o, const json& value,
                      ClockFlag clock) const {
    HistoryEntry e;
    static_cast<FieldChange&>(e) = c;
    e.version = v;
    e.value = value;
    e.device_id = who_.device_id;
    e.user.clear();
    e.outcome = o;
    e.clock = clock;
    e.user_id = who_.user_id;
    return e;
  }

  // A change the server makes to the pushed change's record.
  FieldChange Edit(const FieldChange& c, const std::string& field, json value, std::string author) const {
    FieldChange e;
    e.type = c.type;
    e.record_id = c.record_id;
    e.workspace_id = c.workspace_id;
    e.field = field;
    e.value = std::move(value);
    e.time = out_.server_time;
    e.author = std::move(author);
    return e;
  }

  // Merges one checked field of an entry (sync/merge_process.h) and stores
  // the decision in the order that header gives. The field's history row
  // joins `entry`; `version` is the entry's (handed out here the first time
  // a field is not kept out, and shared by the fields after it).
  Status Merge(const FieldChange& c, const CheckedChange& ok, ClockFlag clock, ServerVersion* version,
               std::vector<HistoryEntry>* entry) {
    StorageLookup lookup(s_, expired_through_, c.record_id, ok.record);
    CCF_ASSIGN_OR_RETURN(const std::string user, UserName(who_.user_id));  // kept on a conflict's pushed side
    CCF_ASSIGN_OR_RETURN(sync::MergeDecision d,
                         sync::DecideMerge(sync::MergeInput{c, ok.value, who_.device_id, ok.long_text, user}, lookup));
    if (d.create_record) {
      RecordMeta meta;
      meta.id = c.record_id;
      meta.type = c.type;
      meta.workspace_id = c.workspace_id;
      CCF_RETURN_IF_ERROR(s_->CreateRecord(meta));
    }
    ServerVersion v = 0;
    if (d.fate != sync::PushedFate::kKeptOut) {
      if (*version == 0) {
        CCF_ASSIGN_OR_RETURN(*version, s_->NextVersion());
      }
      v = *version;
    }
    HistoryEntry row = Pushed(c, v, HistoryOutcomeOf(d.fate), ok.value, clock);
    row.ack = d.ack;
    entry->push_back(std::move(row));
    if (d.fate == sync::PushedFate::kApplied) {
      StoredField f;
      f.state = sync::FieldState{true, ok.value, v, who_.device_id};
      f.author = c.author;
      f.time = c.time;
      CCF_RETURN_IF_ERROR(s_->SetField(c.record_id, c.field, f));
    }
    ServerVersion by = v;  // the change's version (merge_process.h)
    if (d.server_value) {
      CCF_ASSIGN_OR_RETURN(ServerVersion vs, WriteServerChange(s_, Edit(c, c.field, *d.server_value, d.server_author)));
      if (by == 0) by = vs;
    }
    if (d.set_deleted) CCF_RETURN_IF_ERROR(s_->SetDeleted(c.record_id, *d.set_deleted, v, who_.device_id));
    for (const std::string& id : d.resolve) {
      CCF_ASSIGN_OR_RETURN(ServerVersion nv, s_->NextVersion());
      CCF_RETURN_IF_ERROR(s_->ResolveConflict(id, by, nv));
    }
    if (d.conflict) CCF_RETURN_IF_ERROR(StoreConflict(&*d.conflict, by));
    if (d.revive) {
      const std::string field(kDeletedField);
      CCF_ASSIGN_OR_RETURN(ServerVersion vr, WriteServerChange(s_, Edit(c, field, false, sync::kServerDeviceId)));
      CCF_RETURN_IF_ERROR(s_->SetDeleted(c.record_id, false, vr, sync::kServerDeviceId));
      CCF_RETURN_IF_ERROR(StoreConflict(&*d.revive, vr));
    }
    out_.acks.push_back(ChangeAck{c.device_seq, v, d.ack, clock, c.field});
    return Status::Ok();
  }

  static HistoryOutcome HistoryOutcomeOf(sync::PushedFate f) {
    switch (f) {
      case sync::PushedFate::kApplied: return HistoryOutcome::kApplied;
      case sync::PushedFate::kMerged: return HistoryOutcome::kMerged;
      case sync::PushedFate::kKeptOut: return HistoryOutcome::kKeptOut;
    }
    return HistoryOutcome::kApplied;
  }

  // Gives a decided conflict its id and version, and stores it.
  Status StoreConflict(FieldConflict* x, ServerVersion winner_version) {
    x->id = NewUuid(svc_->env_);
    x->winner_version = winner_version;
    CCF_ASSIGN_OR_RETURN(x->version, s_->NextVersion());
    return s_->CreateConflict(*x);
  }

  // Changes and conflict updates after the cursor that the caller may see,
  // one page of them (pull_page.h: by `limit` or by `page_bytes`).
  Status Pull() {
    PullQuery q;
    q.after = req_.cursor;
    q.workspaces = who_.Workspaces();
    q.device_id = who_.device_id;
    const PageRule rule = PageRuleFor(req_, svc_->options_.max_response_bytes);
    // The entry as devices receive it: the change, with the pushing user's name.
    auto to_wire = [this](HistoryEntry&& e) -> Result<FieldChange> {
      CCF_ASSIGN_OR_RETURN(std::string user, UserName(e.user_id));
      FieldChange sc = std::move(e);
      sc.user = std::move(user);
      return sc;
    };
    CCF_ASSIGN_OR_RETURN(PullPage page, BuildPullPage(s_, q, rule, to_wire));
    out_.changes = std::move(page.changes);
    CCF_RETURN_IF_ERROR(PatchPulledTexts());
    out_.conflicts = std::move(page.conflicts);
    out_.more = page.more;
    if (out_.more) {
      out_.cursor = page.last;
    } else {
      CCF_ASSIGN_OR_RETURN(out_.cursor, s_->CurrentVersion());
    }
    return Status::Ok();
  }

  // Pulled long texts as patches (docs/sync-protocol.md, "Deltas for long
  // text"), when the device asked for them: a text of at least
  // kMinDeltaValueBytes whose previous value is at a version the device
  // holds (at or below its cursor) goes as a patch of that value, when the
  // patch pays. The page was cut by whole values, so it only gets smaller.
  Status PatchPulledTexts() {
    if (!req_.pull_deltas || req_.protocol != sync::kProtocolVersion || req_.cursor <= 0) return Status::Ok();
    size_t diffed = 0;
    for (FieldChange& c : out_.changes) {
      if (!c.value.is_string() || c.value.get_ref<const std::string&>().size() < sync::kMinDeltaValueBytes) continue;
      if (diffed > kMaxPatchedBytesPerPage) break;
      CCF_ASSIGN_OR_RETURN(std::optional<ServerStorage::VersionedValue> before,
                           s_->ValueBefore(c.record_id, c.field, c.version));
      if (!before || before->version > req_.cursor || !before->value.is_string()) continue;
      diffed += c.value.get_ref<const std::string&>().size() + before->value.get_ref<const std::string&>().size();
      std::optional<json> delta =
          sync::MakeTextDelta(before->value.get_ref<const std::string&>(), c.value.get_ref<const std::string&>());
      if (!delta) continue;
      c.delta = std::move(*delta);
      c.base = before->version;
      c.value = nullptr;
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
  // Records with an entry answered resend_whole in this request: their
  // later entries were made on top of it, so they wait too.
  std::set<std::string> not_taken_;
  size_t rebuilt_bytes_ = 0;  // text rebuilt from patches in this request
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
  if (FieldsBeforeLastEntry(req) >= sync::kMaxFieldChangesPerRequest) {
    last_status_ = Status::Invalid("more than " + std::to_string(sync::kMaxFieldChangesPerRequest) +
                                   " field changes in one request");
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
