// The pull page of a sync cycle (pull_page.h).
#include "pull_page.h"

#include <algorithm>
#include <utility>

namespace ccfield::server {

namespace {

using nlohmann::json;

// Rows read from the storage per query: a page of 50,000 items is read 2,000
// at a time, and a page that ends after a few items reads little more.
constexpr int kReadBatch = 2000;

// One list of the storage read in version order, a batch at a time.
template <typename T>
class Batches {
 public:
  using Read = std::function<Result<std::vector<T>>(ServerVersion after, int n)>;
  Batches(ServerVersion after, int batch, Read read) : after_(after), batch_(batch), read_(std::move(read)) {}

  // The next item (null when none remain); stays until Take().
  Result<T*> Peek() {
    if (next_ < items_.size()) return &items_[next_];
    if (done_) return static_cast<T*>(nullptr);
    CCF_ASSIGN_OR_RETURN(items_, read_(after_, batch_));
    next_ = 0;
    done_ = static_cast<int>(items_.size()) < batch_;
    if (items_.empty()) return static_cast<T*>(nullptr);
    after_ = VersionOf(items_.back());
    return &items_[0];
  }
  // REQUIRES: Peek() gave an item.
  T Take() { return std::move(items_[next_++]); }

 private:
  static ServerVersion VersionOf(const FieldConflict& x) { return x.version; }
  static ServerVersion VersionOf(const std::vector<HistoryEntry>& entry) { return entry.front().version; }

  ServerVersion after_;
  int batch_;
  Read read_;
  std::vector<T> items_;
  size_t next_ = 0;
  bool done_ = false;
};

// The storage's changes (whole entries, ChangesAfter) as one item per entry.
std::vector<std::vector<HistoryEntry>> SplitEntries(std::vector<HistoryEntry>&& changes) {
  std::vector<std::vector<HistoryEntry>> out;
  for (size_t b = 0; b < changes.size();) {
    const size_t e = EntryEnd(changes, b);
    out.emplace_back(std::make_move_iterator(changes.begin() + static_cast<ptrdiff_t>(b)),
                     std::make_move_iterator(changes.begin() + static_cast<ptrdiff_t>(e)));
    b = e;
  }
  return out;
}

size_t JsonBytes(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace).size(); }

// Whether an item of `bytes` joins `page`: the first always does.
bool Fits(const PullPage& page, size_t bytes, const PageRule& rule) {
  const bool empty = page.changes.empty() && page.conflicts.empty();
  return empty || page.bytes + bytes <= rule.max_bytes;
}

}  // namespace

PageRule PageRuleFor(const sync::SyncRequest& req, size_t max_response_bytes) {
  PageRule rule;
  rule.entries = req.protocol >= 3;
  if (req.page_bytes > 0) {
    const auto lo = static_cast<int64_t>(std::min<size_t>(sync::kMinPageBytes, max_response_bytes));
    rule.max_bytes =
        static_cast<size_t>(std::clamp<int64_t>(req.page_bytes, lo, static_cast<int64_t>(max_response_bytes)));
    rule.max_items = req.limit > 0 ? std::min(req.limit, sync::kMaxPageItems) : sync::kMaxPageItems;
  } else {
    rule.max_bytes = max_response_bytes;
    rule.max_items = std::clamp(req.limit, 1, sync::kMaxPullLimit);
  }
  return rule;
}

Result<PullPage> BuildPullPage(ServerStorage* storage, const PullQuery& q, const PageRule& rule,
                               const ToWire& to_wire) {
  const int max_items = std::max(rule.max_items, 1);
  const int batch = std::min(max_items + 1, kReadBatch);  // + 1: whether more remain
  // An entry is one item: it is taken whole or not at all, so a page never
  // ends inside one (its fields share the version).
  Batches<std::vector<HistoryEntry>> changes(
      q.after, batch, [&](ServerVersion after, int n) -> Result<std::vector<std::vector<HistoryEntry>>> {
        PullQuery b = q;
        b.after = after;
        b.limit = n;
        CCF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> read, storage->ChangesAfter(b));
        return SplitEntries(std::move(read));
      });
  Batches<FieldConflict> conflicts(
      q.after, batch, [&](ServerVersion after, int n) { return storage->ConflictsAfter(after, q.workspaces, n); });
  PullPage page;
  for (size_t taken = 0;;) {  // field changes and conflict updates
    CCF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> * c, changes.Peek());
    CCF_ASSIGN_OR_RETURN(FieldConflict * x, conflicts.Peek());
    if (!c && !x) break;
    page.more = true;  // until the item is taken
    if (taken >= static_cast<size_t>(max_items)) break;
    if (!x || (c && c->front().version < x->version)) {
      std::vector<FieldChange> wire;
      size_t bytes = 0;
      for (HistoryEntry& field : *c) {
        CCF_ASSIGN_OR_RETURN(FieldChange w, to_wire(std::move(field)));
        if (!rule.entries) bytes += JsonBytes(sync::ServerChangeJson(w));
        wire.push_back(std::move(w));
      }
      if (rule.entries) bytes = sync::ServerEntryBytes(wire, 0, wire.size());
      if (!Fits(page, bytes, rule)) break;
      (void)changes.Take();
      page.bytes += bytes;
      taken += wire.size();
      page.last = wire.front().version;
      page.changes.insert(page.changes.end(), std::make_move_iterator(wire.begin()),
                          std::make_move_iterator(wire.end()));
    } else {
      const size_t bytes = JsonBytes(sync::ToJson(*x));
      if (!Fits(page, bytes, rule)) break;
      page.bytes += bytes;
      ++taken;
      page.last = x->version;
      page.conflicts.push_back(conflicts.Take());
    }
    page.more = false;
  }
  return page;
}

}  // namespace ccfield::server
