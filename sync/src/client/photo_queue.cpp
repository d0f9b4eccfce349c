// PhotoQueue (photo_queue.h): one run of uploads and downloads of blobs.
#include "photo_queue.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "ccfield/core/blob_files.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/protocol.h"
#include "curl_errors.h"

namespace ccfield::sync {

using nlohmann::json;

namespace {

// Transfers looked at per run and direction; the rest waits for the next run.
constexpr int kRunLimit = 500;
// A chunk the server says arrived damaged is sent again this often in a row
// before the run stops (a link that damages every chunk will not get better).
constexpr int kMaxResends = 3;

// {"hash","size","offset","complete"}: where an upload stands.
struct UploadAnswer {
  int64_t offset = 0;
  bool complete = false;
};

Result<UploadAnswer> ParseUploadAnswer(const std::string& body) {
  CCF_ASSIGN_OR_RETURN(json j, ParseJsonText(body));
  UploadAnswer a;
  if (j.is_object() && j.contains("offset") && j["offset"].is_number_integer() && j.contains("complete") &&
      j["complete"].is_boolean()) {
    a.offset = j["offset"].get<int64_t>();
    a.complete = j["complete"].get<bool>();
    if (a.offset >= 0) return a;
  }
  return Status::Unavailable("the server's answer about a photo upload could not be read");
}

// "bytes N-M/T" -> (N, T); nullopt when it is not that.
std::optional<std::pair<int64_t, int64_t>> ParseContentRange(const std::string& v) {
  long long first = -1, last = -1, total = -1;
  if (std::sscanf(v.c_str(), "bytes %lld-%lld/%lld", &first, &last, &total) != 3) return std::nullopt;
  if (first < 0 || last < first || total <= last) return std::nullopt;
  return std::pair<int64_t, int64_t>(first, total);
}

int64_t MonoMs(Env* env) { return env->MonoNanos() / 1'000'000; }

}  // namespace

// One run: the store, the files, the link and what it counted.
class PhotoQueue::Runner {
 public:
  Runner(PhotoQueue* q, Store* store, Transport* transport, const SyncSettings& settings,
         const PhotoRunOptions& options, PhotoRunReport* report)
      : q_(q),
        photos_(store->photos()),
        blobs_(q->env_, store->photos().BlobDir()),
        transport_(transport),
        settings_(settings),
        options_(options),
        report_(report) {}

  Status Go() {
    CCF_RETURN_IF_ERROR(photos_.QueueMissingThumbnails());
    CCF_ASSIGN_OR_RETURN(int64_t up, photos_.CountWaiting(TransferDirection::kUp));
    CCF_ASSIGN_OR_RETURN(int64_t down, photos_.CountWaiting(TransferDirection::kDown));
    if (up + down == 0) return Status::Ok();  // nothing to do: not even a request
    CCF_ASSIGN_OR_RETURN(budget_, photos_.Settings());
    CCF_ASSIGN_OR_RETURN(usage_, photos_.Usage());
    CCF_ASSIGN_OR_RETURN(bool takes_blobs, ServerTakesBlobs());
    if (!takes_blobs) {
      report_->held = up + down;
      NoteHold(PhotoHold::kNoServer);
      return Status::Ok();
    }
    Status st = Direction(TransferDirection::kUp);
    if (st.ok() && !report_->yielded) st = Direction(TransferDirection::kDown);
    // The bytes moved count even when the run stopped part-way.
    Status used = photos_.AddUsage(UsageKind::kPhotos, unsaved_up_, unsaved_down_);
    return st.ok() ? used : st;
  }

  // What to do about the Status Go() returned (a store error: by its code).
  SyncAction ActionFor(const Status& st) const { return action_.value_or(internal::ActionForStatus(st)); }

 private:
  Status Direction(TransferDirection d) {
    CCF_ASSIGN_OR_RETURN(std::vector<BlobTransfer> waiting, photos_.Waiting(d, kRunLimit));
    for (BlobTransfer& t : waiting) {
      if (Yield()) return Status::Ok();
      PhotoBudgetDecision decision = DecidePhotoTransfer(budget_, usage_, options_.link, t);
      if (!decision.go) {
        ++report_->held;
        NoteHold(decision.hold);
        continue;
      }
      CCF_RETURN_IF_ERROR(d == TransferDirection::kUp ? Upload(t) : Download(t));
      if (report_->yielded) return Status::Ok();
    }
    return Status::Ok();
  }

  void NoteHold(PhotoHold hold) {
    if (report_->hold != PhotoHold::kNone) return;
    report_->hold = hold;
    report_->hold_reason = PhotoHoldReason(hold, budget_.monthly_cap_mb);
  }

  bool Yield() {
    if (!report_->yielded && options_.should_yield && options_.should_yield()) report_->yielded = true;
    return report_->yielded;
  }

  // A stop: the run ends with `st`, whose action the caller reads.
  Status Stop(Status st, SyncAction action) {
    action_ = action;
    return st;
  }

  // GET /v1/status offers "blobs" (protocol 2). Asked once per server address.
  Result<bool> ServerTakesBlobs() {
    if (!q_->blob_server_.empty() && q_->blob_server_ == settings_.server_url) return true;
    Result<HttpResult> http = transport_->Get("/v1/status");
    if (!http.ok()) return Stop(http.status(), internal::ActionForStatus(http.status()));
    Count(*http);
    if (http->status != 200) {
      SyncFailure f = internal::HttpFailure(http->status, http->body, http->retry_after_seconds);
      return Stop(f.status, f.action);
    }
    Result<json> j = ParseJsonText(http->body);
    const bool blobs = j.ok() && j->is_object() && j->contains("blobs") && (*j)["blobs"].is_object();
    if (blobs) q_->blob_server_ = settings_.server_url;
    return blobs;
  }

  // Sends one request, counting it and its bytes (photo bytes: the budget's).
  Result<HttpResult> Call(HttpRequest request) {
    request.bearer_token = settings_.token;
    CCF_ASSIGN_OR_RETURN(HttpResult http, transport_->Send(request));
    Count(http);
    return http;
  }

  void Count(const HttpResult& http) {
    ++report_->requests;
    AddBytes(static_cast<int64_t>(http.bytes_up), static_cast<int64_t>(http.bytes_down));
  }

  void AddBytes(int64_t up, int64_t down) {
    report_->bytes_up += up;
    report_->bytes_down += down;
    usage_.photos_up += up;
    usage_.photos_down += down;
    unsaved_up_ += up;
    unsaved_down_ += down;
  }

  Status Refuse(const BlobTransfer& t, const std::string& reason) {
    ++report_->refused;
    return photos_.Refused(t, reason);
  }

  // A network or server failure in the middle of a transfer: stop the run.
  Status StopForRetry(const Status& st) { return Stop(st, internal::ActionForStatus(st)); }

  Status StopFor(const internal::BlobFailure& f) {
    return Stop(f.status,
                f.verdict == internal::BlobVerdict::kLogInAgain ? SyncAction::kLogInAgain : SyncAction::kRetryLater);
  }

  std::string UploadPath(const BlobTransfer& t, int64_t size) const {
    return "/v1/blobs/" + t.hash + "/upload?ws=" + t.workspace_id + "&size=" + std::to_string(size);
  }

  // ---- Uploads ----

  // One upload's progress within this run.
  struct UploadState {
    int64_t size = 0;
    std::optional<int64_t> offset;  // unknown until the server says
    int resends = 0;
    bool restarted = false;
    bool over = false;  // done, refused, or the run yields
  };

  Status Upload(BlobTransfer t) {
    if (!blobs_.Has(t.hash)) return Refuse(t, "the photo's file is missing on this device; attach the photo again");
    CCF_ASSIGN_OR_RETURN(uint64_t on_disk, blobs_.Size(t.hash));
    UploadState s;
    s.size = static_cast<int64_t>(on_disk);
    while (!s.over) {
      if (!s.offset) {
        CCF_RETURN_IF_ERROR(AskOffset(&t, &s));
      } else if (Yield()) {
        return Status::Ok();
      } else {
        CCF_RETURN_IF_ERROR(SendChunk(&t, &s));
      }
    }
    return Status::Ok();
  }

  // GET .../upload: where the server stands (or that it has the blob).
  Status AskOffset(BlobTransfer* t, UploadState* s) {
    HttpRequest ask;
    ask.path = UploadPath(*t, s->size);
    Result<HttpResult> http = Call(ask);
    if (!http.ok()) return StopForRetry(http.status());
    if (http->status != 200) {
      s->over = true;
      return UploadRefusedOrStop(*t, internal::BlobHttpFailure(http->status, http->body));
    }
    CCF_ASSIGN_OR_RETURN(UploadAnswer a, ParseUploadAnswer(http->body));
    if (a.complete) return UploadDone(*t, s);
    if (a.offset >= s->size) {
      return StopForRetry(
          Status::Unavailable("the server's answer about a photo upload could not be understood "
                              "(it has every byte but not the photo)"));
    }
    s->offset = a.offset;
    t->error.clear();
    return photos_.Progress(*t, s->size, a.offset);
  }

  // PUT one chunk from s->offset, and what its answer means.
  Status SendChunk(BlobTransfer* t, UploadState* s) {
    CCF_ASSIGN_OR_RETURN(std::string chunk, blobs_.ReadRange(t->hash, static_cast<uint64_t>(*s->offset),
                                                             static_cast<size_t>(q_->sizer_.size())));
    const bool full_size = static_cast<int64_t>(chunk.size()) >= q_->sizer_.size();
    HttpRequest put;
    put.method = "PUT";
    put.path = UploadPath(*t, s->size) + "&offset=" + std::to_string(*s->offset);
    put.headers.emplace_back("X-Chunk-Sha256", Sha256Hex(chunk));
    put.body = std::move(chunk);
    const int64_t started = MonoMs(q_->env_);
    Result<HttpResult> http = Call(std::move(put));
    if (!http.ok()) {
      q_->sizer_.AfterCut();
      return StopForRetry(http.status());
    }
    if (http->status == 200) {
      // Only a full-size chunk that went fast says the link takes bigger
      // ones: a thumbnail or a blob's short last piece is quick on any link.
      const int64_t elapsed = MonoMs(q_->env_) - started;
      if (full_size || elapsed > ChunkSizer::kSlowMs) q_->sizer_.AfterChunk(elapsed);
      CCF_ASSIGN_OR_RETURN(UploadAnswer a, ParseUploadAnswer(http->body));
      if (a.complete) return UploadDone(*t, s);
      s->resends = 0;
      s->offset = a.offset;
      return photos_.Progress(*t, s->size, a.offset);
    }
    return ChunkRefused(t, s, internal::BlobHttpFailure(http->status, http->body));
  }

  Status ChunkRefused(BlobTransfer* t, UploadState* s, const internal::BlobFailure& f) {
    switch (f.verdict) {
      case internal::BlobVerdict::kOffset:
        s->offset = f.offset;
        return photos_.Progress(*t, s->size, *f.offset);
      case internal::BlobVerdict::kResend:
        return ++s->resends > kMaxResends ? StopFor(f) : Status::Ok();
      case internal::BlobVerdict::kRestart:
        // The server threw the upload away. Once may be a fluke of the link;
        // twice means this device's file does not match its name.
        if (s->restarted) {
          s->over = true;
          return Refuse(*t,
                        "this photo's file on this device is damaged (its bytes do not match its name); "
                        "attach the photo again");
        }
        s->restarted = true;
        s->offset = 0;
        return photos_.Progress(*t, s->size, 0);
      default:
        s->over = true;
        return UploadRefusedOrStop(*t, f);
    }
  }

  Status UploadRefusedOrStop(const BlobTransfer& t, const internal::BlobFailure& f) {
    if (f.verdict == internal::BlobVerdict::kRefused) return Refuse(t, f.status.message());
    return StopFor(f);
  }

  Status UploadDone(const BlobTransfer& t, UploadState* s) {
    s->over = true;
    CCF_ASSIGN_OR_RETURN(std::vector<std::string> originals, photos_.Done(t));
    ++report_->blobs_up;
    for (const std::string& hash : originals) {
      Status removed = blobs_.Remove(hash);
      if (!removed.ok())
        q_->env_->Log(LogLevel::kWarning, "cannot remove a sent photo's original: " + removed.ToString());
    }
    return Status::Ok();
  }

  // ---- Downloads ----

  // What arrives of one download: appended to the partial file in pieces.
  struct Receiver {
    int64_t start = 0;    // bytes in the partial file before this request
    int64_t total = 0;    // the whole blob, once the answer says
    int64_t flushed = 0;  // appended by this request
    int64_t received = 0;
    std::string pending;
    bool bytes = false;  // a 2xx answer whose bytes we take
  };

  Status Take(BlobTransfer* t, Receiver* r, const HttpResult& head, std::string_view piece) {
    if (!r->bytes) {
      r->bytes = true;
      if (head.status == 206) {
        std::optional<std::pair<int64_t, int64_t>> range = ParseContentRange(head.content_range);
        if (!range || range->first != r->start) {
          return Status::Unavailable("the server sent another part of the photo than the one asked for");
        }
        r->total = range->second;
      } else {
        // The whole blob from byte 0: what was here goes.
        if (r->start > 0) CCF_RETURN_IF_ERROR(blobs_.DropPartial(t->hash));
        r->start = 0;
        r->total = head.content_length.value_or(t->size);
      }
    }
    r->received += static_cast<int64_t>(piece.size());
    if (r->total > 0 && r->start + r->received > r->total) {
      return Status::Unavailable("the server sent more bytes than the photo has");
    }
    r->pending.append(piece);
    if (r->pending.size() < kDownloadFlushBytes) return Status::Ok();
    CCF_RETURN_IF_ERROR(Flush(t, r));
    // Records waiting: stop here (what arrived is kept) and let them go.
    if (Yield()) return Status::Busy("the photo download gives way to records");
    return Status::Ok();
  }

  Status Flush(BlobTransfer* t, Receiver* r) {
    if (r->pending.empty()) return Status::Ok();
    CCF_RETURN_IF_ERROR(blobs_.AppendPartial(t->hash, r->pending));
    r->flushed += static_cast<int64_t>(r->pending.size());
    r->pending.clear();
    t->error.clear();
    return photos_.Progress(*t, r->total, r->start + r->flushed);
  }

  Status Download(BlobTransfer t) {
    if (blobs_.Has(t.hash)) return DownloadDone(t);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (Yield()) return Status::Ok();
      const int64_t have = static_cast<int64_t>(blobs_.PartialSize(t.hash));
      if (t.size <= 0 || have < t.size) {
        bool fetched = false;
        CCF_RETURN_IF_ERROR(Fetch(&t, have, &fetched));
        if (!fetched) return Status::Ok();  // not there (yet), refused, or the whole blob is here
      }
      CCF_ASSIGN_OR_RETURN(bool good, blobs_.FinishPartial(t.hash));
      if (good) return DownloadDone(t);
      // Thrown away: fetch it whole once more.
    }
    return Refuse(t, "the server sent a damaged photo");
  }

  // GET the bytes from `have` on. *fetched: the partial file may now be whole.
  Status Fetch(BlobTransfer* t, int64_t have, bool* fetched) {
    Receiver r;
    r.start = have;
    HttpRequest get;
    get.path = "/v1/blobs/" + t->hash + "?ws=" + t->workspace_id;
    get.bearer_token = settings_.token;
    if (have > 0) get.headers.emplace_back("Range", "bytes=" + std::to_string(have) + "-");
    get.sink = [&](const HttpResult& head, std::string_view piece) { return Take(t, &r, head, piece); };
    Result<HttpResult> http = transport_->Send(get);
    if (http.ok()) {
      Count(*http);
    } else {
      ++report_->requests;
      AddBytes(0, r.received);  // what came before the cut still cost data
    }
    // Bytes that arrived whole are kept, even when the link was then cut.
    Status flushed = r.bytes ? Flush(t, &r) : Status::Ok();
    if (!http.ok()) return report_->yielded ? flushed : StopForRetry(http.status());
    CCF_RETURN_IF_ERROR(flushed);
    if (http->status == 200 || http->status == 206) {
      *fetched = true;
      return Status::Ok();
    }
    if (http->status == 416 && have > 0) {  // the partial file already reaches the end
      *fetched = true;
      return Status::Ok();
    }
    internal::BlobFailure f = internal::BlobHttpFailure(http->status, http->body);
    if (f.verdict == internal::BlobVerdict::kNotFound) return NotOnServer(t);
    if (f.verdict == internal::BlobVerdict::kRefused) return Refuse(*t, f.status.message());
    return StopFor(f);
  }

  // 404: the device that took it has not sent it (yet). Retried every run,
  // until it has waited kNotOnServerGiveUpMs since it was queued.
  Status NotOnServer(BlobTransfer* t) {
    ++report_->not_found;
    if (q_->env_->WallMillis() - t->queued_ms > kNotOnServerGiveUpMs) {
      return Refuse(*t, "not on the server: the device that took this photo has not sent it in 14 days");
    }
    t->error = "not on the server (yet)";
    return photos_.Progress(*t, t->size, static_cast<int64_t>(blobs_.PartialSize(t->hash)));
  }

  Status DownloadDone(const BlobTransfer& t) {
    CCF_RETURN_IF_ERROR(photos_.Done(t).status());
    ++report_->blobs_down;
    return Status::Ok();
  }

  PhotoQueue* q_;
  PhotoStore& photos_;
  BlobFiles blobs_;
  Transport* transport_;
  const SyncSettings& settings_;
  const PhotoRunOptions& options_;
  PhotoRunReport* report_;
  PhotoSettings budget_;
  DataUsage usage_;
  int64_t unsaved_up_ = 0, unsaved_down_ = 0;
  std::optional<SyncAction> action_;  // set by Stop
};

Status PhotoQueue::Run(Store* store, Transport* transport, const SyncSettings& settings, const PhotoRunOptions& options,
                       PhotoRunReport* report, SyncAction* action) {
  if (store->photos().BlobDir().empty()) return Status::Ok();  // a store in memory holds no photos
  Runner run(this, store, transport, settings, options, report);
  Status st = run.Go();
  if (!st.ok() && action) *action = run.ActionFor(st);
  return st;
}

}  // namespace ccfield::sync
