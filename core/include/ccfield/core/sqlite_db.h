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
#include <type_traits>
#include <unordered_map>
#include <vector>

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
  // Binds the bytes as a BLOB (map tiles), not as TEXT.
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v);
  Stmt& BindNull(int i);
  // null -> NULL, bool -> 0/1, numbers, strings; arrays and objects as JSON text.
  Stmt& BindJson(int i, const nlohmann::json& v);

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows; then (done or failed) the statement is
  // reset (its bindings kept), so it can be bound and run again. (Binding a statement
  // that has run without a reset fails, and sqlite3_bind's code is not
  // checked here: the next run would silently reuse the old values.)
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

// The first row of `q` as `read(q)` makes it (read returns T), or nullopt
// when there is none. Steps once.
template <typename T, typename Read>
Result<std::optional<T>> OneRow(Stmt& q, Read read) {
  CCF_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<T>();
  return std::optional<T>(read(static_cast<const Stmt&>(q)));
}

// Every row of `q` as `read(q)` makes it, in order. `read` returns T, or
// Result<T> when a row can be damaged (the first error is returned).
template <typename T, typename Read>
Result<std::vector<T>> AllRows(Stmt& q, Read read) {
  std::vector<T> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return out;
    if constexpr (std::is_same_v<decltype(read(static_cast<const Stmt&>(q))), Result<T>>) {
      CCF_ASSIGN_OR_RETURN(T value, read(static_cast<const Stmt&>(q)));
      out.push_back(std::move(value));
    } else {
      out.push_back(read(static_cast<const Stmt&>(q)));
    }
  }
}

// Every row's first column as text.
inline Result<std::vector<std::string>> TextColumn(Stmt& q) {
  return AllRows<std::string>(q, [](const Stmt& r) { return r.Text(0); });
}

struct OpenOptions {
  std::string path;
  std::string vfs;  // empty: the default VFS (tests pass a fault-injecting one)
  bool read_only = false;
  // With read_only: the file is never changed by anyone while open (a map
  // pack), so SQLite takes no locks and never looks for a journal or WAL.
  bool immutable = false;
  int busy_timeout_ms = 5000;
};

class Txn;

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const OpenOptions& options);
  ~Db();

  // The durability settings every ccfield file uses, run once after the
  // caller has checked the file is its own: WAL with synchronous=FULL (a
  // COMMIT that returned survives power loss) and foreign keys on. The busy
  // timeout is set by Open. `path` only names the file in errors: kIoError
  // when the file system cannot do WAL.
  Status UseDurableWal(const std::string& path);

  Result<Stmt> Prepare(std::string_view sql);
  // A statement prepared once per connection and reused (hot paths: record
  // loads, the change log, the search index). Returned reset, with no
  // bindings; owned by the Db. The caller must finish with it before asking
  // for the same SQL again.
  Result<Stmt*> Cached(const std::string& sql);
  // Runs one or more statements without results. Writes go through a Txn
  // (sqlite_txn.h), never through a bare "BEGIN"/"COMMIT" here.
  Status Exec(std::string_view sql);
  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  sqlite3* raw() { return db_; }
  // Whether a transaction is open on this connection (autocommit is off).
  bool InTransaction() const;
  // Whether a COMMIT on this connection failed with an unknown outcome (see
  // Txn::Commit). A broken Db refuses every new transaction until the file is
  // opened again (a new Db); reads still work.
  bool broken() const { return broken_; }
  // Ok, or kReadOnly when broken(): the error every write path returns then.
  Status CheckWritable() const;
  // How long a statement waits for another connection's lock before kBusy
  // (OpenOptions::busy_timeout_ms at first). Work that can wait for a better
  // moment (indexing when the window is idle) sets 0 around itself.
  void SetBusyTimeout(int ms);
  int busy_timeout_ms() const { return busy_timeout_ms_; }

 private:
  friend class Txn;
  explicit Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  bool broken_ = false;
  int busy_timeout_ms_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

}  // namespace ccfield::sql
