// Wire protocol 3 (docs/sync-protocol.md, "Protocol 3: entries"): round trips
// of requests and answers whose entries have several fields, mixed bases and
// mixed ack outcomes; protocol 1 bodies a v1 client recorded before protocol
// 3 existed (tests/data/sync/v1/), read and written again byte for byte as
// JSON; the 2^40 numbering of an entry's fields in a protocol 1 answer; and
// hostile bodies refused with errors that name the entry and the field.
// Pure: no storage, no network.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ccfield/sync/protocol.h"
#include "support/status_checks.h"

namespace ccfield::sync {
namespace {

using nlohmann::json;
using testing::Unwrap;

template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? "" : r.status().message();
}

// The content of the recorded protocol 1 bodies (tests/data/sync/v1/, written
// by the codec before protocol 3 with this same content).
constexpr const char* kDevA = "6f1c2b1e-8d4e-4c8a-9d7e-2f1a3b4c5d6e";
constexpr const char* kDevB = "a3e5c7d9-1b2f-4e6a-8c0d-9f8e7d6c5b4a";
constexpr const char* kWs = "5e0f3c2a-7b1d-4e9f-a2c3-d4e5f6a7b8c9";
constexpr const char* kVisit = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
constexpr const char* kSite = "0b9d7c3a-1e2f-4a5b-8c6d-7e8f9a0b1c2d";
constexpr const char* kOldVisit = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

FieldChange Pushed(DeviceSeq seq, const char* id, const char* field, nlohmann::json value, ServerVersion base,
                   bool created = false) {
  FieldChange c;
  c.type = ChangeType::kVisit;
  c.record_id = id;
  c.workspace_id = kWs;
  c.field = field;
  c.value = std::move(value);
  c.created = created;
  c.device_seq = seq;
  c.time = "2026-12-07T08:05:00.000Z";
  c.author = "Amina";
  c.base = base;
  return c;
}

// A v1 device's push: a new visit (several fields, one an answer), an edit
// made on version 1190, and a delete of another visit.
SyncRequest RecordedV1RequestContent() {
  SyncRequest r;
  r.protocol = 1;
  r.device_id = kDevA;
  r.cursor = 1234;
  r.device_time = "2026-12-07T08:06:00.000Z";
  r.limit = 1000;
  r.changes = {Pushed(17, kVisit, "workspace_id", kWs, 0, true),
               Pushed(18, kVisit, "site_id", kSite, 0, true),
               Pushed(19, kVisit, "form", "drainage_flood@1.0", 0, true),
               Pushed(20, kVisit, "status", "draft", 0, true),
               Pushed(21, kVisit, "answers.blockage_pct", "gt75", 0, true),
               Pushed(22, kVisit, "notes", "Caniveau bouch\u00e9 \u2014 eau stagnante", 0, true),
               Pushed(23, kSite, "name", "Drain D-14 (north)", 1190),
               Pushed(24, kOldVisit, "_deleted", true, 1201)};
  r.changes[6].type = ChangeType::kSite;
  return r;
}

FieldChange Received(ServerVersion v, const char* device, DeviceSeq dseq, const char* id, const char* field,
                     nlohmann::json value, const char* user) {
  FieldChange c;
  c.type = ChangeType::kVisit;
  c.record_id = id;
  c.workspace_id = kWs;
  c.field = field;
  c.value = std::move(value);
  c.device_id = device;
  c.device_seq = dseq;
  c.time = "2026-12-07T07:55:00.000Z";
  c.author = "Baraka";
  c.user = user;
  c.version = v;
  return c;
}

// The server's answer to it: acks (one a conflict flagged for its clock), a
// refusal, changes from two devices and one of the server's own, a conflict,
// and the workspaces.
SyncResponse RecordedV1ResponseContent() {
  SyncResponse r;
  r.protocol = 1;
  r.server_time = "2026-12-07T08:06:01.250Z";
  r.acks = {{17, 1235, ChangeOutcome::kApplied, ClockFlag::kNone, ""},
            {18, 1236, ChangeOutcome::kApplied, ClockFlag::kNone, ""},
            {19, 1237, ChangeOutcome::kApplied, ClockFlag::kFuture, ""},
            {20, 1238, ChangeOutcome::kDuplicate, ClockFlag::kNone, ""},
            {21, 1239, ChangeOutcome::kApplied, ClockFlag::kNone, ""},
            {22, 1240, ChangeOutcome::kMerged, ClockFlag::kNone, ""},
            {23, 1241, ChangeOutcome::kConflict, ClockFlag::kBeforeLastSync, ""}};
  r.rejects = {{24, RejectCode::kForbidden, "you are not a member of this workspace"}};
  FieldChange b1 = Received(1230, kDevB, 41, kSite, "kind", "culvert", "baraka");
  b1.type = ChangeType::kSite;
  b1.created = true;
  FieldChange b2 = Received(1231, kDevB, 42, kSite, "lat", -6.7959, "baraka");
  b2.type = ChangeType::kSite;
  FieldChange other = Received(1233, "c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f", 7, kOldVisit, "status", "done", "zawadi");
  other.author = "Zawadi";
  FieldChange merged = Received(1242, kServerDeviceId, 1242, kVisit, "notes", "Caniveau bouch\u00e9 \u2014 eau stagnante\nNettoy\u00e9 le 6", "");
  merged.author = "Amina";
  r.changes = {b1, b2, other, merged};
  FieldConflict x;
  x.id = "c0ffee00-1e2f-4a5b-8c6d-7e8f9a0b1c2d";
  x.version = 1243;
  x.type = ChangeType::kSite;
  x.record_id = kSite;
  x.workspace_id = kWs;
  x.field = "name";
  x.base = "Drain D-14";
  x.winner = "Drain D-14 (north)";
  x.loser = "Drain D14";
  x.winner_device = kDevA;
  x.loser_device = kDevB;
  x.winner_author = "Amina";
  x.loser_author = "Baraka";
  x.winner_user = "amina";
  x.loser_user = "baraka";
  x.loser_time = "2026-12-07T07:50:00.000Z";
  x.winner_version = 1241;
  r.conflicts = {x};
  r.cursor = 1243;
  r.more = false;
  r.workspaces = {{kWs, "field_staff", 1600}, {"7d6c5b4a-3e2f-4a1b-9c0d-e1f2a3b4c5d6", "coordinator", 0}};
  r.workspaces_known = true;
  return r;
}

json ReadRecorded(const std::string& name) {
  std::ifstream in(std::string(CCFIELD_SOURCE_DIR) + "/tests/data/sync/v1/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read tests/data/sync/v1/" << name);
  std::ostringstream text;
  text << in.rdbuf();
  return Unwrap(ParseJsonText(text.str()));
}

// Every member a FieldChange carries on the wire.
bool SameChange(const FieldChange& a, const FieldChange& b) {
  return a.type == b.type && a.record_id == b.record_id && a.workspace_id == b.workspace_id && a.field == b.field &&
         a.value == b.value && a.created == b.created && a.device_id == b.device_id &&
         a.device_seq == b.device_seq && a.time == b.time && a.author == b.author && a.user == b.user &&
         a.base == b.base && a.version == b.version;
}

// `changes` with each entry's fields in name order: how a protocol 3 body
// gives them back (a JSON object has no order).
std::vector<FieldChange> FieldsByName(std::vector<FieldChange> changes) {
  for (size_t begin = 0, end = 0; begin < changes.size(); begin = end) {
    end = EntryEnd(changes, begin);
    std::stable_sort(changes.begin() + static_cast<std::ptrdiff_t>(begin),
                     changes.begin() + static_cast<std::ptrdiff_t>(end),
                     [](const FieldChange& a, const FieldChange& b) { return a.field < b.field; });
  }
  return changes;
}

void CheckSameChanges(const std::vector<FieldChange>& got, const std::vector<FieldChange>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CHECK_MESSAGE(SameChange(got[i], want[i]), "change " << i << " (" << want[i].field << ")");
  }
}

// What the acks say about `field` of entry `seq`: the field's own ack when
// there is one, else the entry's (field ""); outcome and version.
std::pair<ChangeOutcome, ServerVersion> AnswerFor(const std::vector<ChangeAck>& acks, DeviceSeq seq,
                                                  const std::string& field) {
  std::optional<std::pair<ChangeOutcome, ServerVersion>> entry, own;
  for (const ChangeAck& a : acks) {
    if (a.device_seq != seq) continue;
    if (a.field.empty()) entry = {a.outcome, a.version};
    if (a.field == field) own = {a.outcome, a.version};
  }
  REQUIRE_MESSAGE((own || entry), "no ack for seq " << seq);
  return own ? *own : *entry;
}

ChangeAck FieldAck(DeviceSeq seq, const char* field, ServerVersion v, ChangeOutcome o,
                   ClockFlag clock = ClockFlag::kNone) {
  return ChangeAck{seq, v, o, clock, field};
}

// A new visit (bases 0), an edit of three fields made on two versions, a delete.
SyncRequest MixedRequest() {
  SyncRequest r;
  r.device_id = kDevA;
  r.cursor = 1250;
  r.device_time = "2026-12-07T09:00:00.000Z";
  r.limit = 0;
  r.page_bytes = 2 << 20;
  r.changes = {Pushed(30, kVisit, "workspace_id", kWs, 0, true),
               Pushed(30, kVisit, "site_id", kSite, 0, true),
               Pushed(30, kVisit, "answers.blockage_pct", "gt75", 0, true),
               Pushed(30, kVisit, "notes", "Caniveau bouch\u00e9", 0, true),
               Pushed(31, kOldVisit, "status", "done", 1240),
               Pushed(31, kOldVisit, "notes", "cleared", 1240),
               Pushed(31, kOldVisit, "answers.asset_type", "culvert", 1190),
               Pushed(31, kOldVisit, "answers.depth_cm", 20, 0),
               Pushed(32, kVisit, "_deleted", true, 1251)};
  return r;
}

TEST_CASE("protocol 3 request: entries carry their record once, the usual base as b, the others in fb") {
  const SyncRequest in = MixedRequest();
  REQUIRE(in.protocol == 3);
  const json j = Unwrap(EncodeSyncRequest(in));
  CHECK(j["protocol"] == 3);
  CHECK_FALSE(j.contains("changes"));
  CHECK_FALSE(j.contains("limit"));  // 0: not sent
  CHECK(j["page_bytes"] == 2 << 20);
  const json& e = j["entries"];
  REQUIRE(e.size() == 3);
  CHECK(e[0]["seq"] == 30);
  CHECK(e[0]["type"] == "visit");
  CHECK(e[0]["id"] == kVisit);
  CHECK(e[0]["ws"] == kWs);
  CHECK(e[0]["created"] == true);
  CHECK_FALSE(e[0].contains("b"));  // 0 is left out
  CHECK_FALSE(e[0].contains("fb"));
  CHECK(e[0]["f"].size() == 4);
  CHECK(e[0]["f"]["answers.blockage_pct"] == "gt75");
  CHECK(e[1]["b"] == 1240);
  CHECK(e[1]["fb"] == json{{"answers.asset_type", 1190}, {"answers.depth_cm", 0}});
  CHECK_FALSE(e[1].contains("created"));
  CHECK(e[2]["f"] == json{{"_deleted", true}});
  CHECK(e[2]["b"] == 1251);
  CHECK(ToJson(in) == j);

  const SyncRequest back = Unwrap(ParseSyncRequest(json::parse(j.dump())));
  CHECK(back.protocol == 3);
  CHECK(back.device_id == in.device_id);
  CHECK(back.cursor == in.cursor);
  CHECK(back.device_time == in.device_time);
  CHECK(back.page_bytes == in.page_bytes);
  CheckSameChanges(back.changes, FieldsByName(in.changes));
  CHECK(EntryEnd(back.changes, 0) == 4);
  CHECK(EntryEnd(back.changes, 4) == 8);
  CHECK(EntryEnd(back.changes, 8) == 9);
}

TEST_CASE("protocol 3 request: a tie between bases takes the first field's, and a no-op sync has no entries") {
  SyncRequest r = MixedRequest();
  r.changes = {Pushed(5, kVisit, "status", "done", 7), Pushed(5, kVisit, "notes", "x", 9)};
  const json j = Unwrap(EncodeSyncRequest(r));
  CHECK(j["entries"][0]["b"] == 7);
  CHECK(j["entries"][0]["fb"] == json{{"notes", 9}});
  CheckSameChanges(Unwrap(ParseSyncRequest(j)).changes, FieldsByName(r.changes));

  r.changes.clear();
  const json noop = Unwrap(EncodeSyncRequest(r));
  CHECK(noop["entries"] == json::array());
  CHECK(Unwrap(ParseSyncRequest(noop)).changes.empty());
}

FieldChange ServerField(const FieldChange& from, const char* field, json value) {
  FieldChange c = from;
  c.field = field;
  c.value = std::move(value);
  return c;
}

// An answer with a three-field entry of device B, one of device C, a
// two-field server entry, and acks: per field for seq 30 (mostly applied,
// one conflict kept out), entry-level for 31, mostly conflict for 32.
SyncResponse MixedResponse() {
  SyncResponse r;
  r.server_time = "2026-12-07T09:00:01.000Z";
  r.acks = {FieldAck(30, "workspace_id", 1300, ChangeOutcome::kApplied),
            FieldAck(30, "site_id", 1300, ChangeOutcome::kApplied),
            FieldAck(30, "answers.blockage_pct", 0, ChangeOutcome::kConflict),
            FieldAck(30, "notes", 1300, ChangeOutcome::kApplied),
            ChangeAck{31, 1301, ChangeOutcome::kApplied, ClockFlag::kFuture, ""},
            FieldAck(32, "status", 1302, ChangeOutcome::kConflict),
            FieldAck(32, "notes", 1302, ChangeOutcome::kMerged),
            FieldAck(32, "answers.depth_cm", 1302, ChangeOutcome::kConflict)};
  r.rejects = {{33, RejectCode::kInvalid, "answers.depth_cm must be a number"}};
  FieldChange b = Received(1290, kDevB, 41, kSite, "name", "Drain D-14", "baraka");
  b.type = ChangeType::kSite;
  b.created = true;
  FieldChange c = Received(1295, "c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f", 7, kOldVisit, "status", "done", "zawadi");
  FieldChange s = Received(1303, kServerDeviceId, 1303, kVisit, "notes", "merged text", "");
  r.changes = {b,
               ServerField(b, "kind", "culvert"),
               ServerField(b, "lat", -6.7959),
               c,
               s,
               ServerField(s, "_deleted", false)};
  FieldConflict x;
  x.id = "c0ffee00-1e2f-4a5b-8c6d-7e8f9a0b1c2d";
  x.version = 1304;
  x.record_id = kVisit;
  x.workspace_id = kWs;
  x.field = "answers.blockage_pct";
  x.winner = "lt25";
  x.loser = "gt75";
  r.conflicts = {x};
  r.cursor = 1304;
  r.more = true;
  r.workspaces = {{kWs, "field_staff", 0}};
  r.workspaces_known = true;
  return r;
}

TEST_CASE("protocol 3 answer: entries, and acks per entry with the fields that differ") {
  const SyncResponse in = MixedResponse();
  const json j = Unwrap(EncodeSyncResponse(in));
  CHECK(j["protocol"] == 3);
  CHECK_FALSE(j.contains("changes"));
  const json& e = j["entries"];
  REQUIRE(e.size() == 3);
  CHECK(e[0]["v"] == 1290);
  CHECK(e[0]["device"] == kDevB);
  CHECK(e[0]["dseq"] == 41);
  CHECK(e[0]["user"] == "baraka");
  CHECK(e[0]["created"] == true);
  CHECK(e[0]["f"] == json{{"name", "Drain D-14"}, {"kind", "culvert"}, {"lat", -6.7959}});
  CHECK_FALSE(e[1].contains("created"));
  CHECK(e[2]["device"] == "server");
  CHECK_FALSE(e[2].contains("user"));
  CHECK(e[2]["f"] == json{{"notes", "merged text"}, {"_deleted", false}});

  const json& acks = j["acks"];
  REQUIRE(acks.size() == 3);
  CHECK(acks[0] == json{{"seq", 30},
                        {"v", 1300},
                        {"outcome", "applied"},
                        {"fields", {{"answers.blockage_pct", {{"outcome", "conflict"}, {"v", 0}}}}}});
  CHECK(acks[1] == json{{"seq", 31}, {"v", 1301}, {"outcome", "applied"}, {"clock", "future"}});
  CHECK(acks[2] == json{{"seq", 32},
                        {"v", 1302},
                        {"outcome", "conflict"},
                        {"fields", {{"notes", {{"outcome", "merged"}, {"v", 1302}}}}}});
  CHECK(j["rejects"][0]["seq"] == 33);
  CHECK(ToJson(in) == j);

  const SyncResponse back = Unwrap(ParseSyncResponse(json::parse(j.dump())));
  CHECK(back.protocol == 3);
  CheckSameChanges(back.changes, FieldsByName(in.changes));
  // Per entry: the entry's ack (field "") first, then the fields that differ.
  REQUIRE(back.acks.size() == 5);
  CHECK(back.acks[0].device_seq == 30);
  CHECK(back.acks[0].field.empty());
  CHECK(back.acks[1].field == "answers.blockage_pct");
  CHECK(back.acks[2].device_seq == 31);
  CHECK(back.acks[2].clock == ClockFlag::kFuture);
  CHECK(back.acks[3].field.empty());
  CHECK(back.acks[4].field == "notes");
  // Each field's answer is the one the server gave.
  for (const ChangeAck& a : in.acks) {
    if (a.field.empty()) continue;
    CHECK_MESSAGE(AnswerFor(back.acks, a.device_seq, a.field) == std::make_pair(a.outcome, a.version),
                  a.device_seq << " " << a.field);
  }
  CHECK(AnswerFor(back.acks, 31, "anything") == std::make_pair(ChangeOutcome::kApplied, ServerVersion{1301}));
  REQUIRE(back.rejects.size() == 1);
  CHECK(back.rejects[0].reason == in.rejects[0].reason);
  REQUIRE(back.conflicts.size() == 1);
  CHECK(back.conflicts[0].loser == "gt75");
  CHECK(back.cursor == 1304);
  CHECK(back.more);
  CHECK(back.workspaces_known);

  // Written again from what was read: the same body.
  CHECK(Unwrap(EncodeSyncResponse(back)) == j);
}

TEST_CASE("protocol 3 answer: an entry-level ack next to field acks stays the entry's answer") {
  SyncResponse r;
  r.acks = {ChangeAck{7, 0, ChangeOutcome::kConflict, ClockFlag::kNone, ""},
            FieldAck(7, "status", 0, ChangeOutcome::kConflict), FieldAck(7, "notes", 90, ChangeOutcome::kApplied),
            FieldAck(7, "lat", 90, ChangeOutcome::kApplied, ClockFlag::kBeforeLastSync)};
  const json j = Unwrap(EncodeSyncResponse(r));
  CHECK(j["acks"] == json::array({{{"seq", 7},
                                   {"v", 0},
                                   {"outcome", "conflict"},
                                   {"fields",
                                    {{"notes", {{"outcome", "applied"}, {"v", 90}}},
                                     {"lat", {{"outcome", "applied"}, {"v", 90}, {"clock", "before_last_sync"}}}}}}}));
  const SyncResponse back = Unwrap(ParseSyncResponse(j));
  REQUIRE(back.acks.size() == 3);
  CHECK(back.acks[0].field.empty());
  CHECK(AnswerFor(back.acks, 7, "status") == std::make_pair(ChangeOutcome::kConflict, ServerVersion{0}));
  CHECK(AnswerFor(back.acks, 7, "notes") == std::make_pair(ChangeOutcome::kApplied, ServerVersion{90}));
  CHECK(back.acks[1].field == "lat");
  CHECK(back.acks[1].clock == ClockFlag::kBeforeLastSync);
  CHECK(back.acks[2].clock == ClockFlag::kNone);
}

TEST_CASE("a v1 client's recorded request parses into one-field entries, and is written back the same") {
  const json recorded = ReadRecorded("request.json");
  const SyncRequest got = Unwrap(ParseSyncRequest(recorded));
  const SyncRequest want = RecordedV1RequestContent();
  CHECK(got.protocol == 1);
  CHECK(got.device_id == want.device_id);
  CHECK(got.cursor == want.cursor);
  CHECK(got.device_time == want.device_time);
  CHECK(got.limit == want.limit);
  CheckSameChanges(got.changes, want.changes);
  for (size_t i = 0; i < got.changes.size(); ++i) CHECK(EntryEnd(got.changes, i) == i + 1);
  CHECK(Unwrap(EncodeSyncRequest(got)) == recorded);
}

TEST_CASE("a v1 answer written by the new codec is the recorded v1 answer") {
  const json recorded = ReadRecorded("response.json");
  CHECK(Unwrap(EncodeSyncResponse(RecordedV1ResponseContent())) == recorded);
  // The server answers per field: a v1 answer still has one ack per seq.
  SyncResponse per_field = RecordedV1ResponseContent();
  per_field.acks[0].field = "workspace_id";
  per_field.acks[5].field = "notes";
  CHECK(Unwrap(EncodeSyncResponse(per_field)) == recorded);

  const SyncResponse read = Unwrap(ParseSyncResponse(recorded));
  CHECK(read.protocol == 1);
  const SyncResponse want = RecordedV1ResponseContent();
  CheckSameChanges(read.changes, want.changes);
  REQUIRE(read.acks.size() == want.acks.size());
  for (size_t i = 0; i < read.acks.size(); ++i) {
    CHECK(read.acks[i].field.empty());
    CHECK(read.acks[i].device_seq == want.acks[i].device_seq);
    CHECK(read.acks[i].version == want.acks[i].version);
    CHECK(read.acks[i].outcome == want.acks[i].outcome);
    CHECK(read.acks[i].clock == want.acks[i].clock);
  }
  CHECK(Unwrap(EncodeSyncResponse(read)) == recorded);
}

TEST_CASE("a v1 answer numbers the further fields of an entry dseq + k * 2^40") {
  SyncResponse r = MixedResponse();
  r.protocol = 1;
  const json j = Unwrap(EncodeSyncResponse(r));
  CHECK_FALSE(j.contains("entries"));
  const json& c = j["changes"];
  REQUIRE(c.size() == 6);
  const int64_t step = int64_t{1} << 40;
  CHECK(c[0]["dseq"] == 41);
  CHECK(c[0]["field"] == "name");
  CHECK(c[1]["dseq"] == 41 + step);
  CHECK(c[1]["field"] == "kind");
  CHECK(c[2]["dseq"] == 41 + 2 * step);
  CHECK(c[2]["v"] == 1290);
  CHECK(c[2]["created"] == true);
  CHECK(c[3]["dseq"] == 7);
  CHECK(c[4]["dseq"] == 1303);  // the server's entry: dseq = v, then + 2^40
  CHECK(c[5]["dseq"] == 1303 + step);
  CHECK(c[5]["device"] == "server");
  // One ack per seq; an entry with a conflicting field is a conflict for a v1 device.
  const json& acks = j["acks"];
  REQUIRE(acks.size() == 3);
  CHECK(acks[0] == json{{"seq", 30}, {"v", 0}, {"outcome", "conflict"}});
  CHECK(acks[1] == json{{"seq", 31}, {"v", 1301}, {"outcome", "applied"}, {"clock", "future"}});
  CHECK(acks[2] == json{{"seq", 32}, {"v", 1302}, {"outcome", "conflict"}});

  // A v1 device reads six changes, each its own entry: no field is lost.
  const SyncResponse back = Unwrap(ParseSyncResponse(j));
  REQUIRE(back.changes.size() == 6);
  for (size_t i = 0; i < back.changes.size(); ++i) CHECK(EntryEnd(back.changes, i) == i + 1);
  CHECK(back.changes[1].value == "culvert");
  CHECK(back.changes[5].value == false);

  // A dseq so large that the numbers would overflow is refused, not wrapped.
  r.changes[0].device_seq = r.changes[1].device_seq = r.changes[2].device_seq =
      std::numeric_limits<DeviceSeq>::max() - step;
  CHECK(ErrorOf(EncodeSyncResponse(r)).find("cannot number its fields for protocol 1") != std::string::npos);
}

TEST_CASE("the encoder refuses a list of changes that breaks the entry rule, and writes no body") {
  auto broken = [](std::vector<FieldChange> changes) {
    SyncRequest r = MixedRequest();
    r.changes = std::move(changes);
    return r;
  };
  FieldChange a = Pushed(5, kVisit, "status", "done", 0);
  FieldChange other_record = Pushed(5, kSite, "name", "x", 0);
  CHECK(ErrorOf(EncodeSyncRequest(broken({a, other_record}))).find("differs from the entry's first field in its record_id") !=
        std::string::npos);
  FieldChange later = a;
  later.field = "notes";
  later.time = "2026-12-07T10:00:00.000Z";
  CHECK(ErrorOf(EncodeSyncRequest(broken({a, later}))).find("in its time") != std::string::npos);
  CHECK(ErrorOf(EncodeSyncRequest(broken({a, a}))).find("changes that field twice in one entry") !=
        std::string::npos);
  FieldChange unnamed = a;
  unnamed.field.clear();
  CHECK(ErrorOf(EncodeSyncRequest(broken({unnamed}))).find("has no field name") != std::string::npos);
  const FieldChange b = Pushed(6, kVisit, "notes", "x", 0);
  CHECK(ErrorOf(EncodeSyncRequest(broken({a, b, later}))).find("appears twice") != std::string::npos);
  // Protocol 1 has one field per seq; protocol 2 never existed on the wire.
  SyncRequest v1 = broken({a, later});
  v1.changes[1].time = a.time;
  v1.protocol = 1;
  CHECK(ErrorOf(EncodeSyncRequest(v1)).find("protocol 1 sends one field per seq") != std::string::npos);
  SyncRequest v2 = broken({a});
  v2.protocol = 2;
  CHECK(EncodeSyncRequest(v2).status().code() == Code::kInternal);
  // ToJson cannot fail: it gives an error body that no reader takes for a request.
  const json body = ToJson(broken({a, a}));
  CHECK(body["error"]["code"] == "internal");
  CHECK(ErrorOf(ParseSyncRequest(body)) == "request.protocol is missing");

  SyncResponse resp = MixedResponse();
  resp.changes[1].version = 1291;
  CHECK(ErrorOf(EncodeSyncResponse(resp)).find("in its version") != std::string::npos);
  CHECK(ErrorOf(ParseSyncResponse(ToJson(resp))) == "response.protocol is missing");
}

// A protocol 3 request with one entry whose members `edit` changes.
template <class Edit>
Result<SyncRequest> ParseEdited(Edit edit) {
  json j = Unwrap(EncodeSyncRequest(MixedRequest()));
  edit(j["entries"][1]);
  return ParseSyncRequest(j);
}

TEST_CASE("hostile protocol 3 requests are refused with the entry and the field named") {
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"] = "notes"; })) == "entries[1].f must be an object");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"] = json::array({"notes"}); })) == "entries[1].f must be an object");
  CHECK(ErrorOf(ParseEdited([](json& e) { e.erase("f"); })) == "entries[1].f is missing");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"] = json::object(); })) ==
        "entries[1].f is empty: an entry changes at least one field");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"][""] = 1; })) == "entries[1].f has a field with an empty name");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"][std::string(129, 'x')] = 1; })) ==
        "entries[1].f has a field name that is too long");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"]["_deleted"] = "yes"; })) ==
        "entries[1].f._deleted must be true or false");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["f"]["_deleted"] = nullptr; })) ==
        "entries[1].f._deleted must be true or false");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = "31"; })) == "entries[1].seq must be an integer");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = -31; })) == "entries[1].seq must be >= 1");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = int64_t{1} << 40; })) == "entries[1].seq must be below 2^40");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = std::numeric_limits<int64_t>::max(); })) ==
        "entries[1].seq must be below 2^40");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = std::numeric_limits<uint64_t>::max(); })) ==
        "entries[1].seq must be >= 1");  // read as -1, never as a huge seq
  CHECK(ErrorOf(ParseEdited([](json& e) { e["seq"] = 30; })) == "entries must be in increasing seq order (at seq 30)");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["b"] = -1; })) == "entries[1].b must be >= 0");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["b"] = 1.5; })) == "entries[1].b must be an integer");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["fb"] = json::array(); })) == "entries[1].fb must be an object");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["fb"]["status"] = "old"; })) ==
        "entries[1].fb.status must be an integer >= 0");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["fb"]["status"] = -4; })) ==
        "entries[1].fb.status must be an integer >= 0");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["fb"]["stauts"] = 4; })) ==
        "entries[1].fb.stauts names a field that is not in f or fd");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["type"] = 3; })) == "entries[1].type must be a string");
  CHECK(ErrorOf(ParseEdited([](json& e) { e["created"] = "yes"; })) == "entries[1].created must be true or false");
  CHECK(ErrorOf(ParseEdited([](json& e) { e = "entry"; })) == "entries[1] must be an object");
  CHECK(ErrorOf(ParseEdited([](json& e) {
          for (int i = 0; i <= static_cast<int>(kMaxFieldsPerEntry); ++i) e["f"]["answers.q" + std::to_string(i)] = i;
        })).find("fields; the limit is 2000 per entry") != std::string::npos);

  // The list itself.
  json j = Unwrap(EncodeSyncRequest(MixedRequest()));
  j["changes"] = j["entries"];
  j.erase("entries");
  CHECK(ErrorOf(ParseSyncRequest(j)) == "request.entries is missing");
  j["entries"] = json::object();
  CHECK(ErrorOf(ParseSyncRequest(j)) == "request.entries must be an array");
  j["entries"] = json::array();
  for (size_t i = 0; i <= kMaxChangesPerRequest; ++i) j["entries"].push_back(json::object());
  CHECK(ErrorOf(ParseSyncRequest(j)) == "request has 5001 entries; the limit is 5000 per request");
  for (int p : {0, 2, 4}) {
    j["protocol"] = p;
    CHECK(ErrorOf(ParseSyncRequest(j)).find("protocol version " + std::to_string(p) + " is not supported") == 0);
  }
  j["protocol"] = -3;
  CHECK(ErrorOf(ParseSyncRequest(j)) == "request.protocol must be >= 0");
  // A protocol 1 request keeps its own shape and limits.
  json v1 = ReadRecorded("request.json");
  v1["changes"][0]["seq"] = int64_t{1} << 40;
  CHECK(ErrorOf(ParseSyncRequest(v1)) == "changes[0].seq must be below 2^40");
}

TEST_CASE("protocol 3 request: a long text's delta travels in fd, with its base, and reads back as the delta") {
  SyncRequest in = MixedRequest();
  const json delta = {{"d", json::array({json::array({8, 0, " and cleared"})})}, {"n", 20}, {"c", 12345}};
  in.changes[5].delta = delta;  // entry 31's notes (base 1240); its value stays on the device
  const json j = Unwrap(EncodeSyncRequest(in));
  const json& e = j["entries"][1];
  CHECK_FALSE(e["f"].contains("notes"));
  CHECK(e["fd"] == json{{"notes", delta}});
  CHECK(e["b"] == 1240);
  const SyncRequest back = Unwrap(ParseSyncRequest(json::parse(j.dump())));
  auto notes = std::find_if(back.changes.begin(), back.changes.end(),
                            [](const FieldChange& c) { return c.record_id == kOldVisit && c.field == "notes"; });
  REQUIRE(notes != back.changes.end());
  CHECK(notes->delta == delta);
  CHECK(notes->value.is_null());
  CHECK(notes->base == 1240);
  CHECK(EntryEnd(back.changes, 4) == 8);  // still one entry of four fields

  // An entry of deltas only has no "f".
  SyncRequest only;
  only.device_id = kDevA;
  only.changes = {Pushed(40, kOldVisit, "notes", "", 1300)};
  only.changes[0].delta = delta;
  const json oj = Unwrap(EncodeSyncRequest(only));
  CHECK_FALSE(oj["entries"][0].contains("f"));
  const SyncRequest oback = Unwrap(ParseSyncRequest(oj));
  REQUIRE(oback.changes.size() == 1);
  CHECK(oback.changes[0].delta == delta);

  // Asking for pulled patches is one flag, read back; protocol 1 never sends it.
  only.pull_deltas = true;
  CHECK(Unwrap(EncodeSyncRequest(only))["pull_deltas"] == true);
  CHECK(Unwrap(ParseSyncRequest(Unwrap(EncodeSyncRequest(only)))).pull_deltas);
  CHECK_FALSE(Unwrap(ParseSyncRequest(oj)).pull_deltas);
  json garbage = oj;
  garbage["pull_deltas"] = "yes";
  CHECK(ErrorOf(ParseSyncRequest(garbage)) == "request.pull_deltas must be true or false");

  // Protocol 1 has no deltas: the encoder refuses rather than send a patch as a value.
  only.protocol = kProtocolV1;
  CHECK(ErrorOf(EncodeSyncRequest(only)).find("protocol 1 sends whole values") != std::string::npos);
}

TEST_CASE("hostile deltas in a request are refused with the entry and the field named") {
  const json delta = {{"d", json::array()}, {"n", 7}, {"c", 1}};
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{"notes", delta}}; })) ==
        "entries[1].fd.notes is in f too: a field is sent once");
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{"_deleted", delta}}; })) ==
        "entries[1].fd._deleted cannot be a text delta");
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{"summary", "patch"}}; })) ==
        "entries[1].fd.summary must be a text delta object with its base's checksum \"c\"");
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{"summary", {{"d", json::array()}, {"n", 7}}}}; })) ==
        "entries[1].fd.summary must be a text delta object with its base's checksum \"c\"");
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{"", delta}}; })) ==
        "entries[1].fd has a field with an empty name");
  CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json::array(); })) == "entries[1].fd must be an object");
  // Names become JSON paths in the stores: no quote, backslash or control character, in fd or f.
  for (const char* name : {"a\".\"b", "a\\b", "a\nb"}) {
    CAPTURE(name);
    CHECK(ErrorOf(ParseEdited([&](json& e) { e["fd"] = json{{name, delta}}; })) ==
          "entries[1].fd has a field name with a quote, backslash or control character");
    CHECK(ErrorOf(ParseEdited([&](json& e) { e["f"][name] = "x"; })) ==
          "entries[1].f has a field name with a quote, backslash or control character");
  }
  CHECK(ErrorOf(ParseEdited([&](json& e) {
          e["fd"] = json{{"summary", delta}};
          e["fb"]["summary"] = 0;
        })) == "entries[1].fd.summary needs a base version (b or fb) > 0: a delta is read against the base's value");
  CHECK(ErrorOf(ParseEdited([&](json& e) {
          e.erase("f");
          e["fd"] = json::object();
        })) == "entries[1].f is empty: an entry changes at least one field");
  CHECK(ErrorOf(ParseEdited([&](json& e) {
          e.erase("f");
          e["fd"] = json::object();
          for (int i = 0; i <= static_cast<int>(kMaxFieldsPerEntry); ++i) e["fd"]["t" + std::to_string(i)] = delta;
        })).find("fields; the limit is 2000 per entry") != std::string::npos);
  // A field named in fb may be a delta's.
  const SyncRequest ok = Unwrap(ParseEdited([&](json& e) {
    e["fd"] = json{{"summary", delta}};
    e["fb"]["summary"] = 1100;
  }));
  auto summary = std::find_if(ok.changes.begin(), ok.changes.end(),
                              [](const FieldChange& c) { return c.field == "summary"; });
  REQUIRE(summary != ok.changes.end());
  CHECK(summary->base == 1100);
}

TEST_CASE("hostile text: nesting, repeated keys and invalid UTF-8 are settled before the codec or by it") {
  const std::string head = std::string(R"({"protocol": 3, "device_id": ")") + kDevA +
                           R"(", "cursor": 0, "entries": [{"seq": 1, "type": "visit", "id": "x", )";
  // Deeply nested values never reach the codec.
  std::string deep = head + R"("f": {"notes": )" + std::string(100000, '[') + std::string(100000, ']') + "}}]}";
  CHECK(ErrorOf(ParseJsonText(deep)).find("nests lists and objects more than 64 levels deep") != std::string::npos);
  // A key given twice is one key (the last value): one field, never two.
  const SyncRequest twice = Unwrap(ParseSyncRequest(
      Unwrap(ParseJsonText(head + R"("f": {"status": "draft", "status": "done"}, "seq": 2}]})"))));
  REQUIRE(twice.changes.size() == 1);
  CHECK(twice.changes[0].field == "status");
  CHECK(twice.changes[0].device_seq == 2);
  // Names that only look alike are different fields (the server checks each name).
  const SyncRequest alike =
      Unwrap(ParseSyncRequest(Unwrap(ParseJsonText(head + R"("f": {"notes": 1, "notes ": 2, "Notes": 3}}]})"))));
  CHECK(alike.changes.size() == 3);
  // Invalid UTF-8 in a field name or value.
  CHECK(ErrorOf(ParseJsonText(head + "\"f\": {\"no\xfftes\": 1}}]}")).find("UTF-8") != std::string::npos);
  CHECK(ErrorOf(ParseJsonText(head + "\"f\": {\"notes\": \"\xc3\x28\"}}]}")).find("UTF-8") != std::string::npos);
}

// A protocol 3 answer whose member `edit` changes.
template <class Edit>
Result<SyncResponse> ParseEditedAnswer(Edit edit) {
  json j = Unwrap(EncodeSyncResponse(MixedResponse()));
  edit(j);
  return ParseSyncResponse(j);
}

TEST_CASE("hostile protocol 3 answers are refused with the entry and the field named") {
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][1]["v"] = -5; })) == "entries[1].v must be >= 1");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][1]["v"] = 0; })) == "entries[1].v must be >= 1");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][1]["dseq"] = -1; })) ==
        "entries[1].dseq must be >= 0");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][1].erase("device"); })) ==
        "entries[1].device is missing");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][2]["f"] = json::object(); })) ==
        "entries[2].f is empty: an entry changes at least one field");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][2]["f"]["_deleted"] = 0; })) ==
        "entries[2].f._deleted must be true or false");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][2]["f"] = nullptr; })) ==
        "entries[2].f must be an object");
  // Pulled patches: each names the version it is made on in fb.
  const json patch = {{"d", json::array()}, {"n", 4}, {"c", 7}};
  CHECK(ErrorOf(ParseEditedAnswer([&](json& j) { j["entries"][1]["fd"] = json{{"summary", patch}}; })) ==
        "entries[1].fb.summary must be the version the patch in fd is made on (> 0)");
  CHECK(ErrorOf(ParseEditedAnswer([&](json& j) {
          j["entries"][1]["fd"] = json{{"summary", patch}};
          j["entries"][1]["fb"] = json{{"summary", 0}};
        })) == "entries[1].fb.summary must be the version the patch in fd is made on (> 0)");
  CHECK(ErrorOf(ParseEditedAnswer([&](json& j) {
          j["entries"][1]["fd"] = json{{"summary", "text"}};
          j["entries"][1]["fb"] = json{{"summary", 3}};
        })) == "entries[1].fd.summary must be a text delta object with its base's checksum \"c\"");
  const SyncResponse patched = Unwrap(ParseEditedAnswer([&](json& j) {
    j["entries"][1]["fd"] = json{{"summary", patch}};
    j["entries"][1]["fb"] = json{{"summary", 1200}};
  }));
  auto summary = std::find_if(patched.changes.begin(), patched.changes.end(),
                              [](const FieldChange& c) { return c.field == "summary"; });
  REQUIRE(summary != patched.changes.end());
  CHECK(summary->delta == patch);
  CHECK(summary->base == 1200);
  CHECK(summary->value.is_null());
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][1]["dseq"] = j["entries"][0]["dseq"];
                                                j["entries"][1]["device"] = j["entries"][0]["device"]; })) ==
        std::string("entries[1] repeats device \"") + kDevB + "\" dseq 41 of an earlier one");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["entries"][2]["dseq"] = 41;
                                                j["entries"][2]["device"] = kDevB; })) ==
        std::string("entries[2] repeats device \"") + kDevB + "\" dseq 41 of an earlier one");
  json v1 = ReadRecorded("response.json");
  v1["changes"][2]["device"] = v1["changes"][0]["device"];
  v1["changes"][2]["dseq"] = v1["changes"][0]["dseq"];
  CHECK(ErrorOf(ParseSyncResponse(v1)) == std::string("changes[2] repeats device \"") + kDevB +
                                              "\" dseq 41 of an earlier one");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][0]["fields"]["notes"] = "conflict"; })) ==
        "acks[0].fields.notes must be an object");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][0]["fields"]["notes"] = {{"outcome", "lost"}, {"v", 1}}; })) ==
        "acks[0].fields.notes.outcome \"lost\" is unknown");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][0]["fields"]["notes"] = {{"outcome", "applied"}}; })) ==
        "acks[0].fields.notes.v is missing");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][0]["fields"] = json::array(); })) ==
        "acks[0].fields must be an object");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][1]["v"] = -1; })) == "acks[1].v must be >= 0");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["acks"][1]["seq"] = 0; })) == "acks[1].seq must be >= 1");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["changes"] = j["entries"]; j.erase("entries"); })) ==
        "response.entries is missing");
  CHECK(ErrorOf(ParseEditedAnswer([](json& j) { j["protocol"] = 2; })).find("protocol version 2 is not supported") ==
        0);
}

}  // namespace
}  // namespace ccfield::sync
