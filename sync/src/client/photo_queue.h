#pragma once
// PhotoQueue: moves the device's photo blobs after the record cycle
// (docs/sync-protocol.md, "Photos: blobs"). Uploads go in chunks from the
// server's offset (X-Chunk-Sha256, PhotoStore::Progress after every
// confirmed chunk); downloads resume from the partial file with Range and
// append as bytes arrive. Each automatic transfer first asks the budget
// (photo_budget.h). Between chunks it asks whether records want the link
// and stops (yields) when they do.
//
// Owns, in memory across runs: the upload chunk size (ChunkSizer) and which
// server address is known to take blobs. Private to the sync client.
// Thread-safety: one run at a time (SyncClient runs it under its sync mutex).

#include <cstdint>
#include <functional>
#include <string>

#include "ccfield/core/status.h"
#include "ccfield/core/store.h"
#include "ccfield/sync/photo_budget.h"
#include "ccfield/sync/sync_error.h"
#include "ccfield/sync/transport.h"

namespace ccfield::sync {

// A download that keeps answering 404 ("not on the server (yet)": the
// device that took it has not sent it) is retried every run until it has
// waited this long since it was queued, then refused.
inline constexpr int64_t kNotOnServerGiveUpMs = int64_t{14} * 24 * 3600 * 1000;
// A partial download is appended (made durable) at least every this many
// bytes, so a cut loses at most this much.
inline constexpr size_t kDownloadFlushBytes = size_t{64} << 10;

struct PhotoRunOptions {
  LinkMetered link = LinkMetered::kUnknown;
  // Asked between chunks and between transfers: true stops the run so that
  // records go first (PhotoRunReport::yielded). May be empty.
  std::function<bool()> should_yield;
};

// What one run did. Photo bytes are what crossed the wire (headers too).
struct PhotoRunReport {
  int requests = 0;
  int64_t blobs_up = 0, blobs_down = 0;  // transfers completed
  int64_t bytes_up = 0, bytes_down = 0;
  int64_t refused = 0;                // transfers refused for good in this run
  int64_t not_found = 0;              // downloads not on the server yet (retried next run)
  int64_t held = 0;                   // transfers the budget held
  PhotoHold hold = PhotoHold::kNone;  // the first hold's cause
  std::string hold_reason;            // ... in plain words
  bool yielded = false;               // stopped so that records go first
};

class PhotoQueue {
 public:
  explicit PhotoQueue(Env* env) : env_(env) {}

  // One run over `store`'s queue: uploads (wanted, thumbnails, send copies,
  // oldest first), then missing thumbnails are queued and downloads go.
  // Returns ok when the run finished, yielded, or had nothing to do;
  // otherwise why it stopped (network, server trouble, login, store), with
  // *action saying what to do. Confirmed progress is kept either way.
  Status Run(Store* store, Transport* transport, const SyncSettings& settings, const PhotoRunOptions& options,
             PhotoRunReport* report, SyncAction* action);

  int64_t chunk_size() const { return sizer_.size(); }

 private:
  class Runner;  // one run's state (photo_queue.cpp)
  friend class Runner;

  Env* env_;
  ChunkSizer sizer_;
  std::string blob_server_;  // the address whose /v1/status offered blobs
};

}  // namespace ccfield::sync
