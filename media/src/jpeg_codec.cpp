#include "jpeg_codec.h"

// clang-format off
#include <cstdio>  // before jpeglib.h, which uses FILE
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "image_sniff.h"

namespace ccfield::media {
namespace {

// libjpeg-turbo's advice against progressive files made of endless scans.
constexpr int kMaxScans = 1000;
// libjpeg's own memory (a progressive photo's coefficients: 2 bytes per pixel
// and component: 36 MB at 12 MP, 180 MB at 60 MP in 4:2:0); over it libjpeg
// fails instead of allocating, and the photo is refused as too demanding.
constexpr long kMaxLibjpegMemory = 256L << 20;

// The error manager: errors longjmp back to the frame that called setjmp;
// warnings are counted (the first is kept) and turned into errors after.
struct ErrorState {
  jpeg_error_mgr pub;  // first: libjpeg passes &pub as cinfo->err
  jmp_buf jump;
  int error_code;  // the msg_code of the error, 0 for none
  bool saw_eof;    // "Premature end of JPEG file / data segment": the data ran out
  bool too_many_scans;
  int warnings;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr cinfo) {
  auto* st = reinterpret_cast<ErrorState*>(cinfo->err);
  st->error_code = cinfo->err->msg_code;
  (*cinfo->err->format_message)(cinfo, st->message);
  std::longjmp(st->jump, 1);
}

void OnMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace output
  auto* st = reinterpret_cast<ErrorState*>(cinfo->err);
  // The data ran out: the file ends, or the scan data stops before the image does.
  if (cinfo->err->msg_code == JWRN_JPEG_EOF || cinfo->err->msg_code == JWRN_HIT_MARKER) st->saw_eof = true;
  if (st->warnings++ == 0) (*cinfo->err->format_message)(cinfo, st->message);
}

void OnOutput(j_common_ptr) {}

void OnProgress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number <= kMaxScans) return;
  auto* st = reinterpret_cast<ErrorState*>(cinfo->err);
  st->too_many_scans = true;
  std::longjmp(st->jump, 1);
}

void InitErrors(ErrorState* st) {
  std::memset(st, 0, sizeof *st);
  jpeg_std_error(&st->pub);
  st->pub.error_exit = OnError;
  st->pub.emit_message = OnMessage;
  st->pub.output_message = OnOutput;
}

// What went wrong, for the person: cut short, damaged, too demanding.
Status StatusOf(const ErrorState& st) {
  if (st.saw_eof) return CutShortError();
  if (st.too_many_scans) return DamagedError("the image is split into too many progressive scans");
  if (st.error_code == JERR_OUT_OF_MEMORY || st.error_code == JERR_NO_BACKING_STORE) {
    return Status::Invalid(
        "the photo needs more memory than this tablet has free; set the camera to a smaller "
        "photo size or close other apps and try again");
  }
  if (st.error_code == JERR_IMAGE_TOO_BIG) {
    return Status::Invalid(
        "the photo is too large (over 65500 pixels wide or high); set the camera to a "
        "smaller photo size");
  }
  return DamagedError(st.message);
}

// ---- C-style frames: only plain data lives here (setjmp/longjmp) ----------------

void SetSource(jpeg_decompress_struct* cinfo, std::string_view jpeg) {
  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(jpeg.data()), static_cast<unsigned long>(jpeg.size()));
}

bool ReadHeaderC(const char* data, size_t size, ErrorState* st, JpegHeader* out) {
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = &st->pub;
  if (setjmp(st->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  SetSource(&cinfo, std::string_view(data, size));
  jpeg_read_header(&cinfo, TRUE);
  out->width = static_cast<int>(cinfo.image_width);
  out->height = static_cast<int>(cinfo.image_height);
  out->components = cinfo.num_components;
  out->progressive = cinfo.progressive_mode != 0;
  jpeg_destroy_decompress(&cinfo);
  return true;
}

struct DecodeJob {
  const char* data;
  size_t size;
  int scale_num;              // of 8
  int out_width, out_height;  // what libjpeg must give at that scale
  uint8_t* rgb_row;           // out_width * 3 bytes (CMYK conversion)
  BoxScaler* scaler;          // PushRow never throws nor allocates
  bool wrong_size;
};

// Adobe writes CMYK (and YCCK) inverted: 255 means no ink.
void CmykToRgb(const uint8_t* cmyk, uint8_t* rgb, int width, bool inverted) {
  for (int x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    int k = inverted ? cmyk[3] : 255 - cmyk[3];
    for (int c = 0; c < 3; ++c) {
      int v = inverted ? cmyk[c] : 255 - cmyk[c];
      rgb[c] = static_cast<uint8_t>((v * k + 127) / 255);
    }
  }
}

bool DecodeC(DecodeJob* job, ErrorState* st) {
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  jpeg_progress_mgr progress;
  std::memset(&progress, 0, sizeof progress);
  progress.progress_monitor = OnProgress;
  cinfo.err = &st->pub;
  if (setjmp(st->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  cinfo.mem->max_memory_to_use = kMaxLibjpegMemory;
  SetSource(&cinfo, std::string_view(job->data, job->size));
  jpeg_read_header(&cinfo, TRUE);
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.scale_num = static_cast<unsigned int>(job->scale_num);
  cinfo.scale_denom = 8;
  jpeg_start_decompress(&cinfo);
  if (static_cast<int>(cinfo.output_width) != job->out_width ||
      static_cast<int>(cinfo.output_height) != job->out_height) {
    job->wrong_size = true;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                              cinfo.output_width * cinfo.output_components, 1);
  while (cinfo.output_scanline < cinfo.output_height && st->warnings == 0) {
    jpeg_read_scanlines(&cinfo, row, 1);
    if (cmyk) {
      CmykToRgb(row[0], job->rgb_row, job->out_width, cinfo.saw_Adobe_marker);
      job->scaler->PushRow(job->rgb_row);
    } else {
      job->scaler->PushRow(row[0]);
    }
  }
  if (st->warnings == 0) jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// A destination that grows one malloc'd buffer; the caller frees `buffer` on every path.
struct GrowingDest {
  jpeg_destination_mgr pub;  // first: libjpeg passes &pub as cinfo->dest
  unsigned char* buffer;
  size_t capacity;
  size_t used;
};

void DestInit(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<GrowingDest*>(cinfo->dest);
  d->capacity = 64 * 1024;
  d->buffer = static_cast<unsigned char*>(std::malloc(d->capacity));
  if (d->buffer == nullptr) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
  d->pub.next_output_byte = d->buffer;
  d->pub.free_in_buffer = d->capacity;
}

boolean DestGrow(j_compress_ptr cinfo) {  // called when the buffer is full
  auto* d = reinterpret_cast<GrowingDest*>(cinfo->dest);
  auto* bigger = static_cast<unsigned char*>(std::realloc(d->buffer, d->capacity * 2));
  if (bigger == nullptr) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
  d->buffer = bigger;
  d->pub.next_output_byte = bigger + d->capacity;
  d->pub.free_in_buffer = d->capacity;
  d->capacity *= 2;
  return TRUE;
}

void DestTerm(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<GrowingDest*>(cinfo->dest);
  d->used = d->capacity - d->pub.free_in_buffer;
}

bool EncodeC(const RgbImage* image, int quality, GrowingDest* dest, ErrorState* st) {
  jpeg_compress_struct cinfo;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = &st->pub;
  if (setjmp(st->jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  dest->pub.init_destination = DestInit;
  dest->pub.empty_output_buffer = DestGrow;
  dest->pub.term_destination = DestTerm;
  cinfo.dest = &dest->pub;
  cinfo.image_width = static_cast<JDIMENSION>(image->width);
  cinfo.image_height = static_cast<JDIMENSION>(image->height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);  // YCbCr 4:2:0, JFIF header, baseline
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.optimize_coding = TRUE;  // smaller, still baseline
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = size_t(image->width) * 3;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(&image->rgb[cinfo.next_scanline * stride]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

}  // namespace

// ---- C++ side ---------------------------------------------------------------------

Result<JpegHeader> ReadJpegHeader(std::string_view jpeg, const PhotoLimits& limits) {
  ErrorState st;
  InitErrors(&st);
  JpegHeader header;
  if (!ReadHeaderC(jpeg.data(), jpeg.size(), &st, &header) || st.warnings > 0) return StatusOf(st);
  CCF_RETURN_IF_ERROR(CheckPixels(uint64_t(header.width), uint64_t(header.height), limits));
  if (header.components != 1 && header.components != 3 && header.components != 4) {
    return DamagedError("its colours are stored in an unknown way");
  }
  return header;
}

Result<RgbImage> DecodeJpeg(std::string_view jpeg, const JpegHeader& header, int out_width, int out_height) {
  // The smallest DCT scale s/8 whose output (rounded up, as libjpeg does) still covers the target.
  int scale = 8;
  for (int s = 1; s < 8; ++s) {
    if ((int64_t{header.width} * s + 7) / 8 >= out_width && (int64_t{header.height} * s + 7) / 8 >= out_height) {
      scale = s;
      break;
    }
  }
  DecodeJob job{};
  job.data = jpeg.data();
  job.size = jpeg.size();
  job.scale_num = scale;
  job.out_width = static_cast<int>((int64_t{header.width} * scale + 7) / 8);
  job.out_height = static_cast<int>((int64_t{header.height} * scale + 7) / 8);
  std::vector<uint8_t> rgb_row(size_t(job.out_width) * 3);
  BoxScaler scaler(job.out_width, job.out_height, out_width, out_height);
  job.rgb_row = rgb_row.data();
  job.scaler = &scaler;
  ErrorState st;
  InitErrors(&st);
  bool ok = DecodeC(&job, &st);
  if (job.wrong_size) return Status::Internal("libjpeg decoded the photo at an unexpected size");
  if (!ok || st.warnings > 0) return StatusOf(st);
  if (!scaler.complete()) return CutShortError();
  return scaler.Take();
}

Result<std::string> EncodeJpeg(const RgbImage& image, int quality) {
  ErrorState st;
  InitErrors(&st);
  GrowingDest dest;
  std::memset(&dest, 0, sizeof dest);
  bool ok = EncodeC(&image, quality, &dest, &st);
  std::unique_ptr<unsigned char, void (*)(void*)> hold(dest.buffer, std::free);
  if (!ok) return Status::Internal(std::string("could not encode the photo as JPEG: ") + st.message);
  return std::string(reinterpret_cast<const char*>(dest.buffer), dest.used);
}

}  // namespace ccfield::media
