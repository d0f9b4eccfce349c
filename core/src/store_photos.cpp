// PhotoStore (photo_store.h): photo records, the photo queue, originals,
// settings and data use. Every write is one transaction.

#include <algorithm>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/sqlite_txn.h"
#include "ccfield/core/store.h"
#include "ccfield/core/uuid.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

using nlohmann::json;

namespace {

constexpr std::string_view kRuleNames[] = {"always", "thumbnails", "unmetered", "never"};

const char* DirectionName(TransferDirection d) { return d == TransferDirection::kUp ? "up" : "down"; }

// The transfer row of `hash` in one direction (any workspace), if any.
struct TransferRow {
  int64_t size = 0, done = 0;
  std::string state, error;
  bool wanted = false;
};

Result<std::optional<TransferRow>> FindTransfer(sql::Db* db, const std::string& hash, TransferDirection d) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db->Cached("SELECT size, done, state, coalesce(error, ''), wanted "
                                                 "FROM blob_transfers WHERE hash = ? AND direction = ? "
                                                 "ORDER BY state = 'done' DESC LIMIT 1"));
  q->Bind(1, hash).Bind(2, DirectionName(d));
  Result<std::optional<TransferRow>> row = sql::OneRow<TransferRow>(*q, [](const sql::Stmt& r) {
    return TransferRow{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4) != 0};
  });
  q->Reset();
  return row;
}

std::string TextOf(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

}  // namespace

std::string_view PhotoRuleName(PhotoRule rule) { return kRuleNames[static_cast<int>(rule)]; }

std::optional<PhotoRule> ParsePhotoRule(std::string_view name) {
  for (size_t i = 0; i < std::size(kRuleNames); ++i) {
    if (kRuleNames[i] == name) return static_cast<PhotoRule>(i);
  }
  return std::nullopt;
}

std::string PhotoStore::BlobDir() const {
  const std::string& path = s_->path_;
  if (path.empty() || path == ":memory:") return "";
  size_t slash = path.find_last_of('/');
  return (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/blobs";
}

Result<std::string> PhotoStore::Add(const NewPhoto& p) {
  if (p.parent_type != RecordType::kVisit && p.parent_type != RecordType::kSite) {
    return Status::Invalid("a photo belongs to a visit or a site");
  }
  CCF_ASSIGN_OR_RETURN(Record parent, s_->Get(p.parent_type, p.parent_id));
  if (parent.deleted) {
    return Status::Conflict("the " + std::string(TypeName(p.parent_type)) + " is deleted; restore it to add photos");
  }
  const std::string ws = TextOf(parent.Get("workspace_id"));
  json f = {{"workspace_id", ws},          {"blob", p.blob},     {"mime", "image/jpeg"},
            {"bytes", p.bytes},            {"width", p.width},   {"height", p.height}};
  f[p.parent_type == RecordType::kVisit ? "visit_id" : "site_id"] = p.parent_id;
  if (p.parent_type == RecordType::kVisit && parent.Get("site_id").is_string()) f["site_id"] = parent.Get("site_id");
  if (!p.thumb.empty()) {
    f["thumb"] = p.thumb;
    f["thumb_bytes"] = p.thumb_bytes;
  }
  if (p.taken_at) f["taken_at"] = *p.taken_at;
  if (p.lat && p.lon) {
    f["lat"] = *p.lat;
    f["lon"] = *p.lon;
  }
  if (!p.position_source.empty()) f["position_source"] = p.position_source;
  if (!p.caption.empty()) f["caption"] = p.caption;
  if (!p.file_name.empty()) f["file_name"] = p.file_name;
  const std::string id = NewUuid(s_->env_);
  sql::Db* db = s_->db_.get();
  const int64_t now = s_->env_->WallMillis();
  CCF_RETURN_IF_ERROR(s_->CommitThen({SetFields{RecordType::kPhoto, id, f}}, [&]() -> Status {
    if (p.original) {
      CCF_ASSIGN_OR_RETURN(sql::Stmt o, db->Prepare("INSERT OR REPLACE INTO photo_originals(photo_id, hash, bytes) "
                                                    "VALUES(?, ?, ?)"));
      CCF_RETURN_IF_ERROR(o.Bind(1, id).Bind(2, *p.original).Bind(3, p.original_bytes).Run());
    }
    CCF_ASSIGN_OR_RETURN(bool demo, s_->IsDemo(id));
    if (demo) return Status::Ok();  // demo data never leaves the device
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare(
        "INSERT OR IGNORE INTO blob_transfers(hash, direction, workspace_id, kind, size, queued_ms, updated_ms) "
        "VALUES(?, 'up', ?, ?, ?, ?, ?)"));
    if (!p.thumb.empty()) {
      CCF_RETURN_IF_ERROR(q.Bind(1, p.thumb).Bind(2, ws).Bind(3, "thumb").Bind(4, p.thumb_bytes).Bind(5, now)
                              .Bind(6, now).Run());
      q.Reset();
    }
    return q.Bind(1, p.blob).Bind(2, ws).Bind(3, "full").Bind(4, p.bytes).Bind(5, now).Bind(6, now).Run();
  }).status());
  return id;
}

Result<PhotoRow> PhotoStore::Get(const std::string& photo_id, const BlobFiles& blobs) {
  CCF_ASSIGN_OR_RETURN(Record r, s_->Get(RecordType::kPhoto, photo_id));
  PhotoRow row;
  const std::string blob = TextOf(r.Get("blob")), thumb = TextOf(r.Get("thumb"));
  row.have_full = blobs.Has(blob);
  row.have_thumb = blobs.Has(thumb);
  sql::Db* db = s_->db_.get();
  CCF_ASSIGN_OR_RETURN(sql::Stmt * o, db->Cached("SELECT hash FROM photo_originals WHERE photo_id = ?"));
  o->Bind(1, photo_id);
  CCF_ASSIGN_OR_RETURN(std::optional<std::string> original,
                       sql::OneRow<std::string>(*o, [](const sql::Stmt& q) { return q.Text(0); }));
  o->Reset();
  if (original && blobs.Has(*original)) row.original = original;
  CCF_ASSIGN_OR_RETURN(std::optional<TransferRow> up, FindTransfer(db, blob, TransferDirection::kUp));
  if (up) {
    row.size = up->size;
    row.done = up->done;
    row.error = up->error;
    row.state = up->state == "done"     ? PhotoState::kSent
                : up->state == "failed" ? PhotoState::kRefused
                : up->done > 0          ? PhotoState::kSending
                                        : PhotoState::kWaiting;
  } else {
    CCF_ASSIGN_OR_RETURN(std::optional<TransferRow> down, FindTransfer(db, blob, TransferDirection::kDown));
    if (down && !row.have_full) {
      row.size = down->size;
      row.done = down->done;
      row.error = down->error;
    }
    row.state = row.have_full                              ? PhotoState::kHere
                : down && down->state == "waiting"         ? PhotoState::kDownloading
                : row.have_thumb                           ? PhotoState::kThumbnailOnly
                                                           : PhotoState::kNothingHere;
  }
  row.record = std::move(r);
  return row;
}

Result<std::vector<PhotoRow>> PhotoStore::Of(const std::string& parent_id, bool include_deleted,
                                             const BlobFiles& blobs) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(std::string("SELECT id FROM photos WHERE (visit_id = ?1 OR "
                                                                 "(site_id = ?1 AND visit_id IS NULL))") +
                                                     (include_deleted ? "" : " AND deleted = 0") +
                                                     " ORDER BY created_at, id"));
  q.Bind(1, parent_id);
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> ids, sql::TextColumn(q));
  std::vector<PhotoRow> out;
  for (const std::string& id : ids) {
    CCF_ASSIGN_OR_RETURN(PhotoRow row, Get(id, blobs));
    out.push_back(std::move(row));
  }
  return out;
}

Result<int> PhotoStore::LongEdgeFor(const std::string& workspace_id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q,
                       s_->db_->Prepare("SELECT long_edge FROM workspace_photo_sizes WHERE workspace_id = ?"));
  q.Bind(1, workspace_id);
  CCF_ASSIGN_OR_RETURN(std::optional<int64_t> edge,
                       sql::OneRow<int64_t>(q, [](const sql::Stmt& r) { return r.Int(0); }));
  return edge ? static_cast<int>(*edge) : kDefaultPhotoLongEdge;
}

Status PhotoStore::SetLongEdge(const std::string& workspace_id, int long_edge) {
  if (long_edge < kMinPhotoLongEdge || long_edge > kMaxPhotoLongEdge) {
    return Status::Invalid("a photo size must be between " + std::to_string(kMinPhotoLongEdge) + " and " +
                           std::to_string(kMaxPhotoLongEdge) + " pixels");
  }
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT OR REPLACE INTO workspace_photo_sizes(workspace_id, long_edge) VALUES(?, ?)"));
    return q.Bind(1, workspace_id).Bind(2, long_edge).Run();
  });
}

Status PhotoStore::QueueMissingThumbnails() {
  const int64_t now = s_->env_->WallMillis();
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT OR IGNORE INTO blob_transfers(hash, direction, workspace_id, kind, size, queued_ms, updated_ms) "
        "SELECT p.thumb, 'down', p.workspace_id, 'thumb', coalesce(p.thumb_bytes, 0), ?1, ?1 FROM photos p "
        "WHERE p.deleted = 0 AND p.thumb IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM blob_transfers u WHERE u.hash = p.thumb AND u.direction = 'up') "
        "AND p.id NOT IN (SELECT record_id FROM demo_records)"));
    return q.Bind(1, now).Run();
  });
}

Status PhotoStore::WantFull(const std::string& photo_id) {
  CCF_ASSIGN_OR_RETURN(Record r, s_->Get(RecordType::kPhoto, photo_id));
  const int64_t now = s_->env_->WallMillis();
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT INTO blob_transfers(hash, direction, workspace_id, kind, size, wanted, queued_ms, updated_ms) "
        "VALUES(?1, 'down', ?2, 'full', ?3, 1, ?4, ?4) ON CONFLICT(hash, direction, workspace_id) DO UPDATE SET "
        "wanted = 1, state = 'waiting', error = NULL, updated_ms = ?4"));
    json bytes = r.Get("bytes");
    return q.Bind(1, TextOf(r.Get("blob")))
        .Bind(2, TextOf(r.Get("workspace_id")))
        .Bind(3, bytes.is_number_integer() ? bytes.get<int64_t>() : int64_t{0})
        .Bind(4, now)
        .Run();
  });
}

Status PhotoStore::WantAllFull() {
  const int64_t now = s_->env_->WallMillis();
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT OR IGNORE INTO blob_transfers(hash, direction, workspace_id, kind, size, queued_ms, updated_ms) "
        "SELECT p.blob, 'down', p.workspace_id, 'full', coalesce(p.bytes, 0), ?1, ?1 FROM photos p "
        "WHERE p.deleted = 0 AND p.blob IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM blob_transfers u WHERE u.hash = p.blob AND u.direction = 'up') "
        "AND p.id NOT IN (SELECT record_id FROM demo_records)"));
    return q.Bind(1, now).Run();
  });
}

Status PhotoStore::SendNow(const std::string& photo_id) {
  CCF_ASSIGN_OR_RETURN(Record r, s_->Get(RecordType::kPhoto, photo_id));
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "UPDATE blob_transfers SET wanted = 1, state = 'waiting', error = NULL, updated_ms = ?3 "
        "WHERE direction = 'up' AND state <> 'done' AND hash IN (?1, ?2)"));
    return q.Bind(1, TextOf(r.Get("blob"))).Bind(2, TextOf(r.Get("thumb"))).Bind(3, s_->env_->WallMillis()).Run();
  });
}

Result<std::vector<BlobTransfer>> PhotoStore::Waiting(TransferDirection direction, int limit) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT hash, workspace_id, kind, size, done, wanted, coalesce(error, ''), queued_ms FROM blob_transfers t "
      "WHERE direction = ? AND state = 'waiting' AND EXISTS (SELECT 1 FROM photos p WHERE (p.blob = t.hash OR "
      "p.thumb = t.hash) AND p.workspace_id = t.workspace_id AND p.deleted = 0) "
      "ORDER BY wanted DESC, kind = 'full', queued_ms, hash LIMIT ?"));
  q.Bind(1, DirectionName(direction)).Bind(2, limit);
  return sql::AllRows<BlobTransfer>(q, [direction](const sql::Stmt& r) {
    BlobTransfer t;
    t.hash = r.Text(0);
    t.direction = direction;
    t.workspace_id = r.Text(1);
    t.kind = r.Text(2) == "thumb" ? BlobKind::kThumb : BlobKind::kFull;
    t.size = r.Int(3);
    t.done = r.Int(4);
    t.wanted = r.Int(5) != 0;
    t.error = r.Text(6);
    t.queued_ms = r.Int(7);
    return t;
  });
}

Status PhotoStore::Progress(const BlobTransfer& t, int64_t size, int64_t done) {
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "UPDATE blob_transfers SET size = ?, done = ?, error = ?, updated_ms = ? "
        "WHERE hash = ? AND direction = ? AND workspace_id = ?"));
    q.Bind(1, size).Bind(2, done);
    if (t.error.empty()) q.BindNull(3); else q.Bind(3, t.error);
    return q.Bind(4, s_->env_->WallMillis()).Bind(5, t.hash).Bind(6, DirectionName(t.direction))
        .Bind(7, t.workspace_id).Run();
  });
}

namespace {

// Originals of photos whose send copy is on the server, when they are not
// kept: their rows go, and the hashes no other photo still keeps are returned.
Result<std::vector<std::string>> ReleaseOriginals(sql::Db* db, const std::string& only_blob) {
  std::string sql =
      "SELECT o.photo_id, o.hash FROM photo_originals o JOIN photos p ON p.id = o.photo_id "
      "WHERE EXISTS (SELECT 1 FROM blob_transfers t WHERE t.hash = p.blob AND t.direction = 'up' "
      "AND t.state = 'done')";
  if (!only_blob.empty()) sql += " AND p.blob = ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare(sql));
  if (!only_blob.empty()) q.Bind(1, only_blob);
  using Pair = std::pair<std::string, std::string>;
  CCF_ASSIGN_OR_RETURN(std::vector<Pair> rows,
                       sql::AllRows<Pair>(q, [](const sql::Stmt& r) { return Pair(r.Text(0), r.Text(1)); }));
  std::vector<std::string> gone;
  CCF_ASSIGN_OR_RETURN(sql::Stmt del, db->Prepare("DELETE FROM photo_originals WHERE photo_id = ?"));
  CCF_ASSIGN_OR_RETURN(sql::Stmt still, db->Prepare("SELECT 1 FROM photo_originals WHERE hash = ?"));
  for (const auto& [photo_id, hash] : rows) {
    del.Reset();
    CCF_RETURN_IF_ERROR(del.Bind(1, photo_id).Run());
  }
  for (const auto& [photo_id, hash] : rows) {
    still.Reset();
    still.Bind(1, hash);
    CCF_ASSIGN_OR_RETURN(bool kept, still.Step());
    if (!kept && std::find(gone.begin(), gone.end(), hash) == gone.end()) gone.push_back(hash);
  }
  return gone;
}

}  // namespace

Result<std::vector<std::string>> PhotoStore::Done(const BlobTransfer& t) {
  CCF_ASSIGN_OR_RETURN(PhotoSettings settings, Settings());
  std::vector<std::string> release;
  CCF_RETURN_IF_ERROR(sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "UPDATE blob_transfers SET state = 'done', done = size, error = NULL, updated_ms = ? "
        "WHERE hash = ? AND direction = ? AND workspace_id = ?"));
    CCF_RETURN_IF_ERROR(q.Bind(1, s_->env_->WallMillis()).Bind(2, t.hash).Bind(3, DirectionName(t.direction))
                            .Bind(4, t.workspace_id).Run());
    if (t.direction == TransferDirection::kUp && t.kind == BlobKind::kFull && !settings.keep_originals) {
      CCF_ASSIGN_OR_RETURN(release, ReleaseOriginals(s_->db_.get(), t.hash));
    }
    return Status::Ok();
  }));
  return release;
}

Status PhotoStore::Refused(const BlobTransfer& t, const std::string& reason) {
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "UPDATE blob_transfers SET state = 'failed', wanted = 0, error = ?, updated_ms = ? "
        "WHERE hash = ? AND direction = ? AND workspace_id = ?"));
    return q.Bind(1, reason).Bind(2, s_->env_->WallMillis()).Bind(3, t.hash).Bind(4, DirectionName(t.direction))
        .Bind(5, t.workspace_id).Run();
  });
}

Result<int64_t> PhotoStore::CountWaiting(TransferDirection direction) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
      "SELECT count(*) FROM blob_transfers t WHERE direction = ? AND state = 'waiting' AND EXISTS (SELECT 1 FROM "
      "photos p WHERE (p.blob = t.hash OR p.thumb = t.hash) AND p.workspace_id = t.workspace_id AND p.deleted = 0)"));
  q.Bind(1, DirectionName(direction));
  CCF_ASSIGN_OR_RETURN(std::optional<int64_t> n, sql::OneRow<int64_t>(q, [](const sql::Stmt& r) { return r.Int(0); }));
  return n.value_or(0);
}

Result<PhotoSettings> PhotoStore::Settings() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT key, value FROM meta WHERE key LIKE 'photo_%'"));
  using Pair = std::pair<std::string, std::string>;
  CCF_ASSIGN_OR_RETURN(std::vector<Pair> rows,
                       sql::AllRows<Pair>(q, [](const sql::Stmt& r) { return Pair(r.Text(0), r.Text(1)); }));
  PhotoSettings s;
  for (const auto& [key, value] : rows) {
    if (key == "photo_rule") s.rule = ParsePhotoRule(value).value_or(PhotoRule::kAlways);
    if (key == "photo_cap_mb") s.monthly_cap_mb = std::max<int64_t>(0, std::atoll(value.c_str()));
    if (key == "photo_keep_originals") s.keep_originals = value == "1";
  }
  return s;
}

Result<std::vector<std::string>> PhotoStore::SaveSettings(const PhotoSettings& settings) {
  if (settings.monthly_cap_mb < 0) return Status::Invalid("the monthly photo cap cannot be negative");
  std::vector<std::string> release;
  CCF_RETURN_IF_ERROR(sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
    const std::pair<const char*, std::string> values[] = {
        {"photo_rule", std::string(PhotoRuleName(settings.rule))},
        {"photo_cap_mb", std::to_string(settings.monthly_cap_mb)},
        {"photo_keep_originals", settings.keep_originals ? "1" : "0"}};
    for (const auto& [key, value] : values) {
      q.Reset();
      CCF_RETURN_IF_ERROR(q.Bind(1, key).Bind(2, value).Run());
    }
    if (!settings.keep_originals) {
      CCF_ASSIGN_OR_RETURN(release, ReleaseOriginals(s_->db_.get(), ""));
    }
    return Status::Ok();
  }));
  return release;
}

Status PhotoStore::AddUsage(UsageKind kind, int64_t up, int64_t down) {
  if (up == 0 && down == 0) return Status::Ok();
  const std::string month = FormatUtcMillis(s_->env_->WallMillis()).substr(0, 7);
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT INTO data_usage(month, kind, up, down) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(month, kind) "
        "DO UPDATE SET up = up + ?3, down = down + ?4"));
    return q.Bind(1, month).Bind(2, kind == UsageKind::kRecords ? "records" : "photos").Bind(3, up).Bind(4, down)
        .Run();
  });
}

Result<DataUsage> PhotoStore::Usage(const std::string& month) {
  const std::string m = month.empty() ? FormatUtcMillis(s_->env_->WallMillis()).substr(0, 7) : month;
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT kind, up, down FROM data_usage WHERE month = ?"));
  q.Bind(1, m);
  DataUsage u;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const bool records = q.Text(0) == "records";
    (records ? u.records_up : u.photos_up) = q.Int(1);
    (records ? u.records_down : u.photos_down) = q.Int(2);
  }
  return u;
}

}  // namespace ccfield
