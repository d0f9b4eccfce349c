#pragma once
// The `serve` flags for write quotas and history retention
// (docs/retention.md), for photo blobs (docs/sync-protocol.md, "Photos:
// blobs") and for keep-alive, declared here so that main.cpp needs one line
// for each group.

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

// --keep-alive-seconds N (1 to 3600) into *seconds: how long an idle
// kept-alive connection stays open (HttpServerOptions::keep_alive_timeout_s).
// Each such connection holds one worker thread while it waits (httplib's
// thread pool), so a longer time serves fewer devices; see KeepAliveUsage.
void AddKeepAliveFlag(CLI::App* app, int* seconds);
const char* KeepAliveUsage();

}  // namespace ccfield::server
