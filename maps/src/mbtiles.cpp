// One MBTiles pack, read-only through core's SQLite wrapper; see
// ccfield/maps/mbtiles.h. The checks run in the order a person's mistakes
// are most likely: no file, not SQLite, SQLite but not a pack, vector tiles,
// an empty pack.
#include "ccfield/maps/mbtiles.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "ccfield/core/sqlite_db.h"

namespace ccfield::maps {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMakeOne = "make one with QGIS or GDAL (see docs/maps.md)";

// The error for a file SQLite cannot read although its header looked right.
// SQLite's own words about damage ("database disk image is malformed", a
// quick_check line) help nobody holding a tablet; other errors keep theirs.
Status Damaged(const std::string& path, const Status& st) {
  const std::string what = path +
                           " is damaged (cut short or corrupted) and cannot be used as a map pack; copy it "
                           "again or make it again";
  if (st.code() == Code::kCorrupt) return Status::Corrupt(what);
  if (st.code() == Code::kIoError) return Status::IoError("cannot read the map pack " + path + ": " + st.message());
  return Status::Corrupt(what + " (" + st.message() + ")");
}

// A file that exists, is a regular file and starts like an SQLite database.
Status CheckFile(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("there is no file at " + path);
  if (fs::is_directory(st)) return Status::Invalid(path + " is a folder, not a map pack file (.mbtiles)");
  if (!fs::is_regular_file(st)) return Status::Invalid(path + " is not a regular file, so not a map pack (.mbtiles)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path + ": check that the file may be read");
  char magic[16] = {};
  in.read(magic, sizeof magic);
  if (in.gcount() != sizeof magic || std::string_view(magic, 16) != std::string_view("SQLite format 3\0", 16)) {
    return Status::Invalid(path + " is not a map pack: MBTiles packs are SQLite files and this is not one; " +
                           kMakeOne);
  }
  return Status::Ok();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status VectorError(const std::string& path) {
  return Status::Invalid(path +
                         " holds vector tiles (pbf/mvt), which the map cannot draw yet; use a raster pack of PNG or "
                         "JPEG tiles (" +
                         std::string(kMakeOne) + ")");
}

// "png" or "jpg" from a pack's format name or its first tile's bytes.
Result<std::string> RasterFormat(const std::string& path, const std::string& declared, std::string_view tile) {
  const std::string f = Lower(declared);
  if (f == "pbf" || f == "mvt") return VectorError(path);
  if (f == "png") return std::string("png");
  if (f == "jpg" || f == "jpeg") return std::string("jpg");
  if (f == "webp") return Status::Invalid(path + " holds WebP tiles, which the map cannot draw; use PNG or JPEG tiles");
  if (tile.size() >= 4 && tile.substr(0, 4) == "\x89PNG") return std::string("png");
  if (tile.size() >= 3 && tile.substr(0, 3) == "\xff\xd8\xff") return std::string("jpg");
  if (tile.size() >= 2 && tile.substr(0, 2) == "\x1f\x8b") return VectorError(path);  // gzipped protobuf
  if (tile.size() >= 1 && tile[0] == '\x1a') return VectorError(path);                // a protobuf layer field
  if (!f.empty()) {
    return Status::Invalid(path + " holds tiles in the format '" + declared +
                           "', which the map cannot draw; use PNG or JPEG tiles");
  }
  return Status::Invalid(path + " holds tiles the map does not recognise (neither PNG nor JPEG)");
}

// "west,south,east,north" into info; false when it is not four numbers in range.
bool ParseBounds(const std::string& text, PackInfo* info) {
  double w, s, e, n;
  char extra;
  if (std::sscanf(text.c_str(), " %lf , %lf , %lf , %lf %c", &w, &s, &e, &n, &extra) != 4) return false;
  if (!(w >= -180 && e <= 180 && w < e && s >= -90 && n <= 90 && s < n)) return false;
  info->west = w, info->south = s, info->east = e, info->north = n;
  info->has_bounds = true;
  return true;
}

class SqliteMbTiles final : public MbTiles {
 public:
  SqliteMbTiles(std::unique_ptr<sql::Db> db, PackInfo info) : db_(std::move(db)), info_(std::move(info)) {}

  const PackInfo& info() const override { return info_; }

  Result<std::optional<std::string>> ReadTile(TileKey key) override {
    if (key.z < 0 || key.z > 30 || key.x < 0 || key.y < 0 || key.x >= (1 << key.z) || key.y >= (1 << key.z)) {
      return std::optional<std::string>();
    }
    std::lock_guard<std::mutex> lock(mu_);
    Result<sql::Stmt*> q =
        db_->Cached("SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3");
    if (!q.ok()) return Damaged(info_.path, q.status());
    (*q)->Bind(1, key.z).Bind(2, key.x).Bind(3, TmsRow(key));
    Result<bool> row = (*q)->Step();
    if (!row.ok()) {
      (*q)->Reset();
      return Damaged(info_.path, row.status());
    }
    std::optional<std::string> out;
    if (*row && !(*q)->IsNull(0)) out = (*q)->Text(0);
    (*q)->Reset();
    return out;
  }

  Status CheckIntegrity() override {
    std::lock_guard<std::mutex> lock(mu_);
    Result<sql::Stmt> q = db_->Prepare("PRAGMA quick_check(1)");
    if (!q.ok()) return Damaged(info_.path, q.status());
    Result<bool> row = q->Step();
    if (!row.ok()) return Damaged(info_.path, row.status());
    if (*row && q->Text(0) != "ok") return Damaged(info_.path, Status::Corrupt(q->Text(0)));
    return Status::Ok();
  }

 private:
  std::mutex mu_;  // one connection: statements are not shared across threads
  std::unique_ptr<sql::Db> db_;
  PackInfo info_;
};

// The type of the schema object `name` ("table", "view") or "" when absent.
Result<std::string> SchemaType(sql::Db* db, const std::string& name) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT type FROM sqlite_master WHERE name = ?1 AND "
                                                "type IN ('table', 'view')"));
  q.Bind(1, name);
  CCF_ASSIGN_OR_RETURN(std::optional<std::string> type,
                       sql::OneRow<std::string>(q, [](const sql::Stmt& r) { return r.Text(0); }));
  return type.value_or("");
}

Result<std::map<std::string, std::string>> ReadMetadata(sql::Db* db) {
  std::map<std::string, std::string> out;
  CCF_ASSIGN_OR_RETURN(std::string type, SchemaType(db, "metadata"));
  if (type.empty()) return out;
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT name, value FROM metadata"));
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return out;
    out.emplace(Lower(q.Text(0)), q.Text(1));  // the first of duplicated names wins
  }
}

// Tile count and zoom range (each its own query so SQLite can use the index).
Status ReadTileStats(sql::Db* db, PackInfo* info) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt count, db->Prepare("SELECT COUNT(*) FROM tiles"));
  CCF_ASSIGN_OR_RETURN(bool row, count.Step());
  info->tile_count = row ? count.Int(0) : 0;
  if (info->tile_count == 0) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(sql::Stmt lo, db->Prepare("SELECT MIN(zoom_level) FROM tiles"));
  CCF_ASSIGN_OR_RETURN(row, lo.Step());
  info->min_zoom = static_cast<int>(lo.Int(0));
  CCF_ASSIGN_OR_RETURN(sql::Stmt hi, db->Prepare("SELECT MAX(zoom_level) FROM tiles"));
  CCF_ASSIGN_OR_RETURN(row, hi.Step());
  info->max_zoom = static_cast<int>(hi.Int(0));
  return Status::Ok();
}

Result<std::string> FirstTile(sql::Db* db) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT tile_data FROM tiles LIMIT 1"));
  CCF_ASSIGN_OR_RETURN(std::optional<std::string> tile,
                       sql::OneRow<std::string>(q, [](const sql::Stmt& r) { return r.Text(0); }));
  return tile.value_or("");
}

// Everything Open checks once the file is known to be SQLite. Errors here
// come back as they are; SQLite errors are turned into "damaged" by Open.
Result<PackInfo> ReadPack(sql::Db* db, const std::string& path, Status* refusal) {
  PackInfo info;
  info.path = path;
  CCF_ASSIGN_OR_RETURN(std::string tiles_type, SchemaType(db, "tiles"));
  if (tiles_type.empty()) {
    *refusal = Status::Invalid(path + " is an SQLite file but not a map pack: it has no 'tiles' table; " + kMakeOne);
    return info;
  }
  Result<sql::Stmt> columns = db->Prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 0");
  if (!columns.ok()) {
    *refusal = Status::Invalid(path +
                               " is not a map pack: its 'tiles' table lacks the MBTiles columns (zoom_level, "
                               "tile_column, tile_row, tile_data)");
    return info;
  }
  CCF_ASSIGN_OR_RETURN(auto meta, ReadMetadata(db));
  CCF_RETURN_IF_ERROR(ReadTileStats(db, &info));
  CCF_ASSIGN_OR_RETURN(std::string first, FirstTile(db));
  Result<std::string> format = RasterFormat(path, meta["format"], first);
  if (info.tile_count == 0 && (format.ok() || meta["format"].empty())) {
    *refusal = Status::Invalid(path +
                               " is a map pack without any tiles: nothing to draw; make it again with the "
                               "zoom levels you need");
    return info;
  }
  if (!format.ok()) {
    *refusal = format.status();
    return info;
  }
  info.format = *format;
  info.name = meta["name"].empty() ? fs::path(path).filename().string() : meta["name"];
  info.description = meta["description"];
  info.attribution = meta["attribution"];
  if (meta.count("bounds")) ParseBounds(meta["bounds"], &info);
  return info;
}

}  // namespace

Result<std::unique_ptr<MbTiles>> MbTiles::Open(const std::string& path) {
  CCF_RETURN_IF_ERROR(CheckFile(path));
  sql::OpenOptions o;
  o.path = path;
  o.read_only = true;
  o.immutable = true;
  Result<std::unique_ptr<sql::Db>> db = sql::Db::Open(o);
  if (!db.ok()) return Damaged(path, db.status());
  // Each tile is read once and then lives decoded in the map's cache: SQLite
  // needs only the index's inner pages (256 KB, not its default 2 MB).
  if (Status st = (*db)->Exec("PRAGMA cache_size = -256"); !st.ok()) return Damaged(path, st);
  Status refusal;
  Result<PackInfo> info = ReadPack(db->get(), path, &refusal);
  if (!info.ok()) return Damaged(path, info.status());
  if (!refusal.ok()) return refusal;
  info->id = fs::path(path).stem().string();
  std::error_code ec;
  info->file_bytes = static_cast<int64_t>(fs::file_size(path, ec));
  return std::unique_ptr<MbTiles>(new SqliteMbTiles(std::move(*db), std::move(*info)));
}

}  // namespace ccfield::maps
