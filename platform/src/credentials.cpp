// The file backend of credentials.h.
#include "ccfield/platform/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace ccfield {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// mkdir -p with 0700 for what it creates, then 0700 on the last one (an
// existing directory another tool made 0755 is tightened).
bool MakePrivateDirs(const std::string& dir, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  if (chmod(dir.c_str(), 0700) != 0) {
    *error = Errno("cannot make " + dir + " private");
    return false;
  }
  return true;
}

std::string PathFor(const std::string& key) { return CredentialsDir() + "/" + key + ".token"; }

}  // namespace

std::string CredentialKey(const std::string& store_path, const std::string& device_id) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(store_path, ec), ec);
  const std::string text = p.string() + '\n' + device_id;
  // FNV-1a, 64 bits: a name, not a secret (the directory is this user's only).
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string CredentialsDir() {
  if (const char* d = std::getenv("CCFIELD_CREDENTIALS_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/ccfield/credentials";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/ccfield/credentials";
  return "./ccfield-credentials";
}

bool SaveCredential(const std::string& key, const std::string& secret, std::string* error) {
  const std::string dir = CredentialsDir();
  if (!MakePrivateDirs(dir, error)) return false;
  // Written to a private temporary file, synced, then renamed: a crash leaves
  // the old token or the new one, never half of one, and never a moment with
  // the token in a file others may read.
  const std::string path = PathFor(key), tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *error = Errno("cannot write " + tmp);
    return false;
  }
  bool ok = fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < secret.size()) {
    ssize_t n = write(fd, secret.data() + done, secret.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  if (!ok) *error = Errno("cannot write " + tmp);
  close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Errno("cannot save " + path);
    ok = false;
  }
  if (!ok) unlink(tmp.c_str());
  return ok;
}

std::optional<std::string> LoadCredential(const std::string& key) {
  int fd = open(PathFor(key).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[512];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 64 * 1024) break;  // not a token
  }
  close(fd);
  if (out.empty()) return std::nullopt;
  return out;
}

bool DeleteCredential(const std::string& key, std::string* error) {
  const std::string path = PathFor(key);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    *error = Errno("cannot remove " + path);
    return false;
  }
  return true;
}

}  // namespace ccfield
