#include "batch_mapping.h"

namespace ccfield::sync::internal {

PushChange ToPushChange(const OutgoingChange& c) {
  PushChange p;
  p.seq = c.entry.device_seq;
  p.type = std::string(TypeName(c.entry.type));
  p.id = c.entry.record_id;
  p.workspace_id = c.workspace_id;
  p.field = c.entry.field;
  p.value = c.entry.value;
  p.base = c.base_version;
  p.time = c.entry.device_time;
  p.author = c.entry.author;
  p.created = c.entry.created;
  return p;
}

std::string ClockNote(const std::string& flag) {
  if (flag.empty()) return "";
  if (flag == "future") return "this device's clock was ahead of the server's when the change was made";
  if (flag == "before_last_sync") {
    return "this device's clock was behind its previous sync when the change was made";
  }
  return "the server found this device's clock implausible (" + flag + ")";
}

SyncBatch ToSyncBatch(const SyncResponse& r) {
  SyncBatch b;
  b.cursor = r.cursor;
  b.server_time = r.server_time;
  b.acks.reserve(r.acks.size());
  for (const Ack& a : r.acks) {
    PushAck p;
    p.device_seq = a.seq;
    p.version = a.version;
    p.conflict = a.outcome == AckOutcome::kConflict;
    p.note = ClockNote(a.clock_flag);
    b.acks.push_back(std::move(p));
  }
  for (const Reject& x : r.rejects) b.rejects.push_back(PushReject{x.seq, x.reason.empty() ? x.code : x.reason});
  b.changes.reserve(r.changes.size());
  for (const ServerChange& c : r.changes) {
    RemoteChange rc;
    rc.version = c.version;
    rc.type = c.type;
    rc.id = c.id;
    rc.workspace_id = c.workspace_id;
    rc.field = c.field;
    rc.value = c.value;
    rc.device_id = c.device_id;
    rc.device_seq = c.device_seq;
    rc.time = c.time;
    rc.author = c.author;
    rc.user = c.user;
    rc.created = c.created;
    b.changes.push_back(std::move(rc));
  }
  for (const Conflict& c : r.conflicts) {
    ConflictInfo ci;
    ci.id = c.id;
    ci.version = c.version;
    ci.type = c.type;
    ci.record_id = c.record_id;
    ci.workspace_id = c.workspace_id;
    ci.field = c.field;
    ci.base = c.base;
    ci.winner = c.winner;
    ci.loser = c.loser;
    ci.winner_device = c.winner_device;
    ci.loser_device = c.loser_device;
    ci.winner_author = c.winner_author;
    ci.loser_author = c.loser_author;
    ci.loser_time = c.loser_time;
    ci.winner_version = c.winner_version;
    ci.resolved = c.resolved;
    ci.resolved_by = c.resolved_by;
    b.conflicts.push_back(std::move(ci));
  }
  return b;
}

}  // namespace ccfield::sync::internal
