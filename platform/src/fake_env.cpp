#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ccfield/platform/env.h"
#include "posix_files.h"

namespace ccfield {

FakeEnv::FakeEnv(std::string data_dir, uint64_t seed)
    : data_dir_(std::move(data_dir)), rng_state_(seed ? seed : 1) {}

void FakeEnv::RandomBytes(void* out, size_t n) {
  // xorshift64*: deterministic per seed, good enough for test ids.
  auto* p = static_cast<unsigned char*>(out);
  for (size_t i = 0; i < n; ++i) {
    rng_state_ ^= rng_state_ >> 12;
    rng_state_ ^= rng_state_ << 25;
    rng_state_ ^= rng_state_ >> 27;
    p[i] = static_cast<unsigned char>((rng_state_ * 2685821657736338717ULL) >> 56);
  }
}

void FakeEnv::Log(LogLevel, std::string_view message) {
  log_.append(message);
  log_.push_back('\n');
}

bool FakeEnv::CreateDirs(const std::string& path) {
  return DefaultEnv()->CreateDirs(path);
}

bool FakeEnv::MakePrivate(const std::string& path) { return DefaultEnv()->MakePrivate(path); }

void FakeEnv::SetFileFaults(FileFaults faults) {
  std::lock_guard<std::mutex> lock(file_mu_);
  faults_ = faults;
  writes_seen_ = 0;
  write_faults_ = 0;
}

int64_t FakeEnv::writes_seen() const {
  std::lock_guard<std::mutex> lock(file_mu_);
  return writes_seen_;
}

int64_t FakeEnv::write_faults() const {
  std::lock_guard<std::mutex> lock(file_mu_);
  return write_faults_;
}

posix::WriteFn FakeEnv::FaultyWrite() {
  return [this](int fd, const void* buf, size_t n) -> ssize_t {
    {
      std::lock_guard<std::mutex> lock(file_mu_);
      ++writes_seen_;
      if (faults_.fail_write > 0 && writes_seen_ == faults_.fail_write) {
        ++write_faults_;
        errno = faults_.fail_errno;
        return -1;
      }
      if (faults_.short_write_bytes > 0) n = std::min(n, faults_.short_write_bytes);
    }
    return ::write(fd, buf, n);
  };
}

bool FakeEnv::WriteFileAtomic(const std::string& path, std::string_view data, std::string* error) {
  return posix::WriteFileAtomic(path, data, FaultyWrite(), error);
}

bool FakeEnv::AppendFile(const std::string& path, std::string_view data, std::string* error) {
  return posix::AppendFile(path, data, FaultyWrite(), error);
}

std::optional<uint64_t> FakeEnv::FileSize(const std::string& path, std::string* error) {
  return posix::FileSize(path, error);
}

std::optional<std::string> FakeEnv::ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                                  std::string* error) {
  return posix::ReadFileRange(path, offset, max_bytes, error);
}

bool FakeEnv::TruncateFile(const std::string& path, uint64_t size, std::string* error) {
  return posix::TruncateFile(path, size, error);
}

bool FakeEnv::RenameFile(const std::string& from, const std::string& to, std::string* error) {
  return posix::RenameFile(from, to, error);
}

std::optional<std::string> FakeEnv::ReadFile(const std::string& path, std::string* error) {
  return posix::ReadFile(path, error);
}

std::optional<std::vector<std::string>> FakeEnv::ListDir(const std::string& dir, std::string* error) {
  return posix::ListDir(dir, error);
}

bool FakeEnv::RemoveFile(const std::string& path, std::string* error) { return posix::RemoveFile(path, error); }

}  // namespace ccfield
