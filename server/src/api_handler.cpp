#include "api_handler.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>

#include "ccfield/core/text.h"
#include "ccfield/sync/body_codec.h"
#include "fair_gate.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

constexpr const char* kJsonType = "application/json";
// How long a second sync of the same user waits for the first before 429 busy.
constexpr int kUserSlotWaitMs = 2000;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const char* CodeForStatus(int status) {
  switch (status) {
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
    case 405:
      return "not_found";
    case 413:
    case 414:
    case 431:
      return "too_large";
    case 415:
      return "unsupported";
    case 429:
      return "throttled";
    default:
      return status >= 500 ? "internal" : "invalid";
  }
}

ApiError TooLargeBody(size_t limit) {
  return ApiError::TooLarge("the request is larger than " + std::to_string(limit / (1024 * 1024)) +
                            " MiB; send fewer changes per request");
}

ApiError InternalError() {
  return ApiError{500, "internal", "the server failed on this request; it has been logged"};
}

}  // namespace

ApiResponse JsonResponse(int status, const json& body) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", kJsonType);
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

ApiResponse ErrorResponse(const ApiError& e) {
  ApiResponse r = JsonResponse(e.http_status, sync::ErrorJson(e.code, e.message));
  if (e.http_status == 429 && e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

std::string BearerToken(const HeaderList& headers) {
  const std::string h = FirstHeader(headers, "Authorization");
  if (h.size() < 7 || Lower(h.substr(0, 7)) != "bearer ") return "";
  return Trim(h.substr(7));
}

std::string FirstHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (SameName(k, name)) return v;
  }
  return "";
}

std::string LastHeader(const HeaderList& headers, std::string_view name) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (SameName(it->first, name)) return it->second;
  }
  return "";
}

std::string CanonicalIp(const std::string& text) {
  const std::string t = Trim(text);
  char out[INET6_ADDRSTRLEN] = {};
  in_addr v4;
  if (inet_pton(AF_INET, t.c_str(), &v4) == 1) return inet_ntop(AF_INET, &v4, out, sizeof out) ? out : "";
  in6_addr v6;
  if (inet_pton(AF_INET6, t.c_str(), &v6) == 1) return inet_ntop(AF_INET6, &v6, out, sizeof out) ? out : "";
  return "";
}

std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  const std::string p = CanonicalIp(peer);
  if (p.empty() || forwarded_for.empty()) return peer;
  if (std::find(trusted_proxies.begin(), trusted_proxies.end(), p) == trusted_proxies.end()) return peer;
  // The last hop is the one the trusted proxy added (ours overwrites the
  // header, a chained proxy appends); anything before it is the client's word.
  const size_t comma = forwarded_for.rfind(',');
  const std::string last = CanonicalIp(comma == std::string::npos ? forwarded_for : forwarded_for.substr(comma + 1));
  return last.empty() ? peer : last;
}

ApiResponse ErrorForStatus(int status) {
  std::string msg = status == 404 ? "no such endpoint" : "the request was refused (HTTP " + std::to_string(status) + ")";
  return JsonResponse(status, sync::ErrorJson(CodeForStatus(status), msg));
}

struct ApiHandler::Impl {
  Impl(ServerStorage* storage, Env* env, ApiHandlerOptions opts)
      : env(env), options(std::move(opts)), auth(storage, &mu, env, options.auth), sync(storage, env, options.sync) {
    // Trusted proxies are matched in canonical form ("::1" and "0:0::1" are one).
    for (std::string& a : options.trusted_proxies) {
      if (std::string c = CanonicalIp(a); !c.empty()) a = c;
    }
    if (!options.blobs.dir.empty()) {
      blob_store = std::make_unique<FileBlobStore>(env, options.blobs.dir);
      blobs = std::make_unique<BlobApi>(storage, &mu, &auth, env, blob_store.get(), options.blobs);
      Status st = blobs->Start();
      if (!st.ok()) Log(LogLevel::kError, "photo blobs: " + st.message());
    }
  }

  Env* env;
  ApiHandlerOptions options;
  std::mutex mu;  // guards the storage, `sync`, and Env randomness (Auth locks it itself)
  Auth auth;
  SyncService sync;
  FairGate gate;  // one sync per user in flight; storage turns in arrival order (fair_gate.h)
  std::mutex log_mu;
  std::unique_ptr<BlobStore> blob_store;  // null: no blob endpoints
  std::unique_ptr<BlobApi> blobs;

  void Log(LogLevel level, const std::string& msg) {
    std::lock_guard<std::mutex> lock(log_mu);
    env->Log(level, msg);
  }

  std::string ClientOf(const ApiRequest& req) const {
    if (options.trusted_proxies.empty()) return req.peer;
    // Several X-Forwarded-For fields are one list (RFC 9110): the last field holds the last hop.
    return ClientAddress(req.peer, LastHeader(req.headers, "X-Forwarded-For"), options.trusted_proxies);
  }

  // The body of a POST, decoded (sync/body_codec.h) and within the size limit.
  std::optional<ApiError> DecodeBody(const ApiRequest& req, std::string* body) const {
    const std::string name = Lower(Trim(FirstHeader(req.headers, "Content-Encoding")));
    const std::optional<sync::BodyEncoding> encoding = sync::ParseContentEncoding(name);
    if (!encoding || (*encoding == sync::BodyEncoding::kZstd && !options.zstd)) {
      return ApiError{
          415, "unsupported",
          "Content-Encoding \"" + name + "\" is not supported; use " + (options.zstd ? "zstd or " : "") + "gzip"};
    }
    const std::string type = Lower(Trim(FirstHeader(req.headers, "Content-Type")));
    if (!type.empty() && type.rfind(kJsonType, 0) != 0) {
      return ApiError{415, "unsupported", "the body must be application/json"};
    }
    const size_t limit = options.max_request_bytes;
    if (req.body_over_limit) return TooLargeBody(limit);
    if (req.body_unreadable) return ApiError::Invalid("the request body could not be read (broken gzip data?)");
    Result<sync::DecodedBody> plain = sync::DecodeBody(*encoding, req.body, limit);
    if (!plain.ok()) return ApiError::Invalid("the request body could not be read: " + plain.status().message());
    if (plain->too_large) return TooLargeBody(limit);
    *body = std::move(plain->bytes);
    return std::nullopt;
  }

  ApiResponse ServerStatus() const {
    json status = {{"protocol", sync::kProtocolVersion}, {"server_time", FormatUtcMillis(env->WallMillis())}};
    // The request encodings taken, preferred first ("Encodings"; absent: gzip only).
    status["encodings"] = options.zstd ? json::array({"zstd", "gzip"}) : json::array({"gzip"});
    if (blobs) {  // photo blobs (docs/sync-protocol.md, "Photos: blobs"): clients look for this key
      status["blobs"] = BlobApi::StatusJson();
    }
    return JsonResponse(200, status);
  }

  ApiResponse Login(const ApiRequest& req, const std::string& body) {
    Result<json> j = sync::ParseJsonText(body);
    if (!j.ok()) return ErrorResponse(ApiError::Invalid(j.status().message()));
    Result<sync::LoginRequest> lr = sync::ParseLoginRequest(*j);
    if (!lr.ok()) return ErrorResponse(ApiError::Invalid(lr.status().message()));
    ApiResult<LoginResult> r = auth.Login(*lr, ClientOf(req));
    if (!r.ok()) return ErrorResponse(r.error());
    sync::LoginResponse answer;
    answer.token = r.value().token;
    answer.expires_at = FormatUtcMillis(r.value().expires_ms);
    answer.user_id = r.value().user_id;
    answer.workspaces_known = true;
    for (const Membership& m : r.value().memberships) answer.workspaces.push_back({m.workspace_id, m.role});
    answer.device_secret = r.value().device_secret;
    return JsonResponse(200, sync::ToJson(answer));
  }

  ApiResponse Logout(const ApiRequest& req, const std::string& body) {
    // An empty body is an empty request (older clients and curl -X POST send none).
    if (!body.empty()) {
      Result<json> j = sync::ParseJsonText(body);
      if (!j.ok()) return ErrorResponse(ApiError::Invalid(j.status().message()));
      Result<sync::LogoutRequest> lr = sync::ParseLogoutRequest(*j);
      if (!lr.ok()) return ErrorResponse(ApiError::Invalid(lr.status().message()));
    }
    ApiResult<bool> r = auth.Logout(BearerToken(req.headers));
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, sync::ToJson(sync::LogoutResponse{}));
  }

  // The JSON of a sync request, refused with 413 when it has too many changes
  // (protocol 1) or entries (protocol 3; the service counts their fields).
  static ApiResult<sync::SyncRequest> ParseSync(std::string body) {
    Result<json> j = sync::ParseJsonText(body);
    body.clear();
    if (!j.ok()) return ApiError::Invalid(j.status().message());
    if (j->is_object()) {
      for (const char* key : {"changes", "entries"}) {
        auto it = j->find(key);
        if (it != j->end() && it->is_array() && it->size() > sync::kMaxChangesPerRequest) {
          return ApiError::TooLarge("the request has " + std::to_string(it->size()) + " " + key +
                                    "; send at most " + std::to_string(sync::kMaxChangesPerRequest) + " per request");
        }
      }
    }
    Result<sync::SyncRequest> sr = sync::ParseSyncRequest(*j);
    if (!sr.ok()) return ApiError::Invalid(sr.status().message());
    return std::move(*sr);
  }

  ApiResponse Sync(const ApiRequest& req, std::string body) {
    const std::string token = BearerToken(req.headers);
    std::string user_id;
    {
      ApiResult<AuthContext> who = auth.Authenticate(token);
      if (!who.ok()) return ErrorResponse(who.error());
      user_id = who.value().user_id;
    }
    FairGate::UserSlot slot = gate.EnterUser(user_id, kUserSlotWaitMs);
    if (!slot.held()) {
      ApiError busy{429, "busy", "another sync of this account is still running; this one will be tried again"};
      busy.retry_after_s = 1;
      return ErrorResponse(busy);
    }
    // Parse outside the lock: it is the expensive part of a big request.
    ApiResult<sync::SyncRequest> sr = ParseSync(std::move(body));
    if (!sr.ok()) return ErrorResponse(sr.error());
    ApiResult<sync::SyncResponse> out = InternalError();
    {
      FairGate::Turn turn = gate.WaitTurn();
      std::lock_guard<std::mutex> lock(mu);
      // Again under the lock: the token or device may have been revoked meanwhile.
      ApiResult<AuthContext> who = auth.AuthenticateLocked(token);
      if (!who.ok()) return ErrorResponse(who.error());
      if (sr.value().device_id != who.value().device_id) {
        return ErrorResponse(ApiError{403, "device_mismatch",
                                      "this sign-in belongs to another device; sign in again on this device"});
      }
      out = sync.Answer(who.value(), sr.value());
    }
    if (!out.ok()) {
      if (out.error().http_status >= 500) Log(LogLevel::kError, "sync failed: " + out.error().message);
      return ErrorResponse(out.error());
    }
    // The codec refuses an answer that breaks the entry rule (a server bug):
    // a 500 the device retries, never a 200 whose body is not a sync answer.
    Result<json> answer = sync::EncodeSyncResponse(out.value());
    if (!answer.ok()) {
      Log(LogLevel::kError, "sync answer could not be written: " + answer.status().message());
      return ErrorResponse(ApiError{500, "internal", "the server could not write its answer; try again later"});
    }
    return JsonResponse(200, *answer);
  }

  ApiResponse Route(const ApiRequest& req) {
    if (req.headers.size() > options.max_header_count) {
      return ErrorResponse(ApiError{431, "too_large",
                                    "the request has " + std::to_string(req.headers.size()) +
                                        " header fields; at most " + std::to_string(options.max_header_count) +
                                        " are accepted"});
    }
    if (blobs) {
      blobs->MaybeSweep();
      if (BlobApi::Handles(req.path)) return blobs->Handle(req);
    }
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (get && req.path == "/v1/status") return ServerStatus();
    const bool post = req.method == "POST";
    if (!post || (req.path != "/v1/login" && req.path != "/v1/logout" && req.path != "/v1/sync")) {
      return ErrorForStatus(404);
    }
    std::string body;
    if (std::optional<ApiError> e = DecodeBody(req, &body)) return ErrorResponse(*e);
    if (req.path == "/v1/login") return Login(req, body);
    if (req.path == "/v1/logout") return Logout(req, body);
    return Sync(req, std::move(body));
  }

  // Compresses a JSON body as the request's Accept-Encoding allows: zstd,
  // else gzip (photo bytes go as they are). The answer varies with it.
  void Encode(const ApiRequest& req, ApiResponse* res) {
    if (res->body.empty() || res->Header("Content-Type") != kJsonType) return;
    res->headers.emplace_back("Vary", "Accept-Encoding");
    const sync::BodyEncoding encoding =
        sync::ChooseResponseEncoding(FirstHeader(req.headers, "Accept-Encoding"), options.zstd);
    if (encoding == sync::BodyEncoding::kIdentity) return;
    const int level = encoding == sync::BodyEncoding::kZstd ? sync::ZstdLevelFor(res->body.size(), options.zstd_level)
                                                            : sync::kGzipLevel;
    Result<std::string> packed = sync::EncodeBody(encoding, res->body, level);
    if (!packed.ok()) return;  // sent as it is: correct, only larger
    res->body = std::move(*packed);
    res->headers.emplace_back("Content-Encoding", std::string(sync::EncodingName(encoding)));
  }
};

ApiHandler::ApiHandler(ServerStorage* storage, Env* env, ApiHandlerOptions options)
    : impl_(std::make_unique<Impl>(storage, env, std::move(options))) {}

ApiHandler::~ApiHandler() = default;

const ApiHandlerOptions& ApiHandler::options() const { return impl_->options; }

ApiResponse ApiHandler::Handle(const ApiRequest& req) {
  const int64_t start_ns = impl_->env->MonoNanos();
  ApiResponse res;
  // One bad request never takes the server down: anything thrown is a 500.
  try {
    res = impl_->Route(req);
  } catch (const std::exception& e) {
    impl_->Log(LogLevel::kError, req.method + " " + req.path + ": " + e.what());
    res = ErrorResponse(InternalError());
  } catch (...) {
    impl_->Log(LogLevel::kError, req.method + " " + req.path + ": unknown exception");
    res = ErrorResponse(InternalError());
  }
  try {
    impl_->Encode(req, &res);
  } catch (const std::exception&) {
    // Out of memory while compressing: the plain body is still a valid answer.
  }
  if (req.path == "/v1/sync") {
    // The server's own time for a sync (reading, applying, answering,
    // compressing; not the queue before it or the network), in the W3C
    // Server-Timing header: what bench/sync_bench reports as server side.
    char dur[64];
    std::snprintf(dur, sizeof dur, "app;dur=%.1f", static_cast<double>(impl_->env->MonoNanos() - start_ns) / 1e6);
    res.headers.emplace_back("Server-Timing", dur);
  }
  return res;
}

}  // namespace ccfield::server
