#pragma once
// Core's fault VFS (testing_hooks.h) for store tests: registered once per
// test program under one name; a store opened with FaultOptions() writes
// through it, and the test arms sql::FaultVfsControl to make writes fail.
// Needs core/src on the include path (testing_hooks.h is private to core).
#include <cstdint>

#include "ccfield/core/store.h"
#include "testing_hooks.h"

namespace ccfield::testing {

inline constexpr const char* kFaultVfs = "ccfield-fault";

// The fault VFS's switches (registered on first use).
inline sql::FaultVfsControl* FaultControl() {
  static sql::FaultVfsControl* control = sql::RegisterFaultVfs(kFaultVfs);
  return control;
}

// Store options that open the store through the fault VFS.
inline StoreOptions FaultOptions() {
  FaultControl();  // registered before the store opens with it
  StoreOptions o;
  o.vfs = kFaultVfs;
  return o;
}

// Arms the fault VFS for its scope: writes after the first `writes_allowed`
// fail, with SQLITE_FULL or, when `io_error`, with an I/O error (a COMMIT
// whose outcome is unknown). Disarmed when the scope ends.
class FaultScope {
 public:
  FaultScope(int64_t writes_allowed, bool io_error) : c_(FaultControl()) {
    c_->writes_seen = 0;
    c_->faults_returned = 0;
    c_->writes_allowed = writes_allowed;
    c_->io_error = io_error;
    c_->armed = true;
  }
  ~FaultScope() {
    c_->armed = false;
    c_->io_error = false;
  }
  FaultScope(const FaultScope&) = delete;
  FaultScope& operator=(const FaultScope&) = delete;
  // How many writes failed so far.
  int64_t faults() const { return c_->faults_returned; }

 private:
  sql::FaultVfsControl* c_;
};

}  // namespace ccfield::testing
