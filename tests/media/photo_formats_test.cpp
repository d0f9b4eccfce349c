// The kinds of JPEG and PNG a photo can be: grey, CMYK and YCCK, progressive,
// a damaged EXIF block; PNG in every colour type, 16-bit, with alpha
// (composited on white), interlaced, with an eXIf orientation.
#include <doctest/doctest.h>

#include <string>

#include "ccfield/media/photo_codec.h"
#include "media/photo_checks.h"
#include "support/status_checks.h"
#include "test_photos.h"

using ccfield::media::ImageFormat;
using ccfield::media::MakePhotoCopies;
using ccfield::media::PhotoCopies;
using ccfield::media::PhotoMeta;
using ccfield::media::ProbePhoto;
using namespace ccfield::testing;

namespace {

using Colours = std::array<std::array<uint8_t, 3>, 4>;

// The send copy's quadrants are the generator's (or their grey).
void CheckQuadrants(const Colours& got, bool grey = false) {
  auto expect = [grey](std::array<uint8_t, 3> c) {
    if (!grey) return c;
    const uint8_t y = uint8_t((c[0] * 299 + c[1] * 587 + c[2] * 114 + 500) / 1000);
    return std::array<uint8_t, 3>{y, y, y};
  };
  CHECK_MESSAGE(Near(got[0], expect(kTestRed)), Show(got[0]));
  CHECK_MESSAGE(Near(got[1], expect(kTestBlue)), Show(got[1]));
  CHECK_MESSAGE(Near(got[2], expect(kTestGreen)), Show(got[2]));
  CHECK_MESSAGE(Near(got[3], expect(kTestWhite)), Show(got[3]));
}

Colours SendColours(const std::string& photo, int width, int height) {
  PhotoCopies copies = Unwrap(MakePhotoCopies(photo));
  CHECK(copies.send.width == width);
  CHECK(copies.send.height == height);
  CheckBareBaselineJpeg(copies.send.bytes);
  return QuadrantColours(copies.send.bytes);
}

}  // namespace

TEST_CASE("grey, CMYK, YCCK and progressive JPEGs become colour baseline copies") {
  TestJpegOptions o;
  o.width = 2000, o.height = 1000, o.content = TestContent::kQuadrants;
  o.color = TestJpegColor::kGrey;
  CheckQuadrants(SendColours(MakeTestJpeg(o), 1600, 800), true);
  o.color = TestJpegColor::kCmyk;
  const std::string cmyk = MakeTestJpeg(o);
  REQUIRE(cmyk.find("Adobe") != std::string::npos);  // Adobe's inverted CMYK
  CheckQuadrants(SendColours(cmyk, 1600, 800));
  o.color = TestJpegColor::kYcck;
  CheckQuadrants(SendColours(MakeTestJpeg(o), 1600, 800));
  o.color = TestJpegColor::kYCbCr;
  o.progressive = true;
  const std::string progressive = MakeTestJpeg(o);
  REQUIRE(progressive.find("\xFF\xC2") != std::string::npos);  // SOF2
  CheckQuadrants(SendColours(progressive, 1600, 800));
}

TEST_CASE("a damaged EXIF block is ignored and the photo accepted") {
  TestJpegOptions o;
  o.width = 400, o.height = 300, o.content = TestContent::kQuadrants;
  for (std::string app1 :
       {std::string("Exif\0\0", 6) + "MM\0*\xFF\xFF\xFF\xF0garbage",
        std::string("Exif\0\0", 6) + std::string(2000, '\xEE'), std::string("Exif\0\0II*\0\x08\0\0\0\xFF\xFF", 16)}) {
    o.raw_app1 = app1;
    const std::string photo = MakeTestJpeg(o);
    PhotoMeta meta = Unwrap(ProbePhoto(photo));
    CHECK(meta.orientation == 1);
    CHECK_FALSE(meta.taken_local.has_value());
    CHECK_FALSE(meta.lat.has_value());
    CheckQuadrants(SendColours(photo, 400, 300));
  }
  // A real EXIF cut short inside its own segment length: the segment is whole, the IFDs point past it.
  TestExif exif;
  exif.orientation = 6, exif.date_time_original = "2026:10:14 08:05:00", exif.lat = 1, exif.lon = 2;
  o.raw_app1 = MakeTestExif(exif).substr(0, 30);
  CHECK(ProbePhoto(MakeTestJpeg(o)).ok());
}

TEST_CASE("PNGs of every colour type give the same colours, alpha on white") {
  struct Case {
    TestPngKind kind;
    bool grey;
    const char* name;
  };
  for (const Case& c : {Case{TestPngKind::kRgb, false, "rgb"}, Case{TestPngKind::kRgb16, false, "rgb16"},
                        Case{TestPngKind::kPalette, false, "palette"}, Case{TestPngKind::kGrey, true, "grey"},
                        Case{TestPngKind::kRgba, false, "rgba"}, Case{TestPngKind::kGreyAlpha, true, "grey+alpha"}}) {
    for (bool interlaced : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(interlaced);
      TestPngOptions o;
      o.width = 1000, o.height = 500, o.kind = c.kind, o.interlaced = interlaced;
      const std::string png = MakeTestPng(o);
      PhotoMeta meta = Unwrap(ProbePhoto(png));
      CHECK(meta.format == ImageFormat::kPng);
      CHECK(meta.width == 1000);
      // The transparent bottom-right quadrant (black under alpha 0) comes out white.
      CheckQuadrants(SendColours(png, 1000, 500), c.grey);
    }
  }
}

TEST_CASE("a big PNG is shrunk and its eXIf orientation applied") {
  TestPngOptions o;
  o.width = 3200, o.height = 2400;
  o.exif = TestExif{};
  o.exif->orientation = 6;
  o.exif->date_time_original = "2026:01:02 03:04:05";
  PhotoCopies copies = Unwrap(MakePhotoCopies(MakeTestPng(o)));
  CHECK(copies.meta.orientation == 6);
  CHECK(*copies.meta.taken_local == "2026-01-02T03:04:05");
  CHECK(copies.send.width == 1200);
  CHECK(copies.send.height == 1600);
  auto got = QuadrantColours(copies.send.bytes);
  CHECK(Near(got[0], kTestGreen));
  CHECK(Near(got[1], kTestRed));
}

TEST_CASE("an interlaced PNG over 16 megapixels is refused, a plain one is not") {
  const std::string message =
      "this PNG is interlaced and over 16 megapixels, too large to open on a tablet; save it again without "
      "interlacing or as a JPEG";
  const std::string interlaced = WithPngSize(MakeTestPng(PngOfSize(16, 16, true)), 5000, 4000);
  auto probe = ProbePhoto(interlaced);
  REQUIRE_FALSE(probe.ok());
  CHECK(probe.status().message() == message);
  auto copies = MakePhotoCopies(interlaced);
  REQUIRE_FALSE(copies.ok());
  CHECK(copies.status().message() == message);
  // The same header without interlacing passes the probe (its data is then too short to decode).
  const std::string plain = WithPngSize(MakeTestPng(PngOfSize(16, 16)), 5000, 4000);
  CHECK(Unwrap(ProbePhoto(plain)).width == 5000);
  CHECK_FALSE(MakePhotoCopies(plain).ok());
}
