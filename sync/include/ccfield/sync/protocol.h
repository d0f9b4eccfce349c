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

// The version this side writes (docs/sync-protocol.md, version log). Requests
// and answers of kProtocolV1 are still read, and answered in kind, so a
// device that has not updated keeps syncing.
inline constexpr int kProtocolVersion = 3;
inline constexpr int kProtocolV1 = 1;

// The change types (FieldChange, FieldConflict, ChangeAck, ChangeRefusal,
// ServerVersion, DeviceSeq) are core's (ccfield/core/field_change.h): the
// device's store, this codec and the server share them; only this codec
// turns them into JSON.
using ccfield::DeviceSeq;
using ccfield::ServerVersion;

// Limits the server enforces (and the client respects when batching).
inline constexpr size_t kMaxRequestBytes = 8 * 1024 * 1024;  // after gunzip
// Entries (protocol 3) or changes (protocol 1) per request.
inline constexpr size_t kMaxChangesPerRequest = 5000;
// Field changes of a protocol 3 request before its last entry (whose rest
// may pass it by at most kMaxFieldsPerEntry): 1,000 new visits of the
// built-in forms (~28 fields each) go in one request, not six, and the
// device holds at most this many pending changes in memory at once. A
// protocol 1 request has one field per change, so kMaxChangesPerRequest.
inline constexpr size_t kMaxFieldChangesPerRequest = 30000;
// Fields of one entry: far above the records people make (a visit of the
// built-in forms has about 25), and with kMaxFieldChangesPerRequest a bound on
// what one request makes the server hold in memory.
inline constexpr size_t kMaxFieldsPerEntry = 2000;
// A pushed entry's seq is below 2^40: a protocol 1 answer numbers the fields
// after the first of a multi-field entry dseq + k * 2^40 (kV1FieldSeqStep),
// so a device seq at or above it could collide with those numbers. No device
// makes 10^12 commits.
inline constexpr DeviceSeq kV1FieldSeqStep = int64_t{1} << 40;
inline constexpr DeviceSeq kMaxDeviceSeq = kV1FieldSeqStep - 1;
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
  // The version the request is written in: kProtocolVersion (3) from this
  // client; ParseSyncRequest sets the version it read (1 or 3), which the
  // server answers in (SyncResponse::protocol).
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
  // Protocol 3: the device takes pulled long texts as patches of the version
  // it holds ("pull_deltas": true; docs/sync-protocol.md, "Deltas for long
  // text"). A device that could not apply one asks for the same page again
  // without.
  bool pull_deltas = false;
  // In DeviceSeq order, the fields of an entry adjacent (EntryEnd; they share
  // type, record_id, workspace_id, created, device_seq, time and author, and
  // each has its own field, value and base; the rest is the server's to
  // fill). Protocol 3 sends each entry once with its fields; protocol 1 one
  // change per field, so its entries have one field each.
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
  // The version the answer is written in: the server sets the request's
  // (a protocol 1 device gets a protocol 1 answer); ParseSyncResponse sets
  // the version it read.
  int protocol = kProtocolVersion;
  std::string server_time;
  // The server gives one ack per field (field set) or per entry (field "");
  // the codec groups them per device_seq. Parsed from protocol 3: per entry,
  // one ack with field "" (every field of the entry) followed by acks naming
  // the fields whose version or outcome differ. From protocol 1: field "".
  std::vector<ChangeAck> acks;
  std::vector<ChangeRefusal> rejects;  // per entry (device_seq)
  // Accepted state, in server order (all but base filled), the fields of an
  // entry adjacent and sharing its metadata and version (as in SyncRequest).
  // Parsed from protocol 3, an entry's fields come in field-name order (JSON
  // objects have none). A field sent as a patch (the request asked for
  // pull_deltas) has `delta` and `base` (the version it patches) set and a
  // null value, until the device rebuilds it.
  std::vector<FieldChange> changes;
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

// Whether `changes` keep the entry rule the codec relies on: the fields of
// each entry (EntryEnd) share type, record_id, workspace_id, created,
// device_id, device_seq, time, author, user and version; no field name is
// empty or twice in one entry; no entry appears twice. kInternal naming the
// change and what differs: such a list is a programming error.
Status CheckEntries(const std::vector<FieldChange>& changes);

// The bodies in the version `r.protocol` says (1 or 3). kInternal, and no
// body, when r.changes break the entry rule (CheckEntries), a protocol 1
// request has an entry of several fields, or the version is neither: a
// caller never sends a body the other side would misread.
Result<nlohmann::json> EncodeSyncRequest(const SyncRequest& r);
Result<nlohmann::json> EncodeSyncResponse(const SyncResponse& r);
// The same, for callers that cannot fail: a body the encoder refuses
// becomes ErrorJson("internal", why), which every reader refuses as a sync
// body (it has no protocol) instead of misreading it.
nlohmann::json ToJson(const SyncRequest& r);
nlohmann::json ToJson(const SyncResponse& r);
// Protocol 1: a change as a device pushes it, and as the server sends it back.
nlohmann::json PushedChangeJson(const FieldChange& c);
nlohmann::json ServerChangeJson(const FieldChange& c);
// Protocol 3: the entry changes[begin, end) as the server sends it, and the
// bytes of its compact JSON (what a byte-budget page counts; invalid UTF-8
// counted as replaced, as the answer is written). REQUIRES: [begin, end) is
// one entry (end == EntryEnd(changes, begin)).
nlohmann::json ServerEntryJson(const std::vector<FieldChange>& changes, size_t begin, size_t end);
size_t ServerEntryBytes(const std::vector<FieldChange>& changes, size_t begin, size_t end);
nlohmann::json ToJson(const FieldConflict& c);
// Requests and answers of protocol 1 and 3 (others: kInvalidArgument, "...
// not supported ...; update the app").
Result<SyncRequest> ParseSyncRequest(const nlohmann::json& j);
Result<SyncResponse> ParseSyncResponse(const nlohmann::json& j);
Result<FieldConflict> ParseConflict(const nlohmann::json& j);
// One change of a protocol 1 answer.
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
