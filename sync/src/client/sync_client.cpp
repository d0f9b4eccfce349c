// SyncClient: login, the sync loop, and the background thread (client.h).
#include <algorithm>
#include <chrono>
#include <set>

#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "client_context.h"
#include "curl_errors.h"
#include "photo_queue.h"
#include "text_deltas.h"

namespace ccfield::sync {

using nlohmann::json;

namespace {

// A 200 answer as one batch for SyncReplica::ApplySyncBatch (the same types: the
// lists move, nothing is copied field by field).
SyncBatch ToSyncBatch(SyncResponse&& r) {
  SyncBatch b;
  b.acks = std::move(r.acks);
  b.rejects = std::move(r.rejects);
  b.changes = std::move(r.changes);
  b.conflicts = std::move(r.conflicts);
  b.cursor = r.cursor;
  b.server_time = r.server_time;
  return b;
}

SyncOutcome Failed(SyncReport report, SyncAction action, ccfield::Status status) {
  SyncOutcome o;
  o.report = report;
  o.action = action;
  o.status = std::move(status);
  return o;
}

SyncOutcome Failed(SyncReport report, const SyncFailure& f) {
  SyncOutcome o = Failed(report, f.action, f.status);
  o.retry_after_seconds = f.retry_after_seconds;
  return o;
}

SyncOutcome Done(SyncReport report) {
  SyncOutcome o;
  o.report = report;
  return o;
}

void Count(SyncReport* report, const HttpResult& http) {
  report->requests += http.wire_requests;  // as the wire saw them: libcurl's silent re-sends count
  report->bytes_up += http.bytes_up;
  report->bytes_down += http.bytes_down;
}

// Whether the server answered in zstd decides how the next process's first
// request body goes (SyncSettings::zstd_server). Written only on a change;
// a failure to write costs one gzip request later, never the sync.
void RememberEncoding(Store* store, SyncSettings* settings, const HttpResult& http) {
  const std::string want = http.content_encoding == "zstd" ? settings->server_url : std::string();
  if (want == settings->zstd_server) return;
  if (store->replica().RememberZstdServer(want).ok()) settings->zstd_server = want;
}

// The request body for `pending`, cut at an entry boundary near the half
// until it fits the server's limit (long notes send fewer changes per
// request). An entry never spans two requests: one that alone is over the
// limit goes alone, and the server's 413 says so. Sets *more_pending when
// changes stay behind. An error: `pending` breaks the entry rule
// (EncodeSyncRequest), a bug to report, never a body to send.
Result<std::string> EncodeRound(SyncRequest* request, std::vector<ChangeEntry>* pending, bool* more_pending) {
  while (true) {
    request->changes.assign(pending->begin(), pending->end());  // each entry's fields are its FieldChanges
    CCF_ASSIGN_OR_RETURN(json j, EncodeSyncRequest(*request));
    std::string body = j.dump();
    if (body.size() <= kMaxRequestBytes || pending->empty()) return body;
    const size_t half = pending->size() / 2;
    size_t cut = EntryEnd(*pending, 0);  // at least the first entry
    while (cut < half) {
      const size_t next = EntryEnd(*pending, cut);
      if (next > half) break;
      cut = next;
    }
    if (cut >= pending->size()) return body;  // one entry
    pending->resize(cut);
    *more_pending = true;
  }
}

// Text first: while visits, sites, answers or library edits wait, photo
// records wait for the next round of the same sync, so what people typed
// reaches the server without carrying the photos' hashes and sizes (on 2G
// the 30 photo records of 10 visits nearly doubled the time until the
// visits landed: bench/photo_sync_bench). True when some were held back.
// Changes of one record stay in order: a photo record's changes all wait.
bool HoldPhotoRecordsBack(std::vector<ChangeEntry>* pending) {
  auto is_photo = [](const ChangeEntry& c) { return c.type == ChangeType::kPhoto; };
  if (std::all_of(pending->begin(), pending->end(), is_photo)) return false;
  return std::erase_if(*pending, is_photo) > 0;
}

// At most kMaxChangesPerRequest entries per request (many small entries, as
// after a site import, reach it before the field changes do). True when
// some were cut.
bool CutAtEntryLimit(std::vector<ChangeEntry>* pending) {
  size_t entries = 0;
  for (size_t b = 0; b < pending->size(); b = EntryEnd(*pending, b)) {
    if (++entries > kMaxChangesPerRequest) {
      pending->resize(b);
      return true;
    }
  }
  return false;
}

// A 200 answer's body as a response, or what to do when it cannot be used.
std::optional<SyncFailure> DecodeAnswer(const std::string& body, SyncResponse* out) {
  auto unreadable = [](const ccfield::Status& st) {
    return SyncFailure{SyncAction::kRetryLater,
                       ccfield::Status::Unavailable("the server's answer could not be read: " + st.message()), {}};
  };
  Result<json> j = ParseJsonText(body);
  if (!j.ok()) return unreadable(j.status());
  // This client writes protocol 3 and reads 3 and 1 (a server before entries).
  if (j->is_object() && j->contains("protocol") && (*j)["protocol"] != kProtocolVersion &&
      (*j)["protocol"] != kProtocolV1) {
    return SyncFailure{
        SyncAction::kStop,
        ccfield::Status::Unavailable("the server speaks another version of the sync protocol; update the app"),
        {}};
  }
  Result<SyncResponse> response = ParseSyncResponse(*j);
  if (!response.ok()) return unreadable(response.status());
  *out = std::move(response).value();
  return std::nullopt;
}

// Pushed and refused count field changes: an answer names entries (and,
// in protocol 3, may add per-field acks for one), so they are counted in
// what was sent.
void CountAnswer(SyncReport* report, const std::vector<ChangeEntry>& sent, const SyncBatch& batch,
                 const std::string& user, const std::vector<WorkspaceRole>& roles) {
  std::vector<DeviceSeq> acked, refused;
  for (const ChangeAck& a : batch.acks) acked.push_back(a.device_seq);
  for (const ChangeRefusal& x : batch.rejects) refused.push_back(x.device_seq);
  report->pushed += CountAnswered(sent, std::move(acked));
  report->rejected += CountAnswered(sent, std::move(refused));
  report->received += static_cast<int64_t>(batch.changes.size());
  for (const FieldConflict& c : batch.conflicts) {
    // Only the conflicts this user is to resolve (others' are stored, not listed).
    std::string_view role;
    for (const WorkspaceRole& w : roles) role = w.id == c.workspace_id ? std::string_view(w.role) : role;
    report->conflicts += !c.resolved && ConflictIsMine(c, user, role) ? 1 : 0;
  }
}

// Photo runs that stop for records, per sync; after that the photos go on
// without stopping (records still go first in the next sync).
constexpr int kMaxPhotoYields = 20;

void AddPhotoFigures(SyncReport* r, const PhotoRunReport& p) {
  r->photo_requests += p.requests;
  r->photos_up += p.blobs_up;
  r->photos_down += p.blobs_down;
  r->photo_bytes_up += p.bytes_up;
  r->photo_bytes_down += p.bytes_down;
  r->photos_refused += p.refused;
  r->photos_not_found += p.not_found;
  r->photos_held = p.held;  // as the last run saw them
  r->photo_hold = p.hold;
  r->photo_hold_reason = p.hold_reason;
}

// The record figures of a sync that went again after the photos yielded.
void AddRecordFigures(SyncReport* r, const SyncReport& more) {
  r->requests += more.requests;
  r->bytes_up += more.bytes_up;
  r->bytes_down += more.bytes_down;
  r->pushed += more.pushed;
  r->rejected += more.rejected;
  r->received += more.received;
  r->conflicts += more.conflicts;
  r->complete = r->complete && more.complete;
  r->pushed_records.Merge(more.pushed_records);
  r->received_records.Merge(more.received_records);
}

}  // namespace

SyncClient::SyncClient(Env* env, std::string store_path, SyncClientOptions options)
    : env_(env), store_path_(std::move(store_path)), options_(std::move(options)) {
  if (!options_.transport_factory) options_.transport_factory = CurlTransportFactory();
  options_.push_batch = std::clamp(options_.push_batch, 1, static_cast<int>(kMaxFieldChangesPerRequest));
  options_.pull_limit = std::clamp(options_.pull_limit, 0, kMaxPageItems);
  options_.max_round_trips = std::max(options_.max_round_trips, 1);
  photo_queue_ = std::make_unique<PhotoQueue>(env_);
}

SyncClient::~SyncClient() { Stop(); }

Result<std::unique_ptr<SyncClient>> SyncClient::Open(Env* env, const std::string& store_path,
                                                     SyncClientOptions options) {
  std::unique_ptr<SyncClient> c(new SyncClient(env, store_path, std::move(options)));
  c->caller_ = std::make_unique<Context>();
  CCF_RETURN_IF_ERROR(c->caller_->OpenStore(env, store_path));
  CCF_ASSIGN_OR_RETURN(SyncStatus s, ReadSyncStatus(c->caller_->store.get()));
  c->state_ = std::move(s);
  return c;
}

SyncOutcome SyncClient::RunSyncRounds(Context* ctx) {
  SyncReport report;
  Store* store = ctx->store.get();
  Result<SyncSettings> settings = store->replica().GetSyncSettings();
  if (!settings.ok()) return Failed(report, internal::ActionForStatus(settings.status()), settings.status());
  if (settings->server_url.empty() || settings->token.empty()) {
    return Failed(report, SyncAction::kLogInAgain,
                  ccfield::Status::Denied("this device is not logged in to a sync server; log in first"));
  }
  Result<Transport*> transport = ctx->TransportFor(options_, env_, settings->server_url, settings->ca_file,
                                                   settings->zstd_server == settings->server_url);
  if (!transport.ok()) return Failed(report, SyncAction::kStop, transport.status());

  ServerVersion cursor = settings->cursor;
  int batch = options_.push_batch;
  std::set<DeviceSeq> send_whole;  // entries the server answered resend_whole: no deltas
  bool pull_deltas = true;         // false once a pulled patch could not be rebuilt here
  for (int round = 0; round < options_.max_round_trips; ++round) {
    Result<std::vector<ChangeEntry>> pending = store->replica().PendingChanges(batch);
    if (!pending.ok()) return Failed(report, internal::ActionForStatus(pending.status()), pending.status());
    SyncRequest request;
    request.device_id = store->device_id();
    request.cursor = cursor;
    request.device_time = FormatUtcMillis(env_->WallMillis());
    request.limit = options_.pull_limit;  // 0: not sent (an older server then pages by 1000)
    request.page_bytes = page_budget_.bytes();
    request.pull_deltas = pull_deltas;
    // More may wait behind this batch when it is full (or was cut below).
    bool more_pending = static_cast<int>(pending->size()) >= batch;
    if (HoldPhotoRecordsBack(&*pending)) more_pending = true;
    if (CutAtEntryLimit(&*pending)) more_pending = true;
    // Long texts go as patches of their base, where this device has it.
    Result<int> deltas = AddTextDeltas(&store->replica(), send_whole, &*pending);
    if (!deltas.ok()) return Failed(report, internal::ActionForStatus(deltas.status()), deltas.status());
    Result<std::string> encoded = EncodeRound(&request, &*pending, &more_pending);
    if (!encoded.ok()) {
      return Failed(report, SyncAction::kStop, encoded.status().WithContext("cannot write the sync request"));
    }
    const std::string body = std::move(encoded).value();
    if (!pending->empty()) {
      // Photo records held back inside this range are marked too: "sent"
      // only means the server may have them, and the next round sends them.
      ccfield::Status st = store->replica().MarkSent(pending->front().device_seq, pending->back().device_seq);
      if (!st.ok()) return Failed(report, internal::ActionForStatus(st), st);
    }
    const int64_t sent_ms = env_->MonoNanos() / 1'000'000;
    Result<HttpResult> http = (*transport)->Post("/v1/sync", body, settings->token);
    if (!http.ok()) {
      page_budget_.AfterCut();
      return Failed(report, internal::ActionForStatus(http.status()), http.status());
    }
    Count(&report, *http);
    // Too large: fewer next time, unless it was one entry (never split).
    if (http->status == 413 && !pending->empty() && EntryEnd(*pending, 0) < pending->size()) {
      batch = std::max(1, static_cast<int>(pending->size() / 2));
      continue;
    }
    if (http->status != 200)
      return Failed(report, internal::HttpFailure(http->status, http->body, http->retry_after_seconds));
    RememberEncoding(store, &*settings, *http);

    SyncResponse response;
    if (std::optional<SyncFailure> bad = DecodeAnswer(http->body, &response)) return Failed(report, *bad);
    // A page the server ended at the budget says how the link takes that
    // size; a short last page says only whether it was slow.
    page_budget_.AfterPage(env_->MonoNanos() / 1'000'000 - sent_ms, response.more);
    // Pulled patches become whole values from this device's log. One it
    // cannot rebuild (it does not hold that version, or the patch does not
    // fit it): nothing of this answer is used, and the round goes again
    // asking for whole values (the cursor has not moved; what it pushed
    // gets its first answers again, as for a lost answer).
    Result<bool> rebuilt = RebuildPulledTexts(&store->replica(), &response.changes);
    if (!rebuilt.ok()) return Failed(report, internal::ActionForStatus(rebuilt.status()), rebuilt.status());
    if (!*rebuilt) {
      if (!pull_deltas) {
        return Failed(report, SyncAction::kRetryLater,
                      ccfield::Status::Unavailable("the server sent patches this device did not ask for; sync will "
                                                   "try again"));
      }
      pull_deltas = false;
      --round;  // the same round again: a client allowed one round trip still moves on
      continue;
    }
    // The answer's lists move into the batch (the types are the store's own).
    SyncBatch batch_in = ToSyncBatch(std::move(response));
    // An entry the server could not rebuild from a delta took nothing, nor
    // did the later entries of its record: they go again in the next round,
    // whole (the store leaves them unsent). Asked twice: the server's fault.
    std::optional<SyncFailure> bad_resend;
    const size_t resend = std::erase_if(batch_in.acks, [&](const ChangeAck& a) {
      if (a.outcome != ChangeOutcome::kResendWhole) return false;
      if (!send_whole.insert(a.device_seq).second) {
        bad_resend = SyncFailure{SyncAction::kRetryLater,
                                 ccfield::Status::Unavailable("the server asked twice for change " +
                                                              std::to_string(a.device_seq) +
                                                              " whole; sync will try again"),
                                 {}};
      }
      return true;
    });
    if (bad_resend) return Failed(report, *bad_resend);
    if (resend > 0) more_pending = true;
    ccfield::Status applied = store->replica().ApplySyncBatch(batch_in);
    if (applied.ok() && response.workspaces_known) {
      // The memberships as of now: a workspace the user left stops showing.
      std::vector<std::pair<std::string, std::string>> ws;
      for (const WorkspaceRole& w : response.workspaces) ws.emplace_back(w.id, w.role);
      applied = store->replica().SaveMemberships(settings->username, ws);
      // The photo size each workspace's coordinators chose: the next photo
      // attached there is shrunk to it.
      for (const WorkspaceRole& w : response.workspaces) {
        if (applied.ok() && w.photo_long_edge > 0) applied = store->photos().SetLongEdge(w.id, w.photo_long_edge);
      }
    }
    if (!applied.ok()) return Failed(report, internal::ActionForStatus(applied), applied);
    CountAnswer(&report, *pending, batch_in, settings->username, response.workspaces);
    report.pushed_records.AddAcknowledged(*pending, batch_in.acks);  // issue 14: records, not field changes
    report.received_records.AddChanges(batch_in.changes);

    const bool answered_some = !batch_in.acks.empty() || !batch_in.rejects.empty() || resend > 0;
    if (!pending->empty() && !answered_some) {
      // Each round must settle changes or the loop could resend them forever.
      return Failed(report, SyncAction::kRetryLater,
                    ccfield::Status::Unavailable("the server did not confirm the changes sent; sync will try again"));
    }
    if (response.more && response.cursor <= cursor) {
      return Failed(
          report, SyncAction::kRetryLater,
          ccfield::Status::Unavailable("the server said it has more but sent nothing new; sync will try again"));
    }
    cursor = response.cursor;
    if (!response.more && !more_pending) return Done(report);
  }
  report.complete = false;  // bounded work per call; the next sync goes on from the cursor
  return Done(report);
}

bool SyncClient::RecordsWaiting(Context* ctx) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (requested_) {
      requested_ = false;  // answered now: the records go at once
      return true;
    }
  }
  Result<std::vector<ChangeEntry>> pending = ctx->store->replica().PendingChanges(1);
  return pending.ok() && !pending->empty();
}

SyncOutcome SyncClient::RunRecordsThenPhotos(Context* ctx) {
  auto records = [&] {
    SyncOutcome o = RunSyncRounds(ctx);
    // Data use per month (the settings screen); a failed count loses only figures.
    ccfield::Status used = ctx->store->photos().AddUsage(UsageKind::kRecords, static_cast<int64_t>(o.report.bytes_up),
                                                         static_cast<int64_t>(o.report.bytes_down));
    if (!used.ok()) env_->Log(LogLevel::kWarning, "cannot count the data used: " + used.ToString());
    return o;
  };
  SyncOutcome out = records();
  if (!out.status.ok() || !options_.photos) return out;
  Result<SyncSettings> settings = ctx->store->replica().GetSyncSettings();
  if (!settings.ok()) return Failed(out.report, internal::ActionForStatus(settings.status()), settings.status());
  Result<Transport*> transport = ctx->TransportFor(options_, env_, settings->server_url, settings->ca_file);
  if (!transport.ok()) return Failed(out.report, SyncAction::kStop, transport.status());
  PhotoRunOptions po;
  po.link = options_.link_metered ? options_.link_metered() : LinkMetered::kUnknown;
  po.should_yield = [&] { return out.report.photo_yields < kMaxPhotoYields && RecordsWaiting(ctx); };
  while (true) {
    PhotoRunReport run;
    SyncAction action = SyncAction::kRetryLater;
    ccfield::Status st = photo_queue_->Run(ctx->store.get(), *transport, *settings, po, &run, &action);
    AddPhotoFigures(&out.report, run);
    if (!st.ok()) return Failed(out.report, action, st.WithContext("photos"));
    if (!run.yielded) return out;
    ++out.report.photo_yields;
    SyncOutcome more = records();
    AddRecordFigures(&out.report, more.report);
    if (!more.status.ok()) {
      more.report = out.report;
      return more;
    }
  }
}

SyncOutcome SyncClient::RunSync(Context* ctx) {
  SyncOutcome out = RunRecordsThenPhotos(ctx);
  if (out.status.ok()) {
    // After the round trips: the server has refused what was unsent in a
    // workspace the user left, so only resolved copies are removed.
    Result<std::vector<std::string>> dropped = ctx->store->replica().DropLeftWorkspaces();
    if (dropped.ok()) {
      out.report.removed_workspaces = std::move(dropped).value();
    } else {
      env_->Log(LogLevel::kWarning, "cannot remove a left workspace's records: " + dropped.status().ToString());
    }
  }
  const bool stopped = ctx->cancel && ctx->cancel->load();
  if (!out.status.ok() && !stopped) {
    // Saved so that `ccfield status` (another process) can show it. A
    // success clears it (ApplySyncBatch). Read fresh: the cursor moved.
    Result<SyncSettings> s = ctx->store->replica().GetSyncSettings();
    if (s.ok()) {
      s->last_error = out.status.message();
      s->last_attempt = FormatUtcMillis(env_->WallMillis());
      ccfield::Status saved = ctx->store->replica().SaveSyncSettings(*s);
      if (!saved.ok()) env_->Log(LogLevel::kWarning, "cannot save the sync error: " + saved.ToString());
    }
  }
  return out;
}

SyncOutcome SyncClient::Sync() {
  SyncOutcome out;
  Result<SyncStatus> status = ccfield::Status::Ok();
  {
    std::lock_guard<std::mutex> sync_lock(sync_mu_);
    out = RunSync(caller_.get());
    status = ReadSyncStatus(caller_->store.get());
  }
  if (status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    const SyncStatus live = state_;
    state_ = std::move(status).value();
    state_.background = live.background;
    state_.running = live.running;
    state_.next_retry_ms = live.next_retry_ms;
    state_.failures = live.failures;
    state_.blocked_action = out.status.ok() ? std::nullopt : std::optional<SyncAction>(out.action);
    NotePhotoHold(out.report);
  }
  return out;
}

Result<SyncReport> SyncClient::SyncNow() {
  SyncOutcome out = Sync();
  if (!out.status.ok()) return out.status;
  return out.report;
}

// ---- Background mode ----

void SyncClient::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  cancel_.store(false);
  state_.background = true;
  thread_ = std::thread([this] { ThreadMain(); });
}

void SyncClient::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stop_ = true;
    cancel_.store(true);
  }
  wake_.notify_all();
  thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  thread_ = std::thread();
  state_.background = false;
  state_.running = false;
  state_.next_retry_ms.reset();
}

void SyncClient::RequestSync() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = true;
  }
  wake_.notify_all();
}

void SyncClient::RefreshStatus() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    refresh_requested_ = true;
  }
  wake_.notify_all();
}

SyncStatus SyncClient::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

void SyncClient::TakeCounts(SyncStatus fresh, bool synced) {
  state_.logged_in = fresh.logged_in;
  state_.server_url = fresh.server_url;
  state_.username = fresh.username;
  state_.waiting = fresh.waiting;
  state_.rejected = fresh.rejected;
  state_.open_conflicts = fresh.open_conflicts;
  state_.last_ok = fresh.last_ok;
  state_.photos_up = fresh.photos_up;
  state_.photos_down = fresh.photos_down;
  if (!synced) state_.blocked_by = fresh.blocked_by;  // as saved, e.g. by another process
}

void SyncClient::NotePhotoHold(const SyncReport& report) {
  if (!options_.photos) return;  // nothing learnt
  state_.photo_hold = report.photo_hold;
  state_.photo_hold_reason = report.photo_hold_reason;
}

std::optional<int64_t> SyncClient::NoteOutcome(const SyncOutcome& out, Backoff* backoff) {
  NotePhotoHold(out.report);
  if (out.status.ok()) {
    backoff->Reset();
    state_.failures = 0;
    state_.blocked_by.clear();
    state_.blocked_status = Status::Ok();
    state_.blocked_action.reset();
    if (!out.report.complete) requested_ = true;  // go on at once
    return std::nullopt;
  }
  ++state_.failures;
  state_.blocked_by = out.status.message();
  state_.blocked_status = out.status;
  state_.blocked_action = out.action;
  // kLogInAgain / kStop: no automatic retry; RequestSync (after a login) tries again.
  if (out.action != SyncAction::kRetryLater) return std::nullopt;
  int64_t delay_ms = backoff->Fail();
  if (out.retry_after_seconds) delay_ms = std::max(delay_ms, *out.retry_after_seconds * 1000);
  state_.next_retry_ms = env_->WallMillis() + delay_ms;
  return delay_ms;
}

void SyncClient::ThreadMain() {
  using Clock = std::chrono::steady_clock;
  Context ctx;
  ctx.cancel = &cancel_;
  Backoff backoff(options_.backoff, [this] {
    uint64_t r = 0;
    env_->RandomBytes(&r, sizeof r);
    return r;
  });
  std::optional<Clock::time_point> retry_at;
  bool first = true;  // read the counts once at start

  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto due = [&] { return retry_at && Clock::now() >= *retry_at; };
    auto ready = [&] { return stop_ || requested_ || refresh_requested_ || first || due(); };
    if (retry_at) {
      wake_.wait_until(lock, *retry_at, ready);
    } else {
      wake_.wait(lock, ready);
    }
    if (stop_) break;
    const bool sync = requested_ || due();
    requested_ = false;
    refresh_requested_ = false;
    first = false;
    if (sync) {
      state_.running = true;
      retry_at.reset();
      state_.next_retry_ms.reset();
    }
    lock.unlock();

    SyncOutcome out;
    Result<SyncStatus> counts = ccfield::Status::Ok();
    ccfield::Status opened = ctx.OpenStore(env_, store_path_);
    if (!opened.ok()) {
      out = Failed(SyncReport{}, internal::ActionForStatus(opened), opened);
    } else if (sync) {
      std::lock_guard<std::mutex> sync_lock(sync_mu_);
      out = RunSync(&ctx);
    }
    if (ctx.store) counts = ReadSyncStatus(ctx.store.get());

    lock.lock();
    if (counts.ok()) TakeCounts(std::move(counts).value(), sync);
    if (!sync && opened.ok()) continue;  // a refresh only
    state_.running = false;
    const bool stopped = stop_;
    if (!stopped) {
      if (std::optional<int64_t> delay_ms = NoteOutcome(out, &backoff)) {
        retry_at = Clock::now() + std::chrono::milliseconds(*delay_ms);
      }
    }
    if (stopped) break;
    lock.unlock();
    if (options_.on_finished) options_.on_finished(out);
    lock.lock();
  }
}

}  // namespace ccfield::sync
