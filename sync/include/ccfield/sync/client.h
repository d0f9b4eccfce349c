#pragma once
// The device's sync client (docs/sync-protocol.md, "Client behaviour").
//
// One sync is a loop of round trips: take up to 5000 pending own changes,
// mark them sent, POST /v1/sync with the cursor, and apply the answer (acks,
// rejections, the server's changes, conflicts, the new cursor) to the store
// in one transaction; again while the server has more or changes remain.
// A lost answer is harmless: the changes stay "sent" and are re-sent; the
// server answers "duplicate" and applies nothing twice.
//
// Stages, each in its own file: transport.h (HTTP), protocol.h (wire codec),
// SyncReplica::ApplySyncBatch (apply), backoff.h (when to retry), sync_error.h
// (what a failure means). After the records, the photo queue moves blobs
// (src/client/photo_queue.h, photo_budget.h), yielding to records.
//
// Threads: SyncClient opens its own Store connections (one per thread that
// uses it), never the caller's. SyncNow and Login run on the calling thread
// and block on the network; the background mode (Start) syncs on its own
// thread and RequestSync/Status/Stop never wait for the network.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/core/store.h"
#include "ccfield/sync/backoff.h"
#include "ccfield/sync/page_budget.h"
#include "ccfield/sync/photo_budget.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/record_tally.h"
#include "ccfield/sync/sync_error.h"
#include "ccfield/sync/transport.h"

namespace ccfield::sync {

struct LoginResult {
  std::string server_url;  // as saved (no trailing slash)
  std::string user_id;
  std::string expires_at;  // when the token expires (server time, ISO UTC)
  struct Workspace {
    std::string id;
    std::string role;  // "field_staff", ...
  };
  std::vector<Workspace> workspaces;
  // Unsent changes of other accounts on this device (a shared tablet): they
  // stay here and are sent when their owner signs in again. Name, count.
  std::vector<std::pair<std::string, int64_t>> others_unsent;
};

// "alice has 18 unsent changes on this tablet; they stay here and are sent
// when alice signs in again." One sentence per account; "" when none.
std::string OthersUnsentSentence(const std::vector<std::pair<std::string, int64_t>>& others_unsent);

// What one SyncNow did. Filled also when it fails part-way (earlier round
// trips were committed and count).
struct SyncReport {
  int requests = 0;     // HTTP requests sent
  size_t bytes_up = 0;  // on the wire, compressed, with headers
  size_t bytes_down = 0;
  int64_t pushed = 0;     // own changes the server acknowledged
  int64_t rejected = 0;   // own changes the server refused (see Store::ChangesInState)
  int64_t received = 0;   // changes received from the server
  int64_t conflicts = 0;  // open conflicts received
  bool complete = true;   // false: stopped after max_round_trips with more to do
  // The records behind `pushed` and `received` (issue 14): "Pushed 1,000
  // visits (11,000 field changes)". A record counts once per sync.
  RecordTally pushed_records, received_records;
  // Workspaces the user was removed from whose records left this device now
  // (Store::DropLeftWorkspaces), by name: tell the person once.
  std::vector<std::string> removed_workspaces;

  // Photos (after the records; not in requests/bytes above).
  int photo_requests = 0;
  int64_t photos_up = 0, photos_down = 0;            // blobs sent / received whole
  int64_t photo_bytes_up = 0, photo_bytes_down = 0;  // on the wire, with headers
  int64_t photos_refused = 0;                        // refused for good in this sync (PhotoRow::error says why)
  int64_t photos_not_found = 0;                      // downloads not on the server yet (retried next sync)
  int64_t photos_held = 0;                           // transfers the data rule or cap held
  PhotoHold photo_hold = PhotoHold::kNone;
  std::string photo_hold_reason;  // plain words: "photos wait for an unmetered network"
  int photo_yields = 0;           // times the photos stopped so that records went first
};

// What SyncClient::Logout did.
struct LogoutResult {
  bool was_logged_in = false;      // a token was saved
  bool revoked_on_server = false;  // the server confirmed the token no longer works
  std::string server_problem;      // why it could not be revoked there, plain words ("" when it was)
};

// A SyncNow's full outcome: the report, and why it stopped when it failed.
struct SyncOutcome {
  SyncReport report;
  ccfield::Status status;                       // ok, or what went wrong in plain words
  SyncAction action = SyncAction::kRetryLater;  // what to do about it (when !status.ok())
  std::optional<int64_t> retry_after_seconds;   // the server asked to wait (429)
};

// A snapshot for the status line.
struct SyncStatus {
  bool logged_in = false;  // a server address and a token are saved
  std::string server_url;
  std::string username;
  int64_t waiting = 0;                       // own changes not yet confirmed by the server (waiting + sent)
  int64_t rejected = 0;                      // own changes the server refused
  int64_t open_conflicts = 0;                // conflicts not yet resolved on this device
  std::string last_ok;                       // device time of the last successful sync (ISO UTC); "" = never
  std::string blocked_by;                    // why the last attempt failed, plain words; "" after a success
  // blocked_by as the Status this process saw, for a UI to translate (ok when it only has the saved words).
  Status blocked_status;
  std::optional<SyncAction> blocked_action;  // known only in background mode
  bool background = false;                   // Start() was called and Stop() not yet
  bool running = false;                      // a sync is in progress on the background thread
  std::optional<int64_t> next_retry_ms;      // wall clock of the next automatic retry
  int failures = 0;                          // consecutive failed attempts (background mode)
  int64_t photos_up = 0, photos_down = 0;    // photo transfers waiting (PhotoStore::CountWaiting)
  PhotoHold photo_hold = PhotoHold::kNone;   // why they wait, as of the last sync (kNone: unknown or not held)
  std::string photo_hold_reason;             // ... in plain words
};

// Reads the status from the store alone (no background thread): counts,
// last success, the saved last error. For `ccfield status`.
Result<SyncStatus> ReadSyncStatus(Store* store);

// "3 changes waiting, 2 photos waiting for an unmetered network, last
// successful sync at 2026-11-26 16:40 UTC, blocked by: cannot reach the
// server". Plain words for the status line.
std::string StatusSentence(const SyncStatus& status);

// "2026-11-26 16:40 UTC" for "2026-11-26T16:40:00.000Z"; other text unchanged.
std::string FormatSyncTime(const std::string& iso_utc);

struct SyncClientOptions {
  // Makes the HTTP transport for a server address; default: libcurl.
  TransportFactory transport_factory;
  BackoffPolicy backoff;                                     // background retries
  // Own field changes per request (entries are also cut at kMaxChangesPerRequest).
  int push_batch = static_cast<int>(kMaxFieldChangesPerRequest);
  // Server items (changes, conflict updates) per answer at most; 0 (the
  // default): pages end at the byte budget the client adapts to the link
  // (page_budget.h, docs/sync-protocol.md "Pages by bytes"). Tests set a
  // small number to force many pages.
  int pull_limit = 0;
  int max_round_trips = 100;                                 // per SyncNow; the rest waits for the next one
  int stall_seconds = kDefaultStallSeconds;                  // TransportConfig::stall_seconds
  // Photos move after the records in every sync (docs/sync-protocol.md,
  // "Photos: blobs"); false: records only (`ccfield sync --no-photos`).
  bool photos = true;
  // Whether the link costs per byte, asked once per photo run (the platform's
  // NetworkManager reader). Empty: kUnknown, which counts as metered.
  std::function<LinkMetered()> link_metered;
  // Called on the background thread after every background sync attempt
  // (never for SyncNow). Must not block for long and must not call Stop();
  // a UI posts the outcome to its main loop. May be empty.
  std::function<void(const SyncOutcome&)> on_finished;
};

class PhotoQueue;

class SyncClient {
 public:
  // Opens the client's own connection to the store at `store_path` (created
  // if missing). `env` is not owned and must outlive the client.
  static Result<std::unique_ptr<SyncClient>> Open(Env* env, const std::string& store_path,
                                                  SyncClientOptions options = {});
  // Stops the background thread (see Stop).
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // POST /v1/login with this store's device id. On success saves the server
  // address, user name, token (apart from the file: Store::GetSyncSettings)
  // and CA file and the user's workspaces (Store::SaveMemberships) in the
  // store (the sync cursor starts over when the server or user changes) and
  // clears the last error. Another account's unsent changes are not touched
  // (LoginResult::others_unsent).
  // On failure saves nothing: kPermissionDenied "wrong user name or
  // password", kUnavailable (network, throttled), kInvalidArgument (address).
  // Blocks on the network; serialised with syncs.
  Result<LoginResult> Login(const std::string& url, const std::string& username, const std::string& password,
                            const std::string& device_name, const std::string& ca_file = "");

  // POST /v1/logout with the saved token, then forgets the token on this
  // device (the server address, user name, cursor and unsent changes stay)
  // whether or not the server was reached. An error only when the store
  // cannot save that. Blocks on the network; serialised with syncs.
  Result<LogoutResult> Logout();

  // One complete sync on the calling thread (blocks on the network): the
  // records, then (options.photos) the photo queue, which stops between
  // chunks whenever records wait (RequestSync, or own changes made
  // meanwhile) so that they go first, and then goes on. Photos held by the
  // data rule or cap are not a failure (SyncReport::photos_held); a photo
  // transfer cut by the network or refused by a failing server fails the
  // sync (kRetryLater; confirmed parts are kept). On failure the error is
  // saved as the store's last_error; a success clears it. Serialised with
  // the background thread's syncs.
  SyncOutcome Sync();
  // Sync() as a Result: the report, or the error.
  Result<SyncReport> SyncNow();

  // ---- Background mode ----
  // Starts the sync thread (a no-op when started). It syncs when asked and
  // retries failed syncs with capped exponential backoff (kRetryLater
  // failures only; a login or stop failure waits for RequestSync). Idle, it
  // sleeps on a condition variable.
  void Start();
  // Stops the thread and joins it: aborts a transfer in progress (within
  // about a second) and waits for a store write in progress to finish.
  void Stop();
  // Asks the thread to sync soon (at once unless one is running; also cuts a
  // backoff wait short). Remembered until Start when not started. Never blocks.
  void RequestSync();
  // Asks the thread to re-read the counts (after a local edit) without
  // syncing. Never blocks.
  void RefreshStatus();
  // A consistent snapshot; counts are as of the last attempt or refresh.
  // Thread-safe; never blocks on the network or the store.
  SyncStatus Status() const;

 private:
  struct Context;  // one thread's store connection and transport
  SyncClient(Env* env, std::string store_path, SyncClientOptions options);

  SyncOutcome RunSync(Context* ctx);
  SyncOutcome RunSyncRounds(Context* ctx);
  // Records, then photos; records again whenever the photos yield to them.
  SyncOutcome RunRecordsThenPhotos(Context* ctx);
  // Whether records should go before the next photo chunk: a RequestSync
  // (consumed here) or own changes waiting.
  bool RecordsWaiting(Context* ctx);
  void ThreadMain();
  // After a background run (REQUIRES: mu_ held): the store's counts, then
  // the outcome. NoteOutcome returns the delay before an automatic retry.
  void TakeCounts(SyncStatus fresh, bool synced);
  std::optional<int64_t> NoteOutcome(const SyncOutcome& out, Backoff* backoff);
  // The photos' hold as the last sync saw it. REQUIRES: mu_ held.
  void NotePhotoHold(const SyncReport& report);

  Env* const env_;
  const std::string store_path_;
  SyncClientOptions options_;

  std::mutex sync_mu_;               // held for a whole Login or sync: one at a time
  std::unique_ptr<Context> caller_;  // used by Login and Sync (under sync_mu_)
  std::unique_ptr<PhotoQueue> photo_queue_;  // under sync_mu_: chunk size across runs
  PageBudget page_budget_;                   // under sync_mu_: pull page bytes across runs

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  SyncStatus state_;
  bool requested_ = false;
  bool refresh_requested_ = false;
  bool stop_ = false;
  std::atomic<bool> cancel_{false};  // aborts the background thread's transfer
  std::thread thread_;
};

}  // namespace ccfield::sync
