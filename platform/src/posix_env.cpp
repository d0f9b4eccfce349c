// POSIX implementation of Env (Linux; the BSDs and Android share most of it).
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "ccfield/platform/env.h"
#include "posix_files.h"

namespace ccfield {
namespace {

class PosixEnv final : public Env {
 public:
  std::string DataDir() const override {
    if (const char* d = std::getenv("CCFIELD_DATA"); d && *d) return d;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/ccfield";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/ccfield";
    return "./ccfield-data";
  }

  int64_t WallMillis() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  int64_t MonoNanos() const override {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
  }

  void RandomBytes(void* out, size_t n) override {
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
      ssize_t got = getrandom(p, n, 0);
      if (got < 0) {
        if (errno == EINTR) continue;
        std::perror("getrandom");
        std::abort();  // no safe fallback: ids and tokens would collide
      }
      p += got;
      n -= static_cast<size_t>(got);
    }
  }

  std::optional<uint64_t> FreeDiskBytes(const std::string& path) const override {
    struct statvfs s {};
    if (statvfs(path.c_str(), &s) != 0) return std::nullopt;
    return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
  }

  void Log(LogLevel level, std::string_view message) override {
    static const char* const kNames[] = {"debug", "info", "warning", "error"};
    if (level == LogLevel::kDebug && !std::getenv("CCFIELD_DEBUG")) return;
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "ccfield %s: %.*s\n", kNames[static_cast<int>(level)],
                 static_cast<int>(message.size()), message.data());
  }

  bool MakePrivate(const std::string& path) override {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return false;
    return chmod(path.c_str(), S_ISDIR(st.st_mode) ? 0700 : 0600) == 0;
  }

  bool CreateDirs(const std::string& path) override {
    if (path.empty()) return false;
    std::string partial;
    for (size_t i = 0; i <= path.size(); ++i) {
      if (i == path.size() || (path[i] == '/' && i > 0)) {
        partial = path.substr(0, i);
        if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return false;
      }
    }
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  bool WriteFileAtomic(const std::string& path, std::string_view data, std::string* error) override {
    return posix::WriteFileAtomic(path, data, ::write, error);
  }
  std::optional<std::string> ReadFile(const std::string& path, std::string* error) override {
    return posix::ReadFile(path, error);
  }
  std::optional<std::vector<std::string>> ListDir(const std::string& dir, std::string* error) override {
    return posix::ListDir(dir, error);
  }
  bool RemoveFile(const std::string& path, std::string* error) override { return posix::RemoveFile(path, error); }
  bool AppendFile(const std::string& path, std::string_view data, std::string* error) override {
    return posix::AppendFile(path, data, ::write, error);
  }
  std::optional<uint64_t> FileSize(const std::string& path, std::string* error) override {
    return posix::FileSize(path, error);
  }
  std::optional<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                           std::string* error) override {
    return posix::ReadFileRange(path, offset, max_bytes, error);
  }
  bool TruncateFile(const std::string& path, uint64_t size, std::string* error) override {
    return posix::TruncateFile(path, size, error);
  }
  bool RenameFile(const std::string& from, const std::string& to, std::string* error) override {
    return posix::RenameFile(from, to, error);
  }

 private:
  std::mutex mu_;
};

}  // namespace

Env* DefaultEnv() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: used until exit
  return env;
}

}  // namespace ccfield
