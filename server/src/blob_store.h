#pragma once
// BlobStore: where the server keeps photo bytes (docs/sync-protocol.md,
// "Photos: blobs (protocol 2)"): complete blobs named by the SHA-256 of their
// bytes, and partial uploads named by (workspace, hash). Owns only bytes;
// who may see or upload what, offsets and claims live in ServerStorage
// (blob_api.h decides).
//
// The interface names blobs and uploads, never files, so that an
// S3-compatible store (an object per blob, a multipart upload per partial)
// can take FileBlobStore's place.
//
// Contract:
// - `hash` is 64 lowercase hex digits and `ws` a workspace id (the caller
//   checks both with IsBlobHash / IsWorkspaceId: they become names).
// - A blob is visible (BlobSize, ReadBlob) only once CompleteUpload put it
//   in place whole: there is never a visible blob with wrong bytes.
// - AppendUpload is durable when it returns ok: the bytes survive a crash.
//   After a failure the partial may hold some of the bytes: the caller cuts
//   it back with TruncateUpload to the size it trusts.
// - Errors: kDiskFull when the disk is full (ENOSPC/EDQUOT), kIoError for
//   other failures, with plain words for the server's administrator.
//
// Thread-safety: methods may be called from several threads, but not for the
// same (ws, hash) upload at once: the caller serialises each upload.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/status.h"
#include "ccfield/platform/env.h"

namespace ccfield::server {

// Blob names and SHA-256: IsBlobHash, Sha256Hex, Sha256 (ccfield/core/blob_files.h).
using ccfield::IsBlobHash;
using ccfield::Sha256;
using ccfield::Sha256Hex;

// Whether `s` may be a workspace id: 1..64 of [0-9a-zA-Z-] (uuids).
bool IsWorkspaceId(std::string_view s);

// A partial upload the store holds.
struct StoredUpload {
  std::string ws;
  std::string hash;
  uint64_t bytes = 0;  // its length now
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Creates what the store needs (directories); call once before use.
  virtual Status Open() = 0;

  // ---- Complete blobs ----
  // The length of the blob, or nullopt when there is none.
  virtual Result<std::optional<uint64_t>> BlobSize(const std::string& hash) = 0;
  // Up to `max_bytes` of the blob from `offset` (fewer at its end).
  virtual Result<std::string> ReadBlob(const std::string& hash, uint64_t offset, size_t max_bytes) = 0;
  // Every complete blob: count and bytes (for admin blob-stats).
  struct Totals {
    int64_t count = 0;
    int64_t bytes = 0;
  };
  virtual Result<Totals> BlobTotals() = 0;

  // ---- Partial uploads, one per (ws, hash) ----
  // The partial's length; 0 when there is none.
  virtual Result<uint64_t> UploadSize(const std::string& ws, const std::string& hash) = 0;
  // Appends `data` durably (see the contract above).
  virtual Status AppendUpload(const std::string& ws, const std::string& hash, std::string_view data) = 0;
  // Cuts the partial back to `size` bytes (no-op when it is not longer).
  virtual Status TruncateUpload(const std::string& ws, const std::string& hash, uint64_t size) = 0;
  // Hashes the whole partial (read in pieces). When its SHA-256 is `hash`,
  // makes it the blob `hash` (replacing an identical one another workspace
  // put there) and returns true; otherwise removes the partial and returns
  // false. Either way the partial is gone afterwards.
  virtual Result<bool> CompleteUpload(const std::string& ws, const std::string& hash) = 0;
  // Removes the partial; ok when there is none.
  virtual Status RemoveUpload(const std::string& ws, const std::string& hash) = 0;
  // Every partial the store holds (stale-upload cleanup finds orphans with it).
  virtual Result<std::vector<StoredUpload>> ListUploads() = 0;
};

// The default store: blobs as files under `dir`: `dir/ab/cd/<hash>` (the
// first two and next two hex digits shard the directories), partials as
// `dir/partial/<ws>-<hash>`. Every file operation goes through `env`'s file
// API (AppendFile fdatasyncs, RenameFile fsyncs the directory), so FakeEnv can
// inject a full disk. `env` must outlive the store.
class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(Env* env, std::string dir);

  Status Open() override;
  Result<std::optional<uint64_t>> BlobSize(const std::string& hash) override;
  Result<std::string> ReadBlob(const std::string& hash, uint64_t offset, size_t max_bytes) override;
  Result<Totals> BlobTotals() override;
  Result<uint64_t> UploadSize(const std::string& ws, const std::string& hash) override;
  Status AppendUpload(const std::string& ws, const std::string& hash, std::string_view data) override;
  Status TruncateUpload(const std::string& ws, const std::string& hash, uint64_t size) override;
  Result<bool> CompleteUpload(const std::string& ws, const std::string& hash) override;
  Status RemoveUpload(const std::string& ws, const std::string& hash) override;
  Result<std::vector<StoredUpload>> ListUploads() override;

  // Where the files are (tests look at them).
  std::string BlobPath(const std::string& hash) const;
  std::string UploadPath(const std::string& ws, const std::string& hash) const;

 private:
  // The SHA-256 (hex) of the partial, read in pieces.
  Result<std::string> HashUpload(const std::string& path);

  Env* env_;
  std::string dir_;
};

}  // namespace ccfield::server
