#include "http_server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>
#include <optional>

#include "ccfield/core/text.h"
#include "fair_gate.h"

namespace ccfield::server {

using nlohmann::json;

namespace {

constexpr const char* kJsonType = "application/json";  // exact: httplib only compresses this spelling

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJsonType);
}

void SendError(httplib::Response& res, const ApiError& e) {
  if (e.http_status == 429 && e.retry_after_s > 0) res.set_header("Retry-After", std::to_string(e.retry_after_s));
  SendJson(res, e.http_status, sync::ErrorJson(e.code, e.message));
}

const char* CodeForStatus(int status) {
  switch (status) {
    case 400:
      return "invalid";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "not_found";
    case 413:
      return "too_large";
    case 414:
      return "too_large";
    case 415:
      return "unsupported";
    case 429:
      return "throttled";
    default:
      return status >= 500 ? "internal" : "invalid";
  }
}

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

// The bearer token of the request, or "" when there is none.
std::string BearerToken(const httplib::Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.size() < 7 || Lower(h.substr(0, 7)) != "bearer ") return "";
  return Trim(h.substr(7));
}

// A string member of a JSON object; sets *error on a wrong type.
std::string StringMember(const json& j, const char* key, bool required, std::string* error) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required && error->empty()) *error = std::string(key) + " is missing";
    return "";
  }
  if (!it->is_string()) {
    if (error->empty()) *error = std::string(key) + " must be a string";
    return "";
  }
  return it->get<std::string>();
}

}  // namespace

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

struct HttpServer::Impl {
  Impl(ServerStorage* storage, Env* env, HttpServerOptions opts)
      : storage(storage),
        env(env),
        options(std::move(opts)),
        auth(storage, &mu, env, options.auth),
        sync(storage, env, options.sync) {}

  ServerStorage* storage;
  Env* env;
  HttpServerOptions options;
  std::mutex mu;  // guards storage, sync, and env randomness
  Auth auth;
  SyncService sync;
  FairGate gate;  // one sync per user in flight; storage turns in arrival order (fair_gate.h)
  std::mutex log_mu;
  httplib::Server http;

  std::string ClientOf(const httplib::Request& req) const {
    if (options.trusted_proxies.empty()) return req.remote_addr;
    // Several X-Forwarded-For fields are one list (RFC 9110): the last field holds the last hop.
    const size_t n = req.get_header_value_count("X-Forwarded-For");
    const std::string xff = n == 0 ? "" : req.get_header_value("X-Forwarded-For", n - 1);
    return ClientAddress(req.remote_addr, xff, options.trusted_proxies);
  }

  void Log(LogLevel level, const std::string& msg) {
    std::lock_guard<std::mutex> lock(log_mu);
    env->Log(level, msg);
  }

  // Reads the (decompressed) body into *body, at most max_request_bytes.
  std::optional<ApiError> ReadBody(const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader, std::string* body) {
    const std::string encoding = Lower(Trim(req.get_header_value("Content-Encoding")));
    if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
      return ApiError{415, "unsupported", "Content-Encoding \"" + encoding + "\" is not supported; use gzip"};
    }
    const std::string type = Lower(Trim(req.get_header_value("Content-Type")));
    if (!type.empty() && type.rfind(kJsonType, 0) != 0) {
      return ApiError{415, "unsupported", "the body must be application/json"};
    }
    const size_t limit = options.max_request_bytes;
    // Past the limit the rest is read and dropped (so that the client gets
    // the 413 instead of a reset connection), up to a bound against gzip bombs.
    const size_t drain_limit = limit * 8;
    size_t total = 0;
    bool over = false;
    bool read = reader([&](const char* data, size_t n) {
      total += n;
      if (total > limit) {
        over = true;
        body->clear();
        return total <= drain_limit;
      }
      body->append(data, n);
      return true;
    });
    if (over || res.status == 413) {
      return ApiError::TooLarge("the request is larger than " + std::to_string(limit / (1024 * 1024)) +
                                " MiB; send fewer changes per request");
    }
    if (!read) return ApiError::Invalid("the request body could not be read (broken gzip data?)");
    return std::nullopt;
  }

  void GetStatus(const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"protocol", sync::kProtocolVersion}, {"server_time", FormatUtcMillis(env->WallMillis())}});
  }

  void Login(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    if (auto e = ReadBody(req, res, reader, &body)) return SendError(res, *e);
    Result<json> j = sync::ParseJsonText(body);
    if (!j.ok()) return SendError(res, ApiError::Invalid(j.status().message()));
    if (!j->is_object()) return SendError(res, ApiError::Invalid("the body must be a JSON object"));
    std::string error;
    LoginRequest lr;
    lr.username = StringMember(*j, "username", true, &error);
    lr.password = StringMember(*j, "password", true, &error);
    lr.device_id = StringMember(*j, "device_id", true, &error);
    lr.device_name = StringMember(*j, "device_name", false, &error);
    lr.device_secret = StringMember(*j, "device_secret", false, &error);
    if (!error.empty()) return SendError(res, ApiError::Invalid(error));
    ApiResult<LoginResult> r = auth.Login(lr, ClientOf(req));
    if (!r.ok()) return SendError(res, r.error());
    json ws = json::array();
    for (const Membership& m : r.value().memberships) ws.push_back({{"id", m.workspace_id}, {"role", m.role}});
    json answer = {{"token", r.value().token},
                   {"expires_at", FormatUtcMillis(r.value().expires_ms)},
                   {"user_id", r.value().user_id},
                   {"workspaces", ws}};
    if (!r.value().device_secret.empty()) answer["device_secret"] = r.value().device_secret;
    SendJson(res, 200, answer);
  }

  void Logout(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    if (auto e = ReadBody(req, res, reader, &body)) return SendError(res, *e);
    ApiResult<bool> r = auth.Logout(BearerToken(req));
    if (!r.ok()) return SendError(res, r.error());
    SendJson(res, 200, {{"ok", true}});
  }

  void Sync(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    if (auto e = ReadBody(req, res, reader, &body)) return SendError(res, *e);
    const std::string token = BearerToken(req);
    std::string user_id;
    {
      ApiResult<AuthContext> who = auth.Authenticate(token);
      if (!who.ok()) return SendError(res, who.error());
      user_id = who.value().user_id;
    }
    FairGate::UserSlot slot = gate.EnterUser(user_id, 2000);
    if (!slot.held()) {
      ApiError busy{429, "busy", "another sync of this account is still running; this one will be tried again"};
      busy.retry_after_s = 1;
      return SendError(res, busy);
    }
    // Parse outside the lock: it is the expensive part of a big request.
    Result<json> j = sync::ParseJsonText(body);
    body.clear();
    if (!j.ok()) return SendError(res, ApiError::Invalid(j.status().message()));
    if (j->is_object()) {
      auto it = j->find("changes");
      if (it != j->end() && it->is_array() && it->size() > sync::kMaxChangesPerRequest) {
        return SendError(
            res, ApiError::TooLarge("the request has " + std::to_string(it->size()) + " changes; send at most " +
                                    std::to_string(sync::kMaxChangesPerRequest) + " per request"));
      }
    }
    Result<sync::SyncRequest> sr = sync::ParseSyncRequest(*j);
    if (!sr.ok()) return SendError(res, ApiError::Invalid(sr.status().message()));
    ApiResult<sync::SyncResponse> out = ApiError{500, "internal", "not run"};
    {
      FairGate::Turn turn = gate.WaitTurn();
      std::lock_guard<std::mutex> lock(mu);
      // Again under the lock: the token or device may have been revoked meanwhile.
      ApiResult<AuthContext> who = auth.AuthenticateLocked(token);
      if (!who.ok()) return SendError(res, who.error());
      if (sr->device_id != who.value().device_id) {
        return SendError(res, ApiError{403, "device_mismatch",
                                       "this sign-in belongs to another device; sign in again on this device"});
      }
      out = sync.Answer(who.value(), *sr);
    }
    if (!out.ok()) {
      if (out.error().http_status >= 500) Log(LogLevel::kError, "sync failed: " + out.error().message);
      return SendError(res, out.error());
    }
    SendJson(res, 200, sync::ToJson(out.value()));
  }
};

HttpServer::HttpServer(ServerStorage* storage, Env* env, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(storage, env, std::move(options))) {
  Impl* p = impl_.get();
  httplib::Server& h = p->http;
  h.set_payload_max_length(p->options.max_request_bytes);
  // One sync is one small request: send the answer without Nagle delays and
  // keep a connection for a whole paged pull (httplib closes after 5 by default).
  h.set_tcp_nodelay(true);
  h.set_keep_alive_max_count(100);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the
  // same port and silently share the traffic. Only SO_REUSEADDR here, so a
  // port in use is an error (and a restart can rebind at once).
  h.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  h.set_read_timeout(p->options.read_timeout_s, 0);
  h.set_write_timeout(p->options.write_timeout_s, 0);
  h.set_keep_alive_timeout(p->options.keep_alive_timeout_s);
  const size_t threads = static_cast<size_t>(std::max(1, p->options.worker_threads));
  h.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Trusted proxies are matched in canonical form ("::1" and "0:0::1" are one).
  for (std::string& a : p->options.trusted_proxies) {
    if (std::string c = CanonicalIp(a); !c.empty()) a = c;
  }
  // httplib has read every header by now (it has no count limit of its own);
  // refusing here still stops a request that the front would have refused.
  h.set_pre_routing_handler([p](const httplib::Request& req, httplib::Response& res) {
    if (req.headers.size() <= p->options.max_header_count) return httplib::Server::HandlerResponse::Unhandled;
    SendError(res, ApiError{431, "too_large",
                            "the request has " + std::to_string(req.headers.size()) + " header fields; at most " +
                                std::to_string(p->options.max_header_count) + " are accepted"});
    return httplib::Server::HandlerResponse::Handled;
  });

  // Every handler catches everything: one bad request never takes the server down.
  auto guard = [p](const char* what, auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      p->Log(LogLevel::kError, std::string(what) + ": " + e.what());
      throw;  // the exception handler answers 500
    }
  };
  h.Get("/v1/status", [p, guard](const httplib::Request& req, httplib::Response& res) {
    guard("status", [&] { p->GetStatus(req, res); });
  });
  h.Post("/v1/login", [p, guard](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& r) {
    guard("login", [&] { p->Login(req, res, r); });
  });
  h.Post("/v1/logout",
         [p, guard](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& r) {
           guard("logout", [&] { p->Logout(req, res, r); });
         });
  h.Post("/v1/sync", [p, guard](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& r) {
    guard("sync", [&] { p->Sync(req, res, r); });
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(res, ApiError{500, "internal", "the server failed on this request; it has been logged"});
  });
  // httplib's own errors (unknown path, malformed request line, oversized
  // body for a handler without a reader) get the JSON error body too.
  h.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      const char* code = CodeForStatus(res.status);
      std::string msg =
          res.status == 404 ? "no such endpoint" : "the request was refused (HTTP " + std::to_string(res.status) + ")";
      SendJson(res, res.status, sync::ErrorJson(code, msg));
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::Bind() {
  const HttpServerOptions& o = impl_->options;
  if (o.port == 0) {
    int port = impl_->http.bind_to_any_port(o.listen_address);
    if (port <= 0) return Status::Unavailable("cannot listen on " + o.listen_address);
    return port;
  }
  if (!impl_->http.bind_to_port(o.listen_address, o.port)) {
    return Status::Unavailable("cannot listen on " + o.listen_address + ":" + std::to_string(o.port) +
                               " (in use, or not an address of this machine)");
  }
  return o.port;
}

Status HttpServer::Run() {
  if (!impl_->http.listen_after_bind()) return Status::Unavailable("the server stopped listening unexpectedly");
  return Status::Ok();
}

bool HttpServer::IsRunning() const { return impl_->http.is_running(); }

void HttpServer::Stop() { impl_->http.stop(); }

}  // namespace ccfield::server
