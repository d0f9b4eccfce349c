// The merge process (merge_process.h): rules 1-6 of docs/sync-protocol.md
// applied to one pushed change, over the caller's history lookup.
#include "ccfield/sync/merge_process.h"

#include <string>
#include <utility>

#include "ccfield/core/records.h"

namespace ccfield::sync {

using nlohmann::json;

namespace {

// One side of a conflict. Only the loser's time is kept: the winner's is in
// its history entry.
struct Side {
  json value;
  std::string device_id;
  std::string author;
  std::string time;
  std::string user;  // the user the server authenticated for it ("" for the server's own)
};

// The one place a conflict record is built.
FieldConflict MakeConflict(const FieldChange& c, std::string_view field, json base, Side winner, Side loser) {
  FieldConflict x;
  x.type = c.type;
  x.record_id = c.record_id;
  x.workspace_id = c.workspace_id;
  x.field = std::string(field);
  x.base = std::move(base);
  x.winner = std::move(winner.value);
  x.loser = std::move(loser.value);
  x.winner_device = std::move(winner.device_id);
  x.loser_device = std::move(loser.device_id);
  x.winner_author = std::move(winner.author);
  x.loser_author = std::move(loser.author);
  x.loser_time = std::move(loser.time);
  x.winner_user = std::move(winner.user);
  x.loser_user = std::move(loser.user);
  return x;
}

// The user behind the change with `version`, the side of a conflict that was
// there before the push; "" when that change is gone (expired) or the server's.
Result<std::string> UserAt(MergeLookup& lookup, ServerVersion version) {
  if (version <= 0) return std::string();
  CCF_ASSIGN_OR_RETURN(std::optional<ChangeOrigin> origin, lookup.ChangeAt(version));
  return origin ? std::move(origin->user) : std::string();
}

// A "_deleted" value as of some version; never set means not deleted.
json DeletedBase(json v) { return v.is_null() ? json(false) : std::move(v); }

Result<std::vector<std::string>> Resolved(const FieldChange& c, MergeLookup& lookup) {
  if (c.base <= 0) return std::vector<std::string>();
  CCF_ASSIGN_OR_RETURN(std::vector<FieldConflict> open, lookup.OpenConflicts(c.record_id, c.field));
  return ConflictsResolvedBy(c.base, open);
}

// The value the device's edit was made on, and whether it can be trusted for
// a text merge.
struct Base {
  json value;
  bool known = true;
};

Result<Base> FindBase(const MergeInput& in, MergeLookup& lookup) {
  const FieldChange& c = in.change;
  Base b;
  if (c.base > 0) {
    CCF_ASSIGN_OR_RETURN(b.value, lookup.ValueAt(c.record_id, c.field, c.base));
  }
  // The device made this edit on its own text: when its own latest change to
  // the field is at or after the base (two edits in one batch, or an edit
  // before the merge result came back), that change is the common base.
  CCF_ASSIGN_OR_RETURN(std::optional<OwnChange> own, lookup.LatestOwnChange(c.record_id, c.field, in.device_id));
  CCF_ASSIGN_OR_RETURN(ServerVersion expired_through, lookup.ExpiredThrough());
  if (own && own->version >= c.base) {
    b.value = std::move(own->value);
  } else if (c.base > 0 && c.base < expired_through) {
    // The base's value may have expired (docs/retention.md): without it a
    // text merge could silently drop words, so concurrent edits conflict.
    b.known = false;
  }
  return b;
}

// Rule 5, edit side: an edit to a record another device deleted after the
// edit's base brings the record back; a conflict keeps the delete.
Result<std::optional<FieldConflict>> Revival(const MergeInput& in, const std::optional<RecordState>& record,
                                             MergeLookup& lookup) {
  const FieldChange& c = in.change;
  if (!record || !record->deleted ||
      !EditRevivesDeleted(c.base, record->deleted_version, record->deleted_by_device == in.device_id)) {
    return std::optional<FieldConflict>();
  }
  const std::string field(kDeletedField);
  CCF_ASSIGN_OR_RETURN(FieldNow del, lookup.Field(c.record_id, field));
  CCF_ASSIGN_OR_RETURN(json base, lookup.ValueAt(c.record_id, field, c.base));
  CCF_ASSIGN_OR_RETURN(std::string deleter, UserAt(lookup, record->deleted_version));
  return std::optional<FieldConflict>(
      MakeConflict(c, field, DeletedBase(std::move(base)), Side{false, in.device_id, c.author, "", std::string(in.user)},
                   Side{true, record->deleted_by_device, del.author, del.time, std::move(deleter)}));
}

// A field edit (rules 1-4 and 6, and rule 5's revival).
Result<MergeDecision> DecideEdit(const MergeInput& in, const std::optional<RecordState>& record, MergeLookup& lookup) {
  const FieldChange& c = in.change;
  MergeDecision d;
  d.create_record = !record;
  CCF_ASSIGN_OR_RETURN(FieldNow cur, lookup.Field(c.record_id, c.field));
  CCF_ASSIGN_OR_RETURN(Base base, FindBase(in, lookup));
  FieldMerge m = MergeField(cur.state, base.value, Incoming{in.value, c.base, in.device_id, in.long_text && base.known});
  if (m.outcome == FieldOutcome::kTextMerged) {
    d.fate = PushedFate::kMerged;
    d.ack = ChangeOutcome::kMerged;
    d.server_value = std::move(m.value);
    d.server_author = c.author;
  }
  CCF_ASSIGN_OR_RETURN(d.resolve, Resolved(c, lookup));
  if (m.outcome == FieldOutcome::kConflict) {
    d.ack = ChangeOutcome::kConflict;
    CCF_ASSIGN_OR_RETURN(std::string other, UserAt(lookup, cur.state.version));
    d.conflict = MakeConflict(c, c.field, std::move(base.value),
                              Side{std::move(m.value), in.device_id, c.author, "", std::string(in.user)},
                              Side{std::move(m.loser), cur.state.device_id, cur.author, cur.time, std::move(other)});
  }
  CCF_ASSIGN_OR_RETURN(d.revive, Revival(in, record, lookup));
  if (d.revive) d.ack = ChangeOutcome::kConflict;
  return d;
}

// Rule 5, delete side: a delete whose base is older than another device's
// edit of the record is kept out; the server keeps the record alive.
Result<std::optional<MergeDecision>> KeepOutDelete(const MergeInput& in, MergeLookup& lookup) {
  const FieldChange& c = in.change;
  CCF_ASSIGN_OR_RETURN(ServerVersion others, lookup.MaxVersionByOthers(c.record_id, in.device_id));
  if (!DeleteLosesToEdit(c.base, others)) return std::optional<MergeDecision>();
  MergeDecision d;
  d.fate = PushedFate::kKeptOut;
  d.ack = ChangeOutcome::kConflict;
  d.server_value = false;
  d.server_author = kServerDeviceId;
  CCF_ASSIGN_OR_RETURN(json base, lookup.ValueAt(c.record_id, c.field, c.base));
  CCF_ASSIGN_OR_RETURN(d.resolve, Resolved(c, lookup));
  CCF_ASSIGN_OR_RETURN(std::optional<ChangeOrigin> edit, lookup.ChangeAt(others));
  if (!edit) edit.emplace();  // expired: the conflict still keeps both values
  d.conflict = MakeConflict(c, c.field, DeletedBase(std::move(base)),
                            Side{false, edit->device_id, edit->author, "", std::move(edit->user)},
                            Side{true, in.device_id, c.author, c.time, std::string(in.user)});
  return std::optional<MergeDecision>(std::move(d));
}

// "_deleted": a delete (true) or a restore (false).
Result<MergeDecision> DecideDeleted(const MergeInput& in, const std::optional<RecordState>& record,
                                    MergeLookup& lookup) {
  const FieldChange& c = in.change;
  if (!in.value.is_boolean()) return Status::Invalid("\"_deleted\" must be true or false");
  if (!record) return Status::Invalid("the record to delete or restore does not exist on the server");
  const bool want = in.value.get<bool>();
  if (want && !record->deleted) {
    CCF_ASSIGN_OR_RETURN(std::optional<MergeDecision> kept, KeepOutDelete(in, lookup));
    if (kept) return std::move(*kept);
  }
  MergeDecision d;
  if (want != record->deleted) d.set_deleted = want;
  CCF_ASSIGN_OR_RETURN(d.resolve, Resolved(c, lookup));
  // A restore made without seeing a delete wins, and a conflict keeps the delete.
  if (!want && record->deleted &&
      EditRevivesDeleted(c.base, record->deleted_version, record->deleted_by_device == in.device_id)) {
    d.ack = ChangeOutcome::kConflict;
    CCF_ASSIGN_OR_RETURN(std::string deleter, UserAt(lookup, record->deleted_version));
    d.conflict = MakeConflict(c, c.field, json(false), Side{false, in.device_id, c.author, "", std::string(in.user)},
                              Side{true, record->deleted_by_device, "", "", std::move(deleter)});
  }
  return d;
}

}  // namespace

std::vector<std::string> ConflictsResolvedBy(ServerVersion base, const std::vector<FieldConflict>& open) {
  std::vector<std::string> ids;
  if (base <= 0) return ids;
  for (const FieldConflict& x : open) {
    if (x.winner_version <= base) ids.push_back(x.id);
  }
  return ids;
}

Result<MergeDecision> DecideMerge(const MergeInput& in, MergeLookup& lookup) {
  CCF_ASSIGN_OR_RETURN(std::optional<RecordState> record, lookup.Record(in.change.record_id));
  if (in.change.field == kDeletedField) return DecideDeleted(in, record, lookup);
  return DecideEdit(in, record, lookup);
}

}  // namespace ccfield::sync
