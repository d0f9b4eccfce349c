// The body codec (sync/body_codec.h): round trips in every encoding and
// level, the decompression cap enforced while decompressing (zstd bombs
// with and without a content size in the frame header, a frame asking for a
// huge window), broken data refused as invalid, and the Content-Encoding /
// Accept-Encoding rules. Pure: no storage, no network. libzstd is used
// directly only to make frames the product never writes.
#include "ccfield/sync/body_codec.h"

#include <doctest/doctest.h>
#include <zstd.h>

#include <string>

#include "support/status_checks.h"

namespace ccfield::sync {
namespace {

using testing::Unwrap;

// A zstd frame of `in` written as a streaming sender writes it: the content
// size is not in the header, and the window is 2^window_log.
std::string StreamedZstd(const std::string& in, int window_log = 0) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  REQUIRE(c != nullptr);
  REQUIRE_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0)));
  if (window_log > 0) REQUIRE_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log)));
  std::string out(ZSTD_compressBound(in.size()) + 1024, '\0');
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  // Input first without ending the frame, so the size is never pledged.
  while (src.pos < src.size) REQUIRE_FALSE(ZSTD_isError(ZSTD_compressStream2(c, &dst, &src, ZSTD_e_continue)));
  ZSTD_inBuffer none{nullptr, 0, 0};
  size_t left = 1;
  while (left != 0) {
    left = ZSTD_compressStream2(c, &dst, &none, ZSTD_e_end);
    REQUIRE_FALSE(ZSTD_isError(left));
  }
  ZSTD_freeCCtx(c);
  out.resize(dst.pos);
  return out;
}

std::string SampleJson() {
  std::string s = "{\"changes\":[";
  for (int i = 0; i < 300; ++i) {
    s += "{\"field\":\"notes\",\"value\":\"drain " + std::to_string(i * 7919 % 1000) + " blocked near the market\"},";
  }
  s += "{}]}";
  return s;
}

TEST_CASE("body codec: identity, gzip and zstd round trip at every level, empty bodies too") {
  const std::string text = SampleJson();
  for (BodyEncoding e : {BodyEncoding::kIdentity, BodyEncoding::kGzip, BodyEncoding::kZstd}) {
    for (int level : {0, 1, 3, 6, 9, 19}) {
      CAPTURE(EncodingName(e));
      CAPTURE(level);
      const std::string packed = Unwrap(EncodeBody(e, text, level));
      if (e != BodyEncoding::kIdentity) CHECK(packed.size() < text.size() / 4);
      DecodedBody back = Unwrap(DecodeBody(e, packed, text.size()));
      CHECK_FALSE(back.too_large);
      CHECK(back.bytes == text);
      DecodedBody empty = Unwrap(DecodeBody(e, Unwrap(EncodeBody(e, "", level)), 10));
      CHECK_FALSE(empty.too_large);
      CHECK(empty.bytes.empty());
    }
  }
  // A frame without a content size in its header decodes the same.
  DecodedBody streamed = Unwrap(DecodeBody(BodyEncoding::kZstd, StreamedZstd(text), text.size()));
  CHECK(streamed.bytes == text);
}

TEST_CASE("body codec: small bodies go at the highest zstd level, larger ones at the side's own") {
  CHECK(ZstdLevelFor(0, kClientZstdLevel) == kMaxZstdLevel);
  CHECK(ZstdLevelFor(kSmallBodyBytes, kClientZstdLevel) == kMaxZstdLevel);
  CHECK(ZstdLevelFor(kSmallBodyBytes + 1, kClientZstdLevel) == kClientZstdLevel);
  CHECK(ZstdLevelFor(kSmallBodyBytes + 1, kServerZstdLevel) == kServerZstdLevel);
}

TEST_CASE("body codec: the cap holds exactly, in every encoding") {
  const std::string text = SampleJson();
  for (BodyEncoding e : {BodyEncoding::kIdentity, BodyEncoding::kGzip, BodyEncoding::kZstd}) {
    CAPTURE(EncodingName(e));
    const std::string packed = Unwrap(EncodeBody(e, text));
    CHECK(Unwrap(DecodeBody(e, packed, text.size())).bytes == text);
    DecodedBody over = Unwrap(DecodeBody(e, packed, text.size() - 1));
    CHECK(over.too_large);
    CHECK(over.bytes.empty());
  }
}

TEST_CASE("body codec: zstd bombs stop at the cap, with or without a content size in the header") {
  const std::string zeros(64u * 1024 * 1024, '\0');  // 64 MiB of zeros
  const size_t cap = 1024 * 1024;
  SUBCASE("content size in the header (never trusted, the output is counted)") {
    const std::string bomb = Unwrap(EncodeBody(BodyEncoding::kZstd, zeros, 19));
    REQUIRE(bomb.size() < 64 * 1024);
    REQUIRE(ZSTD_getFrameContentSize(bomb.data(), bomb.size()) == zeros.size());
    DecodedBody r = Unwrap(DecodeBody(BodyEncoding::kZstd, bomb, cap));
    CHECK(r.too_large);
    CHECK(r.bytes.empty());
  }
  SUBCASE("no content size in the header") {
    const std::string bomb = StreamedZstd(zeros);
    REQUIRE(bomb.size() < 64 * 1024);
    REQUIRE(ZSTD_getFrameContentSize(bomb.data(), bomb.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
    DecodedBody r = Unwrap(DecodeBody(BodyEncoding::kZstd, bomb, cap));
    CHECK(r.too_large);
    CHECK(r.bytes.empty());
  }
  SUBCASE("a frame that asks for a 64 MiB window is refused before it allocates one") {
    const std::string wide = StreamedZstd(SampleJson(), 26);
    Result<DecodedBody> r = DecodeBody(BodyEncoding::kZstd, wide, cap);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("body codec: broken, cut or padded zstd and gzip data is invalid, in words") {
  const std::string text = SampleJson();
  const std::string zst = Unwrap(EncodeBody(BodyEncoding::kZstd, text));
  std::string flipped = zst;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x5a);
  for (const std::string& bad : {std::string("not zstd at all"), std::string(), zst.substr(0, zst.size() / 2),
                                 zst.substr(0, zst.size() - 1), zst + "trailing", zst + zst, flipped}) {
    CAPTURE(bad.size());
    Result<DecodedBody> r = DecodeBody(BodyEncoding::kZstd, bad, 1u << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find("zstd data is broken or incomplete") != std::string::npos);
  }
  const std::string gz = Unwrap(EncodeBody(BodyEncoding::kGzip, text));
  for (const std::string& bad : {std::string("\x1f\x8b\x08\x00garbage", 12), gz.substr(0, gz.size() / 2), zst}) {
    Result<DecodedBody> r = DecodeBody(BodyEncoding::kGzip, bad, 1u << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("body codec: Content-Encoding names, Accept-Encoding and the server's choice") {
  CHECK(ParseContentEncoding("") == BodyEncoding::kIdentity);
  CHECK(ParseContentEncoding(" Identity ") == BodyEncoding::kIdentity);
  CHECK(ParseContentEncoding("GZip") == BodyEncoding::kGzip);
  CHECK(ParseContentEncoding("zstd") == BodyEncoding::kZstd);
  CHECK(ParseContentEncoding(" ZSTD\t") == BodyEncoding::kZstd);
  for (const char* other : {"br", "deflate", "compress", "x-gzip", "zstd, gzip", "gzip;q=1"}) {
    CAPTURE(other);
    CHECK_FALSE(ParseContentEncoding(other).has_value());
  }
  for (BodyEncoding e : {BodyEncoding::kIdentity, BodyEncoding::kGzip, BodyEncoding::kZstd}) {
    CHECK(ParseContentEncoding(EncodingName(e)) == e);
  }

  AcceptedEncodings a = ParseAcceptEncoding("zstd, gzip");
  CHECK(a.zstd);
  CHECK(a.gzip);
  a = ParseAcceptEncoding("br;q=1.0, GZIP ;q=0.5");
  CHECK_FALSE(a.zstd);
  CHECK(a.gzip);
  a = ParseAcceptEncoding("zstd;q=0, gzip; q=0.000");
  CHECK_FALSE(a.zstd);
  CHECK_FALSE(a.gzip);
  a = ParseAcceptEncoding("*");
  CHECK_FALSE(a.zstd);
  CHECK_FALSE(a.gzip);

  CHECK(ChooseResponseEncoding("zstd, gzip", true) == BodyEncoding::kZstd);
  CHECK(ChooseResponseEncoding("gzip, zstd;q=0.1", true) == BodyEncoding::kZstd);  // the server's preference
  CHECK(ChooseResponseEncoding("zstd, gzip", false) == BodyEncoding::kGzip);
  CHECK(ChooseResponseEncoding("zstd", false) == BodyEncoding::kIdentity);
  CHECK(ChooseResponseEncoding("gzip", true) == BodyEncoding::kGzip);
  CHECK(ChooseResponseEncoding("deflate, gzip;q=0", true) == BodyEncoding::kIdentity);
  CHECK(ChooseResponseEncoding("", true) == BodyEncoding::kIdentity);
}

}  // namespace
}  // namespace ccfield::sync
