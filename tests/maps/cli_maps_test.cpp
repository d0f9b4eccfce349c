// `ccfield maps list|add|remove` in-process on a real data folder, with packs
// written by the test, and the demo pack that comes and goes with the demo data.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ccfield/maps/demo_pack.h"
#include "ccfield/platform/env.h"
#include "maps/test_packs.h"
#include "support/cli_device.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using nlohmann::json;

struct MapsCli {
  testing::TempDir dir;
  FakeEnv env{dir.path() + "/data"};
  testing::CliOut Run(const std::vector<std::string>& args) { return testing::RunCli(args, &env); }
  std::string Maps() const { return dir.path() + "/data/maps"; }
};

TEST_CASE("cli maps: the demo pack is installed with the demo data and removed with it") {
  MapsCli c;
  REQUIRE(c.Run({"demo"}).code == 0);
  json list = c.Run({"--json", "maps", "list"}).Json();
  REQUIRE(list["count"] == 1);
  const json& demo = list["items"][0];
  CHECK(demo["id"] == maps::kDemoPackId);
  CHECK(demo["format"] == "png");
  CHECK(demo["min_zoom"] == 11);
  CHECK(demo["max_zoom"] == 17);
  CHECK(demo["tiles"].get<int>() > 200);
  CHECK(demo["bytes"].get<int64_t>() == int64_t(maps::DemoPackBytes().size()));
  CHECK(demo["problem"].is_null());
  CHECK(demo["attribution"] == "Demo sketch by the ccfield project (not a survey)");
  REQUIRE(demo["bounds"].is_array());
  // The demo sites (Kinondoni, around 39.25 E 6.79 S) are inside the pack.
  CHECK(demo["bounds"][0].get<double>() < 39.246);
  CHECK(demo["bounds"][2].get<double>() > 39.267);
  CHECK(demo["bounds"][1].get<double>() < -6.801);
  CHECK(demo["bounds"][3].get<double>() > -6.787);

  REQUIRE(c.Run({"demo"}).code == 0);  // again: still one pack
  CHECK(c.Run({"--json", "maps", "list"}).Json()["count"] == 1);
  REQUIRE(c.Run({"demo", "remove"}).code == 0);
  CHECK(c.Run({"--json", "maps", "list"}).Json()["count"] == 0);
  CHECK_FALSE(std::filesystem::exists(c.Maps() + "/" + maps::kDemoPackId + ".mbtiles"));
}

TEST_CASE("cli maps: add, list and remove a pack, and the refusals with their exit codes") {
  MapsCli c;
  CHECK(c.Run({"maps", "list"}).out.find("No map packs") != std::string::npos);
  testing::RawPack raw = testing::PngPack({{14, 9980, 8000}}, "City centre");
  testing::WriteRawPack(c.dir.File("city.mbtiles"), raw);
  testing::CliOut added = c.Run({"maps", "add", c.dir.File("city.mbtiles")});
  CHECK(added.code == 0);
  CHECK(added.out.find("Added the map pack city (City centre") != std::string::npos);
  testing::CliOut listed = c.Run({"maps", "list"});
  CHECK(listed.out.find("city  City centre") != std::string::npos);
  CHECK(listed.out.find("png tiles, zoom 14, 1 tile, ") != std::string::npos);
  CHECK(listed.out.find("© Test contributors") != std::string::npos);

  std::ofstream(c.dir.File("notes.mbtiles")) << "not a map";
  testing::CliOut text = c.Run({"maps", "add", c.dir.File("notes.mbtiles")});
  CHECK(text.code == 4);
  CHECK(text.err.find("is not a map pack") != std::string::npos);
  CHECK(c.Run({"maps", "add", c.dir.File("nothing.mbtiles")}).code == 3);

  testing::RawPack vector;
  vector.metadata = {{"format", "pbf"}};
  vector.tiles.push_back({0, 0, 0, "\x1a\x03pbf"});
  testing::WriteRawPack(c.dir.File("vector.mbtiles"), vector);
  testing::CliOut v = c.Run({"--json", "maps", "add", c.dir.File("vector.mbtiles")});
  CHECK(v.code == 4);
  CHECK(v.err.find("vector tiles (pbf/mvt)") != std::string::npos);
  CHECK(v.err.find("\"invalid_input\"") != std::string::npos);

  testing::WriteRawPack(c.dir.File("cut.mbtiles"), raw);
  std::filesystem::resize_file(c.dir.File("cut.mbtiles"), 6000);
  CHECK(c.Run({"maps", "add", c.dir.File("cut.mbtiles")}).code == 4);

  CHECK(c.Run({"maps", "remove", "nope"}).code == 3);
  CHECK(c.Run({"maps", "frobnicate"}).code == 2);
  CHECK(c.Run({"maps"}).code == 2);
  testing::CliOut removed = c.Run({"--json", "maps", "remove", "city"});
  CHECK(removed.code == 0);
  CHECK(removed.Json()["removed"] == "city");
  CHECK(c.Run({"--json", "maps", "list"}).Json()["count"] == 0);
}

}  // namespace
}  // namespace ccfield
