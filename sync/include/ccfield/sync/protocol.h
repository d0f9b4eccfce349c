#pragma once
// The sync protocol's messages (docs/sync-protocol.md) and their JSON codec.
// Shared by the client (sync/) and the server (server/). Decoding never
// throws: malformed input becomes a kInvalidArgument Status naming the field.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield::sync {

inline constexpr int kProtocolVersion = 1;

// The server's total order of accepted changes. 0 means "nothing yet".
using ServerVersion = int64_t;
// A device's own sequence number of its changes (change_log.device_seq).
using DeviceSeq = int64_t;

// Limits the server enforces (and the client respects when batching).
inline constexpr size_t kMaxRequestBytes = 8 * 1024 * 1024;  // after gunzip
inline constexpr size_t kMaxChangesPerRequest = 5000;
inline constexpr int kDefaultPullLimit = 1000;
inline constexpr int kMaxPullLimit = 5000;

// The device id the server uses for changes it makes itself (merges, undeletes).
inline constexpr const char* kServerDeviceId = "server";

// A change a device pushes: one field of one record.
struct PushChange {
  DeviceSeq seq = 0;           // device_seq
  std::string type;            // record type name: "visit"
  std::string id;              // record id
  std::string workspace_id;    // workspace of the record (empty for library records)
  std::string field;           // field, "answers.<id>" or "_deleted"
  nlohmann::json value;        // new value
  ServerVersion base = 0;      // server version of the field the edit was made on (0: none)
  std::string time;            // device time, ISO 8601 UTC: data, not order
  std::string author;
  bool created = false;
};

struct SyncRequest {
  int protocol = kProtocolVersion;
  std::string device_id;
  ServerVersion cursor = 0;    // last server version this device committed
  std::string device_time;     // device clock now
  int limit = kDefaultPullLimit;
  std::vector<PushChange> changes;  // in DeviceSeq order
};

enum class AckOutcome {
  kApplied,     // applied as sent
  kMerged,      // text merged with a concurrent edit; the merged value comes in `changes`
  kConflict,    // applied or kept out, and a conflict record keeps the other value
  kDuplicate,   // seen before (a re-sent batch); `version` is the original one
};

struct Ack {
  DeviceSeq seq = 0;
  ServerVersion version = 0;   // version the change got (0 when it was kept out by a conflict)
  AckOutcome outcome = AckOutcome::kApplied;
  std::string clock_flag;      // "", "future" or "before_last_sync": implausible device time
};

struct Reject {
  DeviceSeq seq = 0;
  std::string code;            // "forbidden", "read_only", "invalid", "unknown_type"
  std::string reason;          // plain words for the person
};

// A change the device receives: the server's accepted state, in server order.
struct ServerChange {
  ServerVersion version = 0;
  std::string type;
  std::string id;
  std::string workspace_id;
  std::string field;
  nlohmann::json value;
  std::string device_id;       // origin device, or "server"
  DeviceSeq device_seq = 0;    // origin's seq (server: = version)
  std::string time;            // origin device time
  std::string author;           // what the device typed as author (not verified)
  std::string user;             // user name the server authenticated for the push; "" for server changes
  bool created = false;
};

// Two values for one field that could not both win. Kept until a device
// resolves it with an ordinary edit made after seeing the conflict.
struct Conflict {
  std::string id;              // uuid
  ServerVersion version = 0;   // bumps when the conflict changes (resolved)
  std::string type;
  std::string record_id;
  std::string workspace_id;
  std::string field;
  nlohmann::json base;         // common ancestor value (null if none)
  nlohmann::json winner;       // value applied
  nlohmann::json loser;        // value kept here so nothing is lost
  std::string winner_device, loser_device;
  std::string winner_author, loser_author;
  std::string loser_time;
  ServerVersion winner_version = 0;
  bool resolved = false;
  ServerVersion resolved_by = 0;
};

// One of the caller's current workspace memberships. A workspace the device
// holds that is absent from SyncResponse::workspaces is one its user was
// removed from: the device stops showing it and drops its copy once its own
// unsent changes there are resolved (docs/sync-protocol.md).
struct WorkspaceRole {
  std::string id;
  std::string role;  // "field_staff", "coordinator", ...
};

struct SyncResponse {
  int protocol = kProtocolVersion;
  std::string server_time;
  std::vector<Ack> acks;
  std::vector<Reject> rejects;
  std::vector<ServerChange> changes;
  std::vector<Conflict> conflicts;
  ServerVersion cursor = 0;
  bool more = false;
  // The caller's memberships as of this response. The server always sends
  // them; workspaces_known is false only when an older server left the field
  // out, in which case the list says nothing (never "member of nothing").
  std::vector<WorkspaceRole> workspaces;
  bool workspaces_known = false;
};

// Error body of any 4xx/5xx: {"error": {"code": "...", "message": "..."}}.
struct ErrorBody {
  std::string code;
  std::string message;
};

const char* AckOutcomeName(AckOutcome o);

nlohmann::json ToJson(const SyncRequest& r);
nlohmann::json ToJson(const SyncResponse& r);
nlohmann::json ToJson(const PushChange& c);
nlohmann::json ToJson(const ServerChange& c);
nlohmann::json ToJson(const Conflict& c);
Result<SyncRequest> ParseSyncRequest(const nlohmann::json& j);
Result<SyncResponse> ParseSyncResponse(const nlohmann::json& j);
Result<Conflict> ParseConflict(const nlohmann::json& j);
Result<ServerChange> ParseServerChange(const nlohmann::json& j);

// Parses text first (invalid UTF-8 and malformed JSON become clear errors).
Result<nlohmann::json> ParseJsonText(std::string_view text);

nlohmann::json ErrorJson(const std::string& code, const std::string& message);

}  // namespace ccfield::sync
