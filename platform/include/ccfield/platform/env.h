#pragma once
// Env: everything the core needs from the operating system, behind one small
// interface so that tests can inject a fake (settable clocks, seeded
// randomness, chosen free space) and ports (Windows, Android) add one file.
//
// Thread-safety: implementations must be safe to call from several threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccfield {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Env {
 public:
  virtual ~Env() = default;

  // Directory where the app keeps its data (the SQLite store, drafts).
  // POSIX: $CCFIELD_DATA, else $XDG_DATA_HOME/ccfield, else ~/.local/share/ccfield.
  virtual std::string DataDir() const = 0;

  // Wall-clock time in milliseconds since the Unix epoch, UTC. May jump and
  // may be wrong (device clocks are not trusted for ordering).
  virtual int64_t WallMillis() const = 0;

  // Monotonic time in nanoseconds from an arbitrary origin; never goes back.
  virtual int64_t MonoNanos() const = 0;

  // Fills `out[0..n)` with cryptographically strong random bytes.
  virtual void RandomBytes(void* out, size_t n) = 0;

  // Free bytes available to this process on the file system holding `path`,
  // or nullopt when it cannot be determined.
  virtual std::optional<uint64_t> FreeDiskBytes(const std::string& path) const = 0;

  virtual void Log(LogLevel level, std::string_view message) = 0;

  // Creates `path` and its parents if missing. Returns false on failure.
  virtual bool CreateDirs(const std::string& path) = 0;

  // Makes the file or directory at `path` readable and writable by this user
  // only (0600 for files, 0700 for directories). Returns false on failure.
  virtual bool MakePrivate(const std::string& path) = 0;

  // ---- Files (settings now; photo blobs later) ----
  // Each returns false/nullopt on failure with a plain sentence in `*error`
  // (what failed, on which path, and the system's reason); `error` may be null.

  // Replaces `path` with `data` so that a crash or power loss leaves either
  // the old content or the new one, never a mix: writes `path`.tmp (mode
  // 0600), fsyncs it, renames it over `path`, fsyncs the directory. On
  // failure `path` is untouched and the temp file is removed.
  virtual bool WriteFileAtomic(const std::string& path, std::string_view data, std::string* error) = 0;
  // The whole file; nullopt when it is missing or unreadable.
  virtual std::optional<std::string> ReadFile(const std::string& path, std::string* error) = 0;
  // The names in directory `dir` (no "." or ".."), sorted.
  virtual std::optional<std::vector<std::string>> ListDir(const std::string& dir, std::string* error) = 0;
  // Removes the file; true also when it did not exist.
  virtual bool RemoveFile(const std::string& path, std::string* error) = 0;

  // ---- Files written piece by piece (photo blobs, partial transfers) ----
  // Appends `data` to `path` (created with mode 0600 when missing) and
  // flushes it to disk (fdatasync) before returning: once this returns true
  // the bytes survive a crash. On failure the file may hold part of `data`:
  // callers that need all-or-nothing record the size they trust and
  // TruncateFile back to it.
  virtual bool AppendFile(const std::string& path, std::string_view data, std::string* error) = 0;
  // Size in bytes of the regular file at `path`; nullopt when it is missing
  // or not a regular file (with the reason in `*error`).
  virtual std::optional<uint64_t> FileSize(const std::string& path, std::string* error) = 0;
  // Up to `max_bytes` bytes from `offset` (fewer at the end of the file,
  // none past it); nullopt when the file cannot be opened or read.
  virtual std::optional<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                                   std::string* error) = 0;
  // Cuts the file to `size` bytes and flushes it.
  virtual bool TruncateFile(const std::string& path, uint64_t size, std::string* error) = 0;
  // Renames `from` to `to` (replacing `to`; same file system) and flushes the
  // directory of `to`, so that the new name survives power loss.
  virtual bool RenameFile(const std::string& from, const std::string& to, std::string* error) = 0;
};

// The environment of the running process (POSIX). Never null; owned by the
// library; lives for the whole process.
Env* DefaultEnv();

// Formats WallMillis() as ISO 8601 UTC with milliseconds: 2026-11-26T16:24:41.123Z.
std::string FormatUtcMillis(int64_t wall_millis);
// The same instant in the machine's local time with its UTC offset, as field
// records keep it: 2026-11-26T19:24:41+03:00.
std::string FormatLocalWithOffset(int64_t wall_millis);

// A fake for tests: clocks are set by the test, randomness is seeded, logs are
// collected, data dir and free space are chosen by the test.
class FakeEnv final : public Env {
 public:
  explicit FakeEnv(std::string data_dir, uint64_t seed = 42);

  std::string DataDir() const override { return data_dir_; }
  int64_t WallMillis() const override { return wall_millis_; }
  int64_t MonoNanos() const override { return mono_nanos_; }
  void RandomBytes(void* out, size_t n) override;
  std::optional<uint64_t> FreeDiskBytes(const std::string&) const override { return free_bytes_; }
  void Log(LogLevel level, std::string_view message) override;
  bool CreateDirs(const std::string& path) override;
  bool MakePrivate(const std::string& path) override;
  // Real files (tests use a temp dir), through the POSIX code, with the
  // faults set by SetFileFaults injected into its write(2) calls.
  bool WriteFileAtomic(const std::string& path, std::string_view data, std::string* error) override;
  std::optional<std::string> ReadFile(const std::string& path, std::string* error) override;
  std::optional<std::vector<std::string>> ListDir(const std::string& dir, std::string* error) override;
  bool RemoveFile(const std::string& path, std::string* error) override;
  bool AppendFile(const std::string& path, std::string_view data, std::string* error) override;
  std::optional<uint64_t> FileSize(const std::string& path, std::string* error) override;
  std::optional<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                           std::string* error) override;
  bool TruncateFile(const std::string& path, uint64_t size, std::string* error) override;
  bool RenameFile(const std::string& from, const std::string& to, std::string* error) override;

  // Faults for the file writes (WriteFileAtomic, AppendFile) from now on
  // (counters restart).
  struct FileFaults {
    int64_t fail_write = 0;        // the Nth write(2) call (1-based) fails with fail_errno; 0: none
    int fail_errno = 5;            // EIO; ENOSPC (28) plays a full disk
    size_t short_write_bytes = 0;  // each write(2) call writes at most this many bytes; 0: all
  };
  void SetFileFaults(FileFaults faults);
  // write(2) calls made and failures injected since the last SetFileFaults.
  int64_t writes_seen() const;
  int64_t write_faults() const;

  void SetWallMillis(int64_t ms) { wall_millis_ = ms; }
  // Moves both clocks forward.
  void Advance(int64_t ms) {
    wall_millis_ += ms;
    mono_nanos_ += ms * 1'000'000;
  }
  void SetFreeDiskBytes(std::optional<uint64_t> bytes) { free_bytes_ = bytes; }
  const std::string& log_text() const { return log_; }

 private:
  std::string data_dir_;
  int64_t wall_millis_ = 1'790'000'000'000;  // 2026-09-21
  int64_t mono_nanos_ = 1'000'000'000;
  uint64_t rng_state_;
  std::optional<uint64_t> free_bytes_ = uint64_t{1} << 34;
  std::string log_;
  mutable std::mutex file_mu_;  // guards the three below
  FileFaults faults_;
  // write(2) with the faults above injected.
  std::function<long(int, const void*, size_t)> FaultyWrite();
  int64_t writes_seen_ = 0;
  int64_t write_faults_ = 0;
};

}  // namespace ccfield
