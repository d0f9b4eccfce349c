// What the photo codec refuses, and the exact words it refuses with: empty
// and non-photo files, other image formats, cut files, files over the size
// and pixel limits. Probe and MakePhotoCopies refuse alike what can be seen
// before decoding.
#include <doctest/doctest.h>

#include <string>

#include "ccfield/media/photo_codec.h"
#include "support/status_checks.h"
#include "test_photos.h"

using ccfield::Code;
using ccfield::media::MakePhotoCopies;
using ccfield::media::PhotoLimits;
using ccfield::media::ProbePhoto;
using namespace ccfield::testing;

namespace {

const char kCutShort[] =
    "the photo is cut short (the file ends in the middle of the image); copy it again from the camera";
const char kHeic[] =
    "HEIC photos are not supported yet: set the camera to JPEG ('Most compatible') or convert the photo";

// Both entry points refuse `bytes` with exactly `message`.
void CheckRefused(const std::string& bytes, const std::string& message, const PhotoLimits& limits = {}) {
  auto probe = ProbePhoto(bytes, limits);
  REQUIRE_FALSE(probe.ok());
  CHECK(probe.status().code() == Code::kInvalidArgument);
  CHECK(probe.status().message() == message);
  auto copies = MakePhotoCopies(bytes, {}, limits);
  REQUIRE_FALSE(copies.ok());
  CHECK(copies.status().code() == Code::kInvalidArgument);
  CHECK(copies.status().message() == message);
}

std::string Bytes(std::string_view s) { return std::string(s); }

}  // namespace

TEST_CASE("an empty file and a text file are not photos") {
  CheckRefused("", "the photo file is empty (0 bytes); pick the photo again");
  CheckRefused("Site visit notes: the drain at the market is blocked.\n", "this file is not a photo (JPEG or PNG)");
  CheckRefused("\xFF", "this file is not a photo (JPEG or PNG)");
  CheckRefused(Bytes(std::string_view("\xFF\xD8", 2)), "this file is not a photo (JPEG or PNG)");
}

TEST_CASE("other image formats are named by their magic bytes") {
  CheckRefused("GIF89a\x01\x00\x01\x00", "GIF images are not supported: attach a JPEG or PNG photo instead");
  CheckRefused(Bytes(std::string_view("RIFF\x24\x00\x00\x00WEBPVP8 ", 16)),
               "WebP images are not supported: attach a JPEG or PNG photo instead");
  CheckRefused(Bytes(std::string_view("\x00\x00\x00\x18"
                                      "ftypheic\x00\x00\x00\x00mif1heic",
                                      24)),
               kHeic);
  CheckRefused(Bytes(std::string_view("\x00\x00\x00\x1C"
                                      "ftypmif1\x00\x00\x00\x00mif1heic",
                                      24)),
               kHeic);
  CheckRefused(Bytes(std::string_view("\x00\x00\x00\x1C"
                                      "ftypavif\x00\x00\x00\x00mif1miaf",
                                      24)),
               "AVIF photos are not supported yet: set the camera to JPEG ('Most compatible') or convert the photo");
  CheckRefused(Bytes(std::string_view("II*\x00\x08\x00\x00\x00", 8)),
               "TIFF (or camera RAW) images are not supported: attach a JPEG or PNG photo instead");
  CheckRefused(Bytes(std::string_view("BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00", 14)),
               "BMP images are not supported: attach a JPEG or PNG photo instead");
}

TEST_CASE("a JPEG cut at 10, 50 and 99 percent is refused as cut short") {
  TestJpegOptions o;
  o.width = 800, o.height = 600, o.exif = TestExif{};
  o.exif->orientation = 6;
  for (bool progressive : {false, true}) {
    o.progressive = progressive;
    const std::string photo = MakeTestJpeg(o);
    for (int percent : {10, 50, 99}) {
      CAPTURE(progressive);
      CAPTURE(percent);
      auto copies = MakePhotoCopies(photo.substr(0, photo.size() * percent / 100));
      REQUIRE_FALSE(copies.ok());
      CHECK(copies.status().message() == kCutShort);
    }
    // Cut in its header (inside the EXIF segment): even the probe sees it.
    CheckRefused(photo.substr(0, 60), kCutShort);
  }
}

TEST_CASE("a PNG cut short is refused") {
  TestPngOptions o;
  o.width = 300, o.height = 200, o.content = TestContent::kRealistic;
  const std::string png = MakeTestPng(o);
  for (int percent : {10, 50, 99}) {
    CAPTURE(percent);
    auto copies = MakePhotoCopies(png.substr(0, png.size() * percent / 100));
    REQUIRE_FALSE(copies.ok());
    CHECK(copies.status().message() == kCutShort);
  }
  CheckRefused(png.substr(0, 20), kCutShort);                        // inside IHDR
  CHECK_FALSE(MakePhotoCopies(png.substr(0, png.size() - 1)).ok());  // the IEND chunk cut
}

TEST_CASE("a file over 50 MB is refused before anything is read") {
  std::string big(50u * 1024 * 1024 + 1, '\0');
  big.replace(0, 3, "\xFF\xD8\xFF");
  CheckRefused(big, "the photo is larger than 50 MB: set the camera to a smaller photo size, or attach a smaller copy");
  PhotoLimits small;
  small.max_file_bytes = 1536 * 1024;
  CheckRefused(std::string(2u * 1024 * 1024, 'x'),
               "the photo is larger than 1.5 MB: set the camera to a smaller photo size, or attach a smaller copy",
               small);
}

TEST_CASE("an 8000x8000 header is refused as 64 megapixels before decoding") {
  const char kMessage[] =
      "the photo has 64 megapixels; photos over 60 megapixels are refused: set the camera to a smaller photo size";
  std::string jpeg = WithJpegSize(MakeTestJpeg(JpegOfSize(16, 16)), 8000, 8000);
  REQUIRE(jpeg.size() < 4096);
  CheckRefused(jpeg, kMessage);
  CheckRefused(WithPngSize(MakeTestPng(PngOfSize(16, 16)), 8000, 8000), kMessage);
  PhotoLimits four;
  four.max_pixels = 4'000'000;
  CheckRefused(MakeTestJpeg(JpegOfSize(2001, 2000)),
               "the photo has 4.002 megapixels; photos over 4 megapixels are refused: set the camera to a smaller "
               "photo size",
               four);
  // Just at the limit is fine; a header that claims more pixels than the data holds is cut short.
  CHECK(ProbePhoto(WithJpegSize(MakeTestJpeg(JpegOfSize(16, 16)), 7500, 8000)).ok());
  auto lying = MakePhotoCopies(WithJpegSize(MakeTestJpeg(JpegOfSize(16, 16)), 2000, 2000));
  REQUIRE_FALSE(lying.ok());
  CHECK(lying.status().message() == kCutShort);
}

TEST_CASE("a JPEG with garbage after its start, or damaged data, is refused without a crash") {
  // A segment that claims more bytes than the file has: cut short.
  auto claims = ProbePhoto("\xFF\xD8\xFF\xE0 this is not really a JPEG file at all");
  REQUIRE_FALSE(claims.ok());
  CHECK(claims.status().message() == kCutShort);
  // A lossless JPEG (SOF3), which no camera writes: damaged, with libjpeg's words in brackets.
  auto garbage = ProbePhoto(Bytes(std::string_view(
      "\xFF\xD8\xFF\xC3\x00\x11\x08\x00\x10\x00\x10\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00 and more", 30)));
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().message() ==
        "the photo is damaged (Unsupported JPEG process: SOF type 0xc3); copy it again from the camera or take it "
        "again");
  std::string photo = MakeTestJpeg(JpegOfSize(400, 300));
  for (size_t at = photo.size() / 3; at < photo.size() - 2; at += photo.size() / 7) photo[at] = char(0xFF);
  auto damaged = MakePhotoCopies(photo);
  if (!damaged.ok()) CHECK(damaged.status().message().rfind("the photo is", 0) == 0);
}

TEST_CASE("bad size settings are refused") {
  ccfield::media::PhotoSize size;
  size.quality = 0;
  auto r = MakePhotoCopies(MakeTestJpeg(JpegOfSize(16, 16)), size);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "the photo size settings are out of range (edges from 1 pixel, quality 1 to 100)");
}

TEST_CASE("every cut of a small JPEG and PNG is refused as cut short") {
  TestJpegOptions jpeg_options = JpegOfSize(40, 30);
  jpeg_options.exif = TestExif{};
  jpeg_options.exif->orientation = 3;
  jpeg_options.exif->lat = 1, jpeg_options.exif->lon = 2;
  TestJpegOptions progressive_options = JpegOfSize(40, 30);
  progressive_options.progressive = true;
  TestPngOptions interlaced = PngOfSize(40, 30, true);
  interlaced.content = TestContent::kRealistic;
  for (const std::string& photo : {MakeTestJpeg(jpeg_options), MakeTestJpeg(progressive_options),
                                   MakeTestPng(PngOfSize(40, 30)), MakeTestPng(interlaced)}) {
    REQUIRE(MakePhotoCopies(photo).ok());
    for (size_t size = 8; size < photo.size(); ++size) {
      CAPTURE(size);
      auto copies = MakePhotoCopies(photo.substr(0, size));
      REQUIRE_FALSE(copies.ok());
      CHECK(copies.status().message() == kCutShort);
    }
  }
}
