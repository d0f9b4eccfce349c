// MapPacks: adding (checked, copied in chunks, unique ids), listing in the
// order added, removing, a damaged installed file, and a full disk (FakeEnv's
// free space and its injected ENOSPC) leaving nothing behind; which pack
// serves a tile when several are installed (RankPacksForTile).
#include "ccfield/maps/map_packs.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ccfield/platform/env.h"
#include "maps/test_packs.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"

namespace ccfield::maps {
namespace {

using testing::TempDir;
using testing::Unwrap;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What DATA/maps holds (file names), so a test sees anything left behind.
std::vector<std::string> MapsDir(const std::string& data) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data + "/maps", ec)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Ids(const std::vector<PackInfo>& packs) {
  std::vector<std::string> out;
  for (const PackInfo& p : packs) out.push_back(p.id);
  return out;
}

struct Fixture {
  TempDir src, data;
  FakeEnv env{data.path()};
  MapPacks packs{&env, data.path()};

  std::string Pack(const std::string& name, const std::string& title) {
    testing::WriteRawPack(src.File(name), testing::PngPack({{10, 600, 500}}, title));
    return src.File(name);
  }
};

TEST_CASE("packs are added, listed in the order added and removed") {
  Fixture f;
  CHECK(Unwrap(f.packs.List()).empty());  // no maps folder yet
  PackInfo city = Unwrap(f.packs.Add(f.Pack("City Centre.mbtiles", "City centre")));
  CHECK(city.id == "City-Centre");
  CHECK(city.path == f.data.path() + "/maps/City-Centre.mbtiles");
  CHECK(city.name == "City centre");
  CHECK(ReadAll(city.path) == ReadAll(f.src.File("City Centre.mbtiles")));
  PackInfo again = Unwrap(f.packs.Add(f.src.File("City Centre.mbtiles")));
  CHECK(again.id == "City-Centre-2");
  Unwrap(f.packs.Add(f.Pack("aerial.mbtiles", "Aerial")));

  std::vector<PackInfo> listed = Unwrap(f.packs.List());
  CHECK(Ids(listed) == std::vector<std::string>{"City-Centre", "City-Centre-2", "aerial"});
  CHECK(listed[2].name == "Aerial");
  CHECK(listed[0].tile_count == 1);
  CHECK(f.packs.Has("aerial"));

  CHECK_OK(f.packs.Remove("City-Centre"));
  CHECK_FALSE(f.packs.Has("City-Centre"));
  CHECK(Ids(Unwrap(f.packs.List())) == std::vector<std::string>{"City-Centre-2", "aerial"});
  CHECK(MapsDir(f.data.path()) == std::vector<std::string>{"City-Centre-2.mbtiles", "aerial.mbtiles", "packs.txt"});

  Status unknown = f.packs.Remove("nowhere");
  CHECK(unknown.code() == Code::kNotFound);
  CHECK(unknown.message() == "no map pack 'nowhere' is installed; `ccfield maps list` shows the installed ones");
  CHECK(f.packs.Remove("../ccfield").code() == Code::kNotFound);

  std::vector<std::string> errors;
  auto opened = f.packs.OpenAll(&errors);
  CHECK(errors.empty());
  REQUIRE(opened.size() == 2);
  CHECK(opened[0]->info().id == "City-Centre-2");
}

TEST_CASE("a refused file is not installed and the maps folder stays clean") {
  Fixture f;
  std::ofstream(f.src.File("notes.mbtiles")) << "not a map\n";
  Status st = f.packs.Add(f.src.File("notes.mbtiles")).status();
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("is not a map pack") != std::string::npos);
  CHECK(MapsDir(f.data.path()).empty());
  CHECK(f.packs.Add(f.src.File("missing.mbtiles")).status().code() == Code::kNotFound);
}

TEST_CASE("a damaged file dropped into the maps folder is listed with its problem and left out of OpenAll") {
  Fixture f;
  Unwrap(f.packs.Add(f.Pack("good.mbtiles", "Good")));
  std::ofstream(f.data.path() + "/maps/broken.mbtiles") << "garbage";
  std::vector<PackInfo> listed = Unwrap(f.packs.List());
  REQUIRE(listed.size() == 2);
  CHECK(listed[1].id == "broken");
  CHECK(listed[1].problem.find("is not a map pack") != std::string::npos);
  std::vector<std::string> errors;
  auto opened = f.packs.OpenAll(&errors);
  CHECK(opened.size() == 1);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("broken.mbtiles") != std::string::npos);
  CHECK_OK(f.packs.Remove("broken"));
}

TEST_CASE("a disk without room for the pack refuses it before copying") {
  Fixture f;
  const std::string src = f.Pack("city.mbtiles", "City");
  f.env.SetFreeDiskBytes(uint64_t{20} << 20);  // under the pack plus 32 MB spare
  Status st = f.packs.Add(src).status();
  CHECK(st.code() == Code::kDiskFull);
  CHECK(st.message().find("not enough free space to add " + src) != std::string::npos);
  CHECK(MapsDir(f.data.path()).empty());
}

TEST_CASE("a disk that fills up during the copy leaves no part file and no pack") {
  Fixture f;
  // A pack over two copy chunks (8 MB each): tiles of incompressible bytes.
  testing::RawPack big = testing::PngPack({});
  std::string noise(1 << 20, '\0');
  uint32_t seed = 7;
  for (char& c : noise) c = static_cast<char>((seed = seed * 1664525u + 1013904223u) >> 24);
  for (int i = 0; i < 20; ++i) big.tiles.push_back({14, i, 0, noise.substr(size_t(i) * 100) + testing::QuadrantPng()});
  testing::WriteRawPack(f.src.File("big.mbtiles"), big);
  REQUIRE(std::filesystem::file_size(f.src.File("big.mbtiles")) > (16u << 20));

  SUBCASE("full at the second chunk") {
    f.env.SetFileFaults({.fail_write = 2, .fail_errno = 28});
    Status st = f.packs.Add(f.src.File("big.mbtiles")).status();
    CHECK(st.code() == Code::kDiskFull);
    CHECK(st.message().find("the device's storage is full") != std::string::npos);
    CHECK(f.env.write_faults() == 1);
    CHECK(MapsDir(f.data.path()).empty());
    CHECK(Unwrap(f.packs.List()).empty());
  }
  SUBCASE("copied in chunks, never whole") {
    f.env.SetFileFaults({.short_write_bytes = 0});
    PackInfo info = Unwrap(f.packs.Add(f.src.File("big.mbtiles")));
    CHECK(f.env.writes_seen() >= 3);  // three chunks and the order file
    CHECK(ReadAll(info.path) == ReadAll(f.src.File("big.mbtiles")));
  }
}

TEST_CASE("AddBytes installs a pack given as bytes, and refuses bytes that are no pack") {
  Fixture f;
  const std::string bytes = ReadAll(f.Pack("demo.mbtiles", "Demo streets"));
  PackInfo info = Unwrap(f.packs.AddBytes("demo", bytes));
  CHECK(info.id == "demo");
  CHECK(info.name == "Demo streets");
  CHECK(Ids(Unwrap(f.packs.List())) == std::vector<std::string>{"demo"});
  CHECK(f.packs.AddBytes("junk", "not a pack").status().code() == Code::kInvalidArgument);
  CHECK_FALSE(f.packs.Has("junk"));
  CHECK(f.packs.AddBytes("../up", bytes).status().code() == Code::kInvalidArgument);
}

TEST_CASE("RankPacksForTile: the pack holding the zoom, the most recent first, then the deepest for overzoom") {
  Fixture f;
  auto add = [&](const std::string& name, const std::vector<TileKey>& keys) {
    testing::WriteRawPack(f.src.File(name + ".mbtiles"), testing::PngPack(keys, name));
    return Unwrap(f.packs.Add(f.src.File(name + ".mbtiles")));
  };
  // In the order added; a pack's zooms are those of its tiles.
  CHECK(add("country", {{6, 37, 31}, {9, 300, 250}}).max_zoom == 9);  // 0: zooms 6 to 9
  add("city", {{12, 2400, 2000}, {16, 38400, 32000}});                 // 1: 12 to 16
  add("ward", {{12, 2400, 2000}, {14, 9600, 8000}});                   // 2: 12 to 14
  add("region", {{8, 150, 125}, {9, 300, 250}});                       // 3: 8 to 9
  const std::vector<PackInfo> packs = Unwrap(f.packs.List());
  REQUIRE(Ids(packs) == std::vector<std::string>{"country", "city", "ward", "region"});
  using V = std::vector<PackChoice>;
  // Zoom 13: the city and the ward hold it (the ward added later); then the
  // 6-9 packs enlarged from zoom 9, the region (added later) first.
  CHECK(RankPacksForTile(packs, 13) == V{{2, 13}, {1, 13}, {3, 9}, {0, 9}});
  // Zoom 15: only the city holds it; the ward (to 14) before the 9s.
  CHECK(RankPacksForTile(packs, 15) == V{{1, 15}, {2, 14}, {3, 9}, {0, 9}});
  // Zoom 7: only the country holds it; the others start above 7.
  CHECK(RankPacksForTile(packs, 7) == V{{0, 7}});
  // Zoom 9: the region and the country, the region added later.
  CHECK(RankPacksForTile(packs, 9) == V{{3, 9}, {0, 9}});
  // Zoom 18: nothing holds it: the deepest first, the city (16), the ward (14), then the 9s.
  CHECK(RankPacksForTile(packs, 18) == V{{1, 16}, {2, 14}, {3, 9}, {0, 9}});
  CHECK(RankPacksForTile(packs, 5).empty());
  CHECK(RankPacksForTile({}, 12).empty());
}

}  // namespace
}  // namespace ccfield::maps
