#pragma once
// How much the device asks for at once, paced by the link: the rule shared by
// the record pull's page budget (PageBudget, docs/sync-protocol.md "Pages by
// bytes") and the photo queue's upload chunks (ChunkSizer, photo_budget.h).
// Pure: the caller measures the time and says what happened.
//
// The rule: a transfer that was full-size and took under 2 s doubles the
// size (up to a maximum); one that took over 8 s, or was cut, halves it (down
// to a minimum). Between 2 and 8 s it stays. A short transfer (the last
// piece, a page that held everything left) says nothing about the link: the
// caller reports only its slowness.

#include <cstdint>

namespace ccfield::sync {

inline constexpr int64_t kPaceFastMs = 2000;
inline constexpr int64_t kPaceSlowMs = 8000;

struct PaceLimits {
  int64_t min = 0;
  int64_t max = 0;
};

// The next size after a transfer of `size` that took `elapsed_ms`. `full`:
// the transfer used the whole size (only then may it grow).
int64_t PaceAfterTransfer(int64_t size, int64_t elapsed_ms, bool full, PaceLimits limits);
// The next size after a transfer of `size` was cut (or the server failed).
int64_t PaceAfterCut(int64_t size, PaceLimits limits);

// The byte budget the device asks the server to end each pull page at
// (SyncRequest::page_bytes: uncompressed JSON, which gzip shrinks to about a
// ninth for field records). Starts at 2 MiB (about 230 KB on the wire), between
// 32 KiB and 4 MiB (the server's default cap). A smaller start costs a fresh
// pull more requests: 1,000 visits are ~9.9 MB of JSON (bench/sync_bench),
// which 2 + 4 + 4 MiB carry in 3 requests and 0.5 + 1 + 2 + 4 + 4 MiB in 5.
// SyncClient keeps one, in memory, across syncs.
class PageBudget {
 public:
  static constexpr int64_t kStart = int64_t{2} << 20;
  static constexpr int64_t kMin = int64_t{32} << 10;
  static constexpr int64_t kMax = int64_t{4} << 20;

  int64_t bytes() const { return bytes_; }
  // A page was answered `elapsed_ms` after the request left (request to
  // answer). `full`: the server stopped it at the budget ("more": true).
  void AfterPage(int64_t elapsed_ms, bool full) { bytes_ = PaceAfterTransfer(bytes_, elapsed_ms, full, {kMin, kMax}); }
  // The link was cut (or the server failed) while a page was in flight.
  void AfterCut() { bytes_ = PaceAfterCut(bytes_, {kMin, kMax}); }

 private:
  int64_t bytes_ = kStart;
};

}  // namespace ccfield::sync
