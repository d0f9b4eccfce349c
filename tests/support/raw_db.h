#pragma once
// Direct SQLite access for tests that must make or inspect files the Store
// would not write itself (newer schema, foreign tables, damaged meta).
#include <memory>
#include <string>

#include "sqlite_db.h"
#include "support/store_fixture.h"

namespace ccfield::testing {

// Opens `path` with core's sql::Db wrapper (default VFS); REQUIREs success.
inline std::unique_ptr<sql::Db> OpenRawDb(const std::string& path) {
  sql::OpenOptions o;
  o.path = path;
  return Unwrap(sql::Db::Open(o));
}

}  // namespace ccfield::testing
