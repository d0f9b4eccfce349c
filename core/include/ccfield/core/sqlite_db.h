#pragma once
// The only place that calls sqlite3_*: a connection, prepared statements and
// the mapping of SQLite result codes to Status. Used by the core store and by
// the server's SQLite storage; nothing else includes <sqlite3.h>.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ccfield/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ccfield::sql {

// Maps an SQLite result code to a Status with a plain-language message.
// `context` says what was being done ("saving visit").
Status FromSqlite(int rc, sqlite3* db, std::string_view context);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Binds are 1-based like SQLite's.
  Stmt& Bind(int i, std::string_view text);
  Stmt& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Stmt& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v);
  Stmt& BindNull(int i);
  // null -> NULL, bool -> 0/1, numbers, strings; arrays and objects as JSON text.
  Stmt& BindJson(int i, const nlohmann::json& v);

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  void Reset();
  bool valid() const { return stmt_ != nullptr; }

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  // The column as JSON: INTEGER/REAL numbers, TEXT strings, NULL null.
  nlohmann::json Json(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

struct OpenOptions {
  std::string path;
  std::string vfs;  // empty: the default VFS (tests pass a fault-injecting one)
  bool read_only = false;
  int busy_timeout_ms = 5000;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const OpenOptions& options);
  ~Db();

  Result<Stmt> Prepare(std::string_view sql);
  // A statement prepared once per connection and reused (hot paths: record
  // loads, the change log, the search index). Returned reset, with no
  // bindings; owned by the Db. The caller must finish with it before asking
  // for the same SQL again.
  Result<Stmt*> Cached(const std::string& sql);
  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  sqlite3* raw() { return db_; }
  // Whether the last failure left the outcome of a COMMIT unknown.
  bool InTransaction() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Registers a VFS that wraps the default one and fails every write after the
// first `writes_allowed` with SQLITE_FULL (disk full) while `armed` is set.
// For tests; lives here because only this module may call sqlite3_*.
struct FaultVfsControl {
  bool armed = false;
  int64_t writes_allowed = 0;
  int64_t writes_seen = 0;
  int64_t faults_returned = 0;
};
FaultVfsControl* RegisterFaultVfs(const char* name);

}  // namespace ccfield::sql
