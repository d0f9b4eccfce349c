#include "ccfield/core/field_change.h"

#include "ccfield/core/named.h"

namespace ccfield {

ChangeType ChangeTypeOf(RecordType t) {
  switch (t) {
    case RecordType::kWorkspace:
      return ChangeType::kWorkspace;
    case RecordType::kMember:
      return ChangeType::kMember;
    case RecordType::kProject:
      return ChangeType::kProject;
    case RecordType::kSite:
      return ChangeType::kSite;
    case RecordType::kVisit:
      return ChangeType::kVisit;
    case RecordType::kPractice:
      return ChangeType::kPractice;
    case RecordType::kContact:
      return ChangeType::kContact;
    case RecordType::kPhoto:
      return ChangeType::kPhoto;
  }
  return ChangeType::kUnknown;
}

std::optional<RecordType> RecordTypeOf(ChangeType t) {
  for (RecordType r : kAllRecordTypes) {
    if (ChangeTypeOf(r) == t) return r;
  }
  return std::nullopt;
}

std::string_view ChangeTypeName(ChangeType t) {
  if (std::optional<RecordType> r = RecordTypeOf(t)) return TypeName(*r);
  return t == ChangeType::kForm ? "form" : "unknown";
}

ChangeType ParseChangeType(std::string_view name) {
  if (name == "form") return ChangeType::kForm;
  for (RecordType r : kAllRecordTypes) {
    if (name == TypeName(r)) return ChangeTypeOf(r);  // the singular name only, as every peer writes it
  }
  return ChangeType::kUnknown;
}

namespace {

// Each code's name, once: the name functions and the parsers read these.
constexpr Named<ChangeOutcome> kOutcomes[] = {{ChangeOutcome::kApplied, "applied"},
                                              {ChangeOutcome::kMerged, "merged"},
                                              {ChangeOutcome::kConflict, "conflict"},
                                              {ChangeOutcome::kDuplicate, "duplicate"},
                                              {ChangeOutcome::kResendWhole, "resend_whole"}};
constexpr Named<RejectCode> kRejectCodes[] = {
    {RejectCode::kForbidden, "forbidden"},  {RejectCode::kReadOnly, "read_only"},
    {RejectCode::kInvalid, "invalid"},      {RejectCode::kUnknownType, "unknown_type"},
    {RejectCode::kSeqReused, "seq_reused"}, {RejectCode::kOther, "other"}};
constexpr Named<ClockFlag> kClockFlags[] = {
    {ClockFlag::kNone, ""}, {ClockFlag::kFuture, "future"}, {ClockFlag::kBeforeLastSync, "before_last_sync"}};

}  // namespace

const char* ChangeOutcomeName(ChangeOutcome o) { return NameIn(kOutcomes, o, "?"); }
std::optional<ChangeOutcome> ParseChangeOutcome(std::string_view name) { return ValueIn(kOutcomes, name); }

const char* RejectCodeName(RejectCode c) { return NameIn(kRejectCodes, c, "other"); }
RejectCode ParseRejectCode(std::string_view name) { return ValueIn(kRejectCodes, name).value_or(RejectCode::kOther); }

const char* ClockFlagName(ClockFlag f) { return NameIn(kClockFlags, f, ""); }
ClockFlag ParseClockFlag(std::string_view name) {
  // "" is no flag; an unknown name from a newer server is no flag this build can word.
  return ValueIn(kClockFlags, name).value_or(ClockFlag::kNone);
}

namespace {

bool SameUser(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

bool ConflictIsMine(const FieldConflict& c, std::string_view my_user, std::string_view my_role) {
  if (c.winner_user.empty() && c.loser_user.empty()) return true;
  if (my_user.empty()) return true;
  if (SameUser(my_user, c.winner_user) || SameUser(my_user, c.loser_user)) return true;
  return my_role == "coordinator" || my_role == "admin";
}

}  // namespace ccfield
