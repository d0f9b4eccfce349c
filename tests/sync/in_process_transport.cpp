#include "sync/in_process_transport.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

#include "api_error.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::testing {

using nlohmann::json;

const char* LinkFaultName(LinkFault f) {
  switch (f) {
    case LinkFault::kNone:
      return "none";
    case LinkFault::kDuplicate:
      return "duplicate";
    case LinkFault::kLoseResponse:
      return "lose_response";
    case LinkFault::kFailBeforeDelivery:
      return "fail_before_delivery";
  }
  return "?";
}

// ---- LinkFaults ----------------------------------------------------------

void LinkFaults::Arm(LinkFault fault, int after_requests) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t at = static_cast<size_t>(std::max(after_requests, 0));
  if (plan_.size() <= at) plan_.resize(at + 1, LinkFault::kNone);
  plan_[at] = fault;
}

void LinkFaults::SetRandom(double duplicate, double lose_response, double fail_before_delivery) {
  std::lock_guard<std::mutex> lock(mu_);
  p_duplicate_ = duplicate;
  p_lose_ = lose_response;
  p_fail_ = fail_before_delivery;
}

void LinkFaults::ClearPlan() {
  std::lock_guard<std::mutex> lock(mu_);
  plan_.clear();
}

LinkFault LinkFaults::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.requests;
  LinkFault f = LinkFault::kNone;
  if (!plan_.empty()) {
    f = plan_.front();
    plan_.pop_front();
  } else if (p_duplicate_ + p_lose_ + p_fail_ > 0) {
    // 53 random bits: the same draw on every platform (no distribution object).
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    if (u < p_duplicate_) {
      f = LinkFault::kDuplicate;
    } else if (u < p_duplicate_ + p_lose_) {
      f = LinkFault::kLoseResponse;
    } else if (u < p_duplicate_ + p_lose_ + p_fail_) {
      f = LinkFault::kFailBeforeDelivery;
    }
  }
  switch (f) {
    case LinkFault::kNone:
      break;
    case LinkFault::kDuplicate:
      ++counts_.duplicates;
      break;
    case LinkFault::kLoseResponse:
      ++counts_.lost_responses;
      break;
    case LinkFault::kFailBeforeDelivery:
      ++counts_.failed_before_delivery;
      break;
  }
  return f;
}

LinkFaults::Counts LinkFaults::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

// ---- InProcessServer -----------------------------------------------------

namespace {

// As http_server.cpp's SendJson: the body the HTTP server would send.
sync::HttpResult JsonResult(int status, const json& body) {
  sync::HttpResult r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

sync::HttpResult ErrorResult(const server::ApiError& e) {
  sync::HttpResult r = JsonResult(e.http_status, sync::ErrorJson(e.code, e.message));
  if (e.http_status == 429 && e.retry_after_s > 0) r.retry_after_seconds = e.retry_after_s;
  return r;
}

// As http_server.cpp's StringMember: a string member; sets *error on a wrong type.
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

// About what the headers of a request or an answer take on the wire, so that
// byte counts are in the right range (the in-process link sends none).
constexpr size_t kHeaderBytes = 200;

}  // namespace

server::AuthOptions InProcessServer::TestAuthOptions() {
  server::AuthOptions o;
  o.password_cost = server::PasswordCost::kMinimumForTests;
  return o;
}

InProcessServer::InProcessServer(server::ServerStorage* storage, Env* env, server::AuthOptions auth,
                                 server::SyncServiceOptions sync)
    : storage_(storage), env_(env), auth_(storage, &mu_, env, auth), sync_(storage, env, sync) {}

int64_t InProcessServer::handled() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return handled_;
}

sync::HttpResult InProcessServer::Handle(const std::string& method, const std::string& path, const std::string& body,
                                         const std::string& bearer_token) {
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    ++handled_;
  }
  // Like the HTTP server's exception handler: a throwing request is a 500,
  // never a crash of the server.
  try {
    if (body.size() > sync::kMaxRequestBytes) {
      return ErrorResult(server::ApiError::TooLarge(
          "the request is larger than " + std::to_string(sync::kMaxRequestBytes / (1024 * 1024)) +
          " MiB; send fewer changes per request"));
    }
    if (method == "GET" && path == "/v1/status") {
      std::lock_guard<std::mutex> lock(mu_);
      return JsonResult(200, {{"protocol", sync::kProtocolVersion}, {"server_time", FormatUtcMillis(env_->WallMillis())}});
    }
    if (method == "POST" && path == "/v1/login") return Login(body);
    if (method == "POST" && path == "/v1/logout") return Logout(bearer_token);
    if (method == "POST" && path == "/v1/sync") return Sync(body, bearer_token);
    return JsonResult(404, sync::ErrorJson("not_found", "no such endpoint"));
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      env_->Log(LogLevel::kError, path + ": " + e.what());
    }
    return ErrorResult(server::ApiError{500, "internal", "the server failed on this request; it has been logged"});
  }
}

sync::HttpResult InProcessServer::Login(const std::string& body) {
  Result<json> j = sync::ParseJsonText(body);
  if (!j.ok()) return ErrorResult(server::ApiError::Invalid(j.status().message()));
  if (!j->is_object()) return ErrorResult(server::ApiError::Invalid("the body must be a JSON object"));
  std::string error;
  server::LoginRequest lr;
  lr.username = StringMember(*j, "username", true, &error);
  lr.password = StringMember(*j, "password", true, &error);
  lr.device_id = StringMember(*j, "device_id", true, &error);
  lr.device_name = StringMember(*j, "device_name", false, &error);
  lr.device_secret = StringMember(*j, "device_secret", false, &error);
  if (!error.empty()) return ErrorResult(server::ApiError::Invalid(error));
  server::ApiResult<server::LoginResult> r = auth_.Login(lr, "127.0.0.1");
  if (!r.ok()) return ErrorResult(r.error());
  json ws = json::array();
  for (const server::Membership& m : r.value().memberships) ws.push_back({{"id", m.workspace_id}, {"role", m.role}});
  json answer = {{"token", r.value().token},
                 {"expires_at", FormatUtcMillis(r.value().expires_ms)},
                 {"user_id", r.value().user_id},
                 {"workspaces", ws}};
  if (!r.value().device_secret.empty()) answer["device_secret"] = r.value().device_secret;
  return JsonResult(200, answer);
}

sync::HttpResult InProcessServer::Logout(const std::string& token) {
  server::ApiResult<bool> r = auth_.Logout(token);
  if (!r.ok()) return ErrorResult(r.error());
  return JsonResult(200, {{"ok", true}});
}

sync::HttpResult InProcessServer::Sync(const std::string& body, const std::string& token) {
  {
    server::ApiResult<server::AuthContext> who = auth_.Authenticate(token);
    if (!who.ok()) return ErrorResult(who.error());
  }
  Result<json> j = sync::ParseJsonText(body);
  if (!j.ok()) return ErrorResult(server::ApiError::Invalid(j.status().message()));
  if (j->is_object()) {
    auto it = j->find("changes");
    if (it != j->end() && it->is_array() && it->size() > sync::kMaxChangesPerRequest) {
      return ErrorResult(server::ApiError::TooLarge("the request has " + std::to_string(it->size()) +
                                                    " changes; send at most " +
                                                    std::to_string(sync::kMaxChangesPerRequest) + " per request"));
    }
  }
  Result<sync::SyncRequest> sr = sync::ParseSyncRequest(*j);
  if (!sr.ok()) return ErrorResult(server::ApiError::Invalid(sr.status().message()));
  Result<sync::SyncResponse> out = Status::Internal("not run");
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Again under the lock, as the HTTP server does: the token or device may
    // have been revoked meanwhile.
    server::ApiResult<server::AuthContext> who = auth_.AuthenticateLocked(token);
    if (!who.ok()) return ErrorResult(who.error());
    if (sr->device_id != who.value().device_id) {
      return ErrorResult(server::ApiError{403, "device_mismatch",
                                          "this sign-in belongs to another device; sign in again on this device"});
    }
    out = sync_.Sync(who.value(), *sr);
    if (!out.ok()) env_->Log(LogLevel::kError, "sync failed: " + out.status().ToString());
  }
  if (!out.ok()) return ErrorResult(server::ApiError::FromStatus(out.status()));
  return JsonResult(200, sync::ToJson(*out));
}

sync::TransportFactory InProcessServer::Factory(LinkFaults* faults) {
  return [this, faults](const sync::TransportConfig& config) -> Result<std::unique_ptr<sync::Transport>> {
    CCF_RETURN_IF_ERROR(sync::CheckServerUrl(config.base_url).status());
    return std::unique_ptr<sync::Transport>(std::make_unique<InProcessTransport>(this, faults, config.cancel));
  };
}

// ---- InProcessTransport --------------------------------------------------

Result<sync::HttpResult> InProcessTransport::Post(const std::string& path, const std::string& json_body,
                                                  const std::string& bearer_token) {
  return Send("POST", path, json_body, bearer_token);
}

Result<sync::HttpResult> InProcessTransport::Get(const std::string& path) { return Send("GET", path, "", ""); }

Result<sync::HttpResult> InProcessTransport::Send(const std::string& method, const std::string& path,
                                                  const std::string& body, const std::string& bearer_token) {
  if (cancel_ && cancel_->load()) return Status::Unavailable("sync was stopped");
  const LinkFault fault = faults_ ? faults_->Next() : LinkFault::kNone;
  if (fault == LinkFault::kFailBeforeDelivery) {
    return Status::Unavailable("cannot reach the server (injected: the request was never delivered)");
  }
  sync::HttpResult r = server_->Handle(method, path, body, bearer_token);
  if (fault == LinkFault::kDuplicate) r = server_->Handle(method, path, body, bearer_token);
  if (fault == LinkFault::kLoseResponse) {
    return Status::Unavailable("the connection to the server was lost (injected: the server handled the request, "
                               "its answer was dropped)");
  }
  r.bytes_up = body.size() + path.size() + bearer_token.size() + kHeaderBytes;
  r.bytes_down = r.body.size() + kHeaderBytes;
  return r;
}

}  // namespace ccfield::testing
