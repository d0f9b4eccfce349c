#pragma once
// The `serve` flags for write quotas and history retention
// (docs/retention.md), and for photo blobs (docs/sync-protocol.md, "Photos:
// blobs"), declared here so that main.cpp needs one line for each group.

#include "blob_api.h"
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

// --blob-dir DIR, --blob-quota-mb N (0: no quota), --partial-max-age-hours N
// (at least 1) into *o, like AddSyncPolicyFlags. An empty blob dir stays
// empty: main puts the default (<database>.blobs) in.
void AddBlobFlags(CLI::App* app, BlobApiOptions* o);
const char* BlobUsage();

}  // namespace ccfield::server
