// MbTiles: packs written by the test (PNG, JPEG, a view over deduplicated
// images, no metadata), the TMS row flip, and the clear refusals: no file, a
// folder, not SQLite, SQLite but no tiles, vector tiles, WebP, an empty pack,
// a cut or damaged file. Also MbTilesWriter's round trip.
#include "ccfield/maps/mbtiles.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/maps/mbtiles_writer.h"
#include "maps/test_packs.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"

namespace ccfield::maps {
namespace {

using testing::RawPack;
using testing::TempDir;
using testing::Unwrap;

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The error of opening `path`, or of checking it when it opens.
Status OpenAndCheck(const std::string& path) {
  Result<std::unique_ptr<MbTiles>> pack = MbTiles::Open(path);
  if (!pack.ok()) return pack.status();
  return (*pack)->CheckIntegrity();
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("a PNG pack opens with its metadata, tile count and zoom range") {
  TempDir dir;
  RawPack raw = testing::PngPack({{2, 1, 1}, {3, 2, 1}, {3, 3, 1}}, "Dar es Salaam streets");
  raw.metadata["description"] = "Main roads";
  raw.metadata["bounds"] = "39.2,-6.9,39.3,-6.7";
  testing::WriteRawPack(dir.File("dar-streets.mbtiles"), raw);

  auto pack = Unwrap(MbTiles::Open(dir.File("dar-streets.mbtiles")));
  const PackInfo& info = pack->info();
  CHECK(info.id == "dar-streets");
  CHECK(info.path == dir.File("dar-streets.mbtiles"));
  CHECK(info.name == "Dar es Salaam streets");
  CHECK(info.description == "Main roads");
  CHECK(info.attribution == "© Test contributors");
  CHECK(info.format == "png");
  CHECK(info.min_zoom == 2);
  CHECK(info.max_zoom == 3);
  CHECK(info.tile_count == 3);
  CHECK(info.has_bounds);
  CHECK(info.west == doctest::Approx(39.2));
  CHECK(info.south == doctest::Approx(-6.9));
  CHECK(info.east == doctest::Approx(39.3));
  CHECK(info.north == doctest::Approx(-6.7));
  CHECK(info.file_bytes == static_cast<int64_t>(std::filesystem::file_size(info.path)));
  CHECK(info.problem.empty());
  CHECK_OK(pack->CheckIntegrity());
}

TEST_CASE("tiles are found by XYZ key while the file stores TMS rows") {
  TempDir dir;
  RawPack raw;
  raw.metadata = {{"format", "png"}};
  // XYZ 3/2/1 is TMS row 8 - 1 - 1 = 6; a different tile sits at TMS row 1.
  raw.tiles.push_back({3, 2, 6, "the tile north"});
  raw.tiles.push_back({3, 2, 1, "the tile south"});
  testing::WriteRawPack(dir.File("flip.mbtiles"), raw);
  auto pack = Unwrap(MbTiles::Open(dir.File("flip.mbtiles")));
  CHECK(TmsRow({3, 2, 1}) == 6);
  CHECK(Unwrap(pack->ReadTile({3, 2, 1})) == std::optional<std::string>("the tile north"));
  CHECK(Unwrap(pack->ReadTile({3, 2, 6})) == std::optional<std::string>("the tile south"));
  CHECK(Unwrap(pack->ReadTile({3, 2, 2})) == std::nullopt);
  CHECK(Unwrap(pack->ReadTile({4, 2, 1})) == std::nullopt);
  // Keys outside the world are simply absent.
  CHECK(Unwrap(pack->ReadTile({3, 8, 1})) == std::nullopt);
  CHECK(Unwrap(pack->ReadTile({3, -1, 1})) == std::nullopt);
  CHECK(Unwrap(pack->ReadTile({-1, 0, 0})) == std::nullopt);
  CHECK(pack->info().name == "flip.mbtiles");  // no name in the metadata: the file name
}

TEST_CASE("JPEG packs, a tiles view and a pack without metadata are read") {
  TempDir dir;
  const std::string jpeg = testing::QuadrantJpeg();
  RawPack with_jpeg_name;
  with_jpeg_name.metadata = {{"format", "jpeg"}, {"name", "Orthophoto"}};
  with_jpeg_name.tiles_as_view = true;
  with_jpeg_name.tiles.push_back({5, 10, 20, jpeg});
  with_jpeg_name.tiles.push_back({6, 20, 40, jpeg});
  testing::WriteRawPack(dir.File("ortho.mbtiles"), with_jpeg_name);
  auto ortho = Unwrap(MbTiles::Open(dir.File("ortho.mbtiles")));
  CHECK(ortho->info().format == "jpg");
  CHECK(ortho->info().tile_count == 2);
  CHECK(ortho->info().min_zoom == 5);
  CHECK(ortho->info().max_zoom == 6);
  CHECK(Unwrap(ortho->ReadTile({5, 10, 31 - 20})) == std::optional<std::string>(jpeg));

  RawPack bare;
  bare.no_metadata = true;
  bare.tiles.push_back({1, 0, 0, jpeg});
  testing::WriteRawPack(dir.File("bare.mbtiles"), bare);
  auto pack = Unwrap(MbTiles::Open(dir.File("bare.mbtiles")));
  CHECK(pack->info().format == "jpg");  // from the tile's own bytes
  CHECK(pack->info().attribution.empty());
  CHECK_FALSE(pack->info().has_bounds);
}

TEST_CASE("what is not a usable pack is refused with a sentence naming the file") {
  TempDir dir;
  SUBCASE("no file") {
    Status st = MbTiles::Open(dir.File("none.mbtiles")).status();
    CHECK(st.code() == Code::kNotFound);
    CHECK(Contains(st.message(), "there is no file at " + dir.File("none.mbtiles")));
  }
  SUBCASE("a folder") {
    std::filesystem::create_directory(dir.File("folder.mbtiles"));
    Status st = MbTiles::Open(dir.File("folder.mbtiles")).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(Contains(st.message(), "is a folder, not a map pack"));
  }
  SUBCASE("a text file, an empty file") {
    WriteText(dir.File("notes.mbtiles"), "these are not tiles, just a note that was renamed\n");
    Status st = MbTiles::Open(dir.File("notes.mbtiles")).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(Contains(st.message(), dir.File("notes.mbtiles") + " is not a map pack: MBTiles packs are SQLite files"));
    WriteText(dir.File("empty.mbtiles"), "");
    CHECK(MbTiles::Open(dir.File("empty.mbtiles")).status().code() == Code::kInvalidArgument);
  }
  SUBCASE("an SQLite file without tiles") {
    sql::OpenOptions o;
    o.path = dir.File("other.db");
    auto db = Unwrap(sql::Db::Open(o));
    CHECK_OK(db->Exec("CREATE TABLE sites (id TEXT, name TEXT)"));
    db.reset();
    Status st = MbTiles::Open(dir.File("other.db")).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(Contains(st.message(), "is an SQLite file but not a map pack: it has no 'tiles' table"));
  }
  SUBCASE("an empty pack") {
    RawPack raw;
    raw.metadata = {{"format", "png"}};
    testing::WriteRawPack(dir.File("empty.mbtiles"), raw);
    Status st = MbTiles::Open(dir.File("empty.mbtiles")).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(Contains(st.message(), "is a map pack without any tiles"));
  }
}

TEST_CASE("vector and WebP packs are refused: the map cannot draw them yet") {
  TempDir dir;
  RawPack declared;
  declared.metadata = {{"format", "pbf"}, {"name", "OpenMapTiles"}};
  declared.tiles.push_back({0, 0, 0, std::string("\x1f\x8b\x08\x00", 4) + "gzipped protobuf"});
  testing::WriteRawPack(dir.File("vector.mbtiles"), declared);
  Status st = MbTiles::Open(dir.File("vector.mbtiles")).status();
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(Contains(st.message(), "holds vector tiles (pbf/mvt), which the map cannot draw yet"));

  RawPack sniffed = declared;
  sniffed.no_metadata = true;
  testing::WriteRawPack(dir.File("vector2.mbtiles"), sniffed);
  CHECK(Contains(MbTiles::Open(dir.File("vector2.mbtiles")).status().message(), "holds vector tiles"));

  RawPack webp;
  webp.metadata = {{"format", "webp"}};
  webp.tiles.push_back({0, 0, 0, "RIFF....WEBPVP8 "});
  testing::WriteRawPack(dir.File("webp.mbtiles"), webp);
  CHECK(Contains(MbTiles::Open(dir.File("webp.mbtiles")).status().message(), "holds WebP tiles"));
}

// A pack big enough to span many pages, so that cutting or damaging it hits tile pages.
RawPack ManyTiles() {
  RawPack raw = testing::PngPack({});
  const std::string png = testing::QuadrantPng();
  for (int x = 0; x < 16; ++x) {
    for (int y = 0; y < 16; ++y) raw.tiles.push_back({4, x, y, png + std::string(size_t(x * 16 + y), 'p')});
  }
  return raw;
}

TEST_CASE("a cut pack and a damaged pack are found before use") {
  TempDir dir;
  testing::WriteRawPack(dir.File("whole.mbtiles"), ManyTiles());
  const std::string whole = ReadAll(dir.File("whole.mbtiles"));
  REQUIRE(whole.size() > 100'000);
  CHECK_OK(OpenAndCheck(dir.File("whole.mbtiles")));

  WriteText(dir.File("cut.mbtiles"), whole.substr(0, whole.size() / 2));
  Status cut = OpenAndCheck(dir.File("cut.mbtiles"));
  CHECK(cut.code() == Code::kCorrupt);
  CHECK(cut.message() ==
        dir.File("cut.mbtiles") +
            " is damaged (cut short or corrupted) and cannot be used as a map pack; copy it again or make it again");

  std::string damaged = whole;
  for (size_t i = 4096; i < damaged.size(); i += 4096) {  // every page header after the first
    for (size_t j = 0; j < 12; ++j) damaged[i + j] = static_cast<char>(0xA5);
  }
  WriteText(dir.File("damaged.mbtiles"), damaged);
  Status bad = OpenAndCheck(dir.File("damaged.mbtiles"));
  CHECK(bad.code() == Code::kCorrupt);
  CHECK(Contains(bad.message(), "is damaged (cut short or corrupted) and cannot be used as a map pack"));
}

TEST_CASE("MbTilesWriter writes a pack MbTiles reads back, rows flipped to TMS") {
  TempDir dir;
  auto writer = Unwrap(MbTilesWriter::Create(dir.File("w.mbtiles"), {{"name", "Written"}, {"format", "png"}}));
  const std::string png = testing::QuadrantPng();
  CHECK_OK(writer->Put({12, 2500, 1700}, png));
  CHECK_OK(writer->Put({13, 5000, 3400}, "second"));
  CHECK_OK(writer->Finish());
  auto pack = Unwrap(MbTiles::Open(dir.File("w.mbtiles")));
  CHECK(pack->info().name == "Written");
  CHECK(pack->info().tile_count == 2);
  CHECK(Unwrap(pack->ReadTile({12, 2500, 1700})) == std::optional<std::string>(png));
  CHECK(Unwrap(pack->ReadTile({13, 5000, 3400})) == std::optional<std::string>("second"));
  // The row as stored is the TMS one.
  sql::OpenOptions o;
  o.path = dir.File("w.mbtiles");
  o.read_only = true;
  auto db = Unwrap(sql::Db::Open(o));
  auto q = Unwrap(db->Prepare("SELECT tile_row FROM tiles WHERE zoom_level = 12"));
  REQUIRE(Unwrap(q.Step()));
  CHECK(q.Int(0) == (1 << 12) - 1 - 1700);
}

}  // namespace
}  // namespace ccfield::maps
