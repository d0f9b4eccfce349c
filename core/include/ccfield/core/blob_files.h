#pragma once
// BlobFiles: the device's photo bytes, named by content (docs/sync-protocol.md,
// "Photos: blobs"). A blob lives at <root>/<h0h1>/<h2h3>/<hash>, written once
// through Env's atomic write (temp file, fsync, rename, directory fsync), so
// a crash leaves a blob whole or absent. A download in progress lives at
// <root>/partial/<hash>, grows by durable appends, and becomes a blob only
// after its SHA-256 has been checked.
//
// Thread-safety: as Env's file API; two writers of the same hash write the
// same bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield {

class Env;

// SHA-256 of `bytes` as 64 lowercase hex digits (libsodium).
std::string Sha256Hex(std::string_view bytes);

// SHA-256 over bytes given piece by piece.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  std::string FinishHex();  // once

 private:
  alignas(64) unsigned char state_[128];
};

// Whether `s` names a blob: 64 lowercase hex digits.
bool IsBlobHash(std::string_view s);

class BlobFiles {
 public:
  // `root` is the directory of the blobs, e.g. "<data dir>/blobs" (created on
  // first write). `env` must outlive this.
  BlobFiles(Env* env, std::string root);

  const std::string& root() const { return root_; }
  std::string PathOf(const std::string& hash) const;

  // Stores `bytes` (unless a blob with that name is there) and returns its
  // hash. kDiskFull when the disk is full, kIoError otherwise; no half-written
  // blob is ever visible under its name.
  Result<std::string> Put(std::string_view bytes);
  bool Has(const std::string& hash) const;
  Result<uint64_t> Size(const std::string& hash) const;
  Result<std::string> Read(const std::string& hash) const;
  Result<std::string> ReadRange(const std::string& hash, uint64_t offset, size_t max_bytes) const;
  Status Remove(const std::string& hash);

  // ---- Downloads in progress ----
  // Bytes of `hash` received so far (0 when none).
  uint64_t PartialSize(const std::string& hash) const;
  // Appends the next bytes; on failure the partial file is cut back to the
  // size it had, so it never holds bytes that were not flushed whole.
  Status AppendPartial(const std::string& hash, std::string_view bytes);
  // Checks the partial file's SHA-256 against `hash`: a match becomes the
  // blob (true); a mismatch is thrown away (false: download it again).
  Result<bool> FinishPartial(const std::string& hash);
  Status DropPartial(const std::string& hash);

 private:
  std::string PartialPath(const std::string& hash) const;
  Status Failed(const std::string& what, const std::string& error) const;

  Env* env_;
  std::string root_;
};

}  // namespace ccfield
