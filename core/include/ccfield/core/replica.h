#pragma once
// What the store keeps for sync, in protocol-neutral terms (core knows
// nothing of HTTP or the wire format; sync/ maps these to messages).
//
// Every own change in the change log has a state: waiting (not yet sent),
// sent (in a request whose answer has not come), synced, rejected (with the
// server's reason) or conflict (accepted, but a conflict record keeps the
// other value). Changes received from the server are stored as "remote".

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ccfield/core/change.h"

namespace ccfield {

// kDemo: a change to demo data, kept on this device and never sent.
// kSuperseded: a refused change the person retried (sent again under a new
// sequence number) or discarded; it stays in the history, nothing more.
enum class ChangeState { kWaiting, kSent, kSynced, kRejected, kConflict, kRemote, kDemo, kSuperseded };
const char* ChangeStateName(ChangeState s);

// What a person sees of a record (a visit, a site) in lists, Home, the editor
// header and the CLI: one state, worst first (demo > refused > conflict >
// draft > waiting > sent). Derived from the change log, never stored.
enum class RecordState {
  kSent,      // everything this device changed is on the server (or it never changed it)
  kWaiting,   // changes not yet confirmed by the server ("ready to send")
  kDraft,     // a visit saved but not marked complete
  kConflict,  // an open conflict on one of its fields that is the signed-in user's (ConflictIsMine)
  kRefused,   // the server refused a change; `reason` says why
  kDemo,      // demo data: kept on this device, never sent
};
// "sent", "waiting", "draft", "conflict", "refused", "demo" (CLI JSON, tests).
const char* RecordStateName(RecordState s);

struct RecordStatus {
  RecordState state = RecordState::kSent;
  std::string reason;  // kRefused: the server's reason for the newest refused change
};

struct RecordStateCounts {
  int64_t draft = 0, waiting = 0, sent = 0, refused = 0, conflict = 0, demo = 0;
};

// What removing the demo data set deleted, per record type name.
struct DemoRemoval {
  std::map<std::string, int64_t> removed;
  int64_t drafts = 0;  // unsaved editor drafts about demo records
};

// The outcome of one sync round trip, applied in one transaction.
struct SyncBatch {
  std::vector<ChangeAck> acks;
  std::vector<ChangeRefusal> rejects;
  std::vector<FieldChange> changes;  // accepted changes, in the server's order
  std::vector<FieldConflict> conflicts;
  int64_t cursor = 0;
  std::string server_time;
};

struct ChangeStateCounts {
  int64_t waiting = 0, sent = 0, synced = 0, rejected = 0, conflict = 0, remote = 0, demo = 0, superseded = 0;
};

// Settings and progress of sync, kept in the store's meta table.
struct SyncSettings {
  std::string server_url;
  std::string username;
  std::string token;           // bearer token (plain in the file until the store is encrypted)
  std::string ca_file;         // custom CA bundle for self-hosted servers
  // The secret a server gave this device at its first login, and that
  // server's address: later logins there present it (device ids are bound).
  std::string device_secret;
  std::string device_secret_server;
  int64_t cursor = 0;
  std::string last_ok;         // device time of the last successful sync (ISO UTC)
  std::string last_attempt;
  std::string last_error;      // plain words; empty after a success
  // The server address whose last sync answer came in zstd: a new process
  // may send its first request body in zstd there (docs/sync-protocol.md,
  // "Encodings"). Written only by SyncReplica::RememberZstdServer, never by
  // SaveSyncSettings (a copy read before a sync must not undo what it learnt).
  std::string zstd_server;
};

}  // namespace ccfield
