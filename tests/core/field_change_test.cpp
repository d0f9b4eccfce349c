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

}  // namespace
}  // namespace ccfield
