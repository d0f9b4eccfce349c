#include "sync/in_process_transport.h"

#include <algorithm>
#include <memory>

#include "ccfield/core/named.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::testing {

constexpr Named<LinkFault> kLinkFaults[] = {{LinkFault::kNone, "none"},
                                            {LinkFault::kDuplicate, "duplicate"},
                                            {LinkFault::kLoseResponse, "lose_response"},
                                            {LinkFault::kFailBeforeDelivery, "fail_before_delivery"}};

const char* LinkFaultName(LinkFault f) { return NameIn(kLinkFaults, f, "?"); }

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

// About what the headers of a request or an answer take on the wire, so that
// byte counts are in the right range (the in-process link sends none).
constexpr size_t kHeaderBytes = 200;

server::ApiHandlerOptions HandlerOptions(server::AuthOptions auth, server::SyncServiceOptions sync,
                                         server::BlobApiOptions blobs) {
  server::ApiHandlerOptions o;
  o.auth = auth;
  o.sync = sync;
  o.blobs = std::move(blobs);
  return o;
}

}  // namespace

server::AuthOptions InProcessServer::TestAuthOptions() {
  server::AuthOptions o;
  o.password_cost = server::PasswordCost::kMinimumForTests;
  return o;
}

InProcessServer::InProcessServer(server::ServerStorage* storage, Env* env, server::AuthOptions auth,
                                 server::SyncServiceOptions sync, server::BlobApiOptions blobs)
    : handler_(storage, env, HandlerOptions(auth, sync, std::move(blobs))) {}

int64_t InProcessServer::handled() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return handled_;
}

server::ApiResponse InProcessServer::Handle(const server::ApiRequest& request) {
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    ++handled_;
  }
  return handler_.Handle(request);
}

sync::HttpResult InProcessServer::Handle(const std::string& method, const std::string& path, const std::string& body,
                                         const std::string& bearer_token) {
  server::ApiRequest req;
  req.method = method;
  req.path = path;
  req.peer = "127.0.0.1";
  if (method == "POST") req.headers.emplace_back("Content-Type", "application/json");
  if (!bearer_token.empty()) req.headers.emplace_back("Authorization", "Bearer " + bearer_token);
  req.body = body;
  server::ApiResponse res = Handle(req);
  sync::HttpResult r;
  r.status = res.status;
  r.body = std::move(res.body);
  const std::string retry_after = res.Header("Retry-After");
  if (!retry_after.empty()) r.retry_after_seconds = std::stoll(retry_after);
  return r;
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

Result<sync::HttpResult> InProcessTransport::Send(const sync::HttpRequest& request) {
  if (cancel_ && cancel_->load()) return Status::Unavailable("sync was stopped");
  const LinkFault fault = faults_ ? faults_->Next() : LinkFault::kNone;
  if (fault == LinkFault::kFailBeforeDelivery) {
    return Status::Unavailable("cannot reach the server (injected: the request was never delivered)");
  }
  server::ApiRequest req;
  req.method = request.method;
  const size_t q = request.path.find('?');
  req.path = request.path.substr(0, q);
  if (q != std::string::npos) req.query = request.path.substr(q + 1);
  req.peer = "127.0.0.1";
  if (request.method == "PUT") req.headers.emplace_back("Content-Type", "application/octet-stream");
  if (!request.bearer_token.empty()) req.headers.emplace_back("Authorization", "Bearer " + request.bearer_token);
  for (const auto& h : request.headers) req.headers.push_back(h);
  req.body = request.body;
  server::ApiResponse res = server_->Handle(req);
  if (fault == LinkFault::kDuplicate) res = server_->Handle(req);
  if (fault == LinkFault::kLoseResponse) {
    return Status::Unavailable("the connection to the server was lost (injected: the server handled the request, "
                               "its answer was dropped)");
  }
  sync::HttpResult r;
  r.status = res.status;
  r.content_range = res.Header("Content-Range");
  r.content_length = static_cast<int64_t>(res.body.size());
  const std::string retry_after = res.Header("Retry-After");
  if (!retry_after.empty()) r.retry_after_seconds = std::stoll(retry_after);
  r.bytes_up = request.body.size() + request.path.size() + kHeaderBytes;
  r.bytes_down = res.body.size() + kHeaderBytes;
  if (request.sink && res.status >= 200 && res.status < 300) {
    constexpr size_t kPiece = 16 << 10;
    for (size_t at = 0; at < res.body.size(); at += kPiece) {
      CCF_RETURN_IF_ERROR(request.sink(r, std::string_view(res.body).substr(at, kPiece)));
    }
  } else {
    r.body = std::move(res.body);
  }
  return r;
}

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
