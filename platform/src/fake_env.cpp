#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "ccfield/platform/env.h"

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

}  // namespace ccfield
