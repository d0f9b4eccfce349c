// NetworkInfo over D-Bus, against a real private dbus-daemon started for the
// test and a small NetworkManager stand-in (libdbus) that owns
// org.freedesktop.NetworkManager on that bus and answers Properties.Get for
// "Metered" with the value the test sets.
#include "ccfield/platform/network_info.h"

#include <dbus/dbus.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/platform/env.h"
#include "support/temp_dir.h"

extern char** environ;

namespace ccfield {
namespace {

using testing::TempDir;

// A private session bus: dbus-daemon listening on <temp dir>/bus, killed
// (SIGTERM, then reaped) when the object goes.
class PrivateBus {
 public:
  PrivateBus() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    // Its notices ("Failed to set fd limit") would only clutter the test output.
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, dir_.File("daemon.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    std::vector<std::string> args = {"dbus-daemon", "--session", "--nofork", "--address=unix:path=" + dir_.File("bus"),
                                     "--print-address"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, "dbus-daemon", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) close(fds[0]);
    REQUIRE_MESSAGE(rc == 0, "cannot start dbus-daemon (scripts/install-deps.sh installs it): " << std::strerror(rc));
    address_ = ReadLine(fds[0]);
    close(fds[0]);
    REQUIRE_MESSAGE(address_.rfind("unix:path=", 0) == 0, "dbus-daemon printed no address; its log: " << Log());
  }
  ~PrivateBus() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  PrivateBus(const PrivateBus&) = delete;
  PrivateBus& operator=(const PrivateBus&) = delete;

  const std::string& address() const { return address_; }

 private:
  // The first line the daemon prints (its address), waiting at most 10 s.
  static std::string ReadLine(int fd) {
    std::string line;
    char c;
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 10'000) == 1 && read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }
  std::string Log() const {
    std::ifstream in(dir_.File("daemon.log"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  TempDir dir_;
  pid_t pid_ = 0;
  std::string address_;
};

// NetworkManager as far as ccfield asks it: owns its name on the bus and
// answers Properties.Get(org.freedesktop.NetworkManager, Metered) on
// /org/freedesktop/NetworkManager with a uint32 in a variant; any other
// property, interface or path gets an UnknownProperty error. Its dispatch
// loop runs on its own thread until the object goes.
class FakeNetworkManager {
 public:
  enum class Mode { kAnswer, kSilent, kWrongType };

  explicit FakeNetworkManager(const std::string& bus_address) {
    DBusError err;
    dbus_error_init(&err);
    conn_ = dbus_connection_open_private(bus_address.c_str(), &err);
    REQUIRE_MESSAGE(conn_ != nullptr, (err.message ? err.message : "no message"));
    dbus_connection_set_exit_on_disconnect(conn_, FALSE);
    REQUIRE(dbus_bus_register(conn_, &err));
    const int owned = dbus_bus_request_name(conn_, "org.freedesktop.NetworkManager", DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
    dbus_error_free(&err);
    REQUIRE(owned == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeNetworkManager() {
    stop_ = true;
    thread_.join();
    dbus_connection_close(conn_);
    dbus_connection_unref(conn_);
  }
  FakeNetworkManager(const FakeNetworkManager&) = delete;
  FakeNetworkManager& operator=(const FakeNetworkManager&) = delete;

  void set_metered(uint32_t v) { metered_ = v; }
  void set_mode(Mode m) { mode_ = m; }
  // Properties.Get calls received so far (answered or not).
  int gets() const { return gets_; }

 private:
  void Loop() {
    while (!stop_) {
      if (!dbus_connection_read_write(conn_, 20)) return;  // disconnected
      while (DBusMessage* m = dbus_connection_pop_message(conn_)) {
        Handle(m);
        dbus_message_unref(m);
      }
    }
  }

  void Handle(DBusMessage* m) {
    if (!dbus_message_is_method_call(m, DBUS_INTERFACE_PROPERTIES, "Get")) return;
    ++gets_;
    const char* iface = nullptr;
    const char* prop = nullptr;
    const bool args =
        dbus_message_get_args(m, nullptr, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID);
    const char* path = dbus_message_get_path(m);
    DBusMessage* reply = nullptr;
    if (mode_ == Mode::kSilent) return;
    if (!args || std::strcmp(iface, "org.freedesktop.NetworkManager") != 0 || std::strcmp(prop, "Metered") != 0 ||
        !path || std::strcmp(path, "/org/freedesktop/NetworkManager") != 0) {
      reply = dbus_message_new_error(m, "org.freedesktop.DBus.Error.UnknownProperty", "no such property");
    } else {
      reply = dbus_message_new_method_return(m);
      DBusMessageIter it, var;
      dbus_message_iter_init_append(reply, &it);
      if (mode_ == Mode::kWrongType) {
        const char* yes = "yes";
        dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, "s", &var);
        dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &yes);
      } else {
        const dbus_uint32_t v = metered_;
        dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, "u", &var);
        dbus_message_iter_append_basic(&var, DBUS_TYPE_UINT32, &v);
      }
      dbus_message_iter_close_container(&it, &var);
    }
    dbus_connection_send(conn_, reply, nullptr);
    dbus_connection_flush(conn_);
    dbus_message_unref(reply);
  }

  DBusConnection* conn_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> metered_{0};
  std::atomic<Mode> mode_{Mode::kAnswer};
  std::atomic<int> gets_{0};
};

// Options for a NetworkInfo on `bus` with the fake's clock and log.
NetworkManagerOptions On(const std::string& address, FakeEnv* env, int64_t cache_ms = 5000, int timeout_ms = 500) {
  NetworkManagerOptions o;
  o.bus_address = address;
  o.env = env;
  o.cache_ms = cache_ms;
  o.timeout_ms = timeout_ms;
  return o;
}

int Lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

TEST_CASE("NMMetered values map to ccfield's link kinds") {
  CHECK(LinkMeteredFromNm(0) == LinkMetered::kUnknown);
  CHECK(LinkMeteredFromNm(1) == LinkMetered::kMetered);
  CHECK(LinkMeteredFromNm(2) == LinkMetered::kUnmetered);
  CHECK(LinkMeteredFromNm(3) == LinkMetered::kMetered);
  CHECK(LinkMeteredFromNm(4) == LinkMetered::kUnmetered);
  CHECK(LinkMeteredFromNm(5) == LinkMetered::kUnknown);
  CHECK(NewUnknownNetworkInfo()->Metered() == LinkMetered::kUnknown);
}

TEST_CASE("NetworkInfo reads each of NetworkManager's five Metered values over D-Bus") {
  PrivateBus bus;
  FakeNetworkManager nm(bus.address());
  FakeEnv env("/nonexistent");
  std::unique_ptr<NetworkInfo> info = NewNetworkManagerInfo(On(bus.address(), &env));
  const LinkMetered want[] = {LinkMetered::kUnknown, LinkMetered::kMetered, LinkMetered::kUnmetered,
                              LinkMetered::kMetered, LinkMetered::kUnmetered};
  for (uint32_t v = 0; v < 5; ++v) {
    CAPTURE(v);
    nm.set_metered(v);
    env.Advance(5000);  // past the cache
    CHECK(info->Metered() == want[v]);
    CHECK(nm.gets() == static_cast<int>(v) + 1);
  }
  CHECK(env.log_text().empty());  // every query was answered
}

TEST_CASE("NetworkInfo keeps an answer for cache_ms, then asks again") {
  PrivateBus bus;
  FakeNetworkManager nm(bus.address());
  FakeEnv env("/nonexistent");
  std::unique_ptr<NetworkInfo> info = NewNetworkManagerInfo(On(bus.address(), &env, 5000));
  nm.set_metered(1);
  CHECK(info->Metered() == LinkMetered::kMetered);
  nm.set_metered(2);  // the link changed: not seen until the cache expires
  CHECK(info->Metered() == LinkMetered::kMetered);
  env.Advance(4999);
  CHECK(info->Metered() == LinkMetered::kMetered);
  CHECK(nm.gets() == 1);
  env.Advance(1);
  CHECK(info->Metered() == LinkMetered::kUnmetered);
  CHECK(nm.gets() == 2);

  // With no cache every call asks.
  std::unique_ptr<NetworkInfo> uncached = NewNetworkManagerInfo(On(bus.address(), &env, 0));
  CHECK(uncached->Metered() == LinkMetered::kUnmetered);
  CHECK(uncached->Metered() == LinkMetered::kUnmetered);
  CHECK(nm.gets() == 4);
}

TEST_CASE("A bus without NetworkManager gives kUnknown and one debug line") {
  PrivateBus bus;
  FakeEnv env("/nonexistent");
  std::unique_ptr<NetworkInfo> info = NewNetworkManagerInfo(On(bus.address(), &env, 1000));
  CHECK(info->Metered() == LinkMetered::kUnknown);
  CHECK(env.log_text().find("org.freedesktop.DBus.Error.ServiceUnknown") != std::string::npos);
  CHECK(Lines(env.log_text()) == 1);
  // Asked again (after the cache) for the same reason: no second line.
  env.Advance(1000);
  CHECK(info->Metered() == LinkMetered::kUnknown);
  CHECK(Lines(env.log_text()) == 1);

  // NetworkManager starts: its answer is used; when it stops, kUnknown again.
  {
    FakeNetworkManager nm(bus.address());
    nm.set_metered(4);
    env.Advance(1000);
    CHECK(info->Metered() == LinkMetered::kUnmetered);
  }
  env.Advance(1000);
  CHECK(info->Metered() == LinkMetered::kUnknown);
  CHECK(Lines(env.log_text()) == 2);
}

TEST_CASE("A bus address where no bus listens gives kUnknown") {
  TempDir dir;
  FakeEnv env("/nonexistent");
  const std::string address = "unix:path=" + dir.File("no-bus");
  CHECK(NewNetworkManagerInfo(On(address, &env))->Metered() == LinkMetered::kUnknown);
  CHECK(env.log_text().find(dir.File("no-bus")) != std::string::npos);
  CHECK(Lines(env.log_text()) == 1);

  FakeEnv env2("/nonexistent");
  CHECK(NewNetworkManagerInfo(On("not a bus address", &env2))->Metered() == LinkMetered::kUnknown);
  CHECK(env2.log_text().find("cannot open the bus at not a bus address") != std::string::npos);
  // The short form (the address and the timeout) with the process's Env.
  CHECK(NewNetworkManagerInfo(address, 100)->Metered() == LinkMetered::kUnknown);
}

TEST_CASE("A NetworkManager that never answers gives kUnknown after the timeout") {
  PrivateBus bus;
  FakeNetworkManager nm(bus.address());
  nm.set_mode(FakeNetworkManager::Mode::kSilent);
  FakeEnv env("/nonexistent");
  std::unique_ptr<NetworkInfo> info = NewNetworkManagerInfo(On(bus.address(), &env, 5000, 200));
  CHECK(info->Metered() == LinkMetered::kUnknown);
  CHECK(nm.gets() == 1);
  CHECK(env.log_text().find("org.freedesktop.DBus.Error.NoReply") != std::string::npos);
  // The unknown answer is cached too: a caller asking per chunk does not wait each time.
  CHECK(info->Metered() == LinkMetered::kUnknown);
  CHECK(nm.gets() == 1);
}

TEST_CASE("A socket that accepts but never speaks D-Bus gives kUnknown after the timeout") {
  TempDir dir;
  const std::string path = dir.File("mute");
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, 4) == 0);  // the kernel completes the connection; nobody reads
  FakeEnv env("/nonexistent");
  CHECK(NewNetworkManagerInfo(On("unix:path=" + path, &env, 5000, 200))->Metered() == LinkMetered::kUnknown);
  CHECK(Lines(env.log_text()) == 1);
  close(fd);
}

TEST_CASE("A Metered value of the wrong type gives kUnknown") {
  PrivateBus bus;
  FakeNetworkManager nm(bus.address());
  nm.set_mode(FakeNetworkManager::Mode::kWrongType);
  FakeEnv env("/nonexistent");
  CHECK(NewNetworkManagerInfo(On(bus.address(), &env))->Metered() == LinkMetered::kUnknown);
  CHECK(nm.gets() == 1);
  CHECK(env.log_text().find("the Metered value is not a uint32") != std::string::npos);
}

TEST_CASE("NetworkInfo answers callers on several threads") {
  PrivateBus bus;
  FakeNetworkManager nm(bus.address());
  nm.set_metered(3);
  FakeEnv env("/nonexistent");
  std::unique_ptr<NetworkInfo> info = NewNetworkManagerInfo(On(bus.address(), &env));
  std::atomic<int> metered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) metered += info->Metered() == LinkMetered::kMetered;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(metered == 40);
  CHECK(nm.gets() == 1);  // one query; the others took the cached answer
}

}  // namespace
}  // namespace ccfield
