#pragma once
// NetworkInfo: what the operating system knows about the link the device
// uses now, for the data rule of photo sync (docs/sync-protocol.md, "Photos:
// blobs"): whether it is metered (mobile data that costs money). One small
// interface, one implementation per OS: NetworkManager over D-Bus on Linux
// (network_info_dbus.cpp); an Android build plugs its ConnectivityManager in.
//
// Thread-safety: implementations are safe to call from several threads.

#include <cstdint>
#include <memory>
#include <string>

namespace ccfield {

class Env;

enum class LinkMetered { kUnknown, kMetered, kUnmetered };

class NetworkInfo {
 public:
  virtual ~NetworkInfo() = default;

  // Whether the link the system uses now is metered. Fast (< 50 ms), never
  // throws, never blocks longer than its timeout; kUnknown when it cannot
  // tell (no NetworkManager, no bus). Callers treat kUnknown as metered.
  virtual LinkMetered Metered() = 0;
};

// NetworkManager over the SYSTEM D-Bus (or the bus at `bus_address` when
// given, for tests): the property org.freedesktop.NetworkManager "Metered"
// (NMMetered: 0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no) of
// /org/freedesktop/NetworkManager, read with org.freedesktop.DBus.Properties.Get.
// yes/guess-yes → kMetered, no/guess-no → kUnmetered, anything else (0, a
// missing bus or service, an error, no answer within `timeout_ms`) → kUnknown.
//
// Each query opens a private connection, asks once and closes it; the answer
// (kUnknown included) is kept for `cache_ms`, so a caller may ask per chunk.
// Why a query failed goes to env->Log at debug level, one line, and only when
// the reason differs from the previous query's.
struct NetworkManagerOptions {
  std::string bus_address;  // empty: $DBUS_SYSTEM_BUS_ADDRESS, else the system bus socket
  int timeout_ms = 500;     // the whole query: connect, authenticate, Hello, Get
  int64_t cache_ms = 5000;  // how long an answer is kept
  Env* env = nullptr;       // monotonic clock and log; null: DefaultEnv(). Must outlive the object.
};
std::unique_ptr<NetworkInfo> NewNetworkManagerInfo(const NetworkManagerOptions& options);
std::unique_ptr<NetworkInfo> NewNetworkManagerInfo(std::string bus_address = "", int timeout_ms = 500);

// Always kUnknown: platforms without a way to tell.
std::unique_ptr<NetworkInfo> NewUnknownNetworkInfo();

// What an NMMetered value means for ccfield: 1, 3 → kMetered; 2, 4 →
// kUnmetered; 0 and values NetworkManager does not define → kUnknown.
LinkMetered LinkMeteredFromNm(uint32_t nm_metered);

}  // namespace ccfield
