#include "ccfield/sync/record_tally.h"

#include <algorithm>

namespace ccfield::sync {

void RecordTally::AddAcknowledged(const std::vector<ChangeEntry>& sent, const std::vector<ChangeAck>& acks) {
  // `sent` is in device seq order (PendingChanges), so each ack is a binary search.
  auto before = [](const ChangeEntry& e, DeviceSeq seq) { return e.device_seq < seq; };
  const bool sorted = std::is_sorted(
      sent.begin(), sent.end(), [](const ChangeEntry& a, const ChangeEntry& b) { return a.device_seq < b.device_seq; });
  for (const ChangeAck& ack : acks) {
    auto it = sorted ? std::lower_bound(sent.begin(), sent.end(), ack.device_seq, before)
                     : std::find_if(sent.begin(), sent.end(),
                                    [&](const ChangeEntry& e) { return e.device_seq == ack.device_seq; });
    if (it != sent.end() && it->device_seq == ack.device_seq) seen_.emplace(it->type, it->record_id);
  }
}

void RecordTally::AddChanges(const std::vector<FieldChange>& changes) {
  for (const FieldChange& c : changes) seen_.emplace(c.type, c.record_id);
}

void RecordTally::Merge(const RecordTally& other) { seen_.insert(other.seen_.begin(), other.seen_.end()); }

int64_t RecordTally::Count(ChangeType type) const {
  // The set is ordered by type first: the records of `type` are one run.
  auto first = seen_.lower_bound({type, std::string()});
  int64_t n = 0;
  for (auto it = first; it != seen_.end() && it->first == type; ++it) ++n;
  return n;
}

std::vector<std::pair<ChangeType, int64_t>> RecordTally::ByType() const {
  std::vector<std::pair<ChangeType, int64_t>> out;
  for (const auto& [type, id] : seen_) {
    if (out.empty() || out.back().first != type) out.emplace_back(type, 0);
    ++out.back().second;
  }
  return out;
}

}  // namespace ccfield::sync
