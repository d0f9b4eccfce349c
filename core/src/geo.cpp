#include "ccfield/core/geo.h"

#include <cmath>
#include <cstdio>

namespace ccfield {

double DistanceMeters(LatLon a, LatLon b) {
  constexpr double kEarthRadius = 6371008.8;
  constexpr double kRad = M_PI / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
}

std::string FormatCoordinate(double degrees, bool is_lat) {
  const char* hemisphere = is_lat ? (degrees < 0 ? "S" : "N") : (degrees < 0 ? "W" : "E");
  char buf[48];
  double shown = std::fabs(degrees);
  // -0.00001 shows as 0.0000° N, not 0.0000° S.
  if (shown < 0.00005) hemisphere = is_lat ? "N" : "E";
  std::snprintf(buf, sizeof buf, "%.4f\u00b0 %s", shown, hemisphere);
  return buf;
}

std::string FormatLatLon(LatLon p) { return FormatCoordinate(p.lat, true) + ", " + FormatCoordinate(p.lon, false); }

std::string FormatDistance(double meters) {
  char buf[32];
  if (meters < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f m", meters);
  } else if (meters < 10000) {
    std::snprintf(buf, sizeof buf, "%.1f km", meters / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f km", meters / 1000);
  }
  return buf;
}

}  // namespace ccfield
