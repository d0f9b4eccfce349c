#pragma once
// Gzip (RFC 1952) as the sync protocol uses it on the wire: the client
// compresses request bodies, the server decompresses them and compresses its
// answers. One implementation for both sides (zlib). The gzip part of the
// body codec (body_codec.h), which also has zstd and chooses between them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield::sync {

// Gzip of `in` at `level` (1..9; -1: zlib's default, 6). kInternal only when
// zlib fails (memory).
Result<std::string> Gzip(std::string_view in, int level = -1);

// The data inside the gzip stream `in`; std::nullopt when it is larger than
// `max_bytes` (decompression stops there, so a small "gzip bomb" cannot take
// memory). kInvalidArgument when `in` is not one complete gzip stream.
Result<std::optional<std::string>> Gunzip(std::string_view in, size_t max_bytes);

}  // namespace ccfield::sync
