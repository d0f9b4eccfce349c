// The demo basemap compiled into the app: a valid pack whose tiles cover
// every demo site of the Kinondoni workspace at every zoom 11..17, decode,
// and are not blank; installed once into a data folder.
#include "ccfield/maps/demo_pack.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "ccfield/core/embedded.h"
#include "ccfield/maps/map_packs.h"
#include "ccfield/media/image_decode.h"
#include "ccfield/platform/env.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"

namespace ccfield::maps {
namespace {

using testing::TempDir;
using testing::Unwrap;

// The demo sites of the workspace in Dar es Salaam (country TZ).
std::vector<LatLon> DarSites() {
  const nlohmann::json demo = nlohmann::json::parse(FindEmbedded(kEmbeddedData, "demo.json"));
  std::string workspace;
  for (const auto& w : demo["workspace"]) {
    if (w["country"] == "TZ") workspace = w["id"];
  }
  std::vector<LatLon> out;
  for (const auto& s : demo["site"]) {
    if (s["workspace_id"] == workspace) out.push_back({s["lat"].get<double>(), s["lon"].get<double>()});
  }
  return out;
}

TEST_CASE("the demo pack covers every Dar es Salaam demo site at zooms 11 to 17 with drawn tiles") {
  TempDir dir;
  FakeEnv env(dir.path());
  CHECK(Unwrap(InstallDemoPack(&env, dir.path())));
  CHECK_FALSE(Unwrap(InstallDemoPack(&env, dir.path())));  // there already
  std::vector<std::string> errors;
  auto packs = MapPacks(&env, dir.path()).OpenAll(&errors);
  REQUIRE(errors.empty());
  REQUIRE(packs.size() == 1);
  MbTiles* pack = packs[0].get();
  CHECK(pack->info().id == kDemoPackId);
  CHECK_OK(pack->CheckIntegrity());
  const std::vector<LatLon> sites = DarSites();
  REQUIRE(sites.size() == 5);
  for (const LatLon& site : sites) {
    for (int z = 11; z <= 17; ++z) {
      const TileKey key = TileAt(LatLonToWorld(site, z), z);
      INFO("site " << site.lat << "," << site.lon << " zoom " << z);
      std::optional<std::string> bytes = Unwrap(pack->ReadTile(key));
      REQUIRE(bytes.has_value());
      media::RgbaImage image = Unwrap(media::DecodeImageToRgba(*bytes));
      CHECK(image.width == 256);
      CHECK(image.height == 256);
      std::set<uint32_t> colours;
      for (size_t i = 0; i < image.pixels.size(); i += 4) {
        colours.insert(uint32_t(image.pixels[i]) << 16 | uint32_t(image.pixels[i + 1]) << 8 | image.pixels[i + 2]);
      }
      CHECK(colours.size() >= 3);  // streets on land, not an empty tile
    }
  }
  CHECK(DemoPackBytes().size() < (4u << 20));  // a small pack: under 4 MB
  CHECK_OK(RemoveDemoPack(&env, dir.path()));
  CHECK_FALSE(MapPacks(&env, dir.path()).Has(kDemoPackId));
}

}  // namespace
}  // namespace ccfield::maps
