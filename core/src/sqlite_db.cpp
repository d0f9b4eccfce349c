#include "ccfield/core/sqlite_db.h"

#include <sqlite3.h>

#include <cstring>

#include "ccfield/core/sqlite_txn.h"
#include "testing_hooks.h"

namespace ccfield::sql {

using nlohmann::json;

Status FromSqlite(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string ctx(context);
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::DiskFull(Msg("the device storage is full; free some space and try again (nothing was lost)"))
          .WithContext(ctx);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kBusy, Msg("the data file is in use by another ccfield process; try again")).WithContext(ctx);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corrupt(ctx + ": the data file is damaged or is not a ccfield store (" + detail + ")");
    case SQLITE_CANTOPEN:
      return Status::IoError(ctx + ": cannot open the data file (" + detail + ")");
    case SQLITE_IOERR:
      return Status::IoError(Msg("the storage reported a read/write error ({detail})", {{"detail", detail}}))
          .WithContext(ctx);
    case SQLITE_READONLY:
      return Status::ReadOnly(ctx + ": the data file is read-only (" + detail + ")");
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Denied(ctx + ": " + detail);
    case SQLITE_CONSTRAINT:
      return Status::Conflict(ctx + ": " + detail);
    case SQLITE_TOOBIG:
      return Status::Invalid(ctx + ": value too large");
    case SQLITE_NOMEM:
      return Status::Internal(ctx + ": out of memory");
    default:
      return Status::Internal(ctx + ": " + detail);
  }
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::BindJson(int i, const json& v) {
  switch (v.type()) {
    case json::value_t::null: return BindNull(i);
    case json::value_t::boolean: return Bind(i, static_cast<int64_t>(v.get<bool>() ? 1 : 0));
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return Bind(i, v.get<int64_t>());
    case json::value_t::number_float: return Bind(i, v.get<double>());
    case json::value_t::string: return Bind(i, v.get_ref<const std::string&>());
    default: return Bind(i, v.dump());
  }
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(rc, db_, "database");
}

Status Stmt::Run() {
  while (true) {
    Result<bool> r = Step();
    if (!r.ok()) {
      sqlite3_reset(stmt_);
      return r.status();
    }
    if (!*r) {
      sqlite3_reset(stmt_);
      return Status::Ok();
    }
  }
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::Real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}
json Stmt::Json(int col) const {
  switch (sqlite3_column_type(stmt_, col)) {
    case SQLITE_INTEGER: return Int(col);
    case SQLITE_FLOAT: return Real(col);
    case SQLITE_NULL: return nullptr;
    default: return Text(col);
  }
}

Result<std::unique_ptr<Db>> Db::Open(const OpenOptions& o) {
  sqlite3* raw = nullptr;
  int flags = (o.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  std::string name = o.path;
  if (o.read_only && o.immutable) {  // a URI: "file:" + the path with ?, # and % escaped
    name = "file:";
    for (char c : o.path) name += c == '?' ? "%3f" : c == '#' ? "%23" : c == '%' ? "%25" : std::string(1, c);
    name += "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, o.vfs.empty() ? nullptr : o.vfs.c_str());
  if (rc != SQLITE_OK) {
    Status st = FromSqlite(rc, raw, "opening " + o.path);
    sqlite3_close_v2(raw);
    return st;
  }
  sqlite3_extended_result_codes(raw, 1);
  auto db = std::unique_ptr<Db>(new Db(raw, o.path));
  db->SetBusyTimeout(o.busy_timeout_ms);
  return db;
}

void Db::SetBusyTimeout(int ms) {
  sqlite3_busy_timeout(db_, ms);
  busy_timeout_ms_ = ms;
}

Db::~Db() {
  cache_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

Result<Stmt*> Db::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) return FromSqlite(rc, db_, "preparing query");
    it = cache_.emplace(sql, std::make_unique<Stmt>(db_, stmt)).first;
  }
  it->second->Reset();
  return it->second.get();
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, db_, "preparing query");
  return Stmt(db_, stmt);
}

Status Db::Exec(std::string_view sql) {
  std::string copy(sql);
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, nullptr);
  return FromSqlite(rc, db_, "database");
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Db::CheckWritable() const {
  if (!broken_) return Status::Ok();
  return Status::ReadOnly("an earlier save to " + path_ +
                          " failed and may or may not have been written; close and reopen it (restart) before "
                          "writing again");
}

Status Db::UseDurableWal(const std::string& path) {
  {
    CCF_ASSIGN_OR_RETURN(Stmt wal, Prepare("PRAGMA journal_mode = WAL"));
    Result<bool> r = wal.Step();
    if (!r.ok()) return r.status().WithContext("opening " + path);
    if (!*r || wal.Text(0) != "wal") {
      return Status::IoError("opening " + path + ": the file system does not support write-ahead logging");
    }
  }
  return Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").WithContext("opening " + path);
}

// ---- Transactions (sqlite_txn.h) ---------------------------------------------

Result<Txn> Txn::Begin(Db* db) {
  CCF_RETURN_IF_ERROR(db->CheckWritable());
  if (db->InTransaction()) return Status::Internal("a transaction is already open on " + db->path_);
  CCF_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return Txn(db);
}

Txn::~Txn() {
  if (!db_ || !db_->InTransaction()) return;
  // A ROLLBACK that fails leaves the connection inside a transaction whose
  // end nobody controls: treat it like a COMMIT with an unknown outcome.
  if (!db_->Exec("ROLLBACK").ok() && db_->InTransaction()) db_->broken_ = true;
}

Status Txn::Commit() {
  Db* db = std::exchange(db_, nullptr);
  if (!db) return Status::Internal("commit of a transaction that is already over");
  Status st = db->Exec("COMMIT");
  if (st.ok()) return st;
  if (db->InTransaction()) (void)db->Exec("ROLLBACK");
  // Disk full and busy roll back cleanly; anything else (an I/O error while
  // writing or syncing the WAL) leaves the outcome unknown, so stop writing
  // until the file is reopened and SQLite's recovery has settled it.
  if (st.code() != Code::kDiskFull && st.code() != Code::kBusy) db->broken_ = true;
  return st;
}

// ---- Fault-injecting VFS (tests) -------------------------------------------

namespace {

struct FaultFile {
  sqlite3_file base;  // must be first: SQLite casts
  sqlite3_file* real;
};

sqlite3_vfs* g_real_vfs = nullptr;
sqlite3_vfs g_fault_vfs;
FaultVfsControl g_control;
sqlite3_io_methods g_fault_io;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int FaultClose(sqlite3_file* f) {
  sqlite3_file* real = Real(f);
  int rc = real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
  sqlite3_free(real);
  return rc;
}
int FaultRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int FaultWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (g_control.armed) {
    if (g_control.writes_seen >= g_control.writes_allowed) {
      ++g_control.faults_returned;
      return g_control.io_error ? SQLITE_IOERR_WRITE : SQLITE_FULL;
    }
    ++g_control.writes_seen;
  }
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int FaultTruncate(sqlite3_file* f, sqlite3_int64 size) { return Real(f)->pMethods->xTruncate(Real(f), size); }
int FaultSync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int FaultFileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
int FaultLock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int FaultUnlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int FaultCheckReserved(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
int FaultFileControl(sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); }
int FaultSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int FaultDeviceChars(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int FaultShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** pp) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, pp);
}
int FaultShmLock(sqlite3_file* f, int off, int n, int flags) { return Real(f)->pMethods->xShmLock(Real(f), off, n, flags); }
void FaultShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int FaultShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }

int FaultOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = static_cast<sqlite3_file*>(sqlite3_malloc(g_real_vfs->szOsFile));
  if (!ff->real) return SQLITE_NOMEM;
  std::memset(ff->real, 0, static_cast<size_t>(g_real_vfs->szOsFile));
  int rc = g_real_vfs->xOpen(g_real_vfs, name, ff->real, flags, out_flags);
  // Even on failure xClose is called when pMethods is set, so set it to ours.
  ff->base.pMethods = &g_fault_io;
  return rc;
}
int FaultDelete(sqlite3_vfs*, const char* name, int sync) { return g_real_vfs->xDelete(g_real_vfs, name, sync); }
int FaultAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real_vfs->xAccess(g_real_vfs, name, flags, out);
}
int FaultFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real_vfs->xFullPathname(g_real_vfs, name, n, out);
}
int FaultRandomness(sqlite3_vfs*, int n, char* out) { return g_real_vfs->xRandomness(g_real_vfs, n, out); }
int FaultSleep(sqlite3_vfs*, int us) { return g_real_vfs->xSleep(g_real_vfs, us); }
int FaultCurrentTime(sqlite3_vfs*, double* out) { return g_real_vfs->xCurrentTime(g_real_vfs, out); }
int FaultGetLastError(sqlite3_vfs*, int n, char* out) { return g_real_vfs->xGetLastError(g_real_vfs, n, out); }
int FaultCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real_vfs->xCurrentTimeInt64(g_real_vfs, out);
}

}  // namespace

FaultVfsControl* RegisterFaultVfs(const char* name) {
  if (g_real_vfs) return &g_control;
  g_real_vfs = sqlite3_vfs_find(nullptr);
  g_fault_io = sqlite3_io_methods{2,          FaultClose,       FaultRead,        FaultWrite,
                                  FaultTruncate, FaultSync,     FaultFileSize,    FaultLock,
                                  FaultUnlock,   FaultCheckReserved, FaultFileControl, FaultSectorSize,
                                  FaultDeviceChars, FaultShmMap, FaultShmLock,    FaultShmBarrier,
                                  FaultShmUnmap, nullptr,       nullptr};
  g_fault_vfs = *g_real_vfs;
  g_fault_vfs.szOsFile = sizeof(FaultFile);
  g_fault_vfs.zName = name;
  g_fault_vfs.pNext = nullptr;
  g_fault_vfs.xOpen = FaultOpen;
  g_fault_vfs.xDelete = FaultDelete;
  g_fault_vfs.xAccess = FaultAccess;
  g_fault_vfs.xFullPathname = FaultFullPathname;
  g_fault_vfs.xRandomness = FaultRandomness;
  g_fault_vfs.xSleep = FaultSleep;
  g_fault_vfs.xCurrentTime = FaultCurrentTime;
  g_fault_vfs.xGetLastError = FaultGetLastError;
  g_fault_vfs.xCurrentTimeInt64 = FaultCurrentTimeInt64;
  g_fault_vfs.xDlOpen = nullptr;
  g_fault_vfs.xDlError = nullptr;
  g_fault_vfs.xDlSym = nullptr;
  g_fault_vfs.xDlClose = nullptr;
  g_fault_vfs.xSetSystemCall = nullptr;
  g_fault_vfs.xGetSystemCall = nullptr;
  g_fault_vfs.xNextSystemCall = nullptr;
  sqlite3_vfs_register(&g_fault_vfs, 0);
  return &g_control;
}

}  // namespace ccfield::sql
