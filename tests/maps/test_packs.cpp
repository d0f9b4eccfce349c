#include "maps/test_packs.h"

#include <doctest/doctest.h>

#include <cstdio>

#include "ccfield/core/sqlite_db.h"
#include "test_photos.h"

namespace ccfield::testing {
namespace {

void Must(const Status& st) { REQUIRE_MESSAGE(st.ok(), st.ToString()); }

}  // namespace

void WriteRawPack(const std::string& path, const RawPack& pack) {
  std::remove(path.c_str());
  sql::OpenOptions o;
  o.path = path;
  Result<std::unique_ptr<sql::Db>> opened = sql::Db::Open(o);
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  sql::Db* db = opened->get();
  if (!pack.no_metadata) {
    Must(db->Exec("CREATE TABLE metadata (name TEXT, value TEXT)"));
    for (const auto& [name, value] : pack.metadata) {
      Result<sql::Stmt> q = db->Prepare("INSERT INTO metadata VALUES (?1, ?2)");
      Must(q.status());
      q->Bind(1, name).Bind(2, value);
      Must(q->Run());
    }
  }
  if (pack.tiles_as_view) {
    Must(
        db->Exec("CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);"
                 "CREATE TABLE images (tile_id TEXT PRIMARY KEY, tile_data BLOB);"
                 "CREATE VIEW tiles AS SELECT zoom_level, tile_column, tile_row, tile_data FROM map "
                 "JOIN images ON images.tile_id = map.tile_id;"));
  } else {
    Must(
        db->Exec("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
                 "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)"));
  }
  for (const RawTile& t : pack.tiles) {
    if (pack.tiles_as_view) {
      Result<sql::Stmt> m = db->Prepare("INSERT INTO map VALUES (?1, ?2, ?3, ?1 || '/' || ?2 || '/' || ?3)");
      Must(m.status());
      m->Bind(1, t.z).Bind(2, t.x).Bind(3, t.tms_row);
      Must(m->Run());
      Result<sql::Stmt> i = db->Prepare("INSERT INTO images VALUES (?1 || '/' || ?2 || '/' || ?3, ?4)");
      Must(i.status());
      i->Bind(1, t.z).Bind(2, t.x).Bind(3, t.tms_row).BindBlob(4, t.bytes);
      Must(i->Run());
    } else {
      Result<sql::Stmt> q = db->Prepare("INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)");
      Must(q.status());
      q->Bind(1, t.z).Bind(2, t.x).Bind(3, t.tms_row).BindBlob(4, t.bytes);
      Must(q->Run());
    }
  }
}

std::string QuadrantPng() {
  TestPngOptions o = PngOfSize(256, 256);
  o.content = TestContent::kQuadrants;
  return MakeTestPng(o);
}

std::string QuadrantJpeg() {
  TestJpegOptions o = JpegOfSize(256, 256);
  o.content = TestContent::kQuadrants;
  o.quality = 95;
  return MakeTestJpeg(o);
}

RawPack PngPack(const std::vector<maps::TileKey>& keys, const std::string& name) {
  RawPack p;
  p.metadata = {{"name", name}, {"format", "png"}, {"attribution", "© Test contributors"}};
  const std::string png = QuadrantPng();
  for (const maps::TileKey& k : keys) p.tiles.push_back({k.z, k.x, (1 << k.z) - 1 - k.y, png});
  return p;
}

}  // namespace ccfield::testing
