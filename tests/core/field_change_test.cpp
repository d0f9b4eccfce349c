// The change type's codes: every name reads back as its code, unknown names
// from a newer peer stay recognisably unknown, and record types map both ways.
#include <doctest/doctest.h>

#include "ccfield/core/field_change.h"

namespace ccfield {
namespace {

TEST_CASE("field change: record types and forms keep their wire names, unknown names stay unknown") {
  for (RecordType t : kAllRecordTypes) {
    const ChangeType c = ChangeTypeOf(t);
    CHECK(RecordTypeOf(c) == t);
    CHECK(ChangeTypeName(c) == TypeName(t));
    CHECK(ParseChangeType(TypeName(t)) == c);
  }
  CHECK(ParseChangeType("form") == ChangeType::kForm);
  CHECK_FALSE(RecordTypeOf(ChangeType::kForm).has_value());
  CHECK(ParseChangeType("drone_flight") == ChangeType::kUnknown);
  CHECK(ParseChangeType("visits") == ChangeType::kUnknown);  // the singular name only, as the server always checked
  CHECK_FALSE(RecordTypeOf(ChangeType::kUnknown).has_value());
}

TEST_CASE("field change: outcomes, refusal codes and clock flags read back from their names") {
  for (ChangeOutcome o :
       {ChangeOutcome::kApplied, ChangeOutcome::kMerged, ChangeOutcome::kConflict, ChangeOutcome::kDuplicate}) {
    CHECK(ParseChangeOutcome(ChangeOutcomeName(o)) == o);
  }
  CHECK_FALSE(ParseChangeOutcome("maybe").has_value());
  for (RejectCode c : {RejectCode::kForbidden, RejectCode::kReadOnly, RejectCode::kInvalid, RejectCode::kUnknownType,
                       RejectCode::kSeqReused}) {
    CHECK(ParseRejectCode(RejectCodeName(c)) == c);
  }
  CHECK(ParseRejectCode("quota_of_the_future") == RejectCode::kOther);
  CHECK(std::string(RejectCodeName(RejectCode::kUnknownType)) == "unknown_type");
  CHECK(ParseClockFlag("future") == ClockFlag::kFuture);
  CHECK(ParseClockFlag("before_last_sync") == ClockFlag::kBeforeLastSync);
  CHECK(ParseClockFlag("") == ClockFlag::kNone);
  CHECK(ParseClockFlag("sideways") == ClockFlag::kNone);
  CHECK(std::string(ClockFlagName(ClockFlag::kNone)).empty());
}

// Issue 14: a conflict is listed to those involved.
TEST_CASE("field change: a conflict is mine when I pushed a side or coordinate its workspace") {
  FieldConflict c;
  c.workspace_id = "ws-1";
  c.winner_user = "bob";
  c.loser_user = "alice";
  // Authors of either side, whatever the case of the name typed at sign-in.
  CHECK(ConflictIsMine(c, "bob", "field_staff"));
  CHECK(ConflictIsMine(c, "alice", "field_staff"));
  CHECK(ConflictIsMine(c, "Alice", ""));
  // A coordinator or admin of the workspace, without a side of their own.
  CHECK(ConflictIsMine(c, "dave", "coordinator"));
  CHECK(ConflictIsMine(c, "erin", "admin"));
  // Anyone else: kept, not theirs to resolve.
  CHECK_FALSE(ConflictIsMine(c, "carol", "field_staff"));
  CHECK_FALSE(ConflictIsMine(c, "carol", "observer"));
  CHECK_FALSE(ConflictIsMine(c, "carol", ""));
  CHECK_FALSE(ConflictIsMine(c, "ali", "field_staff"));  // a prefix is another user
  // One side known (the other a server merge or expired): its user and coordinators.
  c.winner_user.clear();
  CHECK(ConflictIsMine(c, "alice", "field_staff"));
  CHECK_FALSE(ConflictIsMine(c, "bob", "field_staff"));
  CHECK(ConflictIsMine(c, "bob", "coordinator"));
  // No user on the conflict (an older server): listed to everyone, as before.
  c.loser_user.clear();
  CHECK(ConflictIsMine(c, "carol", "field_staff"));
  CHECK(ConflictIsMine(c, "carol", ""));
  // Nobody signed in on this device: every conflict is listed.
  c.winner_user = "bob";
  CHECK(ConflictIsMine(c, "", ""));
}

}  // namespace
}  // namespace ccfield
