#include "ccfield/core/blob_files.h"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ccfield/platform/env.h"

namespace ccfield {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256::state_ is too small");

namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

crypto_hash_sha256_state* State(unsigned char* raw) { return reinterpret_cast<crypto_hash_sha256_state*>(raw); }

// Env reports errors as sentences that end with strerror's text.
bool IsDiskFull(const std::string& error) {
  return error.find(std::strerror(ENOSPC)) != std::string::npos ||
         error.find(std::strerror(EDQUOT)) != std::string::npos ||
         error.find(std::strerror(EFBIG)) != std::string::npos;
}

constexpr size_t kHashChunk = 1 << 20;

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.FinishHex();
}

Sha256::Sha256() { crypto_hash_sha256_init(State(state_)); }

void Sha256::Update(std::string_view bytes) {
  crypto_hash_sha256_update(State(state_), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(State(state_), out);
  return Hex(out, sizeof out);
}

bool IsBlobHash(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

BlobFiles::BlobFiles(Env* env, std::string root) : env_(env), root_(std::move(root)) {}

std::string BlobFiles::PathOf(const std::string& hash) const {
  return root_ + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash;
}

std::string BlobFiles::PartialPath(const std::string& hash) const { return root_ + "/partial/" + hash; }

Status BlobFiles::Failed(const std::string& what, const std::string& error) const {
  if (IsDiskFull(error)) {
    return Status::DiskFull(Msg("the device's storage is full ({error})", {{"error", error}})).WithContext(what);
  }
  return Status::IoError(what + ": " + error);
}

Result<std::string> BlobFiles::Put(std::string_view bytes) {
  std::string hash = Sha256Hex(bytes);
  if (Has(hash)) return hash;
  const std::string path = PathOf(hash);
  const std::string dir = path.substr(0, path.find_last_of('/'));
  if (!env_->CreateDirs(dir)) return Status::IoError("cannot create the photo folder " + dir);
  std::string error;
  if (!env_->WriteFileAtomic(path, bytes, &error)) return Failed("saving the photo", error);
  return hash;
}

bool BlobFiles::Has(const std::string& hash) const {
  if (!IsBlobHash(hash)) return false;
  return env_->FileSize(PathOf(hash), nullptr).has_value();
}

Result<uint64_t> BlobFiles::Size(const std::string& hash) const {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  std::string error;
  std::optional<uint64_t> size = env_->FileSize(PathOf(hash), &error);
  if (!size) return Status::NotFound("the photo " + hash.substr(0, 12) + " is not on this device");
  return *size;
}

Result<std::string> BlobFiles::Read(const std::string& hash) const {
  CCF_ASSIGN_OR_RETURN(uint64_t size, Size(hash));
  return ReadRange(hash, 0, static_cast<size_t>(size));
}

Result<std::string> BlobFiles::ReadRange(const std::string& hash, uint64_t offset, size_t max_bytes) const {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  std::string error;
  std::optional<std::string> bytes = env_->ReadFileRange(PathOf(hash), offset, max_bytes, &error);
  if (!bytes) return Status::NotFound("the photo " + hash.substr(0, 12) + " is not on this device (" + error + ")");
  return std::move(*bytes);
}

Status BlobFiles::Remove(const std::string& hash) {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  std::string error;
  if (!env_->RemoveFile(PathOf(hash), &error)) return Failed("removing a photo", error);
  return Status::Ok();
}

uint64_t BlobFiles::PartialSize(const std::string& hash) const {
  if (!IsBlobHash(hash)) return 0;
  return env_->FileSize(PartialPath(hash), nullptr).value_or(0);
}

Status BlobFiles::AppendPartial(const std::string& hash, std::string_view bytes) {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  const std::string path = PartialPath(hash);
  if (!env_->CreateDirs(root_ + "/partial")) return Status::IoError("cannot create the folder " + root_ + "/partial");
  const uint64_t before = PartialSize(hash);
  std::string error;
  if (env_->AppendFile(path, bytes, &error)) return Status::Ok();
  Status failed = Failed("saving a downloaded photo", error);
  std::string ignored;
  env_->TruncateFile(path, before, &ignored);  // the torn tail goes; the size before is durable
  return failed;
}

Result<bool> BlobFiles::FinishPartial(const std::string& hash) {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  const std::string path = PartialPath(hash);
  const uint64_t size = PartialSize(hash);
  Sha256 h;
  for (uint64_t off = 0; off < size; off += kHashChunk) {
    std::string error;
    std::optional<std::string> piece = env_->ReadFileRange(path, off, kHashChunk, &error);
    if (!piece) return Status::IoError("checking a downloaded photo: " + error);
    h.Update(*piece);
  }
  if (h.FinishHex() != hash) {
    CCF_RETURN_IF_ERROR(DropPartial(hash));
    return false;
  }
  const std::string dest = PathOf(hash);
  const std::string dir = dest.substr(0, dest.find_last_of('/'));
  if (!env_->CreateDirs(dir)) return Status::IoError("cannot create the photo folder " + dir);
  std::string error;
  if (!env_->RenameFile(path, dest, &error)) return Failed("saving a downloaded photo", error);
  return true;
}

Status BlobFiles::DropPartial(const std::string& hash) {
  if (!IsBlobHash(hash)) return Status::Invalid("not a photo name: " + hash);
  std::string error;
  if (!env_->RemoveFile(PartialPath(hash), &error)) return Failed("removing a partial download", error);
  return Status::Ok();
}

}  // namespace ccfield
