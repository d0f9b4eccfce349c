// See ccfield/maps/mbtiles_writer.h.
#include "ccfield/maps/mbtiles_writer.h"

#include <cstdio>

#include "ccfield/maps/mbtiles.h"

namespace ccfield::maps {

Result<std::unique_ptr<MbTilesWriter>> MbTilesWriter::Create(const std::string& path,
                                                             const std::map<std::string, std::string>& metadata) {
  std::remove(path.c_str());
  sql::OpenOptions o;
  o.path = path;
  CCF_ASSIGN_OR_RETURN(std::unique_ptr<sql::Db> db, sql::Db::Open(o));
  // A pack is written once and then only read: no journal to leave behind.
  CCF_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode = OFF;"
               "CREATE TABLE metadata (name TEXT, value TEXT);"
               "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
               "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"));
  CCF_ASSIGN_OR_RETURN(sql::Txn txn, sql::Txn::Begin(db.get()));
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("INSERT INTO metadata (name, value) VALUES (?1, ?2)"));
  for (const auto& [name, value] : metadata) {
    q.Reset();
    q.Bind(1, name).Bind(2, value);
    CCF_RETURN_IF_ERROR(q.Run());
  }
  return std::unique_ptr<MbTilesWriter>(new MbTilesWriter(std::move(db), std::move(txn)));
}

Status MbTilesWriter::Put(TileKey key, std::string_view bytes) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db_->Cached("INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, "
                                                  "tile_data) VALUES (?1, ?2, ?3, ?4)"));
  q->Bind(1, key.z).Bind(2, key.x).Bind(3, TmsRow(key)).BindBlob(4, bytes);
  return q->Run();
}

Status MbTilesWriter::Finish() {
  Status st = txn_->Commit();
  txn_.reset();
  db_.reset();
  return st;
}

}  // namespace ccfield::maps
