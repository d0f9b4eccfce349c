// The photo codec on good photos: the sizes of the copies, their quality, the
// EXIF orientation applied to the pixels, the EXIF read back (time, offset,
// GPS), no metadata in the output, and DecodeJpegToRgba.
#include "ccfield/media/photo_codec.h"

#include <doctest/doctest.h>

#include "media/photo_checks.h"
#include "support/status_checks.h"
#include "test_photos.h"

using ccfield::media::DecodeJpegToRgba;
using ccfield::media::ImageFormat;
using ccfield::media::MakePhotoCopies;
using ccfield::media::PhotoCopies;
using ccfield::media::PhotoMeta;
using ccfield::media::PhotoSize;
using ccfield::media::ProbePhoto;
using ccfield::media::RgbaImage;
using namespace ccfield::testing;

namespace {

TestExif FullExif() {
  TestExif exif;
  exif.orientation = 1;
  exif.date_time_original = "2026:10:14 08:05:00";
  exif.offset_time_original = "+03:00";
  exif.lat = -1.2921;  // Nairobi: south
  exif.lon = 36.8219;
  exif.altitude_m = 1795.5;
  exif.make = "ccfield";
  exif.model = "test camera";
  return exif;
}

}  // namespace

TEST_CASE("a 4000x3000 phone photo becomes a 1600x1200 send copy and a 256x192 thumbnail") {
  TestJpegOptions o;
  o.width = 4000, o.height = 3000, o.quality = 92, o.exif = FullExif();
  const std::string photo = MakeTestJpeg(o);
  CHECK(photo.size() > 2'500'000);  // like a phone's 12 MP JPEG
  CHECK(photo.size() < 5'000'000);
  PhotoCopies copies = Unwrap(MakePhotoCopies(photo));
  CHECK(copies.meta.format == ImageFormat::kJpeg);
  CHECK(copies.meta.width == 4000);
  CHECK(copies.meta.height == 3000);
  CHECK(copies.send.width == 1600);
  CHECK(copies.send.height == 1200);
  CHECK(copies.thumb.width == 256);
  CHECK(copies.thumb.height == 192);
  CHECK(copies.send.bytes.size() < photo.size() / 5);
  CHECK(copies.thumb.bytes.size() < 40'000);
  CHECK(copies.thumb.bytes.size() < copies.send.bytes.size() / 5);
  CheckBareBaselineJpeg(copies.send.bytes);
  CheckBareBaselineJpeg(copies.thumb.bytes);
  RgbaImage send = Unwrap(DecodeJpegToRgba(copies.send.bytes, 5000));
  CHECK(send.width == 1600);
  CHECK(send.height == 1200);
  // The area average of the realistic content, against the generator's own pixels around the same spot.
  auto expected = TestContentPixel(TestContent::kRealistic, 1, 4000, 3000, 2000, 1500);
  CHECK_MESSAGE(Near(PixelAt(send, 800, 600), expected, 60), Show(PixelAt(send, 800, 600)), " vs ", Show(expected));
}

TEST_CASE("a photo smaller than the send size is not enlarged") {
  TestJpegOptions o;
  o.width = 1000, o.height = 800;
  PhotoCopies copies = Unwrap(MakePhotoCopies(MakeTestJpeg(o)));
  CHECK(copies.send.width == 1000);
  CHECK(copies.send.height == 800);
  CHECK(copies.thumb.width == 256);
  CHECK(copies.thumb.height == 205);  // 800 * 256 / 1000 = 204.8
  PhotoSize tiny;
  tiny.long_edge = 100, tiny.thumb_edge = 256;  // a thumbnail is never larger than the send copy
  PhotoCopies small = Unwrap(MakePhotoCopies(MakeTestJpeg(o), tiny));
  CHECK(small.send.width == 100);
  CHECK(small.send.height == 80);
  CHECK(small.thumb.width == 100);
  CHECK(small.thumb.height == 80);
}

TEST_CASE("a portrait photo keeps its shape and a 1x1 photo still works") {
  TestJpegOptions o;
  o.width = 1500, o.height = 2000;
  PhotoCopies copies = Unwrap(MakePhotoCopies(MakeTestJpeg(o)));
  CHECK(copies.send.width == 1200);
  CHECK(copies.send.height == 1600);
  CHECK(copies.thumb.width == 192);
  CHECK(copies.thumb.height == 256);
  o.width = 1, o.height = 1;
  PhotoCopies dot = Unwrap(MakePhotoCopies(MakeTestJpeg(o)));
  CHECK(dot.send.width == 1);
  CHECK(dot.thumb.height == 1);
  o.width = 3000, o.height = 2;  // a panorama strip: the short edge stays at least 1
  PhotoCopies strip = Unwrap(MakePhotoCopies(MakeTestJpeg(o)));
  CHECK(strip.send.width == 1600);
  CHECK(strip.send.height == 1);
}

TEST_CASE("the send quality decides the size and the colours survive") {
  TestJpegOptions o;
  o.width = 2000, o.height = 1500;
  const std::string photo = MakeTestJpeg(o);
  PhotoSize low, high;
  low.quality = 40;
  high.quality = 95;
  PhotoCopies a = Unwrap(MakePhotoCopies(photo, low));
  PhotoCopies b = Unwrap(MakePhotoCopies(photo, high));
  CHECK(a.send.bytes.size() * 2 < b.send.bytes.size());
  CHECK(a.thumb.bytes == b.thumb.bytes);  // same thumbnail quality, same pixels
  o.content = TestContent::kQuadrants;
  auto colours = QuadrantColours(Unwrap(MakePhotoCopies(MakeTestJpeg(o))).send.bytes);
  CHECK(Near(colours[0], kTestRed));
  CHECK(Near(colours[1], kTestBlue));
  CHECK(Near(colours[2], kTestGreen));
  CHECK(Near(colours[3], kTestWhite));
}

TEST_CASE("each of the 8 EXIF orientations turns the pixels and the size") {
  using C = std::array<uint8_t, 3>;
  struct Case {
    int orientation;
    C tl, tr, bl, br;  // where the stored quadrants are shown
  };
  const Case cases[] = {
      {1, kTestRed, kTestBlue, kTestGreen, kTestWhite}, {2, kTestBlue, kTestRed, kTestWhite, kTestGreen},
      {3, kTestWhite, kTestGreen, kTestBlue, kTestRed}, {4, kTestGreen, kTestWhite, kTestRed, kTestBlue},
      {5, kTestRed, kTestGreen, kTestBlue, kTestWhite}, {6, kTestGreen, kTestRed, kTestWhite, kTestBlue},
      {7, kTestWhite, kTestBlue, kTestGreen, kTestRed}, {8, kTestBlue, kTestWhite, kTestRed, kTestGreen},
  };
  for (const Case& c : cases) {
    CAPTURE(c.orientation);
    TestJpegOptions o;
    o.width = 800, o.height = 600, o.content = TestContent::kQuadrants;
    o.exif = TestExif{};
    o.exif->orientation = c.orientation;
    const std::string photo = MakeTestJpeg(o);
    PhotoSize size;
    size.long_edge = 400;
    PhotoCopies copies = Unwrap(MakePhotoCopies(photo, size));
    const bool turned = c.orientation >= 5;
    CHECK(copies.meta.orientation == c.orientation);
    CHECK(copies.meta.width == (turned ? 600 : 800));
    CHECK(copies.meta.height == (turned ? 800 : 600));
    CHECK(copies.send.width == (turned ? 300 : 400));
    CHECK(copies.send.height == (turned ? 400 : 300));
    CHECK(copies.thumb.width == (turned ? 192 : 256));
    PhotoMeta probed = Unwrap(ProbePhoto(photo));
    CHECK(probed.width == copies.meta.width);
    CHECK(probed.orientation == c.orientation);
    for (const std::string* out : {&copies.send.bytes, &copies.thumb.bytes}) {
      auto got = QuadrantColours(*out);
      CHECK_MESSAGE(Near(got[0], c.tl), Show(got[0]));
      CHECK_MESSAGE(Near(got[1], c.tr), Show(got[1]));
      CHECK_MESSAGE(Near(got[2], c.bl), Show(got[2]));
      CHECK_MESSAGE(Near(got[3], c.br), Show(got[3]));
    }
  }
}

TEST_CASE("the EXIF time, offset and GPS are read back, south and west negative") {
  TestJpegOptions o;
  o.exif = FullExif();
  o.exif->lon = -43.1729;  // and west
  PhotoMeta meta = Unwrap(ProbePhoto(MakeTestJpeg(o)));
  REQUIRE(meta.taken_local.has_value());
  CHECK(*meta.taken_local == "2026-10-14T08:05:00");
  REQUIRE(meta.taken_offset.has_value());
  CHECK(*meta.taken_offset == "+03:00");
  REQUIRE(meta.lat.has_value());
  REQUIRE(meta.lon.has_value());
  CHECK(*meta.lat == doctest::Approx(-1.2921).epsilon(1e-6));
  CHECK(*meta.lon == doctest::Approx(-43.1729).epsilon(1e-6));
  REQUIRE(meta.altitude_m.has_value());
  CHECK(*meta.altitude_m == doctest::Approx(1795.5));
  o.exif->lat = 59.9139, o.exif->lon = 10.7522, o.exif->altitude_m = -12.25, o.exif->offset_time_original = "-05:30";
  PhotoMeta north = Unwrap(MakePhotoCopies(MakeTestJpeg(o))).meta;
  CHECK(*north.lat == doctest::Approx(59.9139).epsilon(1e-6));
  CHECK(*north.lon == doctest::Approx(10.7522).epsilon(1e-6));
  CHECK(*north.altitude_m == doctest::Approx(-12.25));
  CHECK(*north.taken_offset == "-05:30");
}

TEST_CASE("GPS 0/0, out-of-range values and a blank date are left out") {
  TestJpegOptions o;
  o.exif = TestExif{};
  o.exif->lat = 0.0, o.exif->lon = 0.0, o.exif->altitude_m = 10;
  o.exif->date_time_original = "    :  :     :  :  ";
  o.exif->offset_time_original = "+03:00";
  PhotoMeta meta = Unwrap(ProbePhoto(MakeTestJpeg(o)));
  CHECK_FALSE(meta.lat.has_value());
  CHECK_FALSE(meta.lon.has_value());
  CHECK_FALSE(meta.altitude_m.has_value());
  CHECK_FALSE(meta.taken_local.has_value());
  CHECK_FALSE(meta.taken_offset.has_value());  // an offset without a time says nothing
  o.exif->lat = 91.0, o.exif->lon = 10.0;
  CHECK_FALSE(Unwrap(ProbePhoto(MakeTestJpeg(o))).lat.has_value());
  o.exif->lat = 10.0, o.exif->lon = 10.0, o.exif->orientation = 9;
  o.exif->date_time_original = "2026:13:01 10:00:00";
  PhotoMeta odd = Unwrap(ProbePhoto(MakeTestJpeg(o)));
  CHECK(odd.orientation == 1);
  CHECK(odd.lat.has_value());
  CHECK_FALSE(odd.taken_local.has_value());
  o.exif.reset();
  PhotoMeta none = Unwrap(ProbePhoto(MakeTestJpeg(o)));
  CHECK(none.orientation == 1);
  CHECK_FALSE(none.lat.has_value());
  CHECK_FALSE(none.taken_local.has_value());
}

TEST_CASE("the copies carry no EXIF even when the photo has a huge one") {
  TestJpegOptions o;
  o.exif = FullExif();
  o.exif->maker_note_bytes = 40'000;
  o.exif->user_comment_bytes = 20'000;
  const std::string photo = MakeTestJpeg(o);
  REQUIRE(photo.find("Exif") != std::string::npos);
  PhotoCopies copies = Unwrap(MakePhotoCopies(photo));
  CHECK(*copies.meta.taken_local == "2026-10-14T08:05:00");
  CHECK(copies.meta.lat.has_value());
  CheckBareBaselineJpeg(copies.send.bytes);
  CheckBareBaselineJpeg(copies.thumb.bytes);
}

TEST_CASE("DecodeJpegToRgba shrinks to the long edge and never enlarges") {
  TestJpegOptions o;
  o.width = 640, o.height = 480, o.content = TestContent::kQuadrants;
  const std::string jpeg = MakeTestJpeg(o);
  RgbaImage small = Unwrap(DecodeJpegToRgba(jpeg, 256));
  CHECK(small.width == 256);
  CHECK(small.height == 192);
  REQUIRE(small.pixels.size() == size_t(256) * 192 * 4);
  CHECK(Near(PixelAt(small, 10, 10), kTestRed));
  CHECK(Near(PixelAt(small, 250, 180), kTestWhite));
  bool opaque = true;
  for (size_t i = 3; i < small.pixels.size(); i += 4) opaque = opaque && small.pixels[i] == 255;
  CHECK(opaque);
  RgbaImage full = Unwrap(DecodeJpegToRgba(jpeg, 4000));
  CHECK(full.width == 640);
  CHECK(full.height == 480);
  RgbaImage tall = Unwrap(DecodeJpegToRgba(MakeTestJpeg(JpegOfSize(300, 900)), 90));
  CHECK(tall.width == 30);
  CHECK(tall.height == 90);
  CHECK_FALSE(DecodeJpegToRgba(jpeg, 0).ok());
}
