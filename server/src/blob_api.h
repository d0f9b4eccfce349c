#pragma once
// BlobApi: the photo blob endpoints of protocol 2 (docs/sync-protocol.md,
// "Photos: blobs"), called by ApiHandler for every path under /v1/blobs/
// before its JSON body checks:
//   GET /v1/blobs/{hash}/upload?ws=&size=          where an upload stands
//   PUT /v1/blobs/{hash}/upload?ws=&size=&offset=  one chunk (octet-stream)
//   GET /v1/blobs/{hash}?ws=                       the bytes (Range, ETag)
//
// What it owns: parsing and checking the query (400), the bearer token (the
// same check as /v1/sync), membership and role (observers cannot upload; any
// member of a claiming workspace can read; everything else one 404), the
// chunk's X-Chunk-Sha256 (422), offsets (409), limits and the per-workspace
// quota (413), a full disk (503), completing an upload (hash the whole,
// claim), ranges (206/416), and removing stale partial uploads.
//
// Thread-safety: Handle() may run on many threads. The storage is used only
// under `storage_mutex` (short table reads and writes); file I/O and hashing
// run outside it, under a per-upload lock (one of a fixed set of mutexes
// chosen by (ws, hash)), so a slow 50 MiB upload never stalls other syncs.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api_error.h"
#include "auth.h"
#include "blob_store.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"

namespace ccfield::server {

struct ApiRequest;
struct ApiResponse;

inline constexpr int64_t kMaxBlobChunk = int64_t{1} << 20;  // 1 MiB
inline constexpr int64_t kMaxBlobSize = int64_t{50} << 20;  // 50 MiB

struct BlobApiOptions {
  // Where FileBlobStore keeps the bytes. "": no blob endpoints (404) and
  // /v1/status says protocol 1 (in-process tests that need no blobs).
  std::string dir;
  // Per workspace: claimed bytes plus bytes of uploads in progress. 0: none.
  int64_t quota_bytes = int64_t{2048} << 20;
  // Partial uploads untouched for longer are removed (rows and files): at
  // start, then at most every `sweep_every_ms` on the back of a request.
  int64_t partial_max_age_ms = int64_t{72} * 3600 * 1000;
  int64_t sweep_every_ms = int64_t{3600} * 1000;
};

class BlobApi {
 public:
  // Everything must outlive the BlobApi. `storage_mutex` guards `storage`.
  BlobApi(ServerStorage* storage, std::mutex* storage_mutex, Auth* auth, Env* env, BlobStore* store,
          BlobApiOptions options);

  // Whether `path` is one of ours (/v1/blobs/...).
  static bool Handles(std::string_view path);

  // Creates the store's directories and removes stale uploads.
  Status Start();

  // The answer to a request whose path Handles(). Never throws on bad input
  // (an exception from below is the caller's 500).
  ApiResponse Handle(const ApiRequest& req);

  // Removes uploads untouched since before now - partial_max_age_ms (row
  // and file), and partial files no upload row names. Returns how many
  // uploads were removed.
  Result<int> RemoveStaleUploads();
  // RemoveStaleUploads when the last sweep is sweep_every_ms old (logs a failure).
  void MaybeSweep();

  // The "blobs" object of GET /v1/status.
  static nlohmann::json StatusJson();

 private:
  struct Target;  // a parsed request: hash, ws, size, offset
  struct UploadState;

  ApiResponse GetUpload(const Target& t);
  ApiResponse PutChunk(const ApiRequest& req, const Target& t);
  ApiResponse GetBlob(const ApiRequest& req, const Target& t);
  // Loads the claim and upload row for t, and lines the partial file up with
  // the row's durable offset. REQUIRES: the upload's lock held.
  ApiResult<UploadState> LoadUpload(const Target& t);
  // Appends the chunk at `state`, completes the blob when it is the last one.
  ApiResponse WriteChunk(const ApiRequest& req, const Target& t, UploadState* state);
  ApiResponse Complete(const Target& t);
  // Runs `body` on the storage in one transaction, under the storage mutex.
  template <typename F>
  Status Locked(F&& body);
  std::mutex& UploadMutex(const std::string& ws, const std::string& hash);
  void Log(LogLevel level, const std::string& msg);

  ServerStorage* storage_;
  std::mutex* storage_mu_;
  Auth* auth_;
  Env* env_;
  BlobStore* store_;
  BlobApiOptions options_;
  std::array<std::mutex, 64> upload_mu_;
  std::atomic<int64_t> last_sweep_ms_{0};
  std::mutex sweep_mu_;  // one sweep at a time
  std::mutex log_mu_;
};

}  // namespace ccfield::server
