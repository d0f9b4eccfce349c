#pragma once
// The one transaction rule for every SQLite write, on the device (Store) and
// on the server (SqliteStorage):
//
//   - a write runs in BEGIN IMMEDIATE ... COMMIT (Txn), rolled back when the
//     Txn goes out of scope uncommitted (an error, an early return, a throw);
//   - a COMMIT that fails with kDiskFull or kBusy rolled back cleanly: nothing
//     was written and the connection keeps working;
//   - a COMMIT that fails any other way (an I/O error while writing or
//     syncing the WAL) has an unknown outcome: the Db is marked broken and
//     refuses every later transaction (kReadOnly) until the file is opened
//     again, when SQLite's recovery settles what the file holds.
//
// Thread-safety: as the Db (one thread at a time).

#include <utility>

#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/status.h"

namespace ccfield::sql {

class [[nodiscard]] Txn {
 public:
  // BEGIN IMMEDIATE on `db` (which must outlive the Txn). Errors: kReadOnly
  // when the Db is broken, kBusy when another process holds the write lock
  // past the busy timeout, kInternal when a transaction is already open.
  static Result<Txn> Begin(Db* db);

  Txn(Txn&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Txn& operator=(Txn&&) = delete;
  Txn(const Txn&) = delete;
  // Rolls back unless Commit() was called.
  ~Txn();

  // COMMIT. Ok: durable. Otherwise the transaction is over (rolled back when
  // SQLite left it open) and, unless the code is kDiskFull or kBusy, the Db is
  // broken (see above). REQUIRES: called at most once.
  Status Commit();

 private:
  explicit Txn(Db* db) : db_(db) {}
  Db* db_;  // null once committed or rolled back
};

// Runs `body` (returning Status) in a Txn and commits it when `body` is ok;
// rolls back otherwise and returns body's error.
template <typename F>
Status Transact(Db* db, F&& body) {
  CCF_ASSIGN_OR_RETURN(Txn txn, Txn::Begin(db));
  CCF_RETURN_IF_ERROR(body());
  return txn.Commit();
}

}  // namespace ccfield::sql
