#pragma once
// The body encodings of the sync protocol (docs/sync-protocol.md,
// "Encodings"): identity, gzip (sync/gzip.h, zlib) and zstd (libzstd), for
// request and response bodies alike. One place for each rule, used by the
// client's transport and the server's handler:
// - naming: the Content-Encoding token of each encoding, and parsing one;
// - negotiation: which encodings an Accept-Encoding value accepts, and the
//   server's choice for an answer (zstd, else gzip, else identity);
// - encoding at a level, and decoding within a size cap that is enforced
//   while decompressing (a small "zip bomb" never takes memory; a zstd
//   frame's declared content size is never trusted);
// - the levels the client and the server use (chosen with
//   bench/compression_bench.cpp; see bench/README.md).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield::sync {

enum class BodyEncoding { kIdentity, kGzip, kZstd };

// The Content-Encoding token: "identity", "gzip", "zstd".
std::string_view EncodingName(BodyEncoding encoding);

// The encoding a Content-Encoding value names (any case, spaces around
// ignored); "" is identity. std::nullopt for anything else (answer 415).
std::optional<BodyEncoding> ParseContentEncoding(std::string_view value);

// The encodings an Accept-Encoding value accepts: each listed by name
// without "q=0". Identity is always accepted; "*" is not taken to mean zstd
// or gzip.
struct AcceptedEncodings {
  bool zstd = false;
  bool gzip = false;
};
AcceptedEncodings ParseAcceptEncoding(std::string_view value);

// The server's encoding for an answer to a request with this Accept-Encoding:
// zstd when accepted and `zstd_enabled`, else gzip when accepted, else
// identity.
BodyEncoding ChooseResponseEncoding(std::string_view accept_encoding, bool zstd_enabled);

// The levels used on the wire (bench/README.md, ccfield_compression_bench:
// real sync JSON, thread CPU per MB of JSON, 1000 visits):
// - the device compresses requests at zstd 6: 25 % smaller than gzip 6 on
//   a first push for half its CPU (7.5 vs 14 ms/MB here; ~50 ms/MB on a
//   1 GHz ARM core by the bench's estimate, so ~0.4 s for 1000 visits);
// - the server compresses answers at zstd 9: 25 % under gzip 6 on a pull,
//   within 1.15x of zstd 19, for 11-14 ms/MB of server CPU (zstd 19 costs
//   0.7-0.9 s/MB);
// - a body of at most kSmallBodyBytes (a small cycle) goes at zstd 19 on
//   either side: low levels lose to gzip on bodies this small (+4 % at
//   zstd 3 on a 10-edit push), level 19 wins (-6 %) for at most ~40 ms on
//   the ARM core;
// - gzip (old peers) stays at zlib's default, 6.
inline constexpr int kClientZstdLevel = 6;
inline constexpr int kServerZstdLevel = 9;
inline constexpr int kGzipLevel = 6;
inline constexpr size_t kSmallBodyBytes = 16 * 1024;
// Levels above this need more than the decoder's window (8 MiB).
inline constexpr int kMaxZstdLevel = 19;

// The zstd level for a body of `body_bytes`: kMaxZstdLevel when it is at
// most kSmallBodyBytes, else `level` (the side's own level above).
int ZstdLevelFor(size_t body_bytes, int level);

// `in` encoded with `encoding` at `level` (0: the encoding's default, the
// client's level for zstd; gzip 1..9, zstd 1..kMaxZstdLevel, clamped).
// Identity returns `in`. kInternal only when the library fails (memory).
Result<std::string> EncodeBody(BodyEncoding encoding, std::string_view in, int level = 0);

// What DecodeBody found.
struct DecodedBody {
  // Decoding stopped because the data would exceed the cap: a bomb or an
  // oversized body (answer 413). `bytes` is empty then.
  bool too_large = false;
  std::string bytes;
};

// The data inside `in` (one complete gzip stream or zstd frame, nothing
// after it), at most `max_out` bytes: decompression stops as soon as the
// output would pass it. kInvalidArgument, in words for the person, when `in`
// is broken, truncated, followed by other bytes, or needs a zstd window over
// 8 MiB. Identity: `in` itself, too_large when longer than `max_out`.
Result<DecodedBody> DecodeBody(BodyEncoding encoding, std::string_view in, size_t max_out);

}  // namespace ccfield::sync
