#pragma once
// Test-only hooks into core, kept out of the public headers. Tests reach this
// file through the include path they already use for core/src; production
// code never calls these.
#include <cstdint>

namespace ccfield::sql {

// Registers a VFS that wraps the default one and, while `armed` is set, fails
// every write after the first `writes_allowed`: with SQLITE_FULL (disk full),
// or with SQLITE_IOERR_WRITE when `io_error` is set (an I/O error: a COMMIT
// that hits it has an unknown outcome). Returns the one shared control block.
// Lives in sqlite_db.cpp because only that module may call sqlite3_*.
struct FaultVfsControl {
  bool armed = false;
  bool io_error = false;
  int64_t writes_allowed = 0;
  int64_t writes_seen = 0;
  int64_t faults_returned = 0;
};
FaultVfsControl* RegisterFaultVfs(const char* name);

}  // namespace ccfield::sql

namespace ccfield::testing_hooks {

// Stores opened from now on stop migrating at schema `version` (0: the latest,
// the default), to make files as an older ccfield left them. Process-wide.
void SetSchemaVersionLimit(int version);
int SchemaVersionLimit();

// Sets the limit for a scope and puts it back to 0 (latest) at its end.
class ScopedSchemaVersionLimit {
 public:
  explicit ScopedSchemaVersionLimit(int version) { SetSchemaVersionLimit(version); }
  ~ScopedSchemaVersionLimit() { SetSchemaVersionLimit(0); }
  ScopedSchemaVersionLimit(const ScopedSchemaVersionLimit&) = delete;
  ScopedSchemaVersionLimit& operator=(const ScopedSchemaVersionLimit&) = delete;
  void Set(int version) { SetSchemaVersionLimit(version); }
};

}  // namespace ccfield::testing_hooks
