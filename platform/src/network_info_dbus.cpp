// NetworkInfo on Linux: NetworkManager's "Metered" property read over D-Bus
// with libdbus-1 (network_info.h).
//
// Each query opens a private connection, authenticates, says Hello, sends
// one Properties.Get and closes the connection. Every blocking step shares
// the caller's timeout: authentication is driven here (see Authenticate) and
// Hello is sent by hand instead of dbus_bus_register, which waits libdbus's
// default 25 s for the bus daemon's answer.
#include <dbus/dbus.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "ccfield/platform/env.h"
#include "ccfield/platform/network_info.h"

namespace ccfield {
namespace {

constexpr const char* kNmService = "org.freedesktop.NetworkManager";
constexpr const char* kNmPath = "/org/freedesktop/NetworkManager";
constexpr const char* kSystemBusDefault = "unix:path=/var/run/dbus/system_bus_socket";

// libdbus's process-wide settings, once: locks for use from several threads,
// and no SIGPIPE handler change (libdbus writes with MSG_NOSIGNAL; ignoring
// SIGPIPE would also reach every child process the app starts).
void InitLibdbusOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    dbus_threads_init_default();
    dbus_connection_set_change_sigpipe(FALSE);
  });
}

// A steady-clock budget shared by the blocking steps of one query.
class Budget {
 public:
  explicit Budget(int timeout_ms)
      : end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 1)) {}
  // Milliseconds left, at least 1 (libdbus reads 0 as "no time at all" on
  // some paths and -1 as its 25 s default).
  int LeftMs() const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now()).count();
    return left < 1 ? 1 : static_cast<int>(left);
  }
  bool Expired() const { return std::chrono::steady_clock::now() >= end_; }

 private:
  std::chrono::steady_clock::time_point end_;
};

// Frees the error's message on every path.
struct ScopedError {
  DBusError e;
  ScopedError() { dbus_error_init(&e); }
  ~ScopedError() { dbus_error_free(&e); }
  ScopedError(const ScopedError&) = delete;
  ScopedError& operator=(const ScopedError&) = delete;
  std::string Text() const {
    return std::string(e.name ? e.name : "error") + ": " + (e.message ? e.message : "no message");
  }
};

struct MessageRef {
  DBusMessage* m = nullptr;
  explicit MessageRef(DBusMessage* msg) : m(msg) {}
  ~MessageRef() {
    if (m) dbus_message_unref(m);
  }
  MessageRef(const MessageRef&) = delete;
  MessageRef& operator=(const MessageRef&) = delete;
};

// A private connection, closed (it is private, so this process must) and
// released on scope exit.
struct PrivateConnection {
  DBusConnection* c = nullptr;
  ~PrivateConnection() {
    if (!c) return;
    dbus_connection_close(c);
    dbus_connection_unref(c);
  }
};

// Sends `call` and waits for its reply within the budget; the reply, or
// nullptr with the reason in `*why`.
DBusMessage* Call(DBusConnection* c, DBusMessage* call, const Budget& budget, std::string* why) {
  ScopedError err;
  DBusMessage* reply = dbus_connection_send_with_reply_and_block(c, call, budget.LeftMs(), &err.e);
  if (!reply) *why = err.Text();
  return reply;
}

// Drives the authentication within the budget. libdbus would otherwise do it
// inside the first send_with_reply_and_block, in a poll(2) without timeout:
// a socket whose owner accepts and never speaks (a hung bus daemon) would
// block the caller forever.
bool Authenticate(DBusConnection* c, const Budget& budget, std::string* why) {
  while (!dbus_connection_get_is_authenticated(c)) {
    if (budget.Expired()) {
      *why = "the bus did not finish authenticating in time";
      return false;
    }
    if (!dbus_connection_read_write(c, budget.LeftMs())) {
      *why = "the bus closed the connection while authenticating";
      return false;
    }
  }
  return true;
}

// The bus's Hello, which a bus daemon requires before it routes anything.
bool SayHello(DBusConnection* c, const Budget& budget, std::string* why) {
  MessageRef hello(dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "Hello"));
  if (!hello.m) {
    *why = "out of memory";
    return false;
  }
  MessageRef reply(Call(c, hello.m, budget, why));
  return reply.m != nullptr;
}

// The NMMetered value in a Properties.Get reply: one variant holding a uint32.
std::optional<uint32_t> ReadMetered(DBusMessage* reply, std::string* why) {
  DBusMessageIter it;
  DBusMessageIter inner;
  if (!dbus_message_iter_init(reply, &it) || dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_VARIANT) {
    *why = "the answer is not a variant";
    return std::nullopt;
  }
  dbus_message_iter_recurse(&it, &inner);
  if (dbus_message_iter_get_arg_type(&inner) != DBUS_TYPE_UINT32) {
    *why = "the Metered value is not a uint32";
    return std::nullopt;
  }
  dbus_uint32_t value = 0;
  dbus_message_iter_get_basic(&inner, &value);
  return value;
}

// One query, start to end; the NMMetered value or nullopt with `*why`.
std::optional<uint32_t> QueryNmMetered(const std::string& address, int timeout_ms, std::string* why) {
  const Budget budget(timeout_ms);
  PrivateConnection conn;
  {
    ScopedError err;
    conn.c = dbus_connection_open_private(address.c_str(), &err.e);
    if (!conn.c) {
      *why = "cannot open the bus at " + address + " (" + err.Text() + ")";
      return std::nullopt;
    }
  }
  dbus_connection_set_exit_on_disconnect(conn.c, FALSE);
  if (!Authenticate(conn.c, budget, why) || !SayHello(conn.c, budget, why)) return std::nullopt;

  MessageRef get(dbus_message_new_method_call(kNmService, kNmPath, DBUS_INTERFACE_PROPERTIES, "Get"));
  const char* iface = kNmService;
  const char* property = "Metered";
  if (!get.m ||
      !dbus_message_append_args(get.m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &property, DBUS_TYPE_INVALID)) {
    *why = "out of memory";
    return std::nullopt;
  }
  MessageRef reply(Call(conn.c, get.m, budget, why));
  if (!reply.m) return std::nullopt;
  return ReadMetered(reply.m, why);
}

class NetworkManagerInfo final : public NetworkInfo {
 public:
  explicit NetworkManagerInfo(const NetworkManagerOptions& o)
      : address_(o.bus_address.empty() ? SystemBusAddress() : o.bus_address),
        timeout_ms_(o.timeout_ms),
        cache_nanos_(o.cache_ms * 1'000'000),
        env_(o.env ? o.env : DefaultEnv()) {
    InitLibdbusOnce();
  }

  // A second caller waits for the first one's query (at most its timeout)
  // and then takes its fresh answer from the cache.
  LinkMetered Metered() override {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = env_->MonoNanos();
    if (cached_at_ && now - *cached_at_ < cache_nanos_) return cached_;
    std::string why;
    const std::optional<uint32_t> nm = QueryNmMetered(address_, timeout_ms_, &why);
    cached_ = nm ? LinkMeteredFromNm(*nm) : LinkMetered::kUnknown;
    cached_at_ = now;
    if (nm) why.clear();
    if (why != last_why_ && !why.empty()) {
      env_->Log(LogLevel::kDebug, "cannot ask NetworkManager whether the link is metered: " + why);
    }
    last_why_ = why;
    return cached_;
  }

 private:
  static std::string SystemBusAddress() {
    const char* env = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return env && *env ? env : kSystemBusDefault;
  }

  const std::string address_;
  const int timeout_ms_;
  const int64_t cache_nanos_;
  Env* const env_;
  std::mutex mu_;  // guards the three below and serializes queries
  LinkMetered cached_ = LinkMetered::kUnknown;
  std::optional<int64_t> cached_at_;
  std::string last_why_;  // the last query's failure, logged once
};

}  // namespace

std::unique_ptr<NetworkInfo> NewNetworkManagerInfo(const NetworkManagerOptions& options) {
  return std::make_unique<NetworkManagerInfo>(options);
}

std::unique_ptr<NetworkInfo> NewNetworkManagerInfo(std::string bus_address, int timeout_ms) {
  NetworkManagerOptions options;
  options.bus_address = std::move(bus_address);
  options.timeout_ms = timeout_ms;
  return NewNetworkManagerInfo(options);
}

}  // namespace ccfield
