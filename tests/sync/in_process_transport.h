#pragma once
// An in-process sync server and a sync::Transport that talks to it without
// sockets, with faults the test controls. For system tests that run real
// device stores and the real SyncClient against the real server logic.
//
// InProcessServer answers POST /v1/login, /v1/logout, /v1/sync and GET
// /v1/status with the server's own request handler (server/src/api_handler.h),
// the one the HTTP server adapts to httplib: the same auth, limits, decoding,
// fair gate, sync cycle, encoding and error bodies. Only the socket is left
// out; requests carry the headers a device sends (Content-Type,
// Authorization) and come from 127.0.0.1.
//
// LinkFaults decides, per request, what goes wrong on one device's link:
//   kDuplicate           the request is delivered twice; the client gets the
//                        second answer (a retransmission the server must
//                        recognise: acks come back "duplicate").
//   kLoseResponse        the server handles the request (and commits), the
//                        client gets kUnavailable, as when the connection
//                        drops while the answer is on its way.
//   kFailBeforeDelivery  the client gets kUnavailable; the server never sees
//                        the request.
// Photo blob requests (Transport::Send) go the same way, with the same faults.
// Faults are planned explicitly (Arm) or drawn from a seeded generator
// (SetRandom); the same seed and the same calls give the same faults.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "api_handler.h"
#include "auth.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "ccfield/sync/transport.h"
#include "sync_service.h"

namespace ccfield::testing {

enum class LinkFault { kNone, kDuplicate, kLoseResponse, kFailBeforeDelivery };
const char* LinkFaultName(LinkFault f);  // "none", "duplicate", "lose_response", "fail_before_delivery"

// The faults of one link (one device). Thread-safe: the test arms faults
// while a client's background thread may be sending.
class LinkFaults {
 public:
  explicit LinkFaults(uint64_t seed = 0) : rng_(seed) {}

  // The request `after_requests` requests from now (0: the next one) gets
  // `fault`. Planned faults take precedence over random ones.
  void Arm(LinkFault fault, int after_requests = 0);
  // Requests without a planned fault get a random fault with these
  // probabilities (each in [0, 1], summing to at most 1). All zero: off.
  void SetRandom(double duplicate, double lose_response, double fail_before_delivery);
  // Drops planned faults that have not happened (random mode stays).
  void ClearPlan();

  // The transport asks once per request. Counts what it hands out.
  LinkFault Next();

  struct Counts {
    int64_t requests = 0;  // requests the transport was asked to send
    int64_t duplicates = 0;
    int64_t lost_responses = 0;
    int64_t failed_before_delivery = 0;
  };
  Counts counts() const;

 private:
  mutable std::mutex mu_;
  std::deque<LinkFault> plan_;  // plan_[i]: the fault of the i-th next request
  std::mt19937_64 rng_;
  double p_duplicate_ = 0, p_lose_ = 0, p_fail_ = 0;
  Counts counts_;
};

// The server's request handling over a ServerStorage, in-process.
// Thread-safe, as ApiHandler is.
class InProcessServer {
 public:
  // `storage` and `env` must outlive the server. The default AuthOptions
  // use the cheapest password hashing (tests only).
  // `blobs.dir` empty: no photo blob endpoints (protocol 1).
  InProcessServer(server::ServerStorage* storage, Env* env, server::AuthOptions auth = TestAuthOptions(),
                  server::SyncServiceOptions sync = {}, server::BlobApiOptions blobs = {});
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  static server::AuthOptions TestAuthOptions();

  // One request as a device sends it (JSON body, bearer token when not
  // empty), answered as the HTTP server answers it: status and JSON body
  // (errors as {"error": {"code", "message"}}, Retry-After for 429).
  // `method` is "GET" or "POST".
  sync::HttpResult Handle(const std::string& method, const std::string& path, const std::string& body,
                          const std::string& bearer_token);
  // Any request, headers and all (a test of the handler's limits).
  server::ApiResponse Handle(const server::ApiRequest& request);

  // For SyncClientOptions::transport_factory: transports to this server
  // whose requests suffer `faults` (not owned, may be null; must outlive
  // the transports). The base URL is checked like CurlTransport does
  // (http:// only to loopback), then ignored.
  sync::TransportFactory Factory(LinkFaults* faults = nullptr);

  // Requests that reached the server (a duplicate counts twice).
  int64_t handled() const;

 private:
  server::ApiHandler handler_;
  mutable std::mutex count_mu_;
  int64_t handled_ = 0;
};

// sync::Transport into an InProcessServer. Used by one thread at a time
// (Transport's contract).
class InProcessTransport final : public sync::Transport {
 public:
  // `server` must outlive the transport; `faults` and `cancel` may be null.
  InProcessTransport(InProcessServer* server, LinkFaults* faults, const std::atomic<bool>* cancel = nullptr)
      : server_(server), faults_(faults), cancel_(cancel) {}

  Result<sync::HttpResult> Post(const std::string& path, const std::string& json_body,
                                const std::string& bearer_token) override;
  Result<sync::HttpResult> Get(const std::string& path) override;
  // A blob request: the path's query goes to ApiRequest::query, the body
  // as it is (PUT: application/octet-stream); a 2xx answer's body reaches
  // request.sink in pieces of 16 KiB, as from a socket. Faults as for Post
  // (kLoseResponse: the server handled it, no byte of the answer arrives).
  Result<sync::HttpResult> Send(const sync::HttpRequest& request) override;

 private:
  Result<sync::HttpResult> Send(const std::string& method, const std::string& path, const std::string& body,
                                const std::string& bearer_token);

  InProcessServer* server_;
  LinkFaults* faults_;
  const std::atomic<bool>* cancel_;
};

}  // namespace ccfield::testing
