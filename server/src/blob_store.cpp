#include "blob_store.h"

#include <cerrno>
#include <cstring>

namespace ccfield::server {

namespace {

// How much of a partial is read at once while hashing it.
constexpr size_t kHashPiece = 1 << 20;

// Env's file API reports failures as sentences ending in strerror(errno):
// the one place that reads the reason back.
bool FailedWith(const std::string& error, int err) {
  const std::string reason = std::strerror(err);
  return error.size() >= reason.size() && error.compare(error.size() - reason.size(), reason.size(), reason) == 0;
}

// The Status of a failed write: kDiskFull when the disk (or the quota of the
// server's account) is full.
Status WriteFailure(const std::string& error) {
  if (FailedWith(error, ENOSPC) || FailedWith(error, EDQUOT)) {
    return Status::DiskFull("the server's disk is full (" + error + "); free some space or move the blob directory");
  }
  return Status::IoError(error);
}

}  // namespace

bool IsWorkspaceId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return false;
  }
  return true;
}

FileBlobStore::FileBlobStore(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

std::string FileBlobStore::BlobPath(const std::string& hash) const {
  return dir_ + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash;
}

std::string FileBlobStore::UploadPath(const std::string& ws, const std::string& hash) const {
  return dir_ + "/partial/" + ws + "-" + hash;
}

Status FileBlobStore::Open() {
  if (!env_->CreateDirs(dir_ + "/partial")) {
    return Status::IoError("cannot create the blob directory " + dir_ + " (check its parent and permissions)");
  }
  return Status::Ok();
}

Result<std::optional<uint64_t>> FileBlobStore::BlobSize(const std::string& hash) {
  std::string error;
  std::optional<uint64_t> size = env_->FileSize(BlobPath(hash), &error);
  if (size) return size;
  if (FailedWith(error, ENOENT)) return std::optional<uint64_t>();
  return Status::IoError(error);
}

Result<std::string> FileBlobStore::ReadBlob(const std::string& hash, uint64_t offset, size_t max_bytes) {
  std::string error;
  std::optional<std::string> bytes = env_->ReadFileRange(BlobPath(hash), offset, max_bytes, &error);
  if (!bytes) return Status::IoError(error);
  return std::move(*bytes);
}

Result<BlobStore::Totals> FileBlobStore::BlobTotals() {
  Totals t;
  std::string error;
  std::optional<std::vector<std::string>> top = env_->ListDir(dir_, &error);
  if (!top) return Status::IoError(error);
  for (const std::string& a : *top) {
    if (a.size() != 2 || a == "partial") continue;
    std::optional<std::vector<std::string>> mid = env_->ListDir(dir_ + "/" + a, &error);
    if (!mid) return Status::IoError(error);
    for (const std::string& b : *mid) {
      const std::string sub = dir_ + "/" + a + "/" + b;
      std::optional<std::vector<std::string>> names = env_->ListDir(sub, &error);
      if (!names) return Status::IoError(error);
      for (const std::string& n : *names) {
        if (!IsBlobHash(n)) continue;  // a leftover .tmp or a stranger's file
        std::optional<uint64_t> size = env_->FileSize(sub + "/" + n, &error);
        if (!size) return Status::IoError(error);
        ++t.count;
        t.bytes += static_cast<int64_t>(*size);
      }
    }
  }
  return t;
}

Result<uint64_t> FileBlobStore::UploadSize(const std::string& ws, const std::string& hash) {
  std::string error;
  std::optional<uint64_t> size = env_->FileSize(UploadPath(ws, hash), &error);
  if (size) return *size;
  if (FailedWith(error, ENOENT)) return uint64_t{0};
  return Status::IoError(error);
}

Status FileBlobStore::AppendUpload(const std::string& ws, const std::string& hash, std::string_view data) {
  std::string error;
  if (!env_->AppendFile(UploadPath(ws, hash), data, &error)) return WriteFailure(error);
  return Status::Ok();
}

Status FileBlobStore::TruncateUpload(const std::string& ws, const std::string& hash, uint64_t size) {
  CCF_ASSIGN_OR_RETURN(uint64_t now, UploadSize(ws, hash));
  if (now <= size) return Status::Ok();
  std::string error;
  if (!env_->TruncateFile(UploadPath(ws, hash), size, &error)) return WriteFailure(error);
  return Status::Ok();
}

Result<std::string> FileBlobStore::HashUpload(const std::string& path) {
  Sha256 sha;
  uint64_t offset = 0;
  for (;;) {
    std::string error;
    std::optional<std::string> piece = env_->ReadFileRange(path, offset, kHashPiece, &error);
    if (!piece) return Status::IoError(error);
    if (piece->empty()) break;
    sha.Update(*piece);
    offset += piece->size();
  }
  return sha.FinishHex();
}

Result<bool> FileBlobStore::CompleteUpload(const std::string& ws, const std::string& hash) {
  const std::string from = UploadPath(ws, hash);
  CCF_ASSIGN_OR_RETURN(std::string actual, HashUpload(from));
  if (actual != hash) {
    CCF_RETURN_IF_ERROR(RemoveUpload(ws, hash));
    return false;
  }
  const std::string to = BlobPath(hash);
  if (!env_->CreateDirs(to.substr(0, to.size() - hash.size() - 1))) {
    return Status::IoError("cannot create a directory for " + to + " (is the disk full?)");
  }
  std::string error;
  if (!env_->RenameFile(from, to, &error)) return WriteFailure(error);
  return true;
}

Status FileBlobStore::RemoveUpload(const std::string& ws, const std::string& hash) {
  std::string error;
  if (!env_->RemoveFile(UploadPath(ws, hash), &error)) return Status::IoError(error);
  return Status::Ok();
}

Result<std::vector<StoredUpload>> FileBlobStore::ListUploads() {
  std::string error;
  std::optional<std::vector<std::string>> names = env_->ListDir(dir_ + "/partial", &error);
  if (!names) return Status::IoError(error);
  std::vector<StoredUpload> out;
  for (const std::string& n : *names) {
    // "<ws>-<hash>": the hash is the last 64 characters.
    if (n.size() < 66 || n[n.size() - 65] != '-') continue;
    StoredUpload u;
    u.ws = n.substr(0, n.size() - 65);
    u.hash = n.substr(n.size() - 64);
    if (!IsWorkspaceId(u.ws) || !IsBlobHash(u.hash)) continue;
    CCF_ASSIGN_OR_RETURN(u.bytes, UploadSize(u.ws, u.hash));
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace ccfield::server
