#include "ccfield/sync/protocol.h"

#include <algorithm>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ccfield/core/json_text.h"
#include "ccfield/core/photo_store.h"
#include "ccfield/core/text.h"
#include "json_reader.h"

namespace ccfield::sync {

using nlohmann::json;
using internal::Reader;

namespace {

constexpr size_t kMaxFieldNameBytes = 128;

// Compared as int64: 2^32 + 1 narrowed to int was taken for version 1.
void CheckProtocol(Reader& r, int64_t protocol) {
  if (protocol != kProtocolVersion && protocol != kProtocolV1) {
    r.Fail("protocol version " + std::to_string(protocol) + " is not supported (this side speaks " +
           std::to_string(kProtocolV1) + " and " + std::to_string(kProtocolVersion) + "); update the app");
  }
}

json WorkspaceJson(const WorkspaceRole& w) {
  json j = {{"id", w.id}, {"role", w.role}};
  if (w.photo_long_edge > 0) j["photo_long_edge"] = w.photo_long_edge;
  return j;
}

// The first member of an entry's shared metadata in which `c` differs from
// the entry's first field `head`, or nullptr (the spec's list; field, value
// and base are each field's own).
const char* EntryMetadataDiffers(const FieldChange& head, const FieldChange& c) {
  if (c.type != head.type) return "type";
  if (c.record_id != head.record_id) return "record_id";
  if (c.workspace_id != head.workspace_id) return "workspace_id";
  if (c.created != head.created) return "created";
  if (c.time != head.time) return "time";
  if (c.author != head.author) return "author";
  if (c.user != head.user) return "user";
  if (c.version != head.version) return "version";
  return nullptr;  // device_id and device_seq are equal by EntryEnd
}

std::string EntryName(const FieldChange& head) {
  return "the entry of device \"" + head.device_id + "\" seq " + std::to_string(head.device_seq);
}

// The base most fields of the entry share (ties: the first field's), written
// once as "b"; the others go in "fb".
ServerVersion CommonBase(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
  ServerVersion best = changes[begin].base;
  size_t best_count = 0;
  for (size_t i = begin; i < end; ++i) {
    const ServerVersion b = changes[i].base;
    size_t count = 0;
    for (size_t k = begin; k < end; ++k) count += changes[k].base == b ? 1 : 0;
    if (count > best_count) {
      best = b;
      best_count = count;
    }
  }
  return best;
}

json PushedEntryJson(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
  const FieldChange& head = changes[begin];
  json j = {{"seq", head.device_seq}, {"type", ChangeTypeName(head.type)}, {"id", head.record_id}};
  if (!head.workspace_id.empty()) j["ws"] = head.workspace_id;
  j["time"] = head.time;
  j["author"] = head.author;
  if (head.created) j["created"] = true;
  const ServerVersion b = CommonBase(changes, begin, end);
  if (b != 0) j["b"] = b;
  json f = json::object(), fd = json::object(), fb = json::object();
  for (size_t i = begin; i < end; ++i) {
    if (changes[i].delta.is_null()) {
      f[changes[i].field] = changes[i].value;
    } else {
      fd[changes[i].field] = changes[i].delta;  // the value travels as a patch of its base's
    }
    if (changes[i].base != b) fb[changes[i].field] = changes[i].base;
  }
  if (!f.empty() || fd.empty()) j["f"] = std::move(f);
  if (!fd.empty()) j["fd"] = std::move(fd);
  if (!fb.empty()) j["fb"] = std::move(fb);
  return j;
}

// ---- Acks: grouped per entry (device_seq) ----

// The acks of one device_seq, in the order the server gave them.
struct AckGroup {
  DeviceSeq seq = 0;
  std::vector<const ChangeAck*> acks;
};

std::vector<AckGroup> GroupAcks(const std::vector<ChangeAck>& acks) {
  std::vector<AckGroup> groups;
  std::unordered_map<DeviceSeq, size_t> index;
  for (const ChangeAck& a : acks) {
    auto [it, added] = index.emplace(a.device_seq, groups.size());
    if (added) groups.push_back({a.device_seq, {}});
    groups[it->second].acks.push_back(&a);
  }
  return groups;
}

bool SameAnswer(const ChangeAck& a, const ChangeAck& b) {
  return a.version == b.version && a.outcome == b.outcome && a.clock == b.clock;
}

// The entry-level answer of a group: the server's own entry-level ack (field
// "") when it gave one, else the most common answer among the field acks
// (ties: the first), so "fields" lists the fewest exceptions.
const ChangeAck& EntryAck(const AckGroup& g) {
  for (const ChangeAck* a : g.acks) {
    if (a->field.empty()) return *a;
  }
  const ChangeAck* best = g.acks.front();
  size_t best_count = 0;
  for (const ChangeAck* a : g.acks) {
    size_t count = 0;
    for (const ChangeAck* b : g.acks) count += SameAnswer(*a, *b) ? 1 : 0;
    if (count > best_count) {
      best = a;
      best_count = count;
    }
  }
  return *best;
}

json AckAnswerJson(const ChangeAck& a) {
  json j = {{"outcome", ChangeOutcomeName(a.outcome)}, {"v", a.version}};
  if (a.clock != ClockFlag::kNone) j["clock"] = ClockFlagName(a.clock);
  return j;
}

json AcksJsonV3(const std::vector<ChangeAck>& acks) {
  json out = json::array();
  for (const AckGroup& g : GroupAcks(acks)) {
    const ChangeAck& entry = EntryAck(g);
    json j = {{"seq", g.seq}, {"v", entry.version}, {"outcome", ChangeOutcomeName(entry.outcome)}};
    if (entry.clock != ClockFlag::kNone) j["clock"] = ClockFlagName(entry.clock);
    json fields = json::object();
    for (const ChangeAck* a : g.acks) {
      if (!a->field.empty() && !SameAnswer(*a, entry)) fields[a->field] = AckAnswerJson(*a);
    }
    if (!fields.empty()) j["fields"] = std::move(fields);
    out.push_back(std::move(j));
  }
  return out;
}

// Protocol 1 has one answer per seq. Its requests have one-field entries, so
// a group is one ack; should one hold several, the entry's outcome for the
// device wins: conflict when any field got one (docs/sync-v2.md).
json AcksJsonV1(const std::vector<ChangeAck>& acks) {
  json out = json::array();
  for (const AckGroup& g : GroupAcks(acks)) {
    const ChangeAck* chosen = &EntryAck(g);
    for (const ChangeAck* a : g.acks) {
      if (a->outcome == ChangeOutcome::kConflict && chosen->outcome != ChangeOutcome::kConflict) chosen = a;
    }
    json j = {{"seq", g.seq}, {"v", chosen->version}, {"outcome", ChangeOutcomeName(chosen->outcome)}};
    if (chosen->clock != ClockFlag::kNone) j["clock"] = ClockFlagName(chosen->clock);
    out.push_back(std::move(j));
  }
  return out;
}

// ---- Decoding helpers for entries ----

// changes[i] is named "entries[i]" in errors: the entry index and the field.
std::string At(const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

// The object `key` of `j` (an object), or nullptr: missing (an error when
// required) or not an object (always an error).
const json* ObjectAt(const json& j, const char* key, bool required, const std::string& where, Reader* r) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) r->Fail(where + "." + key + " is missing");
    return nullptr;
  }
  if (!it->is_object()) {
    r->Fail(where + "." + key + " must be an object");
    return nullptr;
  }
  return &*it;
}

// The fields of entry `where`: "f" (whole values) and, in a pushed entry,
// "fd" (text deltas, docs/sync-protocol.md "Deltas"): at least one field in
// all, at most kMaxFieldsPerEntry, each with a name of 1 to 128 bytes and in
// one of the two only, "_deleted" true or false (never a delta), a delta an
// object with its base's checksum "c" (the server applies and checks the
// rest: sync/text_delta.h). Appends one change per field, a copy of `head`
// with its field and value (or delta, value null). The base is the caller's.
Status AppendFields(const json* f, const json* fd, const FieldChange& head, const std::string& where,
                    std::vector<FieldChange>* out) {
  const size_t count = (f ? f->size() : 0) + (fd ? fd->size() : 0);
  if (count == 0) return Status::Invalid(where + ".f is empty: an entry changes at least one field");
  if (count > kMaxFieldsPerEntry) {
    return Status::Invalid(where + " has " + std::to_string(count) + " fields; the limit is " +
                           std::to_string(kMaxFieldsPerEntry) + " per entry");
  }
  for (const json* list : {f, fd}) {
    if (!list) continue;
    const bool deltas = list == fd;
    const std::string at = where + (deltas ? ".fd" : ".f");
    for (auto it = list->begin(); it != list->end(); ++it) {
      const std::string& name = it.key();
      if (name.empty()) return Status::Invalid(at + " has a field with an empty name");
      if (name.size() > kMaxFieldNameBytes) return Status::Invalid(at + " has a field name that is too long");
      // Names become JSON paths in the stores ($."name"): no quote, backslash or control character.
      if (std::any_of(name.begin(), name.end(),
                      [](char ch) { return ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20; })) {
        return Status::Invalid(at + " has a field name with a quote, backslash or control character");
      }
      FieldChange c = head;
      c.field = name;
      if (!deltas) {
        if (name == "_deleted" && !it.value().is_boolean()) {
          return Status::Invalid(at + "._deleted must be true or false");
        }
        c.value = it.value();
      } else {
        if (f && f->contains(name)) return Status::Invalid(at + "." + name + " is in f too: a field is sent once");
        if (name == "_deleted") return Status::Invalid(at + "._deleted cannot be a text delta");
        if (!it.value().is_object() || !it.value().contains("c")) {
          return Status::Invalid(at + "." + name + " must be a text delta object with its base's checksum \"c\"");
        }
        c.delta = it.value();
      }
      out->push_back(std::move(c));
    }
  }
  return Status::Ok();
}

// The answer part every ack shape shares ("v", "outcome", "clock") into
// `ack`; `where` names it in errors. The one reader of an ack's outcome.
Status ReadAckBody(Reader& r, const std::string& where, ChangeAck* ack) {
  ack->version = r.Int("v");
  const std::string outcome = r.Str("outcome");
  ack->clock = ParseClockFlag(r.Str("clock", false));
  if (!r.ok()) return r.status();
  std::optional<ChangeOutcome> o = ParseChangeOutcome(outcome);
  if (!o) return Status::Invalid(where + ".outcome \"" + outcome + "\" is unknown");
  ack->outcome = *o;
  return Status::Ok();
}

// The ack of protocol 3 at `where` and its field exceptions.
Status ParseAckV3(const json& a, const std::string& where, std::vector<ChangeAck>* out) {
  Reader ar(a, where);
  if (!ar.Object()) return ar.status();
  ChangeAck entry;
  entry.device_seq = ar.Int("seq", true, 1);
  const json* fields = ObjectAt(a, "fields", false, where, &ar);
  CCF_RETURN_IF_ERROR(ReadAckBody(ar, where, &entry));
  out->push_back(entry);
  if (!fields) return Status::Ok();
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    const std::string fwhere = where + ".fields." + it.key();
    if (it.key().empty()) return Status::Invalid(where + ".fields has a field with an empty name");
    Reader fr(it.value(), fwhere);
    if (!fr.Object()) return fr.status();
    ChangeAck field = entry;
    field.field = it.key();
    CCF_RETURN_IF_ERROR(ReadAckBody(fr, fwhere, &field));
    out->push_back(std::move(field));
  }
  return Status::Ok();
}

Status ParseAckV1(const json& a, std::vector<ChangeAck>* out) {
  Reader ar(a, "ack");
  ChangeAck ack;
  if (!ar.Object()) return ar.status();
  ack.device_seq = ar.Int("seq", true, 1);
  CCF_RETURN_IF_ERROR(ReadAckBody(ar, "ack", &ack));
  out->push_back(std::move(ack));
  return Status::Ok();
}

// One entry of a protocol 3 answer, appended as its field changes.
Status ParseServerEntry(const json& e, const std::string& where, std::vector<FieldChange>* out) {
  Reader c(e, where);
  if (!c.Object()) return c.status();
  FieldChange head;
  head.version = c.Int("v", true, 1);
  head.type = ParseChangeType(c.Str("type", true, 32));  // a device keeps an unknown type out of its records
  head.record_id = c.Str("id", true, 64);
  head.workspace_id = c.Str("ws", false, 64);
  head.device_id = c.Str("device", true, 64);
  head.device_seq = c.Int("dseq", true);
  head.time = c.Str("time", false, 64);
  head.author = c.Str("author", false, 200);
  head.user = c.Str("user", false, 200);
  head.created = c.Bool("created");
  const json* f = ObjectAt(e, "f", false, where, &c);
  const json* fd = ObjectAt(e, "fd", false, where, &c);
  const json* fb = ObjectAt(e, "fb", false, where, &c);
  if (!c.ok()) return c.status();
  if (!f && !fd) return Status::Invalid(where + ".f is missing");
  const size_t first = out->size();
  CCF_RETURN_IF_ERROR(AppendFields(f, fd, head, where, out));
  // A patch names the version it patches in fb (> 0); whole values have none.
  for (size_t k = first; k < out->size(); ++k) {
    FieldChange& x = (*out)[k];
    if (x.delta.is_null()) continue;
    const auto b = fb ? fb->find(x.field) : json::const_iterator();
    if (!fb || b == fb->end() || !b->is_number_integer() || b->get<int64_t>() <= 0) {
      return Status::Invalid(where + ".fb." + x.field + " must be the version the patch in fd is made on (> 0)");
    }
    x.base = b->get<int64_t>();
  }
  return Status::Ok();
}

}  // namespace

Status CheckEntries(const std::vector<FieldChange>& changes) {
  std::set<std::pair<std::string_view, DeviceSeq>> entries;  // each entry once
  std::unordered_set<std::string_view> fields;
  for (size_t begin = 0, end = 0; begin < changes.size(); begin = end) {
    end = EntryEnd(changes, begin);
    const FieldChange& head = changes[begin];
    if (!entries.emplace(head.device_id, head.device_seq).second) {
      return Status::Internal(EntryName(head) + " appears twice (changes[" + std::to_string(begin) +
                              "]): the fields of an entry must be adjacent");
    }
    fields.clear();
    for (size_t i = begin; i < end; ++i) {
      const FieldChange& c = changes[i];
      const std::string at = "changes[" + std::to_string(i) + "] (field \"" + c.field + "\") of " + EntryName(head);
      if (c.field.empty()) return Status::Internal(at + " has no field name");
      if (const char* what = EntryMetadataDiffers(head, c)) {
        return Status::Internal(at + " differs from the entry's first field in its " + what);
      }
      if (!fields.insert(c.field).second) return Status::Internal(at + " changes that field twice in one entry");
    }
  }
  return Status::Ok();
}

json PushedChangeJson(const FieldChange& c) {
  json j = {{"seq", c.device_seq}, {"type", ChangeTypeName(c.type)},
            {"id", c.record_id},   {"field", c.field},
            {"value", c.value},    {"base", c.base},
            {"time", c.time},      {"author", c.author}};
  if (!c.workspace_id.empty()) j["ws"] = c.workspace_id;
  if (c.created) j["created"] = true;
  return j;
}

Result<json> EncodeSyncRequest(const SyncRequest& r) {
  if (r.protocol != kProtocolVersion && r.protocol != kProtocolV1) {
    return Status::Internal("a sync request cannot be written in protocol " + std::to_string(r.protocol));
  }
  CCF_RETURN_IF_ERROR(CheckEntries(r.changes).WithContext("sync request"));
  json j = {{"protocol", r.protocol}, {"device_id", r.device_id}, {"cursor", r.cursor}, {"device_time", r.device_time}};
  json list = json::array();
  for (size_t begin = 0, end = 0; begin < r.changes.size(); begin = end) {
    end = EntryEnd(r.changes, begin);
    if (r.protocol == kProtocolVersion) {
      list.push_back(PushedEntryJson(r.changes, begin, end));
    } else if (end - begin == 1 && r.changes[begin].delta.is_null()) {
      list.push_back(PushedChangeJson(r.changes[begin]));
    } else if (end - begin == 1) {
      return Status::Internal("sync request: " + EntryName(r.changes[begin]) +
                              " has a text delta; protocol 1 sends whole values");
    } else {
      return Status::Internal("sync request: " + EntryName(r.changes[begin]) + " has " + std::to_string(end - begin) +
                              " fields; protocol 1 sends one field per seq");
    }
  }
  j[r.protocol == kProtocolVersion ? "entries" : "changes"] = std::move(list);
  if (r.limit > 0) j["limit"] = r.limit;
  if (r.page_bytes > 0) j["page_bytes"] = r.page_bytes;
  if (r.pull_deltas && r.protocol == kProtocolVersion) j["pull_deltas"] = true;
  return j;
}

json ToJson(const SyncRequest& r) {
  Result<json> j = EncodeSyncRequest(r);
  return j.ok() ? std::move(j).value() : ErrorJson("internal", j.status().message());
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

json ServerEntryJson(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
  const FieldChange& head = changes[begin];
  json j = {{"v", head.version},         {"type", ChangeTypeName(head.type)}, {"id", head.record_id},
            {"device", head.device_id},  {"dseq", head.device_seq},           {"time", head.time},
            {"author", head.author}};
  if (!head.workspace_id.empty()) j["ws"] = head.workspace_id;
  if (!head.user.empty()) j["user"] = head.user;
  if (head.created) j["created"] = true;
  json f = json::object(), fd = json::object(), fb = json::object();
  for (size_t i = begin; i < end; ++i) {
    if (changes[i].delta.is_null()) {
      f[changes[i].field] = changes[i].value;
    } else {
      fd[changes[i].field] = changes[i].delta;  // a patch of the version in fb, which the device holds
      fb[changes[i].field] = changes[i].base;
    }
  }
  if (!f.empty() || fd.empty()) j["f"] = std::move(f);
  if (!fd.empty()) {
    j["fd"] = std::move(fd);
    j["fb"] = std::move(fb);
  }
  return j;
}

size_t ServerEntryBytes(const std::vector<FieldChange>& changes, size_t begin, size_t end) {
  return ServerEntryJson(changes, begin, end).dump(-1, ' ', false, json::error_handler_t::replace).size();
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

Result<json> EncodeSyncResponse(const SyncResponse& r) {
  if (r.protocol != kProtocolVersion && r.protocol != kProtocolV1) {
    return Status::Internal("a sync answer cannot be written in protocol " + std::to_string(r.protocol));
  }
  CCF_RETURN_IF_ERROR(CheckEntries(r.changes).WithContext("sync answer"));
  const bool v1 = r.protocol == kProtocolV1;
  json rejects = json::array(), changes = json::array(), conflicts = json::array();
  for (const ChangeRefusal& x : r.rejects) {
    rejects.push_back({{"seq", x.device_seq}, {"code", RejectCodeName(x.code)}, {"reason", x.reason}});
  }
  for (size_t begin = 0, end = 0; begin < r.changes.size(); begin = end) {
    end = EntryEnd(r.changes, begin);
    if (!v1) {
      changes.push_back(ServerEntryJson(r.changes, begin, end));
      continue;
    }
    // A protocol 1 device logs one received change per (device, dseq): the
    // k-th further field of an entry is numbered dseq + k * 2^40 so none is
    // taken for a copy of the first (docs/sync-protocol.md, "Protocol 1
    // peers").
    for (size_t i = begin; i < end; ++i) {
      FieldChange c = r.changes[i];
      if (!c.delta.is_null()) {
        return Status::Internal("sync answer: " + EntryName(c) + " has a text delta; protocol 1 sends whole values");
      }
      const auto k = static_cast<DeviceSeq>(i - begin);
      if (k > 0 && c.device_seq > std::numeric_limits<DeviceSeq>::max() - k * kV1FieldSeqStep) {
        return Status::Internal("sync answer: " + EntryName(c) + " cannot number its fields for protocol 1");
      }
      c.device_seq += k * kV1FieldSeqStep;
      changes.push_back(ServerChangeJson(c));
    }
  }
  for (const FieldConflict& c : r.conflicts) conflicts.push_back(ToJson(c));
  json workspaces = json::array();
  for (const WorkspaceRole& w : r.workspaces) workspaces.push_back(WorkspaceJson(w));
  return json{{"protocol", r.protocol},
              {"server_time", r.server_time},
              {"acks", v1 ? AcksJsonV1(r.acks) : AcksJsonV3(r.acks)},
              {"rejects", rejects},
              {v1 ? "changes" : "entries", changes},
              {"conflicts", conflicts},
              {"cursor", r.cursor},
              {"more", r.more},
              {"workspaces", workspaces}};
}

json ToJson(const SyncResponse& r) {
  Result<json> j = EncodeSyncResponse(r);
  return j.ok() ? std::move(j).value() : ErrorJson("internal", j.status().message());
}

Result<SyncRequest> ParseSyncRequest(const json& j) {
  Reader r(j, "request");
  SyncRequest req;
  if (!r.Object()) return r.status();
  const int64_t protocol = r.Int("protocol");
  CheckProtocol(r, protocol);
  if (!r.ok()) return r.status();
  req.protocol = static_cast<int>(protocol);
  const bool v1 = req.protocol == kProtocolV1;
  req.device_id = r.Str("device_id", true, 64);
  if (r.ok() && !IsUuid(req.device_id)) r.Fail("request.device_id must be a UUID");
  req.cursor = r.Int("cursor");
  req.device_time = r.Str("device_time", false, 64);
  // Clamped before narrowing: 2^31 cast to int first became a negative limit
  // that the request's own encoding then refused (found by tests/fuzz).
  const int64_t limit = r.Int("limit", false, 1);
  req.page_bytes = r.Int("page_bytes", false, 1);  // the server clamps it (server/src/pull_page.h)
  req.pull_deltas = !v1 && r.Bool("pull_deltas");
  if (req.page_bytes > 0) {
    req.limit = static_cast<int>(std::min<int64_t>(limit, kMaxPageItems));  // 0: no cap but the server's
  } else {
    req.limit = limit == 0 ? kDefaultPullLimit : static_cast<int>(std::min<int64_t>(limit, kMaxPullLimit));
  }
  const char* list_name = v1 ? "changes" : "entries";
  const json* list = r.Array(list_name);
  if (!r.ok()) return r.status();
  if (list->size() > kMaxChangesPerRequest) {
    return Status::Invalid("request has " + std::to_string(list->size()) + " " + list_name + "; the limit is " +
                           std::to_string(kMaxChangesPerRequest) + " per request");
  }
  DeviceSeq last = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = At(list_name, i);
    Reader c((*list)[i], where);
    if (!c.Object()) return c.status();
    FieldChange pc;
    pc.device_seq = c.Int("seq", true, 1);
    pc.type = ParseChangeType(c.Str("type", true, 32));  // an unknown type is refused per entry by the server
    pc.record_id = c.Str("id", true, 64);
    pc.workspace_id = c.Str("ws", false, 64);
    pc.time = c.Str("time", false, 64);
    pc.author = c.Str("author", false, 200);
    pc.created = c.Bool("created");
    if (v1) {
      pc.field = c.Str("field", true, kMaxFieldNameBytes);
      pc.value = c.Any("value");
      pc.base = c.Int("base", false);
    }
    if (!c.ok()) return c.status();
    if (pc.device_seq > kMaxDeviceSeq) {
      return Status::Invalid(where + ".seq must be below 2^40");
    }
    if (pc.device_seq <= last) {
      return Status::Invalid(std::string(list_name) + " must be in increasing seq order (at seq " +
                             std::to_string(pc.device_seq) + ")");
    }
    last = pc.device_seq;
    if (v1) {
      req.changes.push_back(std::move(pc));
      continue;
    }
    const ServerVersion b = c.Int("b", false);
    const json* f = ObjectAt((*list)[i], "f", false, where, &c);
    const json* fd = ObjectAt((*list)[i], "fd", false, where, &c);
    const json* fb = ObjectAt((*list)[i], "fb", false, where, &c);
    if (!c.ok()) return c.status();
    if (!f && !fd) return Status::Invalid(where + ".f is missing");
    const size_t first = req.changes.size();
    CCF_RETURN_IF_ERROR(AppendFields(f, fd, pc, where, &req.changes));
    for (size_t k = first; k < req.changes.size(); ++k) req.changes[k].base = b;
    if (fb) {
      for (auto it = fb->begin(); it != fb->end(); ++it) {
        const std::string at = where + ".fb." + it.key();
        if (!(f && f->contains(it.key())) && !(fd && fd->contains(it.key()))) {
          return Status::Invalid(at + " names a field that is not in f or fd");
        }
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0) {
          return Status::Invalid(at + " must be an integer >= 0");
        }
        for (size_t k = first; k < req.changes.size(); ++k) {
          if (req.changes[k].field == it.key()) req.changes[k].base = it.value().get<int64_t>();
        }
      }
    }
    for (size_t k = first; k < req.changes.size(); ++k) {
      if (!req.changes[k].delta.is_null() && req.changes[k].base <= 0) {
        return Status::Invalid(where + ".fd." + req.changes[k].field +
                               " needs a base version (b or fb) > 0: a delta is read against the base's value");
      }
    }
    if (req.changes.size() > kMaxFieldChangesPerRequest + kMaxFieldsPerEntry) {
      return Status::Invalid("request has more than " +
                             std::to_string(kMaxFieldChangesPerRequest + kMaxFieldsPerEntry) +
                             " field changes; send fewer entries per request");
    }
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
  sc.field = c.Str("field", true, kMaxFieldNameBytes);
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
  if (!r.ok()) return r.status();
  resp.protocol = static_cast<int>(protocol);
  const bool v1 = resp.protocol == kProtocolV1;
  resp.server_time = r.Str("server_time", false);
  resp.cursor = r.Int("cursor");
  resp.more = r.Bool("more");
  const json* acks = r.Array("acks");
  const json* rejects = r.Array("rejects");
  const json* changes = r.Array(v1 ? "changes" : "entries");
  const json* conflicts = r.Array("conflicts", false);
  const json* workspaces = r.Array("workspaces", false);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < acks->size(); ++i) {
    CCF_RETURN_IF_ERROR(v1 ? ParseAckV1((*acks)[i], &resp.acks) : ParseAckV3((*acks)[i], At("acks", i), &resp.acks));
  }
  for (const json& x : *rejects) {
    Reader xr(x, "reject");
    if (!xr.Object()) return xr.status();
    ChangeRefusal rej{xr.Int("seq", true, 1), ParseRejectCode(xr.Str("code")), xr.Str("reason")};
    if (!xr.ok()) return xr.status();
    resp.rejects.push_back(std::move(rej));
  }
  // (device, dseq) names one entry: the same pair twice would read as one
  // entry changing a field twice, or as a copy a device skips.
  std::set<std::pair<std::string, DeviceSeq>> seen;
  for (size_t i = 0; i < changes->size(); ++i) {
    const size_t first = resp.changes.size();
    if (v1) {
      CCF_ASSIGN_OR_RETURN(FieldChange sc, ParseServerChange((*changes)[i]));
      resp.changes.push_back(std::move(sc));
    } else {
      CCF_RETURN_IF_ERROR(ParseServerEntry((*changes)[i], At("entries", i), &resp.changes));
    }
    const FieldChange& head = resp.changes[first];
    if (!seen.emplace(head.device_id, head.device_seq).second) {
      return Status::Invalid(At(v1 ? "changes" : "entries", i) + " repeats device \"" + head.device_id + "\" dseq " +
                             std::to_string(head.device_seq) + " of an earlier one");
    }
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
