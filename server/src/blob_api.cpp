#include "blob_api.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

#include "api_handler.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

constexpr std::string_view kPrefix = "/v1/blobs/";
constexpr const char* kNotFoundMessage =
    "there is no such photo in this workspace (it may still be uploading from another device)";

ApiResponse NotFound() { return ErrorResponse(ApiError{404, "not_found", kNotFoundMessage}); }

// An error body that also says where the upload stands.
ApiResponse ErrorWithOffset(const ApiError& e, int64_t offset) {
  json body = sync::ErrorJson(e.code, e.message);
  body["offset"] = offset;
  return JsonResponse(e.http_status, body);
}

ApiResponse UploadAnswer(const std::string& hash, int64_t size, int64_t offset, bool complete) {
  return JsonResponse(200, {{"hash", hash}, {"size", size}, {"offset", offset}, {"complete", complete}});
}

std::string Mb(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// A whole number of at most 18 digits, or nullopt.
std::optional<int64_t> WholeNumber(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

// "a=1&b=2" as a map; nullopt when a name repeats or a part has no '='.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    if (!out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1))).second) return std::nullopt;
  }
  return out;
}

// Range: "bytes=N-" or "bytes=N-M" as [first, last]; nullopt for anything
// else (answered with the whole blob, as RFC 9110 allows).
std::optional<std::pair<int64_t, int64_t>> ParseRange(const std::string& h) {
  if (h.rfind("bytes=", 0) != 0) return std::nullopt;
  const std::string_view spec = std::string_view(h).substr(6);
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::optional<int64_t> first = WholeNumber(spec.substr(0, dash));
  if (!first) return std::nullopt;
  if (dash + 1 == spec.size()) return std::make_pair(*first, INT64_MAX);
  std::optional<int64_t> last = WholeNumber(spec.substr(dash + 1));
  if (!last || *last < *first) return std::nullopt;
  return std::make_pair(*first, *last);
}

}  // namespace

// A request's names and numbers, checked.
struct BlobApi::Target {
  std::string hash;
  std::string ws;
  bool upload = false;  // .../upload
  int64_t size = -1;    // -1: not given
  int64_t offset = -1;
  std::string user_id;  // who asks
};

// What the server holds for one (ws, hash).
struct BlobApi::UploadState {
  std::optional<BlobClaim> claim;
  std::optional<BlobUpload> row;
  int64_t offset = 0;  // durable, and what the partial file holds
};

BlobApi::BlobApi(ServerStorage* storage, std::mutex* storage_mutex, Auth* auth, Env* env, BlobStore* store,
                 BlobApiOptions options)
    : storage_(storage),
      storage_mu_(storage_mutex),
      auth_(auth),
      env_(env),
      store_(store),
      options_(std::move(options)) {}

bool BlobApi::Handles(std::string_view path) { return path.substr(0, kPrefix.size()) == kPrefix; }

json BlobApi::StatusJson() { return {{"max_chunk", kMaxBlobChunk}, {"max_blob", kMaxBlobSize}}; }

Status BlobApi::Start() {
  CCF_RETURN_IF_ERROR(store_->Open());
  last_sweep_ms_ = env_->WallMillis();
  return RemoveStaleUploads().status();
}

template <typename F>
Status BlobApi::Locked(F&& body) {
  std::lock_guard<std::mutex> lock(*storage_mu_);
  return RunInTransaction(storage_, std::forward<F>(body));
}

std::mutex& BlobApi::UploadMutex(const std::string& ws, const std::string& hash) {
  return upload_mu_[std::hash<std::string>()(ws + hash) % upload_mu_.size()];
}

void BlobApi::Log(LogLevel level, const std::string& msg) {
  std::lock_guard<std::mutex> lock(log_mu_);
  env_->Log(level, msg);
}

ApiResponse BlobApi::Handle(const ApiRequest& req) {
  Target t;
  const std::string_view rest = std::string_view(req.path).substr(kPrefix.size());
  t.hash = std::string(rest.substr(0, rest.find('/')));
  const std::string_view tail = rest.substr(t.hash.size());
  t.upload = tail == "/upload";
  if (!tail.empty() && !t.upload) return ErrorForStatus(404);
  const bool put = req.method == "PUT";
  if (!(req.method == "GET" || (put && t.upload))) return ErrorForStatus(404);
  // Who asks comes first: a stranger learns nothing, not even what is malformed.
  ApiResult<AuthContext> who = auth_->Authenticate(BearerToken(req.headers));
  if (!who.ok()) return ErrorResponse(who.error());
  std::optional<std::map<std::string, std::string>> q = ParseQuery(req.query);
  if (!q) return ErrorResponse(ApiError::Invalid("the query must be name=value pairs, each name once"));
  t.ws = (*q)["ws"];
  if (!IsBlobHash(t.hash)) return ErrorResponse(ApiError::Invalid("a photo is named by 64 lowercase hex digits"));
  if (!IsWorkspaceId(t.ws)) return ErrorResponse(ApiError::Invalid("ws must be a workspace id"));
  t.user_id = who.value().user_id;
  const Membership* m = who.value().Find(t.ws);
  if (!t.upload) {
    if (!m) return NotFound();
    return GetBlob(req, t);
  }
  std::optional<int64_t> size = WholeNumber((*q)["size"]);
  if (!size || *size < 1) return ErrorResponse(ApiError::Invalid("size must be the photo's length in bytes"));
  if (*size > kMaxBlobSize) {
    return ErrorResponse(
        ApiError::TooLarge("the photo is " + Mb(*size) + " MB; at most " + Mb(kMaxBlobSize) + " MB are accepted"));
  }
  t.size = *size;
  if (!m) return ErrorResponse(ApiError::Forbidden("forbidden", "you are not a member of this workspace"));
  if (m->role == "observer") {
    return ErrorResponse(ApiError::Forbidden("read_only", "observers cannot add photos to this workspace"));
  }
  if (!put) return GetUpload(t);
  std::optional<int64_t> offset = WholeNumber((*q)["offset"]);
  if (!offset) return ErrorResponse(ApiError::Invalid("offset must be a whole number of bytes"));
  t.offset = *offset;
  return PutChunk(req, t);
}

ApiResult<BlobApi::UploadState> BlobApi::LoadUpload(const Target& t) {
  UploadState s;
  {
    std::lock_guard<std::mutex> lock(*storage_mu_);
    Result<std::optional<BlobClaim>> claim = storage_->FindBlobClaim(t.ws, t.hash);
    if (!claim.ok()) return ApiError::FromStatus(claim.status());
    s.claim = std::move(*claim);
    Result<std::optional<BlobUpload>> row = storage_->FindBlobUpload(t.ws, t.hash);
    if (!row.ok()) return ApiError::FromStatus(row.status());
    s.row = std::move(*row);
  }
  const int64_t declared = s.claim ? s.claim->size : s.row ? s.row->size : t.size;
  if (declared != t.size) {
    return ApiError::Invalid("size " + std::to_string(t.size) + " differs from this photo's " +
                             std::to_string(declared) + " bytes");
  }
  if (s.claim) return s;
  // The partial holds what the row says is durable: a longer file is a chunk
  // cut off by a crash (cut it back), a shorter one lost bytes (go on from there).
  Result<uint64_t> held = store_->UploadSize(t.ws, t.hash);
  if (!held.ok()) return ApiError::FromStatus(held.status());
  s.offset = s.row ? s.row->offset : 0;
  if (static_cast<int64_t>(*held) > s.offset) {
    Status st = store_->TruncateUpload(t.ws, t.hash, static_cast<uint64_t>(s.offset));
    if (!st.ok()) return ApiError::FromStatus(st);
  } else if (static_cast<int64_t>(*held) < s.offset) {
    s.offset = static_cast<int64_t>(*held);
  }
  return s;
}

ApiResponse BlobApi::GetUpload(const Target& t) {
  std::lock_guard<std::mutex> upload(UploadMutex(t.ws, t.hash));
  ApiResult<UploadState> s = LoadUpload(t);
  if (!s.ok()) return ErrorResponse(s.error());
  if (s.value().claim) return UploadAnswer(t.hash, t.size, t.size, true);
  return UploadAnswer(t.hash, t.size, s.value().offset, false);
}

ApiResponse BlobApi::PutChunk(const ApiRequest& req, const Target& t) {
  const std::string type = FirstHeader(req.headers, "Content-Type");
  if (!type.empty() && type.rfind("application/octet-stream", 0) != 0) {
    return ErrorResponse(ApiError{415, "unsupported", "a chunk must be sent as application/octet-stream"});
  }
  const int64_t len = static_cast<int64_t>(req.body.size());
  if (req.body_over_limit || len > kMaxBlobChunk) {
    return ErrorResponse(ApiError::TooLarge("a chunk may hold at most 1 MiB; send smaller chunks"));
  }
  if (req.body_unreadable || len == 0) return ErrorResponse(ApiError::Invalid("the chunk is empty or unreadable"));
  if (t.offset + len > t.size) {
    return ErrorResponse(ApiError::Invalid("the chunk goes past the photo's " + std::to_string(t.size) + " bytes"));
  }
  const std::string declared = FirstHeader(req.headers, "X-Chunk-Sha256");
  if (!IsBlobHash(declared)) {
    return ErrorResponse(ApiError::Invalid("X-Chunk-Sha256 must be the chunk's SHA-256 in 64 lowercase hex digits"));
  }
  if (Sha256Hex(req.body) != declared) {
    return ErrorResponse(ApiError{422, "chunk_mismatch", "the chunk arrived damaged; send it again"});
  }
  std::lock_guard<std::mutex> upload(UploadMutex(t.ws, t.hash));
  ApiResult<UploadState> s = LoadUpload(t);
  if (!s.ok()) return ErrorResponse(s.error());
  if (s.value().claim) return UploadAnswer(t.hash, t.size, t.size, true);
  if (t.offset != s.value().offset) {
    return ErrorWithOffset(
        ApiError{409, "offset_mismatch",
                 "the server has " + std::to_string(s.value().offset) + " bytes of this photo; go on from there"},
        s.value().offset);
  }
  return WriteChunk(req, t, &s.value());
}

ApiResponse BlobApi::WriteChunk(const ApiRequest& req, const Target& t, UploadState* s) {
  const int64_t now = env_->WallMillis();
  BlobUpload row = s->row.value_or(BlobUpload{t.ws, t.hash, t.size, 0, now, t.user_id});
  int64_t used = 0;
  bool over_quota = false;
  Status st = Locked([&]() -> Status {
    CCF_ASSIGN_OR_RETURN(used, storage_->BlobBytesUsed(t.ws, t.hash));
    over_quota = options_.quota_bytes > 0 && used + t.size > options_.quota_bytes;
    if (over_quota) return Status::Ok();
    // The row exists before the first byte does, so a partial file always has one.
    row.offset = s->offset;
    return s->row && s->row->offset == s->offset ? Status::Ok() : storage_->PutBlobUpload(row);
  });
  if (!st.ok()) return ErrorResponse(ApiError::FromStatus(st));
  if (over_quota) {
    return ErrorResponse(ApiError{413, "blob_quota",
                                  "this workspace's photo storage is full: " + Mb(used) + " MB of " +
                                      Mb(options_.quota_bytes) + " MB used, and this photo needs " + Mb(t.size) +
                                      " MB; ask the server's administrator for more room"});
  }
  st = store_->AppendUpload(t.ws, t.hash, req.body);
  if (!st.ok()) {
    // Back to the durable offset: the next chunk starts from there.
    Status cut = store_->TruncateUpload(t.ws, t.hash, static_cast<uint64_t>(s->offset));
    if (!cut.ok()) Log(LogLevel::kError, "blob upload: " + cut.message());
    if (st.code() != Code::kDiskFull) Log(LogLevel::kError, "blob upload: " + st.message());
    if (st.code() == Code::kDiskFull) {
      return ErrorWithOffset(ApiError{503, "out_of_space",
                                      "the server is out of disk space; the photo stays on this device and the "
                                      "upload goes on from here later; tell the server's administrator"},
                             s->offset);
    }
    return ErrorResponse(ApiError::FromStatus(st));
  }
  row.offset = s->offset + static_cast<int64_t>(req.body.size());
  row.updated_ms = now;
  if (row.offset == t.size) return Complete(t);
  st = Locked([&] { return storage_->PutBlobUpload(row); });
  if (!st.ok()) return ErrorResponse(ApiError::FromStatus(st));
  return UploadAnswer(t.hash, t.size, row.offset, false);
}

ApiResponse BlobApi::Complete(const Target& t) {
  Result<bool> whole = store_->CompleteUpload(t.ws, t.hash);
  if (!whole.ok()) {
    Log(LogLevel::kError, "blob upload: " + whole.status().message());
    return ErrorResponse(ApiError::FromStatus(whole.status()));
  }
  Status st = Locked([&]() -> Status {
    if (*whole) CCF_RETURN_IF_ERROR(storage_->AddBlobClaim({t.ws, t.hash, t.size, env_->WallMillis(), t.user_id}));
    return storage_->RemoveBlobUpload(t.ws, t.hash);
  });
  if (!st.ok()) return ErrorResponse(ApiError::FromStatus(st));
  if (!*whole) {
    return ErrorWithOffset(
        ApiError{422, "hash_mismatch", "the photo's bytes do not match its name; the upload starts again from 0"}, 0);
  }
  return UploadAnswer(t.hash, t.size, t.size, true);
}

ApiResponse BlobApi::GetBlob(const ApiRequest& req, const Target& t) {
  {
    std::lock_guard<std::mutex> lock(*storage_mu_);
    Result<std::optional<BlobClaim>> claim = storage_->FindBlobClaim(t.ws, t.hash);
    if (!claim.ok()) return ErrorResponse(ApiError::FromStatus(claim.status()));
    if (!*claim) return NotFound();
  }
  Result<std::optional<uint64_t>> size = store_->BlobSize(t.hash);
  if (!size.ok()) return ErrorResponse(ApiError::FromStatus(size.status()));
  if (!*size) {
    Log(LogLevel::kError, "blob " + t.hash + " is claimed by workspace " + t.ws + " but missing from the store");
    return NotFound();
  }
  const int64_t total = static_cast<int64_t>(**size);
  const std::string etag = "\"" + t.hash + "\"";
  ApiResponse r;
  r.headers = {{"Content-Type", "image/jpeg"},
               {"ETag", etag},
               {"Accept-Ranges", "bytes"},
               {"Cache-Control", "private, max-age=31536000, immutable"}};
  if (FirstHeader(req.headers, "If-None-Match") == etag) {
    r.status = 304;
    return r;
  }
  int64_t first = 0, last = total - 1;
  r.status = 200;
  if (std::optional<std::pair<int64_t, int64_t>> range = ParseRange(FirstHeader(req.headers, "Range"))) {
    if (range->first >= total) {
      ApiResponse refused = ErrorResponse(ApiError{416, "invalid", "the range starts past the photo's end"});
      refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(total));
      return refused;
    }
    first = range->first;
    last = std::min(range->second, total - 1);
    r.status = 206;
    r.headers.emplace_back("Content-Range",
                           "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(total));
  }
  Result<std::string> bytes =
      store_->ReadBlob(t.hash, static_cast<uint64_t>(first), static_cast<size_t>(last - first + 1));
  if (!bytes.ok()) return ErrorResponse(ApiError::FromStatus(bytes.status()));
  r.body = std::move(*bytes);
  return r;
}

Result<int> BlobApi::RemoveStaleUploads() {
  std::lock_guard<std::mutex> one(sweep_mu_);
  std::vector<BlobUpload> stale;
  {
    std::lock_guard<std::mutex> lock(*storage_mu_);
    CCF_ASSIGN_OR_RETURN(stale, storage_->BlobUploadsBefore(env_->WallMillis() - options_.partial_max_age_ms));
  }
  int removed = 0;
  for (const BlobUpload& u : stale) {
    std::lock_guard<std::mutex> upload(UploadMutex(u.ws, u.hash));
    // Again under the upload's lock: a chunk may have arrived meanwhile.
    bool still_stale = false;
    Status st = Locked([&]() -> Status {
      CCF_ASSIGN_OR_RETURN(std::optional<BlobUpload> now, storage_->FindBlobUpload(u.ws, u.hash));
      still_stale = now && now->updated_ms == u.updated_ms;
      return still_stale ? storage_->RemoveBlobUpload(u.ws, u.hash) : Status::Ok();
    });
    CCF_RETURN_IF_ERROR(st);
    if (!still_stale) continue;
    // Row first, then file: a crash in between leaves an orphan file, removed below next time.
    CCF_RETURN_IF_ERROR(store_->RemoveUpload(u.ws, u.hash));
    ++removed;
  }
  // Partial files without a row: left by a crash between removing the row and the file.
  CCF_ASSIGN_OR_RETURN(std::vector<StoredUpload> files, store_->ListUploads());
  for (const StoredUpload& f : files) {
    std::lock_guard<std::mutex> upload(UploadMutex(f.ws, f.hash));
    std::optional<BlobUpload> row;
    {
      std::lock_guard<std::mutex> lock(*storage_mu_);
      CCF_ASSIGN_OR_RETURN(row, storage_->FindBlobUpload(f.ws, f.hash));
    }
    if (!row) CCF_RETURN_IF_ERROR(store_->RemoveUpload(f.ws, f.hash));
  }
  return removed;
}

void BlobApi::MaybeSweep() {
  const int64_t now = env_->WallMillis();
  int64_t last = last_sweep_ms_.load();
  if (now - last < options_.sweep_every_ms) return;
  if (!last_sweep_ms_.compare_exchange_strong(last, now)) return;  // another request sweeps
  Result<int> n = RemoveStaleUploads();
  if (!n.ok()) Log(LogLevel::kError, "removing stale photo uploads: " + n.status().message());
  if (n.ok() && *n > 0) Log(LogLevel::kInfo, "removed " + std::to_string(*n) + " stale photo uploads");
}

}  // namespace ccfield::server
