#include "exif_reader.h"

#include <libexif/exif-data.h>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace ccfield::media {
namespace {

// Owns an ExifData (libexif's reference count).
struct ExifHolder {
  ExifData* data = nullptr;
  ~ExifHolder() {
    if (data != nullptr) exif_data_unref(data);
  }
};

// An ASCII entry's text up to its first NUL ("" when not ASCII).
std::string Ascii(ExifEntry* e) {
  if (e == nullptr || e->format != EXIF_FORMAT_ASCII || e->data == nullptr) return "";
  const char* text = reinterpret_cast<const char*>(e->data);
  return std::string(text, strnlen(text, e->size));
}

bool Digits(const std::string& s, size_t at, size_t n, int* value) {
  *value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    *value = *value * 10 + (s[i] - '0');
  }
  return true;
}

// "2026:10:14 08:05:00" -> "2026-10-14T08:05:00"; nothing for blanks
// ("    :  :     :  :  ") and impossible dates.
std::optional<std::string> ExifDateTime(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || s[4] != ':' || s[7] != ':' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return {};
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d) || !Digits(s, 11, 2, &h) ||
      !Digits(s, 14, 2, &mi) || !Digits(s, 17, 2, &sec)) {
    return {};
  }
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return {};
  char text[64];  // room for any int, as GCC's -Wformat-truncation counts
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, sec);
  return std::string(text);
}

// "+03:00" / "-05:30" (hours up to 14), as written.
std::optional<std::string> ExifOffset(const std::string& s) {
  int h, m;
  if (s.size() < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return {};
  if (!Digits(s, 1, 2, &h) || !Digits(s, 4, 2, &m) || h > 14 || m > 59) return {};
  return s.substr(0, 6);
}

// n RATIONAL values of an entry, or false when it has fewer or a zero denominator.
bool Rationals(ExifEntry* e, ExifByteOrder order, unsigned n, double* out) {
  if (e == nullptr || e->format != EXIF_FORMAT_RATIONAL || e->components < n || e->data == nullptr || e->size < n * 8) {
    return false;
  }
  for (unsigned i = 0; i < n; ++i) {
    ExifRational r = exif_get_rational(e->data + i * 8, order);
    if (r.denominator == 0) return false;
    out[i] = static_cast<double>(r.numerator) / r.denominator;
  }
  return true;
}

// Degrees from a GPS coordinate and its reference ("N"/"S", "E"/"W").
std::optional<double> GpsDegrees(ExifContent* gps, ExifByteOrder order, ExifTag value_tag, ExifTag ref_tag,
                                 char positive, char negative) {
  double dms[3];
  if (!Rationals(exif_content_get_entry(gps, value_tag), order, 3, dms)) return {};
  std::string ref = Ascii(exif_content_get_entry(gps, ref_tag));
  if (ref.empty() || (ref[0] != positive && ref[0] != negative)) return {};
  if (dms[1] >= 60 || dms[2] >= 60) return {};
  double deg = dms[0] + dms[1] / 60.0 + dms[2] / 3600.0;
  return ref[0] == negative ? -deg : deg;
}

void ReadGps(ExifData* data, ExifByteOrder order, ExifFields* out) {
  ExifContent* gps = data->ifd[EXIF_IFD_GPS];
  if (gps == nullptr) return;
  auto lat = GpsDegrees(gps, order, static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE),
                        static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE_REF), 'N', 'S');
  auto lon = GpsDegrees(gps, order, static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE),
                        static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE_REF), 'E', 'W');
  if (!lat || !lon || std::fabs(*lat) > 90 || std::fabs(*lon) > 180) return;
  if (*lat == 0 && *lon == 0) return;  // what a GPS without a fix writes
  out->lat = lat;
  out->lon = lon;
  double alt;
  if (Rationals(exif_content_get_entry(gps, static_cast<ExifTag>(EXIF_TAG_GPS_ALTITUDE)), order, 1, &alt)) {
    ExifEntry* ref = exif_content_get_entry(gps, static_cast<ExifTag>(EXIF_TAG_GPS_ALTITUDE_REF));
    bool below = ref != nullptr && ref->format == EXIF_FORMAT_BYTE && ref->size >= 1 && ref->data[0] == 1;
    out->altitude_m = below ? -alt : alt;
  }
}

int Orientation(ExifData* data, ExifByteOrder order) {
  ExifEntry* e = exif_content_get_entry(data->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
  if (e == nullptr || e->format != EXIF_FORMAT_SHORT || e->size < 2 || e->data == nullptr) return 1;
  int v = exif_get_short(e->data, order);
  return v >= 1 && v <= 8 ? v : 1;
}

}  // namespace

std::string_view FindJpegExif(std::string_view jpeg) {
  size_t at = 2;  // after SOI
  while (at + 4 <= jpeg.size()) {
    if (static_cast<uint8_t>(jpeg[at]) != 0xFF) return {};
    uint8_t marker = static_cast<uint8_t>(jpeg[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return {};  // start of scan, end of image
    size_t length = (static_cast<uint8_t>(jpeg[at + 2]) << 8) | static_cast<uint8_t>(jpeg[at + 3]);
    if (length < 2 || at + 2 + length > jpeg.size()) return {};
    std::string_view payload = jpeg.substr(at + 4, length - 2);
    if (marker == 0xE1 && payload.size() > 6 && payload.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
      return payload;
    }
    at += 2 + length;
  }
  return {};
}

ExifFields ReadExif(std::string_view exif) {
  ExifFields out;
  if (exif.size() <= 6) return out;
  ExifHolder holder;
  holder.data = exif_data_new();
  if (holder.data == nullptr) return out;
  // Read only: no "fixing" of the data to the specification, no maker notes changed.
  exif_data_unset_option(holder.data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(holder.data, reinterpret_cast<const unsigned char*>(exif.data()),
                      static_cast<unsigned int>(exif.size()));
  ExifData* data = holder.data;
  ExifByteOrder order = exif_data_get_byte_order(data);
  out.orientation = Orientation(data, order);
  ExifContent* ifd_exif = data->ifd[EXIF_IFD_EXIF];
  out.taken_local = ExifDateTime(Ascii(exif_content_get_entry(ifd_exif, EXIF_TAG_DATE_TIME_ORIGINAL)));
  if (out.taken_local) {
    out.taken_offset = ExifOffset(Ascii(exif_content_get_entry(ifd_exif, EXIF_TAG_OFFSET_TIME_ORIGINAL)));
  }
  ReadGps(data, order, &out);
  return out;
}

}  // namespace ccfield::media
