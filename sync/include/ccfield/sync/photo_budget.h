#pragma once
// The photo queue's pure decisions (docs/sync-protocol.md, "Photos: blobs"):
// whether a blob may move now under the person's data rule and monthly cap
// on the current link, and how big the next upload chunk is. No store, no
// network, no clock: the caller passes what it knows, so every case is
// tested without either.

#include <cstdint>
#include <string>

#include "ccfield/core/photo_store.h"
#include "ccfield/platform/network_info.h"

namespace ccfield::sync {

// Whether the current link costs money per byte: the platform tells
// (platform/network_info.h, NetworkManager's Metered property); kUnknown
// counts as metered.
using ccfield::LinkMetered;

// Why an automatic photo transfer waits. Records never wait.
enum class PhotoHold {
  kNone,        // it goes
  kUnmetered,   // rule kUnmetered: send copies wait for an unmetered link
  kThumbnails,  // rule kThumbnails: send copies wait until a person asks
  kNever,       // rule kNever: everything waits until a person asks
  kCap,         // this month's photo bytes reached the cap
  kNoServer,    // the server does not take photos (protocol 1)
};

struct PhotoBudgetDecision {
  bool go = true;
  PhotoHold hold = PhotoHold::kNone;
  std::string reason;  // plain words when held, "" when it goes
};

// Photo bytes of a month (up + down, on the wire) against a cap in MB
// (1 MB = 1,048,576 bytes, as the settings screen counts).
inline constexpr int64_t kBytesPerCapMb = int64_t{1} << 20;

// The decision for `t` (its kind and whether a person asked for it):
// - wanted (a person asked) always goes, whatever the rule, link or cap;
// - thumbnails go under kAlways, kThumbnails and kUnmetered (on any link);
// - send copies go under kAlways, and under kUnmetered only on an unmetered link;
// - kNever moves nothing on its own;
// - once this month's photo bytes (usage.photos_up + photos_down) reach
//   settings.monthly_cap_mb (when > 0), nothing moves on its own.
// The rule's reason comes before the cap's when both hold.
PhotoBudgetDecision DecidePhotoTransfer(const PhotoSettings& settings, const DataUsage& usage, LinkMetered link,
                                        const BlobTransfer& t);

// The reason of a hold in plain words: "photos wait for an unmetered
// network", "this month's photo data cap (500 MB) is reached", ...
// `cap_mb` is used by kCap only. "" for kNone.
std::string PhotoHoldReason(PhotoHold hold, int64_t cap_mb);

// For the status line: "3 photos waiting for an unmetered network",
// "1 photo waiting to be sent", "2 photos waiting: this month's photo data
// cap (500 MB) is reached". `up` and `down` count waiting transfers; "" when
// both are 0.
std::string PhotosWaitingPhrase(int64_t up, int64_t down, PhotoHold hold, const std::string& reason);

// The size of the next upload chunk. Starts at 32 KiB; doubles (up to 1 MiB)
// after a chunk that took under 2 s, halves after one that took over 8 s and
// after a cut (never below 16 KiB). The photo queue keeps one per client, in
// memory, across runs.
class ChunkSizer {
 public:
  static constexpr int64_t kStart = int64_t{32} << 10;
  static constexpr int64_t kMin = int64_t{16} << 10;
  static constexpr int64_t kMax = int64_t{1} << 20;  // the server's largest chunk
  static constexpr int64_t kFastMs = 2000;
  static constexpr int64_t kSlowMs = 8000;

  int64_t size() const { return size_; }
  // A chunk was confirmed after `elapsed_ms` (request to answer).
  void AfterChunk(int64_t elapsed_ms);
  // The link was cut (or the server failed) while a chunk was in flight.
  void AfterCut();

 private:
  int64_t size_ = kStart;
};

}  // namespace ccfield::sync
