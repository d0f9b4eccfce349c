#pragma once
// SyncClient::Context, private to the client's files (sync_client.cpp,
// sync_login.cpp).

#include <atomic>
#include <memory>
#include <string>

#include "ccfield/sync/client.h"

namespace ccfield::sync {

// One thread's connection to the store and its transport (kept between
// syncs so the HTTP connection stays alive).
struct SyncClient::Context {
  std::unique_ptr<Store> store;
  std::unique_ptr<Transport> transport;
  std::string transport_url, transport_ca;
  const std::atomic<bool>* cancel = nullptr;

  ccfield::Status OpenStore(Env* env, const std::string& path) {
    if (store) return ccfield::Status::Ok();
    StoreOptions o;
    o.path = path;
    CCF_ASSIGN_OR_RETURN(store, Store::Open(env, o));
    return ccfield::Status::Ok();
  }

  // `zstd_known`: the store remembers this server taking zstd (SyncSettings::zstd_server).
  Result<Transport*> TransportFor(const SyncClientOptions& options, Env* env, const std::string& url,
                                  const std::string& ca_file, bool zstd_known = false) {
    if (transport && url == transport_url && ca_file == transport_ca) return transport.get();
    transport.reset();
    TransportConfig config;
    config.base_url = url;
    config.ca_file = ca_file;
    config.env = env;
    config.cancel = cancel;
    config.stall_seconds = options.stall_seconds;
    config.server_takes_zstd = zstd_known;
    const TransportFactory& factory = options.transport_factory;
    CCF_ASSIGN_OR_RETURN(transport, factory(config));
    transport_url = url;
    transport_ca = ca_file;
    return transport.get();
  }
};

}  // namespace ccfield::sync
