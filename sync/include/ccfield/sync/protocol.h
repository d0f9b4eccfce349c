#pragma once
// The sync protocol's messages (docs/sync-protocol.md) and their JSON codec.
// Shared by the client (sync/) and the server (server/). Decoding never
// throws: malformed input becomes a kInvalidArgument Status naming the field.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/field_change.h"
#include "ccfield/core/status.h"

namespace ccfield::sync {

inline constexpr int kProtocolVersion = 1;

// The change types (FieldChange, FieldConflict, ChangeAck, ChangeRefusal,
// ServerVersion, DeviceSeq) are core's (ccfield/core/field_change.h): the
// device's store, this codec and the server share them; only this codec
// turns them into JSON.
using ccfield::DeviceSeq;
using ccfield::ServerVersion;

// Limits the server enforces (and the client respects when batching).
inline constexpr size_t kMaxRequestBytes = 8 * 1024 * 1024;  // after gunzip
inline constexpr size_t kMaxChangesPerRequest = 5000;
inline constexpr int kDefaultPullLimit = 1000;
inline constexpr int kMaxPullLimit = 5000;
// Pages by bytes (docs/sync-protocol.md, "Pages by bytes"): a request with
// `page_bytes` asks the server to end the page at that many bytes of the
// items' JSON (clamped to [kMinPageBytes, the server's max_response_bytes]),
// and at kMaxPageItems items at most (or `limit`, when the request gives one).
inline constexpr int64_t kMinPageBytes = int64_t{16} << 10;
inline constexpr int kMaxPageItems = 50000;

// The device id the server uses for changes it makes itself (merges, undeletes).
inline constexpr const char* kServerDeviceId = "server";

struct SyncRequest {
  int protocol = kProtocolVersion;
  std::string device_id;
  ServerVersion cursor = 0;    // last server version this device committed
  std::string device_time;     // device clock now
  // Items per pull page. With page_bytes == 0 (an older client): at most
  // kMaxPullLimit, kDefaultPullLimit when the request leaves it out. With
  // page_bytes: an extra cap on items (at most kMaxPageItems), 0 = none;
  // sent only when > 0.
  int limit = kDefaultPullLimit;
  // The byte budget of the pull page (the changes' and conflicts' JSON,
  // uncompressed); 0 = not sent (pages by `limit`, as before).
  int64_t page_bytes = 0;
  // In DeviceSeq order. Each carries type, record_id, workspace_id, field,
  // value, created, device_seq, time, author and base (the rest is the
  // server's to fill).
  std::vector<FieldChange> changes;
};

// One of the caller's current workspace memberships. A workspace the device
// holds that is absent from SyncResponse::workspaces is one its user was
// removed from: the device stops showing it and drops its copy once its own
// unsent changes there are resolved (docs/sync-protocol.md).
struct WorkspaceRole {
  std::string id;
  std::string role;  // "field_staff", "coordinator", ...
  // The long edge of the photo copies the workspace's devices send
  // (protocol 2, "photo_long_edge"); 0 when the server did not say (the
  // device keeps its own setting or the default).
  int photo_long_edge = 0;
};

struct SyncResponse {
  int protocol = kProtocolVersion;
  std::string server_time;
  std::vector<ChangeAck> acks;
  std::vector<ChangeRefusal> rejects;
  std::vector<FieldChange> changes;  // accepted state, in server order (all but base filled)
  std::vector<FieldConflict> conflicts;
  ServerVersion cursor = 0;
  bool more = false;
  // The caller's memberships as of this response. The server always sends
  // them; workspaces_known is false only when an older server left the field
  // out, in which case the list says nothing (never "member of nothing").
  std::vector<WorkspaceRole> workspaces;
  bool workspaces_known = false;
};

// POST /v1/login. The server checks lengths and the user (auth.h); the codec
// checks shape: username, password and device_id are required strings.
struct LoginRequest {
  std::string username;
  std::string password;
  std::string device_id;  // UUID
  std::string device_name;
  // The secret this server gave the device at its first login ("" the first
  // time). Binds the device id to the device: knowing the id is not enough.
  std::string device_secret;
};

struct LoginResponse {
  std::string token;       // the bearer token; never empty in a valid answer
  std::string expires_at;  // ISO 8601 UTC, server clock
  std::string user_id;
  // The user's memberships. workspaces_known is false only when the server
  // left the field out (then the list says nothing).
  std::vector<WorkspaceRole> workspaces;
  bool workspaces_known = false;
  std::string device_secret;  // a new secret for the device to keep; "" when it has one
};

// POST /v1/logout revokes the bearer token of the request; its body is {}.
struct LogoutRequest {};
struct LogoutResponse {
  bool ok = true;
};

// Error body of any 4xx/5xx: {"error": {"code": "...", "message": "..."}}.
struct ErrorBody {
  std::string code;
  std::string message;
};

nlohmann::json ToJson(const SyncRequest& r);
nlohmann::json ToJson(const SyncResponse& r);
// A change as a device pushes it, and as the server sends it back.
nlohmann::json PushedChangeJson(const FieldChange& c);
nlohmann::json ServerChangeJson(const FieldChange& c);
nlohmann::json ToJson(const FieldConflict& c);
Result<SyncRequest> ParseSyncRequest(const nlohmann::json& j);
Result<SyncResponse> ParseSyncResponse(const nlohmann::json& j);
Result<FieldConflict> ParseConflict(const nlohmann::json& j);
Result<FieldChange> ParseServerChange(const nlohmann::json& j);

nlohmann::json ToJson(const LoginRequest& r);
nlohmann::json ToJson(const LoginResponse& r);
nlohmann::json ToJson(const LogoutRequest& r);
nlohmann::json ToJson(const LogoutResponse& r);
Result<LoginRequest> ParseLoginRequest(const nlohmann::json& j);
Result<LoginResponse> ParseLoginResponse(const nlohmann::json& j);
Result<LogoutRequest> ParseLogoutRequest(const nlohmann::json& j);
Result<LogoutResponse> ParseLogoutResponse(const nlohmann::json& j);

// Parses text first (invalid UTF-8 and malformed JSON become clear errors).
Result<nlohmann::json> ParseJsonText(std::string_view text);

nlohmann::json ErrorJson(const std::string& code, const std::string& message);

}  // namespace ccfield::sync
