#pragma once
// The POSIX file operations behind Env (posix_env.cpp) and FakeEnv
// (fake_env.cpp). Private to platform/. The fake passes a write function
// that injects faults; everything else is the same code.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccfield::posix {

// write(2)'s contract: bytes written (possibly fewer than asked), or -1 with errno set.
using WriteFn = std::function<ssize_t(int fd, const void* buf, size_t n)>;

bool WriteFileAtomic(const std::string& path, std::string_view data, const WriteFn& write_fn, std::string* error);
std::optional<std::string> ReadFile(const std::string& path, std::string* error);
std::optional<std::vector<std::string>> ListDir(const std::string& dir, std::string* error);
bool RemoveFile(const std::string& path, std::string* error);
bool AppendFile(const std::string& path, std::string_view data, const WriteFn& write_fn, std::string* error);
std::optional<uint64_t> FileSize(const std::string& path, std::string* error);
std::optional<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t max_bytes,
                                         std::string* error);
bool TruncateFile(const std::string& path, uint64_t size, std::string* error);
bool RenameFile(const std::string& from, const std::string& to, std::string* error);

}  // namespace ccfield::posix
