#include "ccfield/sync/body_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "ccfield/sync/gzip.h"

namespace ccfield::sync {

namespace {

// The largest zstd window a body may ask for: 2^23 = 8 MiB, the window of
// level 19. A frame that asks for more is refused before anything is
// allocated for it (the default limit would let a 20-byte frame take 128 MiB).
constexpr int kMaxWindowLog = 23;
constexpr size_t kChunk = 64 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the parameters of an Accept-Encoding item (after its ';') refuse it: q=0.
bool RefusedByQ(std::string_view params) {
  std::string p = Lower(params);
  p.erase(std::remove_if(p.begin(), p.end(), [](char c) { return c == ' ' || c == '\t'; }), p.end());
  if (!p.starts_with("q=")) return false;
  const std::string_view q = std::string_view(p).substr(2);
  return !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;  // "0", "0.0", "0.000"
}

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

Result<std::string> Zstd(std::string_view in, int level) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> c(ZSTD_createCCtx());
  if (!c) return Status::Internal("cannot start zstd compression (out of memory)");
  // The content size goes into the frame header (ZSTD_compress2 knows it);
  // the checksum (4 bytes) lets the other side tell damaged data apart.
  if (ZSTD_isError(ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 1))) {
    return Status::Internal("zstd refused its settings");
  }
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress2(c.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Status BrokenZstd() {
  return Status::Invalid("the zstd data is broken or incomplete (it may have been cut off on the way); send it again");
}

// Streams `in` through the decoder in 64 KiB pieces, stopping at `max_out`.
Result<DecodedBody> Unzstd(std::string_view in, size_t max_out) {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> d(ZSTD_createDCtx());
  if (!d) return Status::Internal("cannot start zstd decompression (out of memory)");
  if (ZSTD_isError(ZSTD_DCtx_setParameter(d.get(), ZSTD_d_windowLogMax, kMaxWindowLog))) {
    return Status::Internal("zstd refused its settings");
  }
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  DecodedBody out;
  char chunk[kChunk];
  bool frame_done = false;
  for (;;) {
    ZSTD_outBuffer dst{chunk, sizeof chunk, 0};
    const size_t rc = ZSTD_decompressStream(d.get(), &dst, &src);
    if (ZSTD_isError(rc)) return BrokenZstd();
    if (out.bytes.size() + dst.pos > max_out) return DecodedBody{true, {}};
    out.bytes.append(chunk, dst.pos);
    if (rc == 0) {  // the frame is complete and flushed
      frame_done = true;
      break;
    }
    if (src.pos == src.size && dst.pos < dst.size) break;  // input used up, frame not complete
  }
  if (!frame_done || src.pos != src.size) return BrokenZstd();
  return out;
}

}  // namespace

std::string_view EncodingName(BodyEncoding encoding) {
  switch (encoding) {
    case BodyEncoding::kIdentity:
      return "identity";
    case BodyEncoding::kGzip:
      return "gzip";
    case BodyEncoding::kZstd:
      return "zstd";
  }
  return "identity";
}

std::optional<BodyEncoding> ParseContentEncoding(std::string_view value) {
  const std::string v = Lower(Trim(value));
  if (v.empty() || v == "identity") return BodyEncoding::kIdentity;
  if (v == "gzip") return BodyEncoding::kGzip;
  if (v == "zstd") return BodyEncoding::kZstd;
  return std::nullopt;
}

AcceptedEncodings ParseAcceptEncoding(std::string_view value) {
  AcceptedEncodings a;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string name = Lower(Trim(item.substr(0, semi)));
    const bool refused = semi != std::string_view::npos && RefusedByQ(item.substr(semi + 1));
    if (name == "zstd") a.zstd = !refused;
    if (name == "gzip") a.gzip = !refused;
  }
  return a;
}

BodyEncoding ChooseResponseEncoding(std::string_view accept_encoding, bool zstd_enabled) {
  const AcceptedEncodings a = ParseAcceptEncoding(accept_encoding);
  if (a.zstd && zstd_enabled) return BodyEncoding::kZstd;
  if (a.gzip) return BodyEncoding::kGzip;
  return BodyEncoding::kIdentity;
}

int ZstdLevelFor(size_t body_bytes, int level) { return body_bytes <= kSmallBodyBytes ? kMaxZstdLevel : level; }

Result<std::string> EncodeBody(BodyEncoding encoding, std::string_view in, int level) {
  switch (encoding) {
    case BodyEncoding::kIdentity:
      return std::string(in);
    case BodyEncoding::kGzip:
      return Gzip(in, level == 0 ? kGzipLevel : std::clamp(level, 1, 9));
    case BodyEncoding::kZstd:
      return Zstd(in, level == 0 ? kClientZstdLevel : std::clamp(level, 1, kMaxZstdLevel));
  }
  return Status::Internal("unknown body encoding");
}

Result<DecodedBody> DecodeBody(BodyEncoding encoding, std::string_view in, size_t max_out) {
  switch (encoding) {
    case BodyEncoding::kIdentity:
      if (in.size() > max_out) return DecodedBody{true, {}};
      return DecodedBody{false, std::string(in)};
    case BodyEncoding::kGzip: {
      CCF_ASSIGN_OR_RETURN(std::optional<std::string> plain, Gunzip(in, max_out));
      if (!plain) return DecodedBody{true, {}};
      return DecodedBody{false, std::move(*plain)};
    }
    case BodyEncoding::kZstd:
      return Unzstd(in, max_out);
  }
  return Status::Internal("unknown body encoding");
}

}  // namespace ccfield::sync
