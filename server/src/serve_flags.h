#pragma once
// The `serve` flags for write quotas and history retention
// (docs/retention.md), declared here so that main.cpp needs one line for them.

#include "sync_service.h"

namespace CLI {
class App;
}

namespace ccfield::server {

// Adds the flags below to `app` (CLI11); each takes one whole number and,
// once parsed, sets its field of *o. A bad value is a CLI::ValidationError
// that names the flag and the values it takes. *o must outlive app->parse().
void AddSyncPolicyFlags(CLI::App* app, SyncServiceOptions* o);
// The flags' lines for --help.
const char* SyncPolicyUsage();

}  // namespace ccfield::server
