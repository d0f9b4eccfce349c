#pragma once
// The `serve` flags for write quotas and history retention
// (docs/retention.md), parsed here so that main.cpp needs one line for them.

#include <string>
#include <string_view>

#include "sync_service.h"

namespace ccfield::server {

// Whether `flag` is one of the flags below (each takes one value).
bool IsSyncPolicyFlag(std::string_view flag);
// Sets the option `flag` names from `value`; false and *error on a bad value.
bool ParseSyncPolicyFlag(std::string_view flag, const std::string& value, SyncServiceOptions* o, std::string* error);
// The flags' lines for --help.
const char* SyncPolicyUsage();

}  // namespace ccfield::server
