#include "ccfield/sync/protocol.h"

#include <algorithm>

#include "ccfield/core/json_text.h"
#include "ccfield/core/photo_store.h"
#include "ccfield/core/text.h"
#include "json_reader.h"

namespace ccfield::sync {

using nlohmann::json;
using internal::Reader;

namespace {

// Compared as int64: 2^32 + 1 narrowed to int was taken for version 1.
void CheckProtocol(Reader& r, int64_t protocol) {
  if (protocol != kProtocolVersion) {
    r.Fail("protocol version " + std::to_string(protocol) + " is not supported (this side speaks " +
           std::to_string(kProtocolVersion) + "); update the app");
  }
}

json WorkspaceJson(const WorkspaceRole& w) {
  json j = {{"id", w.id}, {"role", w.role}};
  if (w.photo_long_edge > 0) j["photo_long_edge"] = w.photo_long_edge;
  return j;
}

}  // namespace

json PushedChangeJson(const FieldChange& c) {
  json j = {{"seq", c.device_seq}, {"type", ChangeTypeName(c.type)},
            {"id", c.record_id},   {"field", c.field},
            {"value", c.value},    {"base", c.base},
            {"time", c.time},      {"author", c.author}};
  if (!c.workspace_id.empty()) j["ws"] = c.workspace_id;
  if (c.created) j["created"] = true;
  return j;
}

json ToJson(const SyncRequest& r) {
  json changes = json::array();
  for (const FieldChange& c : r.changes) changes.push_back(PushedChangeJson(c));
  json j = {{"protocol", r.protocol},
            {"device_id", r.device_id},
            {"cursor", r.cursor},
            {"device_time", r.device_time},
            {"changes", changes}};
  if (r.limit > 0) j["limit"] = r.limit;
  if (r.page_bytes > 0) j["page_bytes"] = r.page_bytes;
  return j;
}

json ServerChangeJson(const FieldChange& c) {
  json j = {{"v", c.version},    {"type", ChangeTypeName(c.type)}, {"id", c.record_id},    {"field", c.field},
            {"value", c.value},  {"device", c.device_id},          {"dseq", c.device_seq}, {"time", c.time},
            {"author", c.author}};
  if (!c.workspace_id.empty()) j["ws"] = c.workspace_id;
  if (!c.user.empty()) j["user"] = c.user;
  if (c.created) j["created"] = true;
  return j;
}

json ToJson(const FieldConflict& c) {
  json j = {{"id", c.id},
            {"v", c.version},
            {"type", ChangeTypeName(c.type)},
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
  // Additive (issue 14): who each side was pushed by; absent when unknown.
  if (!c.winner_user.empty()) j["winner_user"] = c.winner_user;
  if (!c.loser_user.empty()) j["loser_user"] = c.loser_user;
  return j;
}

json ToJson(const SyncResponse& r) {
  json acks = json::array(), rejects = json::array(), changes = json::array(), conflicts = json::array();
  for (const ChangeAck& a : r.acks) {
    json j = {{"seq", a.device_seq}, {"v", a.version}, {"outcome", ChangeOutcomeName(a.outcome)}};
    if (a.clock != ClockFlag::kNone) j["clock"] = ClockFlagName(a.clock);
    acks.push_back(std::move(j));
  }
  for (const ChangeRefusal& x : r.rejects) {
    rejects.push_back({{"seq", x.device_seq}, {"code", RejectCodeName(x.code)}, {"reason", x.reason}});
  }
  for (const FieldChange& c : r.changes) changes.push_back(ServerChangeJson(c));
  for (const FieldConflict& c : r.conflicts) conflicts.push_back(ToJson(c));
  json workspaces = json::array();
  for (const WorkspaceRole& w : r.workspaces) workspaces.push_back(WorkspaceJson(w));
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
  req.page_bytes = r.Int("page_bytes", false, 1);  // the server clamps it (server/src/pull_page.h)
  if (req.page_bytes > 0) {
    req.limit = static_cast<int>(std::min<int64_t>(limit, kMaxPageItems));  // 0: no cap but the server's
  } else {
    req.limit = limit == 0 ? kDefaultPullLimit : static_cast<int>(std::min<int64_t>(limit, kMaxPullLimit));
  }
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
    FieldChange pc;
    pc.device_seq = c.Int("seq", true, 1);
    pc.type = ParseChangeType(c.Str("type", true, 32));  // an unknown type is refused per change by the server
    pc.record_id = c.Str("id", true, 64);
    pc.workspace_id = c.Str("ws", false, 64);
    pc.field = c.Str("field", true, 128);
    pc.value = c.Any("value");
    pc.base = c.Int("base", false);
    pc.time = c.Str("time", false, 64);
    pc.author = c.Str("author", false, 200);
    pc.created = c.Bool("created");
    if (!c.ok()) return c.status();
    if (pc.device_seq <= last) {
      return Status::Invalid("changes must be in increasing seq order (at seq " + std::to_string(pc.device_seq) + ")");
    }
    last = pc.device_seq;
    req.changes.push_back(std::move(pc));
  }
  return req;
}

Result<FieldChange> ParseServerChange(const json& j) {
  Reader c(j, "change");
  FieldChange sc;
  if (!c.Object()) return c.status();
  sc.version = c.Int("v", true, 1);
  sc.type = ParseChangeType(c.Str("type", true, 32));  // a device keeps an unknown type out of its records
  sc.record_id = c.Str("id", true, 64);
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

Result<FieldConflict> ParseConflict(const json& j) {
  Reader c(j, "conflict");
  FieldConflict x;
  if (!c.Object()) return c.status();
  x.id = c.Str("id");
  x.version = c.Int("v", true, 1);
  x.type = ParseChangeType(c.Str("type"));
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
  x.winner_user = c.Str("winner_user", false, 200);
  x.loser_user = c.Str("loser_user", false, 200);
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
    ChangeAck ack;
    if (!ar.Object()) return ar.status();
    ack.device_seq = ar.Int("seq", true, 1);
    ack.version = ar.Int("v");
    std::string outcome = ar.Str("outcome");
    ack.clock = ParseClockFlag(ar.Str("clock", false));
    if (!ar.ok()) return ar.status();
    std::optional<ChangeOutcome> o = ParseChangeOutcome(outcome);
    if (!o) return Status::Invalid("ack outcome \"" + outcome + "\" is unknown");
    ack.outcome = *o;
    resp.acks.push_back(std::move(ack));
  }
  for (const json& x : *rejects) {
    Reader xr(x, "reject");
    if (!xr.Object()) return xr.status();
    ChangeRefusal rej{xr.Int("seq", true, 1), ParseRejectCode(xr.Str("code")), xr.Str("reason")};
    if (!xr.ok()) return xr.status();
    resp.rejects.push_back(std::move(rej));
  }
  for (const json& c : *changes) {
    CCF_ASSIGN_OR_RETURN(FieldChange sc, ParseServerChange(c));
    resp.changes.push_back(std::move(sc));
  }
  if (conflicts) {
    for (const json& c : *conflicts) {
      CCF_ASSIGN_OR_RETURN(FieldConflict x, ParseConflict(c));
      resp.conflicts.push_back(std::move(x));
    }
  }
  if (workspaces) {
    resp.workspaces_known = true;
    for (const json& w : *workspaces) {
      Reader wr(w, "workspaces[]");
      if (!wr.Object()) return wr.status();
      WorkspaceRole role{wr.Str("id", true, 64), wr.Str("role", true, 64)};
      const int64_t long_edge = wr.Int("photo_long_edge", false);
      if (!wr.ok()) return wr.status();
      // A size outside what devices can make is ignored (the device keeps its
      // own), not a reason to refuse the records of the answer.
      if (long_edge >= kMinPhotoLongEdge && long_edge <= kMaxPhotoLongEdge) {
        role.photo_long_edge = static_cast<int>(long_edge);
      }
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
