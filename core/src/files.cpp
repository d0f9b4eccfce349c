#include "ccfield/core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ccfield {

namespace {

// Closes a descriptor on every path out.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

std::string Named(std::string_view what, const std::string& path) { return std::string(what) + " " + path; }

}  // namespace

std::string ByteSizeText(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MB";
  if (bytes >= (size_t{1} << 20)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
    return buf;
  }
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KB";
  return std::to_string(bytes) + " bytes";
}

Result<std::string> ReadFileAtMost(const std::string& path, size_t max_bytes, std::string_view what) {
  // O_NONBLOCK: opening a FIFO with no writer must not hang; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(Named(what, path) + " does not exist");
    return Status::NotFound("cannot open " + Named(what, path) + ": " + std::strerror(err));
  }
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IoError("cannot read " + Named(what, path) + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Status::Invalid(Named(what, path) + " is a folder, not a file");
  if (!S_ISREG(st.st_mode)) return Status::Invalid(Named(what, path) + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::Invalid(Named(what, path) + " is " + ByteSizeText(static_cast<size_t>(st.st_size)) +
                           "; at most " + ByteSizeText(max_bytes) + " can be read");
  }
  // Read to the end but never past the limit: the file may grow meanwhile.
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::IoError("cannot read " + Named(what, path) + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      return Status::Invalid(Named(what, path) + " grew past " + ByteSizeText(max_bytes) + " while it was read");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace ccfield
