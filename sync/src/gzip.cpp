#include "ccfield/sync/gzip.h"

#include <zlib.h>

namespace ccfield::sync {

Result<std::string> Gzip(std::string_view in, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("cannot start gzip compression");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("gzip compression failed");
  out.resize(produced);
  return out;
}

Result<std::optional<std::string>> Gunzip(std::string_view in, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("cannot start gzip decompression");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {  // Z_BUF_ERROR: the input ended before the stream did
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&zs);
      return std::optional<std::string>();
    }
    out.append(chunk, produced);
  }
  const bool complete = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!complete) return Status::Invalid("the gzip data is broken or incomplete");
  return std::optional<std::string>(std::move(out));
}

}  // namespace ccfield::sync
