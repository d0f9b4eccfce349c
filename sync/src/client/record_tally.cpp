#include "ccfield/sync/record_tally.h"

#include <algorithm>

namespace ccfield::sync {

namespace {

// Calls visit(begin, end) for each entry of `sent` whose seq is in `seqs`.
template <class Visit>
void ForEachAnswered(const std::vector<ChangeEntry>& sent, std::vector<DeviceSeq> seqs, Visit visit) {
  std::sort(seqs.begin(), seqs.end());
  for (size_t begin = 0, end = 0; begin < sent.size(); begin = end) {
    end = EntryEnd(sent, begin);
    if (std::binary_search(seqs.begin(), seqs.end(), sent[begin].device_seq)) visit(begin, end);
  }
}

}  // namespace

void RecordTally::AddAcknowledged(const std::vector<ChangeEntry>& sent, const std::vector<ChangeAck>& acks) {
  std::vector<DeviceSeq> seqs;
  for (const ChangeAck& ack : acks) seqs.push_back(ack.device_seq);
  ForEachAnswered(sent, std::move(seqs), [&](size_t begin, size_t) {
    seen_.emplace(sent[begin].type, sent[begin].record_id);
  });
}

int64_t CountAnswered(const std::vector<ChangeEntry>& sent, std::vector<DeviceSeq> seqs) {
  int64_t n = 0;
  ForEachAnswered(sent, std::move(seqs), [&](size_t begin, size_t end) { n += static_cast<int64_t>(end - begin); });
  return n;
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
