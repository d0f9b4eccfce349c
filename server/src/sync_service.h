#pragma once
// SyncService: one sync cycle (POST /v1/sync, docs/sync-protocol.md) as a
// plain function of (caller, request) -> response, with no HTTP in it.
//
// Everything happens in one storage transaction: the pushed entries (runs of
// field changes sharing a device_seq, docs/server.md) are taken in order.
// Each entry is checked whole before any of its fields is applied (one
// invalid field refuses the entry; a refusal does not stop the others), then
// merged field by field under one version, each field acked (applied,
// merged, conflict, or duplicate when re-sent). Then the entries and conflict
// updates after the cursor that the caller may see are collected, a page
// never ending inside an entry. Any storage failure rolls the whole request back, so a
// request is applied entirely or not at all, and re-sending it is harmless.
//
// Deterministic given the storage contents and the Env (clock, randomness for
// conflict ids): tests run many seeded devices against it in-process.
//
// Thread-safety: none; the caller serialises use together with the storage.

#include <string>

#include "api_error.h"
#include "auth_context.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "ccfield/sync/protocol.h"
#include "change_check.h"
#include "quota.h"
#include "retention.h"

namespace ccfield::server {

struct SyncServiceOptions {
  // A change's device time more than this ahead of the server clock is flagged "future".
  int64_t clock_future_ms = int64_t{5} * 60 * 1000;
  // ... or more than this before the device's previous sync (server clock): "before_last_sync".
  int64_t clock_past_ms = int64_t{5} * 60 * 1000;
  // A pull page holds at most this many bytes of items' JSON (then "more":
  // true; a single larger item still goes alone), so that one response stays
  // finishable on a slow link; a client's page_bytes is clamped to it
  // (pull_page.h).
  size_t max_response_bytes = 4 * 1024 * 1024;
  QuotaOptions quota;          // write quotas (quota.h)
  RetentionOptions retention;  // history expiry after syncs (retention.h)
};

class SyncService {
 public:
  // `storage` and `env` must outlive the service.
  SyncService(ServerStorage* storage, Env* env, SyncServiceOptions options = {});

  // Runs one sync cycle for `who`. Errors: kPermissionDenied when
  // req.device_id is not who.device_id, kInvalidArgument for more than
  // kMaxFieldChangesPerRequest field changes before the request's last entry,
  // storage errors (nothing applied). The answer's protocol is the request's.
  // A request over a write quota: kBusy with the quota's message (Answer
  // gives the 429 with Retry-After).
  Result<sync::SyncResponse> Sync(const AuthContext& who, const sync::SyncRequest& req);
  // Sync() as the API answers it: storage errors as 503/500, a quota
  // refusal as 429 quota_exceeded with retry_after_s.
  ApiResult<sync::SyncResponse> Answer(const AuthContext& who, const sync::SyncRequest& req);

 private:
  class Cycle;

  ServerStorage* storage_;
  Env* env_;
  SyncServiceOptions options_;
  FormCatalog forms_;
  int64_t last_expiry_ms_ = 0;  // server time of the last expiry pass after a sync
  Status last_status_;          // Sync()'s error when Answer() fails
  void MaybeExpire();
};

}  // namespace ccfield::server
