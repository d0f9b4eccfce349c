#include "ccfield/sync/protocol.h"

#include <algorithm>

#include "ccfield/core/json_text.h"

#include "ccfield/core/text.h"

namespace ccfield::sync {

using nlohmann::json;

namespace {

// Typed field readers that turn a wrong type into a clear error.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

  bool Object() {
    if (!j_.is_object()) Fail(where_ + " must be an object");
    return ok();
  }
  std::string Str(const char* key, bool required = true, size_t max = 4096) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return {};
    }
    if (!it->is_string()) {
      Fail(where_ + "." + key + " must be a string");
      return {};
    }
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > max) Fail(where_ + "." + key + " is too long");
    return s;
  }
  int64_t Int(const char* key, bool required = true, int64_t min = 0) {
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return 0;
    }
    if (!it->is_number_integer()) {
      Fail(where_ + "." + key + " must be an integer");
      return 0;
    }
    int64_t v = it->get<int64_t>();
    if (v < min) Fail(where_ + "." + key + " must be >= " + std::to_string(min));
    return v;
  }
  bool Bool(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end()) return false;
    if (!it->is_boolean()) Fail(where_ + "." + key + " must be true or false");
    return it->is_boolean() && it->get<bool>();
  }
  json Any(const char* key) {
    auto it = j_.find(key);
    return it == j_.end() ? json() : *it;
  }
  const json* Array(const char* key, bool required = true) {
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return nullptr;
    }
    if (!it->is_array()) {
      Fail(where_ + "." + key + " must be an array");
      return nullptr;
    }
    return &*it;
  }
  void Fail(const std::string& msg) {
    if (error_.empty()) error_ = msg;
  }
  bool ok() const { return error_.empty(); }
  Status status() const { return ok() ? Status::Ok() : Status::Invalid(error_); }

 private:
  const json& j_;
  std::string where_;
  std::string error_;
};

// Compared as int64: 2^32 + 1 narrowed to int was taken for version 1.
void CheckProtocol(Reader& r, int64_t protocol) {
  if (protocol != kProtocolVersion) {
    r.Fail("protocol version " + std::to_string(protocol) + " is not supported (this side speaks " +
           std::to_string(kProtocolVersion) + "); update the app");
  }
}

}  // namespace

const char* AckOutcomeName(AckOutcome o) {
  switch (o) {
    case AckOutcome::kApplied: return "applied";
    case AckOutcome::kMerged: return "merged";
    case AckOutcome::kConflict: return "conflict";
    case AckOutcome::kDuplicate: return "duplicate";
  }
  return "?";
}

json ToJson(const PushChange& c) {
  json j = {{"seq", c.seq},     {"type", c.type}, {"id", c.id},     {"field", c.field},
            {"value", c.value}, {"base", c.base}, {"time", c.time}, {"author", c.author}};
  if (!c.workspace_id.empty()) j["ws"] = c.workspace_id;
  if (c.created) j["created"] = true;
  return j;
}

json ToJson(const SyncRequest& r) {
  json changes = json::array();
  for (const PushChange& c : r.changes) changes.push_back(ToJson(c));
  return {{"protocol", r.protocol}, {"device_id", r.device_id}, {"cursor", r.cursor},
          {"device_time", r.device_time}, {"limit", r.limit}, {"changes", changes}};
}

json ToJson(const ServerChange& c) {
  json j = {{"v", c.version},     {"type", c.type},   {"id", c.id},         {"field", c.field},
            {"value", c.value},   {"device", c.device_id}, {"dseq", c.device_seq},
            {"time", c.time},     {"author", c.author}};
  if (!c.workspace_id.empty()) j["ws"] = c.workspace_id;
  if (!c.user.empty()) j["user"] = c.user;
  if (c.created) j["created"] = true;
  return j;
}

json ToJson(const Conflict& c) {
  json j = {{"id", c.id},
          {"v", c.version},
          {"type", c.type},
          {"record", c.record_id},
          {"ws", c.workspace_id},
          {"field", c.field},
          {"base", c.base},
          {"winner", c.winner},
          {"loser", c.loser},
          {"winner_device", c.winner_device},
          {"loser_device", c.loser_device},
          {"winner_author", c.winner_author},
          {"loser_author", c.loser_author},
          {"loser_time", c.loser_time},
          {"winner_version", c.winner_version},
          {"resolved", c.resolved},
          {"resolved_by", c.resolved_by}};
  return j;
}

json ToJson(const SyncResponse& r) {
  json acks = json::array(), rejects = json::array(), changes = json::array(), conflicts = json::array();
  for (const Ack& a : r.acks) {
    json j = {{"seq", a.seq}, {"v", a.version}, {"outcome", AckOutcomeName(a.outcome)}};
    if (!a.clock_flag.empty()) j["clock"] = a.clock_flag;
    acks.push_back(std::move(j));
  }
  for (const Reject& x : r.rejects) rejects.push_back({{"seq", x.seq}, {"code", x.code}, {"reason", x.reason}});
  for (const ServerChange& c : r.changes) changes.push_back(ToJson(c));
  for (const Conflict& c : r.conflicts) conflicts.push_back(ToJson(c));
  json workspaces = json::array();
  for (const WorkspaceRole& w : r.workspaces) workspaces.push_back({{"id", w.id}, {"role", w.role}});
  return {{"protocol", r.protocol}, {"server_time", r.server_time}, {"acks", acks},    {"rejects", rejects},
          {"changes", changes},     {"conflicts", conflicts},       {"cursor", r.cursor}, {"more", r.more},
          {"workspaces", workspaces}};
}

Result<SyncRequest> ParseSyncRequest(const json& j) {
  Reader r(j, "request");
  SyncRequest req;
  if (!r.Object()) return r.status();
  const int64_t protocol = r.Int("protocol");
  CheckProtocol(r, protocol);
  req.protocol = kProtocolVersion;
  req.device_id = r.Str("device_id", true, 64);
  if (r.ok() && !IsUuid(req.device_id)) r.Fail("request.device_id must be a UUID");
  req.cursor = r.Int("cursor");
  req.device_time = r.Str("device_time", false, 64);
  // Clamped before narrowing: 2^31 cast to int first became a negative limit
  // that the request's own encoding then refused (found by tests/fuzz).
  const int64_t limit = r.Int("limit", false, 1);
  req.limit = limit == 0 ? kDefaultPullLimit : static_cast<int>(std::min<int64_t>(limit, kMaxPullLimit));
  const json* changes = r.Array("changes");
  if (!r.ok()) return r.status();
  if (changes->size() > kMaxChangesPerRequest) {
    return Status::Invalid("request has " + std::to_string(changes->size()) + " changes; the limit is " +
                           std::to_string(kMaxChangesPerRequest) + " per request");
  }
  DeviceSeq last = 0;
  for (size_t i = 0; i < changes->size(); ++i) {
    Reader c((*changes)[i], "changes[" + std::to_string(i) + "]");
    if (!c.Object()) return c.status();
    PushChange pc;
    pc.seq = c.Int("seq", true, 1);
    pc.type = c.Str("type", true, 32);
    pc.id = c.Str("id", true, 64);
    pc.workspace_id = c.Str("ws", false, 64);
    pc.field = c.Str("field", true, 128);
    pc.value = c.Any("value");
    pc.base = c.Int("base", false);
    pc.time = c.Str("time", false, 64);
    pc.author = c.Str("author", false, 200);
    pc.created = c.Bool("created");
    if (!c.ok()) return c.status();
    if (pc.seq <= last) return Status::Invalid("changes must be in increasing seq order (at seq " + std::to_string(pc.seq) + ")");
    last = pc.seq;
    req.changes.push_back(std::move(pc));
  }
  return req;
}

Result<ServerChange> ParseServerChange(const json& j) {
  Reader c(j, "change");
  ServerChange sc;
  if (!c.Object()) return c.status();
  sc.version = c.Int("v", true, 1);
  sc.type = c.Str("type", true, 32);
  sc.id = c.Str("id", true, 64);
  sc.workspace_id = c.Str("ws", false, 64);
  sc.field = c.Str("field", true, 128);
  sc.value = c.Any("value");
  sc.device_id = c.Str("device", true, 64);
  sc.device_seq = c.Int("dseq", true);
  sc.time = c.Str("time", false, 64);
  sc.author = c.Str("author", false, 200);
  sc.user = c.Str("user", false, 200);
  sc.created = c.Bool("created");
  if (!c.ok()) return c.status();
  return sc;
}

Result<Conflict> ParseConflict(const json& j) {
  Reader c(j, "conflict");
  Conflict x;
  if (!c.Object()) return c.status();
  x.id = c.Str("id");
  x.version = c.Int("v", true, 1);
  x.type = c.Str("type");
  x.record_id = c.Str("record");
  x.workspace_id = c.Str("ws", false);
  x.field = c.Str("field");
  x.base = c.Any("base");
  x.winner = c.Any("winner");
  x.loser = c.Any("loser");
  x.winner_device = c.Str("winner_device", false);
  x.loser_device = c.Str("loser_device", false);
  x.winner_author = c.Str("winner_author", false);
  x.loser_author = c.Str("loser_author", false);
  x.loser_time = c.Str("loser_time", false);
  x.winner_version = c.Int("winner_version", false);
  x.resolved = c.Bool("resolved");
  x.resolved_by = c.Int("resolved_by", false);
  if (!c.ok()) return c.status();
  return x;
}

Result<SyncResponse> ParseSyncResponse(const json& j) {
  Reader r(j, "response");
  SyncResponse resp;
  if (!r.Object()) return r.status();
  const int64_t protocol = r.Int("protocol");
  CheckProtocol(r, protocol);
  resp.protocol = kProtocolVersion;
  resp.server_time = r.Str("server_time", false);
  resp.cursor = r.Int("cursor");
  resp.more = r.Bool("more");
  const json* acks = r.Array("acks");
  const json* rejects = r.Array("rejects");
  const json* changes = r.Array("changes");
  const json* conflicts = r.Array("conflicts", false);
  const json* workspaces = r.Array("workspaces", false);
  if (!r.ok()) return r.status();
  for (const json& a : *acks) {
    Reader ar(a, "ack");
    Ack ack;
    if (!ar.Object()) return ar.status();
    ack.seq = ar.Int("seq", true, 1);
    ack.version = ar.Int("v");
    std::string outcome = ar.Str("outcome");
    ack.clock_flag = ar.Str("clock", false);
    if (!ar.ok()) return ar.status();
    if (outcome == "applied") ack.outcome = AckOutcome::kApplied;
    else if (outcome == "merged") ack.outcome = AckOutcome::kMerged;
    else if (outcome == "conflict") ack.outcome = AckOutcome::kConflict;
    else if (outcome == "duplicate") ack.outcome = AckOutcome::kDuplicate;
    else return Status::Invalid("ack outcome \"" + outcome + "\" is unknown");
    resp.acks.push_back(std::move(ack));
  }
  for (const json& x : *rejects) {
    Reader xr(x, "reject");
    if (!xr.Object()) return xr.status();
    Reject rej{xr.Int("seq", true, 1), xr.Str("code"), xr.Str("reason")};
    if (!xr.ok()) return xr.status();
    resp.rejects.push_back(std::move(rej));
  }
  for (const json& c : *changes) {
    CCF_ASSIGN_OR_RETURN(ServerChange sc, ParseServerChange(c));
    resp.changes.push_back(std::move(sc));
  }
  if (conflicts) {
    for (const json& c : *conflicts) {
      CCF_ASSIGN_OR_RETURN(Conflict x, ParseConflict(c));
      resp.conflicts.push_back(std::move(x));
    }
  }
  if (workspaces) {
    resp.workspaces_known = true;
    for (const json& w : *workspaces) {
      Reader wr(w, "workspaces[]");
      if (!wr.Object()) return wr.status();
      WorkspaceRole role{wr.Str("id", true, 64), wr.Str("role", true, 64)};
      if (!wr.ok()) return wr.status();
      resp.workspaces.push_back(std::move(role));
    }
  }
  return resp;
}

Result<json> ParseJsonText(std::string_view text) { return ParseUntrustedJson(text, "body"); }

json ErrorJson(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace ccfield::sync
