#include "test_photos.h"

// clang-format off
#include <cstdio>  // before jpeglib.h, which uses FILE
#include <jpeglib.h>
// clang-format on
#include <libexif/exif-data.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ccfield::testing {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "test_photos: %s\n", what);
  std::abort();
}

// ---- Content ----------------------------------------------------------------------

uint32_t Hash(uint32_t x, uint32_t y, uint32_t seed) {
  uint64_t h = (uint64_t{x} << 32 | y) ^ (uint64_t{seed} * 0x9E3779B97F4A7C15ull);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h);
}

// A landscape-like picture: per-channel smooth waves (separable, so kept per
// column and per row), a few soft discs, wood-like grain and pixel noise.
class Realistic {
 public:
  Realistic(uint32_t seed, int width, int height) : seed_(seed), w_(width), h_(height) {
    cols_.resize(size_t(width) * 3);
    rows_.resize(size_t(height) * 3);
    for (int c = 0; c < 3; ++c) {
      double fx = 1.0 + (Hash(c, 1, seed) % 300) / 100.0, fy = 0.7 + (Hash(c, 2, seed) % 200) / 100.0;
      double px = (Hash(c, 3, seed) % 628) / 100.0, py = (Hash(c, 4, seed) % 628) / 100.0;
      for (int x = 0; x < width; ++x) cols_[size_t(x) * 3 + c] = std::sin(fx * 6.283 * x / width + px);
      for (int y = 0; y < height; ++y) rows_[size_t(y) * 3 + c] = std::cos(fy * 6.283 * y / height + py);
    }
    for (Disc& d : discs_) {
      int i = static_cast<int>(&d - discs_);
      d.x = double(Hash(i, 10, seed) % 1000) / 1000 * width;
      d.y = double(Hash(i, 11, seed) % 1000) / 1000 * height;
      d.r = (0.05 + double(Hash(i, 12, seed) % 150) / 1000) * std::min(width, height);
      for (int c = 0; c < 3; ++c) d.shift[c] = int(Hash(i, 13 + c, seed) % 120) - 60;
    }
  }

  void Pixel(int x, int y, uint8_t* out) const {
    int shift[3] = {0, 0, 0};
    for (const Disc& d : discs_) {
      double dx = x - d.x, dy = y - d.y;
      if (dx * dx + dy * dy < d.r * d.r) {
        for (int c = 0; c < 3; ++c) shift[c] += d.shift[c];
      }
    }
    double grain = 14 * std::sin(x * 0.23 + 5 * std::sin(y * 0.011 + x * 0.002));
    uint32_t noise = Hash(uint32_t(x), uint32_t(y), seed_);
    for (int c = 0; c < 3; ++c) {
      double v = 118 + 70 * cols_[size_t(x) * 3 + c] * rows_[size_t(y) * 3 + c] + shift[c] + grain +
                 int((noise >> (c * 8)) & 0x0F) * 3 / 2 - 11;
      out[c] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
    }
  }

 private:
  struct Disc {
    double x = 0, y = 0, r = 0;
    int shift[3] = {0, 0, 0};
  };
  uint32_t seed_;
  int w_, h_;
  std::vector<double> cols_, rows_;
  Disc discs_[6];
};

std::array<uint8_t, 3> Quadrant(int width, int height, int x, int y) {
  bool right = x >= width / 2, bottom = y >= height / 2;
  if (!bottom) return right ? kTestBlue : kTestRed;
  return right ? kTestWhite : kTestGreen;
}

// Fills `rgb` (width * 3) with row y of the content.
class ContentRows {
 public:
  ContentRows(TestContent content, uint32_t seed, int width, int height)
      : content_(content),
        w_(width),
        h_(height),
        realistic_(seed, content == TestContent::kRealistic ? width : 1,
                   content == TestContent::kRealistic ? height : 1) {}
  void Row(int y, uint8_t* rgb) const {
    for (int x = 0; x < w_; ++x) {
      if (content_ == TestContent::kRealistic) {
        realistic_.Pixel(x, y, rgb + size_t(x) * 3);
      } else {
        std::array<uint8_t, 3> p = Quadrant(w_, h_, x, y);
        std::memcpy(rgb + size_t(x) * 3, p.data(), 3);
      }
    }
  }

 private:
  TestContent content_;
  int w_, h_;
  Realistic realistic_;
};

uint8_t Luma(const uint8_t* rgb) { return uint8_t((rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114 + 500) / 1000); }

// ---- EXIF -------------------------------------------------------------------------

ExifEntry* AddEntry(ExifData* data, ExifIfd ifd, ExifTag tag, ExifFormat format, unsigned long components) {
  ExifMem* mem = exif_mem_new_default();
  ExifEntry* e = exif_entry_new_mem(mem);
  const unsigned int size = exif_format_get_size(format) * components;
  e->data = static_cast<unsigned char*>(exif_mem_alloc(mem, size));
  if (e->data == nullptr) Fail("out of memory");
  std::memset(e->data, 0, size);
  e->size = size;
  e->tag = tag;
  e->format = format;
  e->components = components;
  exif_content_add_entry(data->ifd[ifd], e);
  exif_entry_unref(e);  // the IFD holds it
  exif_mem_unref(mem);
  return e;
}

void AddAscii(ExifData* data, ExifIfd ifd, ExifTag tag, const std::string& text) {
  ExifEntry* e = AddEntry(data, ifd, tag, EXIF_FORMAT_ASCII, text.size() + 1);
  std::memcpy(e->data, text.c_str(), text.size() + 1);
}

void AddUndefined(ExifData* data, ExifIfd ifd, ExifTag tag, size_t bytes, char fill) {
  ExifEntry* e = AddEntry(data, ifd, tag, EXIF_FORMAT_UNDEFINED, bytes);
  std::memset(e->data, fill, bytes);
}

void AddGpsCoordinate(ExifData* data, int value_tag, int ref_tag, double degrees, char positive, char negative) {
  const ExifByteOrder order = exif_data_get_byte_order(data);
  AddAscii(data, EXIF_IFD_GPS, ExifTag(ref_tag), std::string(1, degrees < 0 ? negative : positive));
  ExifEntry* e = AddEntry(data, EXIF_IFD_GPS, ExifTag(value_tag), EXIF_FORMAT_RATIONAL, 3);
  // Rounded once, in ten-thousandths of a second, then split: 6.8° is 6°48'0",
  // never 6°47'60" (which a reader rightly refuses).
  const uint64_t total_e4 = uint64_t(std::llround(std::fabs(degrees) * 3600 * 10000));
  const uint32_t deg = uint32_t(total_e4 / (3600 * 10000));
  const uint32_t min = uint32_t(total_e4 / (60 * 10000) % 60);
  const uint32_t sec_e4 = uint32_t(total_e4 % (60 * 10000));
  exif_set_rational(e->data, order, ExifRational{deg, 1});
  exif_set_rational(e->data + 8, order, ExifRational{min, 1});
  exif_set_rational(e->data + 16, order, ExifRational{sec_e4, 10000});
}

void AddGps(ExifData* data, const TestExif& exif) {
  const ExifByteOrder order = exif_data_get_byte_order(data);
  if (exif.lat) AddGpsCoordinate(data, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, *exif.lat, 'N', 'S');
  if (exif.lon) AddGpsCoordinate(data, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, *exif.lon, 'E', 'W');
  if (exif.altitude_m) {
    ExifEntry* ref = AddEntry(data, EXIF_IFD_GPS, ExifTag(EXIF_TAG_GPS_ALTITUDE_REF), EXIF_FORMAT_BYTE, 1);
    ref->data[0] = *exif.altitude_m < 0 ? 1 : 0;
    ExifEntry* e = AddEntry(data, EXIF_IFD_GPS, ExifTag(EXIF_TAG_GPS_ALTITUDE), EXIF_FORMAT_RATIONAL, 1);
    exif_set_rational(e->data, order, ExifRational{uint32_t(std::llround(std::fabs(*exif.altitude_m) * 100)), 100});
  }
}

}  // namespace

std::string MakeTestExif(const TestExif& exif) {
  ExifData* data = exif_data_new();
  if (data == nullptr) Fail("out of memory");
  exif_data_unset_option(data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_set_data_type(data, EXIF_DATA_TYPE_COMPRESSED);
  exif_data_set_byte_order(data, EXIF_BYTE_ORDER_INTEL);
  if (exif.orientation) {
    ExifEntry* e = AddEntry(data, EXIF_IFD_0, EXIF_TAG_ORIENTATION, EXIF_FORMAT_SHORT, 1);
    exif_set_short(e->data, EXIF_BYTE_ORDER_INTEL, ExifShort(*exif.orientation));
  }
  if (!exif.make.empty()) AddAscii(data, EXIF_IFD_0, EXIF_TAG_MAKE, exif.make);
  if (!exif.model.empty()) AddAscii(data, EXIF_IFD_0, EXIF_TAG_MODEL, exif.model);
  if (exif.date_time_original) {
    AddAscii(data, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, *exif.date_time_original);
  }
  if (exif.offset_time_original) {
    AddAscii(data, EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL, *exif.offset_time_original);
  }
  if (exif.maker_note_bytes > 0) AddUndefined(data, EXIF_IFD_EXIF, EXIF_TAG_MAKER_NOTE, exif.maker_note_bytes, 'M');
  if (exif.user_comment_bytes > 0) {
    AddUndefined(data, EXIF_IFD_EXIF, EXIF_TAG_USER_COMMENT, exif.user_comment_bytes, ' ');
  }
  AddGps(data, exif);
  unsigned char* bytes = nullptr;
  unsigned int size = 0;
  exif_data_save_data(data, &bytes, &size);
  exif_data_unref(data);
  if (bytes == nullptr || size < 6) Fail("libexif wrote no EXIF");
  std::string out(reinterpret_cast<const char*>(bytes), size);
  std::free(bytes);
  return out;
}

std::array<uint8_t, 3> TestContentPixel(TestContent content, uint32_t seed, int width, int height, int x, int y) {
  if (content == TestContent::kQuadrants) return Quadrant(width, height, x, y);
  std::array<uint8_t, 3> p{};
  Realistic(seed, width, height).Pixel(x, y, p.data());
  return p;
}

// ---- JPEG -------------------------------------------------------------------------

namespace {

void SetJpegColor(jpeg_compress_struct* cinfo, TestJpegColor color) {
  switch (color) {
    case TestJpegColor::kYCbCr:
      cinfo->input_components = 3, cinfo->in_color_space = JCS_RGB;
      break;
    case TestJpegColor::kGrey:
      cinfo->input_components = 1, cinfo->in_color_space = JCS_GRAYSCALE;
      break;
    case TestJpegColor::kCmyk:
    case TestJpegColor::kYcck:
      cinfo->input_components = 4, cinfo->in_color_space = JCS_CMYK;
      break;
  }
}

// One row of content in the JPEG's input colour space. CMYK is written as
// Adobe does (inverted: 255 = no ink), which libjpeg marks with an Adobe segment.
void JpegRow(const uint8_t* rgb, TestJpegColor color, int width, uint8_t* out) {
  for (int x = 0; x < width; ++x, rgb += 3) {
    if (color == TestJpegColor::kYCbCr) {
      std::memcpy(out + x * 3, rgb, 3);
    } else if (color == TestJpegColor::kGrey) {
      out[x] = Luma(rgb);
    } else {
      uint8_t k = std::max({rgb[0], rgb[1], rgb[2]});  // inverted K: 255 - (255 - max)
      for (int c = 0; c < 3; ++c) out[x * 4 + c] = k == 0 ? 0 : uint8_t((rgb[c] * 255 + k / 2) / k);
      out[x * 4 + 3] = k;
    }
  }
}

}  // namespace

std::string MakeTestJpeg(const TestJpegOptions& o) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);  // errors end the test program: a generator bug
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = JDIMENSION(o.width);
  cinfo.image_height = JDIMENSION(o.height);
  SetJpegColor(&cinfo, o.color);
  jpeg_set_defaults(&cinfo);
  if (o.color == TestJpegColor::kYcck) jpeg_set_colorspace(&cinfo, JCS_YCCK);
  jpeg_set_quality(&cinfo, o.quality, TRUE);
  if (o.progressive) jpeg_simple_progression(&cinfo);
  const bool app1 = o.exif.has_value() || o.raw_app1.has_value();
  cinfo.write_JFIF_header = app1 ? FALSE : cinfo.write_JFIF_header;  // cameras write EXIF without JFIF
  jpeg_start_compress(&cinfo, TRUE);
  if (app1) {
    std::string segment = o.raw_app1 ? *o.raw_app1 : MakeTestExif(*o.exif);
    if (segment.size() > 65533) Fail("the EXIF does not fit in one APP1 segment (65533 bytes)");
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(segment.data()), unsigned(segment.size()));
  }
  ContentRows content(o.content, o.seed, o.width, o.height);
  std::vector<uint8_t> rgb(size_t(o.width) * 3), row(size_t(o.width) * 4);
  while (cinfo.next_scanline < cinfo.image_height) {
    content.Row(int(cinfo.next_scanline), rgb.data());
    JpegRow(rgb.data(), o.color, o.width, row.data());
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

std::string WithJpegSize(std::string jpeg, int width, int height) {
  for (size_t at = 2; at + 9 < jpeg.size();) {
    const uint8_t marker = uint8_t(jpeg[at + 1]);
    const size_t length = (uint8_t(jpeg[at + 2]) << 8) | uint8_t(jpeg[at + 3]);
    if (marker >= 0xC0 && marker <= 0xC2) {  // SOF0..2: P, height, width
      jpeg[at + 5] = char(height >> 8), jpeg[at + 6] = char(height & 0xFF);
      jpeg[at + 7] = char(width >> 8), jpeg[at + 8] = char(width & 0xFF);
      return jpeg;
    }
    at += 2 + length;
  }
  Fail("no SOF segment in the JPEG");
}

// ---- PNG --------------------------------------------------------------------------

namespace {

void AppendToString(png_structp png, png_bytep data, size_t size) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), size);
}

void NoFlush(png_structp) {}

int PngColorType(TestPngKind kind) {
  switch (kind) {
    case TestPngKind::kRgb:
    case TestPngKind::kRgb16:
      return PNG_COLOR_TYPE_RGB;
    case TestPngKind::kRgba:
      return PNG_COLOR_TYPE_RGB_ALPHA;
    case TestPngKind::kPalette:
      return PNG_COLOR_TYPE_PALETTE;
    case TestPngKind::kGrey:
      return PNG_COLOR_TYPE_GRAY;
    case TestPngKind::kGreyAlpha:
      return PNG_COLOR_TYPE_GRAY_ALPHA;
  }
  return PNG_COLOR_TYPE_RGB;
}

// The palette: 3-3-2 bits of red, green, blue (the quadrant colours are exact).
uint8_t PaletteIndex(const uint8_t* rgb) { return uint8_t((rgb[0] >> 5) << 5 | (rgb[1] >> 5) << 2 | rgb[2] >> 6); }

void SetPalette(png_structp png, png_infop info) {
  png_color palette[256];
  for (int i = 0; i < 256; ++i) {
    palette[i].red = png_byte(((i >> 5) & 7) * 255 / 7);
    palette[i].green = png_byte(((i >> 2) & 7) * 255 / 7);
    palette[i].blue = png_byte((i & 3) * 255 / 3);
  }
  png_set_PLTE(png, info, palette, 256);
}

// One row of the image in the PNG's layout; the bottom-right quadrant is
// transparent black in the kinds with alpha.
void PngRow(const TestPngOptions& o, int y, const uint8_t* rgb, uint8_t* out) {
  for (int x = 0; x < o.width; ++x, rgb += 3) {
    const bool clear = x >= o.width / 2 && y >= o.height / 2;
    switch (o.kind) {
      case TestPngKind::kRgb:
        std::memcpy(out + x * 3, rgb, 3);
        break;
      case TestPngKind::kRgba:
        for (int c = 0; c < 3; ++c) out[x * 4 + c] = clear ? 0 : rgb[c];
        out[x * 4 + 3] = clear ? 0 : 255;
        break;
      case TestPngKind::kPalette:
        out[x] = PaletteIndex(rgb);
        break;
      case TestPngKind::kRgb16:
        for (int c = 0; c < 3; ++c) out[x * 6 + c * 2] = out[x * 6 + c * 2 + 1] = rgb[c];  // v * 257, big-endian
        break;
      case TestPngKind::kGrey:
        out[x] = Luma(rgb);
        break;
      case TestPngKind::kGreyAlpha:
        out[x * 2] = clear ? 0 : Luma(rgb);
        out[x * 2 + 1] = clear ? 0 : 255;
        break;
    }
  }
}

uint32_t Crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void PutBigEndian(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = char(v >> (24 - 8 * i));
}

}  // namespace

std::string MakeTestPng(const TestPngOptions& o) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (png == nullptr || info == nullptr) Fail("out of memory");
  png_set_write_fn(png, &out, AppendToString, NoFlush);
  const int depth = o.kind == TestPngKind::kRgb16 ? 16 : 8;
  png_set_IHDR(png, info, png_uint_32(o.width), png_uint_32(o.height), depth, PngColorType(o.kind),
               o.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (o.kind == TestPngKind::kPalette) SetPalette(png, info);
  std::string exif;
  if (o.exif) {
    exif = MakeTestExif(*o.exif).substr(6);  // eXIf holds the TIFF data without "Exif\0\0"
    png_set_eXIf_1(png, info, png_uint_32(exif.size()), reinterpret_cast<png_bytep>(exif.data()));
  }
  png_write_info(png, info);
  ContentRows content(o.content, o.seed, o.width, o.height);
  std::vector<uint8_t> rgb(size_t(o.width) * 3);
  std::vector<uint8_t> image(size_t(o.width) * o.height * 6);
  std::vector<png_bytep> rows(size_t(o.height));
  for (int y = 0; y < o.height; ++y) {
    rows[size_t(y)] = &image[size_t(y) * o.width * 6];
    content.Row(y, rgb.data());
    PngRow(o, y, rgb.data(), rows[size_t(y)]);
  }
  png_write_image(png, rows.data());  // handles the interlace passes
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string WithPngSize(std::string png, int width, int height) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ..., CRC over type + data (17 bytes).
  if (png.size() < 33 || png.compare(12, 4, "IHDR") != 0) Fail("no IHDR chunk in the PNG");
  PutBigEndian(&png, 16, uint32_t(width));
  PutBigEndian(&png, 20, uint32_t(height));
  PutBigEndian(&png, 29, Crc32(reinterpret_cast<const uint8_t*>(png.data() + 12), 17));
  return png;
}

}  // namespace ccfield::testing
