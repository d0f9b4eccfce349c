#include "png_decoder.h"

#include <png.h>

#include <cstring>
#include <vector>

#include "image_sniff.h"

namespace ccfield::media {
namespace {

// What the callbacks share with the frame that called setjmp.
struct PngState {
  const char* data;
  size_t size;
  size_t pos;
  bool cut_short;
  char message[256];
  png_structp png;  // here rather than in locals, which longjmp may clobber
  png_infop info;
};

void ReadFn(png_structp png, png_bytep out, size_t n) {
  auto* st = static_cast<PngState*>(png_get_io_ptr(png));
  if (n > st->size - st->pos) {
    st->cut_short = true;
    png_error(png, "the file ends early");
  }
  std::memcpy(out, st->data + st->pos, n);
  st->pos += n;
}

void ErrorFn(png_structp png, png_const_charp message) {
  auto* st = static_cast<PngState*>(png_get_error_ptr(png));
  std::snprintf(st->message, sizeof st->message, "%s", message);
  png_longjmp(png, 1);
}

void WarningFn(png_structp, png_const_charp) {}  // ancillary chunks only: not worth refusing a photo

// Creates the libpng objects; false when out of memory (nothing left to destroy).
bool Create(PngState* st) {
  st->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, ErrorFn, WarningFn);
  if (st->png == nullptr) return false;
  st->info = png_create_info_struct(st->png);
  if (st->info == nullptr) {
    png_destroy_read_struct(&st->png, nullptr, nullptr);
    return false;
  }
  png_set_read_fn(st->png, st, ReadFn);
  return true;
}

// Copies the eXIf chunk behind the "Exif\0\0" header libexif expects; never throws.
bool CopyExif(std::string* out, const png_bytep data, png_uint_32 size) noexcept {
  try {
    out->assign("Exif\0\0", 6);
    out->append(reinterpret_cast<const char*>(data), size);
    return true;
  } catch (...) {
    out->clear();
    return false;
  }
}

// ---- C-style frames: only plain data lives here (setjmp/longjmp) ----------------

bool ReadHeaderC(PngState* st, PngHeader* out, std::string* exif) {
  if (!Create(st)) return false;
  if (setjmp(png_jmpbuf(st->png))) {
    png_destroy_read_struct(&st->png, &st->info, nullptr);
    return false;
  }
  png_read_info(st->png, st->info);
  out->width = static_cast<int>(png_get_image_width(st->png, st->info));
  out->height = static_cast<int>(png_get_image_height(st->png, st->info));
  out->interlaced = png_get_interlace_type(st->png, st->info) != PNG_INTERLACE_NONE;
  png_bytep exif_data = nullptr;
  png_uint_32 exif_size = 0;
  if (png_get_eXIf_1(st->png, st->info, &exif_size, &exif_data) != 0 && exif_size > 0) {
    CopyExif(exif, exif_data, exif_size);
  }
  png_destroy_read_struct(&st->png, &st->info, nullptr);
  return true;
}

struct DecodeJob {
  int width, height;
  bool interlaced;
  uint8_t* rgba;      // interlaced: the whole image; else one row (width * 4)
  uint8_t** rows;     // interlaced: the row pointers into rgba
  uint8_t* rgb_row;   // width * 3
  BoxScaler* scaler;  // PushRow never throws nor allocates
  bool wrong_layout;
};

void CompositeOnWhite(const uint8_t* rgba, uint8_t* rgb, int width) {
  for (int x = 0; x < width; ++x, rgba += 4, rgb += 3) {
    const int a = rgba[3];
    for (int c = 0; c < 3; ++c) rgb[c] = static_cast<uint8_t>((rgba[c] * a + 255 * (255 - a) + 127) / 255);
  }
}

// Asks libpng for 8-bit RGBA whatever the file holds; false when it cannot.
bool SetRgba8(png_structp png, png_infop info, int width) {
  png_set_expand(png);  // palette -> RGB, grey under 8 bits -> 8 bits, tRNS -> alpha
  png_set_scale_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);  // only where there is no alpha
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return png_get_bit_depth(png, info) == 8 && png_get_channels(png, info) == 4 &&
         png_get_rowbytes(png, info) == size_t(width) * 4;
}

bool DecodeC(PngState* st, DecodeJob* job) {
  if (!Create(st)) return false;
  if (setjmp(png_jmpbuf(st->png))) {
    png_destroy_read_struct(&st->png, &st->info, nullptr);
    return false;
  }
  png_read_info(st->png, st->info);
  if (png_get_image_width(st->png, st->info) != png_uint_32(job->width) ||
      png_get_image_height(st->png, st->info) != png_uint_32(job->height) || !SetRgba8(st->png, st->info, job->width)) {
    job->wrong_layout = true;
    png_destroy_read_struct(&st->png, &st->info, nullptr);
    return false;
  }
  if (job->interlaced) png_read_image(st->png, job->rows);
  for (int y = 0; y < job->height; ++y) {
    uint8_t* row = job->rgba;
    if (job->interlaced) {
      row = job->rows[y];
    } else {
      png_read_row(st->png, row, nullptr);
    }
    CompositeOnWhite(row, job->rgb_row, job->width);
    job->scaler->PushRow(job->rgb_row);
  }
  png_read_end(st->png, nullptr);  // up to IEND: a file cut after the image data is still cut
  png_destroy_read_struct(&st->png, &st->info, nullptr);
  return true;
}

Status StatusOf(const PngState& st) {
  if (st.cut_short) return CutShortError();
  if (st.message[0] == '\0') {
    return Status::Invalid(
        Msg("the photo needs more memory than this tablet has free; close other apps and try again"));
  }
  return DamagedError(st.message);
}

PngState NewState(std::string_view png) {
  PngState st;
  std::memset(&st, 0, sizeof st);
  st.data = png.data();
  st.size = png.size();
  return st;
}

}  // namespace

// ---- C++ side ---------------------------------------------------------------------

Result<PngHeader> ReadPngHeader(std::string_view png, const PhotoLimits& limits) {
  PngState st = NewState(png);
  PngHeader header;
  if (!ReadHeaderC(&st, &header, &header.exif)) return StatusOf(st);
  CCF_RETURN_IF_ERROR(CheckPixels(uint64_t(header.width), uint64_t(header.height), limits));
  if (header.interlaced && uint64_t(header.width) * uint64_t(header.height) > kMaxInterlacedPngPixels) {
    return Status::Invalid(
        "this PNG is interlaced and over 16 megapixels, too large to open on a tablet; save "
        "it again without interlacing or as a JPEG");
  }
  return header;
}

Result<RgbImage> DecodePng(std::string_view png, const PngHeader& header, int out_width, int out_height) {
  const size_t width = size_t(header.width);
  const size_t rows = header.interlaced ? size_t(header.height) : 1;
  std::vector<uint8_t> rgba(width * 4 * rows);
  std::vector<uint8_t*> row_pointers(header.interlaced ? rows : 0);
  for (size_t y = 0; y < row_pointers.size(); ++y) row_pointers[y] = &rgba[y * width * 4];
  std::vector<uint8_t> rgb_row(width * 3);
  BoxScaler scaler(header.width, header.height, out_width, out_height);
  DecodeJob job{header.width,        header.height,  header.interlaced, rgba.data(),
                row_pointers.data(), rgb_row.data(), &scaler,           false};
  PngState st = NewState(png);
  bool ok = DecodeC(&st, &job);
  if (job.wrong_layout) return DamagedError("its pixels are stored in an unexpected way");
  if (!ok) return StatusOf(st);
  if (!scaler.complete()) return CutShortError();
  return scaler.Take();
}

}  // namespace ccfield::media
