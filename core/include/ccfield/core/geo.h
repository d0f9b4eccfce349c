#pragma once
// Positions on the Earth: distances and how coordinates are written for people.
#include <string>

namespace ccfield {

struct LatLon {
  double lat = 0;  // degrees, -90..90 (south negative)
  double lon = 0;  // degrees, -180..180 (west negative)
};

// Great-circle distance in metres (haversine on a sphere of 6,371,008.8 m;
// within 0.5 % of the ellipsoid, plenty for "is this the same place").
double DistanceMeters(LatLon a, LatLon b);

// "6.7959° S, 39.2469° E": hemisphere letters instead of signs, 4 decimals
// (about 11 m), the form people read on maps and GPS units.
std::string FormatLatLon(LatLon p);
// One coordinate: "6.7959° S" (is_lat) or "39.2469° E".
std::string FormatCoordinate(double degrees, bool is_lat);

// "850 m", "1.2 km", "12 km": a distance as people say it.
std::string FormatDistance(double meters);

// A visit's position further than this from its site's position is worth a
// warning (a wrong site picked, or a poor fix).
inline constexpr double kVisitFarFromSiteMeters = 1000;

}  // namespace ccfield
