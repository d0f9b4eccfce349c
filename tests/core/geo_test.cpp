// Positions for people: distances between two points and coordinates
// written with hemisphere letters, as maps and GPS units show them.
#include "ccfield/core/geo.h"

#include <doctest/doctest.h>

namespace ccfield {
namespace {

TEST_CASE("geo: distances on the Earth") {
  CHECK(DistanceMeters({-6.7959, 39.2469}, {-6.7959, 39.2469}) == 0.0);
  // One degree of latitude is about 111.2 km anywhere.
  CHECK(DistanceMeters({0, 0}, {1, 0}) == doctest::Approx(111195).epsilon(0.001));
  CHECK(DistanceMeters({-6.0, 39.0}, {-7.0, 39.0}) == doctest::Approx(111195).epsilon(0.001));
  // A degree of longitude shrinks with the cosine of the latitude.
  CHECK(DistanceMeters({60, 0}, {60, 1}) == doctest::Approx(55597).epsilon(0.002));
  // Symmetric, and across the antimeridian the short way round.
  CHECK(DistanceMeters({-6.79, 39.24}, {-6.80, 39.25}) == doctest::Approx(DistanceMeters({-6.80, 39.25}, {-6.79, 39.24})));
  CHECK(DistanceMeters({0, 179.5}, {0, -179.5}) == doctest::Approx(111195).epsilon(0.001));
  // Antipodes: half the circumference, no NaN from rounding.
  CHECK(DistanceMeters({0, 0}, {0, 180}) == doctest::Approx(20015087).epsilon(0.001));
  // Dar es Salaam to Nairobi, ~666 km.
  CHECK(DistanceMeters({-6.7924, 39.2083}, {-1.2921, 36.8219}) == doctest::Approx(665800).epsilon(0.01));
  // The editor's warning threshold: 0.0126° of latitude is ~1.4 km.
  CHECK(DistanceMeters({-6.7959, 39.2469}, {-6.7833, 39.2469}) > kVisitFarFromSiteMeters);
  CHECK(DistanceMeters({-6.7959, 39.2469}, {-6.7909, 39.2469}) < kVisitFarFromSiteMeters);
}

TEST_CASE("geo: coordinates with hemisphere letters, four decimals") {
  CHECK(FormatLatLon({-6.795812, 39.246905}) == "6.7958\u00b0 S, 39.2469\u00b0 E");
  CHECK(FormatLatLon({48.8566, -2.3522}) == "48.8566\u00b0 N, 2.3522\u00b0 W");
  CHECK(FormatCoordinate(-6.79596, true) == "6.7960\u00b0 S");  // rounded, not cut
  CHECK(FormatCoordinate(0, true) == "0.0000\u00b0 N");
  CHECK(FormatCoordinate(-0.00001, true) == "0.0000\u00b0 N");  // no "0.0000° S"
  CHECK(FormatCoordinate(-0.00001, false) == "0.0000\u00b0 E");
  CHECK(FormatCoordinate(-180, false) == "180.0000\u00b0 W");
  CHECK(FormatCoordinate(90, true) == "90.0000\u00b0 N");
}

TEST_CASE("geo: distances as people say them") {
  CHECK(FormatDistance(0) == "0 m");
  CHECK(FormatDistance(850) == "850 m");
  CHECK(FormatDistance(999.4) == "999 m");
  CHECK(FormatDistance(1400) == "1.4 km");
  CHECK(FormatDistance(9949) == "9.9 km");
  CHECK(FormatDistance(12345) == "12 km");
}

}  // namespace
}  // namespace ccfield
