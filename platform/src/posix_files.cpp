#include "posix_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ccfield::posix {
namespace {

// The one place that turns errno into words for these operations.
bool Fail(std::string* error, const std::string& what, const std::string& path, int err) {
  if (error) *error = what + " " + path + ": " + std::strerror(err);
  return false;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes all of `data`, going on after short writes (which write(2) may do).
bool WriteAll(int fd, std::string_view data, const WriteFn& write_fn, int* err) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write_fn(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = n < 0 ? errno : EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Writes `data` to `fd`, flushes it with `flush` (fsync or fdatasync) and
// closes `fd` (always). Returns "" or what failed ("cannot write", "cannot
// flush to disk") with errno in *err.
std::string WriteFlushClose(int fd, std::string_view data, const WriteFn& write_fn, int (*flush)(int), int* err) {
  std::string what;
  if (!WriteAll(fd, data, write_fn, err)) {
    what = "cannot write";
  } else if (flush(fd) != 0) {
    *err = errno;
    what = "cannot flush to disk";
  }
  if (::close(fd) != 0 && what.empty()) {
    *err = errno;
    what = "cannot write";
  }
  return what;
}

// A directory's entry (a rename) is durable only once the directory is synced.
bool SyncDir(const std::string& dir, int* err) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  bool ok = ::fsync(fd) == 0;
  if (!ok) *err = errno;
  ::close(fd);
  return ok;
}

}  // namespace

bool WriteFileAtomic(const std::string& path, std::string_view data, const WriteFn& write_fn, std::string* error) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(error, "cannot create", tmp, errno);
  int err = 0;
  std::string what = WriteFlushClose(fd, data, write_fn, ::fsync, &err);
  if (what.empty() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    what = "cannot replace " + path + " with";
  }
  if (!what.empty()) {
    ::unlink(tmp.c_str());
    return Fail(error, what, tmp, err);
  }
  // The new content is in place; a failed directory sync only weakens the
  // guarantee across power loss, but the caller asked for durability.
  if (!SyncDir(DirOf(path), &err)) return Fail(error, "cannot flush the directory of", path, err);
  return true;
}

std::optional<std::string> ReadFile(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Fail(error, "cannot open", path, errno);
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      Fail(error, "cannot read", path, err);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<std::vector<std::string>> ListDir(const std::string& dir, std::string* error) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    Fail(error, "cannot list", dir, errno);
    return std::nullopt;
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) {
    Fail(error, "cannot list", dir, err);
    return std::nullopt;
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool RemoveFile(const std::string& path, std::string* error) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return true;
  return Fail(error, "cannot remove", path, errno);
}

bool AppendFile(const std::string& path, std::string_view data, const WriteFn& write_fn, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(error, "cannot open", path, errno);
  int err = 0;
  const std::string what = WriteFlushClose(fd, data, write_fn, ::fdatasync, &err);
  if (!what.empty()) return Fail(error, what, path, err);
  return true;
}

std::optional<uint64_t> FileSize(const std::string& path, std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    Fail(error, "cannot read the size of", path, errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    Fail(error, "not a regular file:", path, EINVAL);
    return std::nullopt;
  }
  return static_cast<uint64_t>(st.st_size);
}

std::optional<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                         std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Fail(error, "cannot open", path, errno);
    return std::nullopt;
  }
  std::string out;
  while (out.size() < max_bytes) {
    char buf[65536];
    size_t want = std::min(sizeof buf, max_bytes - out.size());
    ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(offset + out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      Fail(error, "cannot read", path, err);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool TruncateFile(const std::string& path, uint64_t size, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Fail(error, "cannot open", path, errno);
  int err = 0;
  std::string what;
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    err = errno;
    what = "cannot truncate";
  } else if (::fsync(fd) != 0) {
    err = errno;
    what = "cannot flush to disk";
  }
  ::close(fd);
  if (!what.empty()) return Fail(error, what, path, err);
  return true;
}

bool RenameFile(const std::string& from, const std::string& to, std::string* error) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Fail(error, "cannot rename " + from + " to", to, errno);
  int err = 0;
  if (!SyncDir(DirOf(to), &err)) return Fail(error, "cannot flush the directory of", to, err);
  return true;
}

}  // namespace ccfield::posix
