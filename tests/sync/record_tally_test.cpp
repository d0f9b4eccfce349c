// RecordTally (issue 14): the records behind a sync's field changes, each
// counted once per type however many of its fields moved, in however many
// round trips; only acknowledged changes count as pushed.
#include "ccfield/sync/record_tally.h"

#include <doctest/doctest.h>

namespace ccfield::sync {
namespace {

ChangeEntry Sent(ChangeType type, const std::string& id, DeviceSeq seq) {
  ChangeEntry e;
  e.type = type;
  e.record_id = id;
  e.device_seq = seq;
  return e;
}

ChangeAck Ack(DeviceSeq seq) {
  ChangeAck a;
  a.device_seq = seq;
  return a;
}

TEST_CASE("RecordTally counts records, not field changes, and only what the server acknowledged") {
  const std::vector<ChangeEntry> sent = {Sent(ChangeType::kSite, "s1", 1), Sent(ChangeType::kVisit, "v1", 2),
                                         Sent(ChangeType::kVisit, "v1", 3), Sent(ChangeType::kVisit, "v2", 4),
                                         Sent(ChangeType::kVisit, "v3", 5)};
  RecordTally t;
  t.AddAcknowledged(sent, {Ack(1), Ack(2), Ack(3), Ack(4), Ack(99)});  // v3 refused; 99 names nothing sent
  CHECK(t.Count(ChangeType::kVisit) == 2);
  CHECK(t.Count(ChangeType::kSite) == 1);
  CHECK(t.Count(ChangeType::kPhoto) == 0);
  CHECK(t.Total() == 3);
  using Row = std::pair<ChangeType, int64_t>;
  CHECK(t.ByType() == std::vector<Row>{{ChangeType::kSite, 1}, {ChangeType::kVisit, 2}});

  // A later round trip with more fields of v1 and a new v3: v1 counts once.
  RecordTally more;
  more.AddAcknowledged({Sent(ChangeType::kVisit, "v1", 6), Sent(ChangeType::kVisit, "v3", 7)}, {Ack(6), Ack(7)});
  t.Merge(more);
  CHECK(t.Count(ChangeType::kVisit) == 3);
  CHECK(t.Total() == 4);

  // The same id under two types is two records.
  RecordTally got;
  FieldChange a, b, c;
  a.type = ChangeType::kForm;
  a.record_id = "x";
  b.type = ChangeType::kVisit;
  b.record_id = "x";
  c = b;
  got.AddChanges({a, b, c});
  CHECK(got.ByType() == std::vector<Row>{{ChangeType::kVisit, 1}, {ChangeType::kForm, 1}});
  CHECK(RecordTally().ByType().empty());
}

// Protocol 3: an entry's fields share its seq, and its answer is one ack
// with field "" plus acks naming the fields that differ.
TEST_CASE("RecordTally counts each record once when entries have several fields and acks name fields") {
  auto field = [](ChangeType type, const char* id, DeviceSeq seq, const char* name) {
    ChangeEntry e = Sent(type, id, seq);
    e.field = name;
    return e;
  };
  const std::vector<ChangeEntry> sent = {
      field(ChangeType::kVisit, "v1", 10, "status"), field(ChangeType::kVisit, "v1", 10, "notes"),
      field(ChangeType::kVisit, "v1", 10, "answers.q1"), field(ChangeType::kSite, "s1", 11, "name"),
      field(ChangeType::kSite, "s1", 11, "lat"), field(ChangeType::kVisit, "v2", 12, "notes"),
      field(ChangeType::kVisit, "v1", 13, "_deleted")};
  ChangeAck status_kept_out = Ack(10);
  status_kept_out.field = "status";
  status_kept_out.outcome = ChangeOutcome::kConflict;
  ChangeAck lat = Ack(11);
  lat.field = "lat";  // a server that answers per field only
  const std::vector<ChangeAck> acks = {Ack(10), status_kept_out, lat, Ack(13)};  // 12 refused
  RecordTally t;
  t.AddAcknowledged(sent, acks);
  CHECK(t.Count(ChangeType::kVisit) == 1);  // v1, in two entries
  CHECK(t.Count(ChangeType::kSite) == 1);
  CHECK(t.Total() == 2);
  // The field changes behind the answers: 3 + 2 + 1 acknowledged, 1 refused.
  std::vector<DeviceSeq> acked;
  for (const ChangeAck& a : acks) acked.push_back(a.device_seq);
  CHECK(CountAnswered(sent, acked) == 6);
  CHECK(CountAnswered(sent, {12}) == 1);
  CHECK(CountAnswered(sent, {99}) == 0);
  CHECK(CountAnswered({}, {10}) == 0);
}

}  // namespace
}  // namespace ccfield::sync
