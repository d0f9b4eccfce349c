// The merge process (sync/merge_process.h): every rule of
// docs/sync-protocol.md ("Merge rules") decided over an in-memory history,
// with no database. The server's tests prove the same rules end to end over
// SQLite (tests/server/sync_service_test.cpp).
#include "ccfield/sync/merge_process.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace ccfield::sync {
namespace {

using nlohmann::json;

constexpr const char* kRecord = "5b0c7c3e-3d0a-4c47-9a55-0d6f2c1e8a01";

// A history kept in memory: the changes (record, field, version, device,
// value, author, time) and the conflicts, as a server would hold them. A
// test expires history by erasing changes and raising expired_through.
class MemoryHistory final : public MergeLookup {
 public:
  struct Change {
    Change(std::string field_, ServerVersion version_, std::string device_, json value_, std::string author_ = "",
           std::string time_ = "")
        : field(std::move(field_)),
          version(version_),
          device(std::move(device_)),
          value(std::move(value_)),
          author(std::move(author_)),
          time(std::move(time_)) {}
    std::string field;
    ServerVersion version;
    std::string device;
    json value;
    std::string author;
    std::string time;
  };

  MemoryHistory() = default;
  // A record in `record` state with these applied changes (versions must grow).
  MemoryHistory(std::optional<RecordState> state, std::vector<Change> applied)
      : record(std::move(state)), changes(std::move(applied)) {}

  // Adds an applied change to kRecord (versions must grow).
  void Set(std::string field, ServerVersion v, std::string device, json value, std::string author = "",
           std::string time = "") {
    changes.push_back({std::move(field), v, std::move(device), std::move(value), std::move(author), std::move(time)});
  }

  std::optional<RecordState> record;
  std::vector<Change> changes;
  std::vector<FieldConflict> conflicts;
  std::map<std::string, std::string> users;  // device -> the user who pushed its changes (none: "")
  ServerVersion expired_through = 0;
  bool fail = false;  // every read fails (a storage error)

  Result<std::optional<RecordState>> Record(const std::string&) override {
    if (fail) return Status::IoError("disk gone");
    return record;
  }
  Result<FieldNow> Field(const std::string&, const std::string& field) override {
    if (fail) return Status::IoError("disk gone");
    FieldNow f;
    for (const Change& c : changes) {
      if (c.field != field) continue;
      f.state = FieldState{true, c.value, c.version, c.device};
      f.author = c.author;
      f.time = c.time;
    }
    return f;
  }
  Result<json> ValueAt(const std::string&, const std::string& field, ServerVersion version) override {
    json v;
    for (const Change& c : changes) {
      if (c.field == field && c.version <= version) v = c.value;
    }
    return v;
  }
  Result<std::optional<OwnChange>> LatestOwnChange(const std::string&, const std::string& field,
                                                   const std::string& device) override {
    std::optional<OwnChange> own;
    for (const Change& c : changes) {
      if (c.field == field && c.device == device) own = OwnChange{c.value, c.version};
    }
    return own;
  }
  Result<ServerVersion> MaxVersionByOthers(const std::string&, const std::string& device) override {
    ServerVersion v = 0;
    for (const Change& c : changes) {
      if (c.device != device) v = std::max(v, c.version);
    }
    return v;
  }
  Result<std::optional<ChangeOrigin>> ChangeAt(ServerVersion version) override {
    for (const Change& c : changes) {
      if (c.version == version) {
        auto u = users.find(c.device);
        return std::optional<ChangeOrigin>({c.device, c.author, u == users.end() ? "" : u->second});
      }
    }
    return std::optional<ChangeOrigin>();
  }
  Result<std::vector<FieldConflict>> OpenConflicts(const std::string&, const std::string& field) override {
    std::vector<FieldConflict> open;
    for (const FieldConflict& x : conflicts) {
      if (x.field == field && !x.resolved) open.push_back(x);
    }
    return open;
  }
  Result<ServerVersion> ExpiredThrough() override { return expired_through; }
};

FieldChange Change(std::string field, json value, ServerVersion base, std::string author = "Awa",
                  std::string time = "2026-03-02T10:00:00Z") {
  FieldChange c;
  c.device_seq = 7;
  c.type = ChangeType::kVisit;
  c.record_id = kRecord;
  c.workspace_id = "ws-1";
  c.field = std::move(field);
  c.value = std::move(value);
  c.base = base;
  c.author = std::move(author);
  c.time = std::move(time);
  return c;
}

// Decides `c` pushed by `device` (as `user`); fails the test on an error.
MergeDecision Decide(MemoryHistory& h, const FieldChange& c, const std::string& device, bool long_text = false,
                     const std::string& user = "") {
  Result<MergeDecision> d = DecideMerge(MergeInput{c, c.value, device, long_text, user}, h);
  REQUIRE(d.ok());
  return std::move(d).value();
}

RecordState Alive() { return RecordState{}; }
RecordState DeletedBy(std::string device, ServerVersion v) { return RecordState{true, v, std::move(device)}; }

// Nothing but "apply as sent".
void CheckPlainApply(const MergeDecision& d) {
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kApplied);
  CHECK_FALSE(d.server_value.has_value());
  CHECK_FALSE(d.set_deleted.has_value());
  CHECK(d.resolve.empty());
  CHECK_FALSE(d.conflict.has_value());
  CHECK_FALSE(d.revive.has_value());
}

// A conflict over "_deleted" that keeps the record alive: base and winner
// false, loser true (the delete), and who won and who lost.
void CheckKeptAliveConflict(const FieldConflict& x, const std::string& winner_device, const std::string& winner_author,
                            const std::string& loser_device, const std::string& loser_author,
                            const std::string& loser_time) {
  CHECK(x.field == "_deleted");
  CHECK(x.base == false);
  CHECK(x.winner == false);
  CHECK(x.loser == true);
  CHECK(x.winner_device == winner_device);
  CHECK(x.winner_author == winner_author);
  CHECK(x.loser_device == loser_device);
  CHECK(x.loser_author == loser_author);
  CHECK(x.loser_time == loser_time);
}

TEST_CASE("merge process: the first change to a record the server lacks creates it and applies") {
  MemoryHistory h;
  const MergeDecision d = Decide(h, Change("notes", "flooded", 0), "tablet-a");
  CHECK(d.create_record);
  CheckPlainApply(d);
}

TEST_CASE("merge process: rule 1 fast-forwards an edit based on the current version") {
  MemoryHistory h(Alive(), {{"water_level", 12, "tablet-a", "sec"}});
  const MergeDecision d = Decide(h, Change("water_level", "en eau", 12), "tablet-b");
  CHECK_FALSE(d.create_record);
  CheckPlainApply(d);
}

TEST_CASE("merge process: rule 1 fast-forwards a device's own later edit even on an old base") {
  MemoryHistory h(Alive(), {{"water_level", 12, "tablet-a", "sec"}});
  CheckPlainApply(Decide(h, Change("water_level", "en eau", 3), "tablet-a"));
}

TEST_CASE("merge process: rule 2 applies the same value written concurrently without a conflict") {
  MemoryHistory h(Alive(), {{"water_level", 5, "tablet-a", "sec"},
                            {"water_level", 9, "tablet-b", "en eau"}});
  CheckPlainApply(Decide(h, Change("water_level", "en eau", 5), "tablet-c"));
}

TEST_CASE("merge process: rule 3 merges concurrent long-text edits into a server change") {
  MemoryHistory h(Alive(), {{"notes", 5, "tablet-a", "drain blocked\nwater high\n"},
                            {"notes", 9, "tablet-b", "drain blocked by sand\nwater high\n"}});
  const FieldChange c = Change("notes", "drain blocked\nwater high, road closed\n", 5, "Moussa");
  const MergeDecision d = Decide(h, c, "tablet-c", /*long_text=*/true);
  CHECK(d.fate == PushedFate::kMerged);
  CHECK(d.ack == ChangeOutcome::kMerged);
  REQUIRE(d.server_value.has_value());
  CHECK(*d.server_value == "drain blocked by sand\nwater high, road closed\n");
  CHECK(d.server_author == "Moussa");  // the merge is made on the pusher's behalf
  CHECK_FALSE(d.conflict.has_value());
}

TEST_CASE("merge process: rule 3 takes the device's own later change as the text base") {
  MemoryHistory h(Alive(), {{"notes", 5, "tablet-a", "one\ntwo\n"},
                            {"notes", 8, "tablet-c", "one\ntwo\nthree\n"},  // the device's first edit of the batch
                            {"notes", 9, "tablet-b", "zero\none\ntwo\nthree\n"}});
  // Its second edit still names base 5; against "one\ntwo\n" both sides would add "three".
  const MergeDecision d = Decide(h, Change("notes", "one\ntwo\nthree\nfour\n", 5), "tablet-c", true);
  REQUIRE(d.fate == PushedFate::kMerged);
  CHECK(*d.server_value == "zero\none\ntwo\nthree\nfour\n");
}

TEST_CASE("merge process: rule 4 overlapping long-text edits conflict and the later arrival wins") {
  MemoryHistory h(Alive(), {{"notes", 5, "tablet-a", "water high\n"},
                            {"notes", 9, "tablet-b", "water low\n", "Awa", "2026-03-01T08:00:00Z"}});
  const MergeDecision d = Decide(h, Change("notes", "water gone\n", 5, "Moussa"), "tablet-c", true);
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  CHECK_FALSE(d.server_value.has_value());
  REQUIRE(d.conflict.has_value());
  CHECK(d.conflict->winner == "water gone\n");
  CHECK(d.conflict->loser == "water low\n");
  CHECK(d.conflict->base == "water high\n");
}

TEST_CASE("merge process: rule 4 a concurrent edit of a short field conflicts and keeps both values") {
  MemoryHistory h(Alive(), {{"water_level", 5, "tablet-a", "sec"},
                            {"water_level", 9, "tablet-b", "en eau", "Awa", "2026-03-01T08:00:00Z"}});
  const MergeDecision d = Decide(h, Change("water_level", "inonde", 5, "Moussa", "2026-03-02T10:00:00Z"), "tablet-c");
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  REQUIRE(d.conflict.has_value());
  const FieldConflict& x = *d.conflict;
  CHECK(x.type == ChangeType::kVisit);
  CHECK(x.record_id == kRecord);
  CHECK(x.workspace_id == "ws-1");
  CHECK(x.field == "water_level");
  CHECK(x.base == "sec");
  CHECK(x.winner == "inonde");
  CHECK(x.loser == "en eau");
  CHECK(x.winner_device == "tablet-c");
  CHECK(x.loser_device == "tablet-b");
  CHECK(x.winner_author == "Moussa");
  CHECK(x.loser_author == "Awa");
  CHECK(x.loser_time == "2026-03-01T08:00:00Z");
  CHECK(x.id.empty());  // ids and versions are the caller's
  CHECK(x.version == 0);
  CHECK(x.winner_version == 0);
}

TEST_CASE("merge process: a text edit whose base has expired conflicts instead of merging") {
  MemoryHistory h(Alive(), {{"notes", 5, "tablet-a", "drain blocked\nwater high\n"},
                            {"notes", 9, "tablet-b", "drain blocked by sand\nwater high\n"}});
  const FieldChange c = Change("notes", "drain blocked\nwater high, road closed\n", 5);
  REQUIRE(Decide(h, c, "tablet-c", true).fate == PushedFate::kMerged);  // with the base: merges
  h.changes.erase(h.changes.begin());  // version 5 expired: its value is gone
  h.expired_through = 7;
  const MergeDecision d = Decide(h, c, "tablet-c", true);
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  REQUIRE(d.conflict.has_value());
  CHECK(d.conflict->winner == c.value);
  CHECK(d.conflict->loser == "drain blocked by sand\nwater high\n");
  CHECK(d.conflict->base.is_null());
}

TEST_CASE("merge process: an older value found below the horizon is never used as a text base") {
  MemoryHistory h(Alive(), {{"notes", 2, "tablet-a", "a\nb\n"}});
  // Version 5 ("a\nb\nc\n", the device's base) has expired; version 2 survived.
  h.Set("notes", 9, "tablet-b", "a2\nb\nc\n");
  h.expired_through = 7;
  // The device removed line c. Merged against version 2 instead of 5, the
  // removal would silently be lost ("a2\nb\nc\n"): a conflict keeps both.
  const MergeDecision d = Decide(h, Change("notes", "a\nb\n", 5), "tablet-c", true);
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  REQUIRE(d.conflict.has_value());
  CHECK(d.conflict->winner == "a\nb\n");
  CHECK(d.conflict->loser == "a2\nb\nc\n");
}

TEST_CASE("merge process: an expired base still merges when its value is the device's own later change") {
  MemoryHistory h(Alive(), {{"notes", 8, "tablet-c", "one\ntwo\n"},
                            {"notes", 9, "tablet-b", "zero\none\ntwo\n"}});
  h.expired_through = 7;
  const MergeDecision d = Decide(h, Change("notes", "one\ntwo\nthree\n", 5), "tablet-c", true);
  REQUIRE(d.fate == PushedFate::kMerged);
  CHECK(*d.server_value == "zero\none\ntwo\nthree\n");
}

TEST_CASE("merge process: rule 5 keeps out a delete older than another device's edit") {
  MemoryHistory h(Alive(), {{"_deleted", 2, "tablet-a", false},
                            {"water_level", 9, "tablet-b", "en eau", "Awa"}});
  const MergeDecision d = Decide(h, Change("_deleted", true, 4, "Moussa", "2026-03-02T10:00:00Z"), "tablet-c");
  CHECK(d.fate == PushedFate::kKeptOut);
  CHECK(d.ack == ChangeOutcome::kConflict);
  REQUIRE(d.server_value.has_value());
  CHECK(*d.server_value == false);  // the deleting device receives _deleted=false
  CHECK(d.server_author == kServerDeviceId);
  CHECK_FALSE(d.set_deleted.has_value());
  REQUIRE(d.conflict.has_value());
  const FieldConflict& x = *d.conflict;
  CheckKeptAliveConflict(x, "tablet-b", "Awa", "tablet-c", "Moussa", "2026-03-02T10:00:00Z");
}

TEST_CASE("merge process: rule 5 applies a delete made after every other device's edit") {
  MemoryHistory h(Alive(), {{"water_level", 9, "tablet-b", "en eau"}});
  const MergeDecision d = Decide(h, Change("_deleted", true, 9), "tablet-c");
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kApplied);
  REQUIRE(d.set_deleted.has_value());
  CHECK(*d.set_deleted);
  CHECK_FALSE(d.conflict.has_value());
  CHECK_FALSE(d.server_value.has_value());
  // A restore of a live record changes the field only, not the record's flag.
  const MergeDecision restore = Decide(h, Change("_deleted", false, 9), "tablet-c");
  CHECK(restore.ack == ChangeOutcome::kApplied);
  CHECK_FALSE(restore.set_deleted.has_value());
}

TEST_CASE("merge process: rule 5 an edit to a record deleted after its base revives it") {
  MemoryHistory h(DeletedBy("tablet-a", 10), {{"water_level", 4, "tablet-b", "sec"},
                                              {"_deleted", 10, "tablet-a", true, "Awa", "2026-03-01T08:00:00Z"}});
  const MergeDecision d = Decide(h, Change("water_level", "en eau", 4, "Moussa"), "tablet-b");
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  CHECK_FALSE(d.conflict.has_value());
  REQUIRE(d.revive.has_value());
  const FieldConflict& x = *d.revive;
  // Its base is false too: "_deleted" was never set before the delete.
  CheckKeptAliveConflict(x, "tablet-b", "Moussa", "tablet-a", "Awa", "2026-03-01T08:00:00Z");
}

TEST_CASE("merge process: rule 5 an edit that saw the delete, or by the deleting device, does not revive") {
  MemoryHistory h(DeletedBy("tablet-a", 10), {{"_deleted", 10, "tablet-a", true}});
  const MergeDecision seen = Decide(h, Change("water_level", "en eau", 10), "tablet-b");
  CHECK_FALSE(seen.revive.has_value());
  CHECK(seen.ack == ChangeOutcome::kApplied);
  const MergeDecision own = Decide(h, Change("water_level", "en eau", 4), "tablet-a");
  CHECK_FALSE(own.revive.has_value());
  CHECK(own.ack == ChangeOutcome::kApplied);
}

TEST_CASE("merge process: rule 5 a restore made without seeing the delete wins with a conflict") {
  MemoryHistory h(DeletedBy("tablet-a", 10), {{"_deleted", 3, "tablet-b", true},
                                              {"_deleted", 6, "tablet-b", false},
                                              {"_deleted", 10, "tablet-a", true}});
  const MergeDecision d = Decide(h, Change("_deleted", false, 6, "Moussa"), "tablet-b");
  CHECK(d.fate == PushedFate::kApplied);
  CHECK(d.ack == ChangeOutcome::kConflict);
  REQUIRE(d.set_deleted.has_value());
  CHECK_FALSE(*d.set_deleted);
  REQUIRE(d.conflict.has_value());
  CHECK(d.conflict->winner == false);
  CHECK(d.conflict->loser == true);
  CHECK(d.conflict->winner_device == "tablet-b");
  CHECK(d.conflict->loser_device == "tablet-a");
  // A restore after seeing the delete is a plain restore.
  const MergeDecision seen = Decide(h, Change("_deleted", false, 10), "tablet-b");
  CHECK(seen.ack == ChangeOutcome::kApplied);
  CHECK_FALSE(seen.conflict.has_value());
}

// Issue 14: each side of a conflict names the user the server authenticated
// for it: the pusher's from the input, the other side's from the history.
TEST_CASE("merge process: every kind of conflict names the user behind each side") {
  SUBCASE("rule 4: a concurrent edit") {
    MemoryHistory h(Alive(), {{"water_level", 5, "tablet-a", "sec"}, {"water_level", 9, "tablet-b", "en eau", "Awa"}});
    h.users = {{"tablet-a", "ali"}, {"tablet-b", "awa"}};
    const MergeDecision d = Decide(h, Change("water_level", "inonde", 5, "Moussa"), "tablet-c", false, "moussa");
    REQUIRE(d.conflict.has_value());
    CHECK(d.conflict->winner_user == "moussa");
    CHECK(d.conflict->loser_user == "awa");
  }
  SUBCASE("rule 4: the other side was the server's own merge") {
    MemoryHistory h(Alive(), {{"water_level", 5, "tablet-a", "sec"}, {"water_level", 9, "server", "en eau"}});
    h.users = {{"tablet-a", "ali"}};
    const MergeDecision d = Decide(h, Change("water_level", "inonde", 5, "Moussa"), "tablet-c", false, "moussa");
    REQUIRE(d.conflict.has_value());
    CHECK(d.conflict->winner_user == "moussa");
    CHECK(d.conflict->loser_user.empty());
  }
  SUBCASE("rule 5: a delete kept out by another device's edit") {
    MemoryHistory h(Alive(), {{"_deleted", 2, "tablet-a", false}, {"water_level", 9, "tablet-b", "en eau", "Awa"}});
    h.users = {{"tablet-a", "ali"}, {"tablet-b", "awa"}};
    const MergeDecision d = Decide(h, Change("_deleted", true, 4, "Moussa"), "tablet-c", false, "moussa");
    REQUIRE(d.conflict.has_value());
    CHECK(d.conflict->winner_user == "awa");
    CHECK(d.conflict->loser_user == "moussa");
  }
  SUBCASE("rule 5: an edit revives a record deleted after its base") {
    MemoryHistory h(DeletedBy("tablet-a", 10),
                    {{"water_level", 4, "tablet-b", "sec"}, {"_deleted", 10, "tablet-a", true, "Awa"}});
    h.users = {{"tablet-a", "ali"}, {"tablet-b", "awa"}};
    const MergeDecision d = Decide(h, Change("water_level", "en eau", 4, "Moussa"), "tablet-b", false, "awa");
    REQUIRE(d.revive.has_value());
    CHECK(d.revive->winner_user == "awa");
    CHECK(d.revive->loser_user == "ali");
  }
  SUBCASE("rule 5: a restore made without seeing the delete") {
    MemoryHistory h(DeletedBy("tablet-a", 10), {{"_deleted", 3, "tablet-b", true},
                                                {"_deleted", 6, "tablet-b", false},
                                                {"_deleted", 10, "tablet-a", true}});
    h.users = {{"tablet-a", "ali"}};
    const MergeDecision d = Decide(h, Change("_deleted", false, 6, "Moussa"), "tablet-b", false, "moussa");
    REQUIRE(d.conflict.has_value());
    CHECK(d.conflict->winner_user == "moussa");
    CHECK(d.conflict->loser_user == "ali");
  }
}

FieldConflict Open(std::string id, std::string field, ServerVersion winner_version) {
  FieldConflict x;
  x.id = std::move(id);
  x.field = std::move(field);
  x.winner_version = winner_version;
  return x;
}

TEST_CASE("merge process: rule 6 an edit based on a conflict's winner resolves the open conflicts it saw") {
  MemoryHistory h(Alive(), {{"water_level", 9, "tablet-b", "en eau"}});
  h.conflicts = {Open("c-old", "water_level", 9), Open("c-new", "water_level", 12), Open("c-other", "notes", 9)};
  const MergeDecision d = Decide(h, Change("water_level", "en eau", 10), "tablet-b");
  CHECK(d.resolve == std::vector<std::string>{"c-old"});
  CHECK(d.ack == ChangeOutcome::kApplied);
  CHECK(Decide(h, Change("water_level", "sec", 0), "tablet-c").resolve.empty());  // base 0 saw nothing
  // Resolving a "_deleted" conflict: the restore's field.
  h.conflicts.push_back(Open("c-del", "_deleted", 9));
  CHECK(Decide(h, Change("_deleted", false, 9), "tablet-b").resolve == std::vector<std::string>{"c-del"});
}

TEST_CASE("merge process: a kept-out delete also resolves the delete conflicts it saw") {
  MemoryHistory h(Alive(), {{"water_level", 9, "tablet-b", "en eau"}});
  h.conflicts = {Open("c-del", "_deleted", 3)};
  const MergeDecision d = Decide(h, Change("_deleted", true, 4), "tablet-c");
  CHECK(d.fate == PushedFate::kKeptOut);
  CHECK(d.resolve == std::vector<std::string>{"c-del"});
}

TEST_CASE("merge process: a storage error from the lookup is returned and nothing is decided") {
  MemoryHistory h;
  h.fail = true;
  const FieldChange c = Change("water_level", "en eau", 0);
  Result<MergeDecision> d = DecideMerge(MergeInput{c, c.value, "tablet-a"}, h);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Code::kIoError);
}

TEST_CASE("merge process: a delete of a record the server lacks, or not a bool, is invalid") {
  MemoryHistory h;
  const FieldChange c = Change("_deleted", true, 0);
  CHECK(DecideMerge(MergeInput{c, c.value, "tablet-a"}, h).status().code() == Code::kInvalidArgument);
  h.record = Alive();
  const FieldChange s = Change("_deleted", "yes", 0);
  CHECK(DecideMerge(MergeInput{s, s.value, "tablet-a"}, h).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace ccfield::sync
