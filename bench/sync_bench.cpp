// ccfield_sync_bench: figures for sync over real HTTP (bench/README.md says
// what each one means). It prints figures and never asserts on time: the
// summary says whether a target was met, the exit code only says whether the
// program could run (0) or failed to set up (2).
//
// A real ccfield-server process is spawned on 127.0.0.1 in a temporary data
// directory; two devices (real stores, SyncClient with libcurl) sync with it
// through a byte-counting TCP relay (the "wire tap") that also splits the
// HTTP/1.1 stream into messages, so the figures SyncReport gives can be
// checked against what crossed the socket and broken down into headers,
// compressed bodies and the JSON inside them.
//
// Scenarios (the ones the CouchDB replication protocol is measured on):
//   1. N visits (default 1000; ~1.2 KB notes in four languages, 10 answers
//      of drainage_flood@1.0, the envelope fields) made on device A and
//      pushed to an empty server;
//   2. a fresh device B pulls them;
//   3. A edits the notes of 10 visits; A pushes, B pulls;
//   3b. A changes ~100 characters in each of 10 other notes; A pushes, B pulls;
//   4. a no-op sync of A and of B.
// Baselines: gzip (zlib, default level) of the changed field values; issue
// 14's references: the records as JSON lines at brotli -q11 and zstd -19, and
// the characters a small edit of 10 notes changes.

#include <arpa/inet.h>
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/client.h"
#include "ccfield/sync/gzip.h"
#include "ccfield/sync/merge.h"
#include "ccfield/sync/protocol.h"
#include "ccfield/sync/text_delta.h"
#include "visit_generator.h"

#ifndef CCFIELD_SERVER_PATH
#error "CCFIELD_SERVER_PATH must name the ccfield-server binary (bench/CMakeLists.txt sets it)"
#endif

namespace ccfield::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sync::SyncClient;
using sync::SyncReport;

// ---- Options ----------------------------------------------------------------

struct Options : CommonOptions {
  int visits = 1000;
  bool visits_given = false;
  int edits = 10;
  int edit_rounds = 20;  // more edit cycles after scenario 4, for the spread of the ratios
  bool edit_rounds_given = false;
  int notes_bytes = 1200;  // notes are drawn within +-10 % of this
  int sites = 20;
  bool direct = false;  // no wire tap: the client talks to the server directly
};

void Usage() {
  std::printf(
      "usage: ccfield_sync_bench [--visits N] [--edits N] [--edit-rounds N] [--notes-bytes N] [--quick] [--direct]\n"
      "                          [--dir DIR] [--keep] [--seed N]\n"
      "  --visits N       visits made on device A and pushed (default 1000)\n"
      "  --edits N        visits whose notes A edits in scenario 3 (default 10)\n"
      "  --edit-rounds N  edit cycles repeated after scenario 4, other visits each time (default 20)\n"
      "  --notes-bytes N  size of the notes of each visit, +-10 %% (default 1200)\n"
      "  --quick          smoke run: 100 visits, 5 edit rounds\n"
      "  --direct         no wire tap: the devices talk to the server directly (SyncReport\n"
      "                   figures only, no check against the socket, no breakdown)\n"
      "  --dir DIR        where the files go (kept); default a fresh dir under /tmp, removed after\n"
      "  --keep           keep the default temporary directory\n"
      "  --seed N         seed of the synthetic data (default 1)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv); args.Next();) {
    const std::string& a = args.option();
    auto number = [&] { return args.Int(10'000'000); };
    if (a == "--visits") {
      o.visits = static_cast<int>(number());
      o.visits_given = true;
    } else if (a == "--edits") {
      o.edits = static_cast<int>(number());
    } else if (a == "--edit-rounds") {
      o.edit_rounds = static_cast<int>(number());
      o.edit_rounds_given = true;
    } else if (a == "--notes-bytes") {
      o.notes_bytes = static_cast<int>(number());
    } else if (a == "--direct") {
      o.direct = true;
    } else if (!args.Common(&o, Usage)) {
      args.Unknown(Usage);
    }
  }
  if (o.quick && !o.visits_given) o.visits = 100;
  if (o.quick && !o.edit_rounds_given) o.edit_rounds = 5;
  if (o.visits < 1) Die("--visits must be at least 1");
  if (o.edits < 1 || o.edits > o.visits) Die("--edits must be from 1 to the number of visits");
  if (o.notes_bytes < 20) Die("--notes-bytes must be at least 20");
  return o;
}

// ---- Compression ------------------------------------------------------------

// The gzip size of `in` as the client compresses a request (sync/gzip.h:
// zlib's default level).
size_t GzipSize(std::string_view in) { return Check(sync::Gzip(in), "gzip").size(); }

// The gzip size of `in` at zlib's level 9, a what-if the client does not do.
// zlib's one-call compress2 makes the same deflate stream inside a zlib
// wrapper (2-byte header, 4-byte trailer), which is 12 bytes smaller than a
// gzip one (10-byte header, 8-byte trailer).
size_t Gzip9Size(std::string_view in) {
  uLongf n = compressBound(static_cast<uLong>(in.size()));
  std::string out(n, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                static_cast<uLong>(in.size()), 9) != Z_OK) {
    Die("compress2 failed");
  }
  return n + 12;
}

// A captured gzip body, decoded by the code the server uses (sync/gzip.h);
// nullopt when it is broken.
std::optional<std::string> Gunzip(std::string_view in) {
  Result<std::optional<std::string>> r = sync::Gunzip(in, size_t{1} << 30);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

std::optional<std::string> Unbrotli(std::string_view in) {
  BrotliDecoderState* st = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (!st) return std::nullopt;
  std::string out;
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
  size_t avail_in = in.size();
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    uint8_t buf[64 * 1024];
    uint8_t* next_out = buf;
    size_t avail_out = sizeof buf;
    rc = BrotliDecoderDecompressStream(st, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<const char*>(buf), sizeof buf - avail_out);
  }
  BrotliDecoderDestroyInstance(st);
  if (rc != BROTLI_DECODER_RESULT_SUCCESS) return std::nullopt;
  return out;
}

// Brotli of `in` at `quality`, window 22 unless `window` says otherwise.
// cpp-httplib 0.11 compresses responses with the library defaults: quality 11
// (the slowest), window 22.
std::string Brotli(std::string_view in, int quality, int window = BROTLI_DEFAULT_WINDOW) {
  size_t size = BrotliEncoderMaxCompressedSize(in.size());
  if (size == 0) size = in.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, window, BROTLI_DEFAULT_MODE, in.size(),
                             reinterpret_cast<const uint8_t*>(in.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    Die("brotli compression failed");
  }
  out.resize(size);
  return out;
}

// zstd of `in` at `level` (libzstd's one-call API, a single frame).
size_t ZstdSize(std::string_view in, int level) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) Die(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  return n;
}

// Issue 14's reference for a fresh pull and a first push: the same records as
// JSON lines compressed near the limit, by brotli -q11 (window 24, as the
// brotli tool's -q 11 -w 24) and zstd -19, computed here in the same run.
struct RecordsReference {
  size_t json_lines = 0;  // bytes of the JSON lines
  size_t brotli11 = 0, zstd19 = 0;
  double brotli_ms = 0, zstd_ms = 0;
  size_t best() const { return std::min(brotli11, zstd19); }
};

RecordsReference MeasureRecordsReference(const std::string& lines) {
  RecordsReference r;
  r.json_lines = lines.size();
  auto t0 = Clock::now();
  r.brotli11 = Brotli(lines, 11, 24).size();
  r.brotli_ms = MsBetween(t0, Clock::now());
  t0 = Clock::now();
  r.zstd19 = ZstdSize(lines, 19);
  r.zstd_ms = MsBetween(t0, Clock::now());
  return r;
}

// Code points in valid UTF-8 `s`.
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// ---- HTTP helpers -----------------------------------------------------------

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of header `name` (lower case) in an HTTP head; "" when absent.
std::string HeaderValue(const std::string& head, const std::string& name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const size_t start = pos + 2;
    const size_t end = head.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    const std::string line = head.substr(start, end - start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos && Lower(line.substr(0, colon)) == name) {
      size_t v = colon + 1;
      while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
      return line.substr(v);
    }
    pos = end;
  }
  return "";
}

// ---- The wire tap -------------------------------------------------------------

// One HTTP/1.1 message as it crossed the tap.
struct WireMessage {
  bool from_client = true;
  std::string head;    // start line and headers, up to and including the blank line
  std::string body;    // as sent: compressed when Content-Encoding says so
  bool framed = true;  // false: no Content-Length (chunked?): the body was not split out
};

// Splits one direction of one connection into messages by Content-Length.
// Enough for what curl and cpp-httplib send here; a message without
// Content-Length is recorded as unframed and its bytes end the split.
class HttpSplitter {
 public:
  explicit HttpSplitter(bool from_client) : from_client_(from_client) {}

  void Feed(const char* data, size_t n, std::vector<WireMessage>* out) {
    if (broken_) return;
    pending_.append(data, n);
    size_t pos = 0;
    while (pos < pending_.size()) {
      if (!in_body_) {
        const size_t end = pending_.find("\r\n\r\n", pos);
        if (end == std::string::npos) break;
        cur_ = WireMessage{};
        cur_.from_client = from_client_;
        cur_.head = pending_.substr(pos, end + 4 - pos);
        pos = end + 4;
        const std::string length = HeaderValue(cur_.head, "content-length");
        if (length.empty()) {
          // A request without a body, or a response framed another way.
          if (!from_client_ ||
              Lower(HeaderValue(cur_.head, "transfer-encoding")).find("chunked") != std::string::npos) {
            cur_.framed = false;
            out->push_back(std::move(cur_));
            broken_ = true;
            pending_.clear();
            return;
          }
          body_left_ = 0;
        } else {
          body_left_ = static_cast<size_t>(std::strtoull(length.c_str(), nullptr, 10));
        }
        in_body_ = true;
      }
      const size_t take = std::min(body_left_, pending_.size() - pos);
      cur_.body.append(pending_, pos, take);
      pos += take;
      body_left_ -= take;
      if (body_left_ > 0) break;
      out->push_back(std::move(cur_));
      in_body_ = false;
    }
    pending_.erase(0, pos);
  }

 private:
  const bool from_client_;
  std::string pending_;
  WireMessage cur_;
  bool in_body_ = false;
  bool broken_ = false;
  size_t body_left_ = 0;
};

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int ListenLoopback(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket: " + std::string(std::strerror(errno)));
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
    Die("listening on 127.0.0.1: " + std::string(std::strerror(errno)));
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// The relay forwards each read at once: Nagle on its own sockets would add
// delayed-ACK stalls that the direct path does not have.
void NoDelay(int fd) {
  int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
}

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A TCP relay on 127.0.0.1 in front of the server. Each accepted connection
// gets its own connection to the server and two pump threads (one per
// direction) that count the bytes and split them into HTTP messages before
// forwarding them, so once a client has read a whole response, the tap has
// counted it. The bytes counted are the TCP payload: HTTP headers and bodies
// as sent, no TCP/IP headers.
//
// Threads: the accept thread and the pumps share `mu_`; Take* may be called
// from any thread.
class WireTap {
 public:
  explicit WireTap(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ListenLoopback(&port_);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~WireTap() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard<std::mutex> lock(conns_mu_);
    for (auto& c : conns_) {
      ::shutdown(c->client_fd, SHUT_RDWR);
      ::shutdown(c->server_fd, SHUT_RDWR);
      for (std::thread& t : c->pumps) t.join();
      ::close(c->client_fd);
      ::close(c->server_fd);
    }
  }
  WireTap(const WireTap&) = delete;
  WireTap& operator=(const WireTap&) = delete;

  int port() const { return port_; }

  struct Counts {
    size_t up = 0, down = 0;  // bytes client -> server, server -> client
    int connections = 0;      // connections accepted
  };

  // Messages completed and bytes counted since the last Take.
  std::vector<WireMessage> TakeMessages() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(messages_, {});
  }
  Counts TakeCounts() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(counts_, {});
  }

 private:
  struct Conn {
    int client_fd = -1, server_fd = -1;
    std::vector<std::thread> pumps;
  };

  void AcceptLoop() {
    while (!stopping_) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EINTR) continue;
        return;  // shut down
      }
      int server = ConnectLoopback(upstream_port_);
      if (server < 0) {
        ::close(client);
        continue;
      }
      NoDelay(client);
      NoDelay(server);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++counts_.connections;
      }
      auto c = std::make_unique<Conn>();
      c->client_fd = client;
      c->server_fd = server;
      c->pumps.emplace_back([this, client, server] { Pump(client, server, true); });
      c->pumps.emplace_back([this, client, server] { Pump(server, client, false); });
      std::lock_guard<std::mutex> lock(conns_mu_);
      conns_.push_back(std::move(c));
    }
  }

  void Pump(int from, int to, bool from_client) {
    HttpSplitter split(from_client);
    std::vector<char> buf(256 * 1024);
    while (true) {
      ssize_t n = ::recv(from, buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      {
        std::lock_guard<std::mutex> lock(mu_);
        (from_client ? counts_.up : counts_.down) += static_cast<size_t>(n);
        split.Feed(buf.data(), static_cast<size_t>(n), &messages_);
      }
      if (!SendAll(to, buf.data(), static_cast<size_t>(n))) break;
    }
    ::shutdown(to, SHUT_WR);
  }

  const int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex conns_mu_;  // guards conns_
  std::vector<std::unique_ptr<Conn>> conns_;
  std::mutex mu_;  // guards messages_ and counts_
  std::vector<WireMessage> messages_;
  Counts counts_;
};

// ---- The server process -----------------------------------------------------

// A ccfield-server in `dir` (created by the caller): admin commands and one
// serving process on 127.0.0.1 with a free port. Its standard error goes to
// DIR/server.log.
class ServerProcess {
 public:
  explicit ServerProcess(std::string dir) : dir_(std::move(dir)), log_(dir_ + "/server.log") {}
  ~ServerProcess() { Stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // `ccfield-server --data DIR --password-cost test admin ARGS...`; its
  // standard output, trimmed. Dies unless it exits 0.
  std::string Admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CCFIELD_SERVER_PATH, "--data", dir_ + "/data", "--password-cost", "test", "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto [code, out] = RunCommand(argv, LogStderr());
    if (code != 0) Die("ccfield-server admin " + args[0] + " failed (see " + log_ + ")");
    return TrimRight(out);
  }

  // Starts `serve --port 0` and waits for "listening on 127.0.0.1:PORT". The
  // write quotas are off: the bench pushes far more than field work does in
  // a minute on purpose.
  void Start() {
    const Spawned s =
        Spawn({CCFIELD_SERVER_PATH, "--data", dir_ + "/data", "--password-cost", "test", "serve", "--port", "0",
               "--quota-user-changes-per-min", "0", "--quota-workspace-changes-per-min", "0"},
              LogStderr());
    pid_ = s.pid;
    const std::string out = ReadOutput(s.out_fd, 10, true);
    const std::string prefix = "listening on 127.0.0.1:";
    if (out.rfind(prefix, 0) != 0) Die("ccfield-server did not start; it said \"" + out + "\" (see " + log_ + ")");
    port_ = std::atoi(TrimRight(out.substr(prefix.size())).c_str());
  }

  // SIGTERM, then SIGKILL if it has not exited within 5 s (it may wait for
  // idle keep-alive connections).
  void Stop() {
    if (pid_ <= 0) return;
    bench::Stop(pid_, SIGTERM, 5);
    pid_ = 0;
  }

  int port() const { return port_; }
  const std::string& log() const { return log_; }

 private:
  SpawnOptions LogStderr() const {
    SpawnOptions o;
    o.stderr_path = log_;
    return o;
  }

  const std::string dir_;
  const std::string log_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// ---- Devices ----------------------------------------------------------------

// A device: its own store file, a SyncClient on it, and the bench's own
// connection to the same file for local edits (one thread uses both).
struct Device {
  Device(const std::string& name, const std::string& dir) : name(name), path(dir + "/" + name + ".db") {
    client = Check(SyncClient::Open(DefaultEnv(), path), "opening device " + name);
    StoreOptions o;
    o.path = path;
    store = Check(Store::Open(DefaultEnv(), o), "opening the store of device " + name);
  }

  std::string name;
  std::string path;
  std::unique_ptr<SyncClient> client;
  std::unique_ptr<Store> store;
};

// ---- Visits -----------------------------------------------------------------

constexpr const char* kFormKey = "drainage_flood@1.0";
constexpr size_t kChecklistItems = 10;

// Visits of drainage_flood@1.0 with a 10-item checklist: the two required
// answers and eight more drawn from the fields that are always shown (so the
// answers validate whatever is picked), plus the envelope fields a visit has
// in the field (times at a UTC offset, GPS, weather, rating, inspector,
// follow-up) and ~1.2 KB notes in one of four languages. Unlike the store
// bench's VisitMaker (visit_generator.h: all five forms, ~8 answers), every
// visit has the same shape, so the byte ratios compare like with like.
class ChecklistVisitMaker {
 public:
  ChecklistVisitMaker(const FormDef& form, const Vocabulary& vocab, std::string workspace_id, std::vector<Site> sites,
                      std::string inspector_id, uint64_t seed)
      : form_(form),
        vocab_(vocab),
        workspace_id_(std::move(workspace_id)),
        sites_(std::move(sites)),
        inspector_id_(std::move(inspector_id)),
        rng_(seed) {
    for (const FormField& f : form_.fields) {
      if (f.required && !f.shown_when) required_.push_back(&f);
      // event_mode=true would make max_depth_ref required: keep the pool unconditional.
      if (!f.required && !f.shown_when && f.id != "event_mode") optional_.push_back(&f);
    }
    if (required_.size() > kChecklistItems || required_.size() + optional_.size() < kChecklistItems) {
      Die(std::string(kFormKey) + " no longer fits a 10-item checklist; update the bench");
    }
    lang_dist_ = std::discrete_distribution<size_t>(vocab_.weights.begin(), vocab_.weights.end());
  }

  SetFields Make(size_t notes_bytes) {
    const Language& lang = vocab_.langs[lang_dist_(rng_.gen())];
    const Site& site = rng_.Pick(sites_);
    int64_t start_ms = kEpoch2025Ms + static_cast<int64_t>(rng_.Real(0, 365.0 * 86'400'000));
    start_ms -= start_ms % 1000;
    const int offset = kOffsetsMin[static_cast<size_t>(rng_.Int(0, static_cast<int>(kOffsetsMin.size()) - 1))];
    const int64_t end_ms = start_ms + rng_.Int(10, 90) * 60'000;
    json f = {
        {"workspace_id", workspace_id_},
        {"site_id", site.id},
        {"form", kFormKey},
        {"status", "complete"},
        {"started_at", LocalTimestamp(start_ms, offset)},
        {"ended_at", LocalTimestamp(end_ms, offset)},
        {"gps_lat", std::round((site.lat + rng_.Real(-0.0005, 0.0005)) * 1e6) / 1e6},
        {"gps_lon", std::round((site.lon + rng_.Real(-0.0005, 0.0005)) * 1e6) / 1e6},
        {"gps_accuracy_m", std::round(rng_.Real(3, 25))},
        {"gps_source", "gps"},
        {"weather", rng_.Pick(kWeather)},
        {"condition_rating", rng_.Pick(kCondition)},
        {"language", lang.code},
        {"sdg_targets", json::array({rng_.Pick(form_.sdg_targets)})},
    };
    if (!inspector_id_.empty()) f["inspector_id"] = inspector_id_;
    const bool follow_up = rng_.Chance(0.4);
    f["follow_up_needed"] = follow_up;
    if (follow_up) {
      f["follow_up_action"] = Sentences(rng_, vocab_, lang, static_cast<size_t>(rng_.Int(30, 80)));
      f["follow_up_priority"] = rng_.Pick(kPriority);
      f["follow_up_due"] = DateOf(end_ms + rng_.Int(3, 60) * int64_t{86'400'000});
    }
    f["notes"] = Notes(lang, notes_bytes);
    f["answers"] = Checklist();
    return SetFields{RecordType::kVisit, rng_.Uuid(), std::move(f)};
  }

  // New notes for an edited visit: about the same size, new text.
  std::string EditedNotes(const std::string& language, size_t notes_bytes) {
    const Language* lang = &vocab_.langs[0];
    for (const Language& l : vocab_.langs) {
      if (l.code == language) lang = &l;
    }
    return Notes(*lang, notes_bytes);
  }

  // `notes` with about `per_place` characters rewritten at each of `places`
  // places, one in each part of the text, as a person corrects a note: a run
  // of whole words replaced by other words of the same language. Adds to
  // *changed the characters changed (per place, the larger of the removed and
  // the inserted run, in code points): the changed text itself.
  std::string PartlyEditedNotes(const std::string& notes, const std::string& language, int places, size_t per_place,
                                size_t* changed) {
    const Language* lang = &vocab_.langs[0];
    for (const Language& l : vocab_.langs) {
      if (l.code == language) lang = &l;
    }
    std::string out = notes;
    const size_t part = notes.size() / static_cast<size_t>(places);
    // From the last part to the first, so the earlier parts' offsets hold.
    for (int p = places - 1; p >= 0; --p) {
      // Cut between words (at ASCII spaces, never inside a UTF-8 character).
      size_t from =
          out.find(' ', static_cast<size_t>(p) * part + static_cast<size_t>(rng_.Int(0, static_cast<int>(part / 4))));
      if (from == std::string::npos) continue;
      ++from;
      size_t to = from, removed = 0;
      while (to < out.size() && (removed < per_place || out[to] != ' ')) {
        removed += (static_cast<unsigned char>(out[to]) & 0xC0) != 0x80 ? 1 : 0;
        ++to;
      }
      std::string words;
      size_t inserted = 0;
      while (inserted < per_place) {
        const std::string w = lang->Draw(rng_);
        words += (words.empty() ? "" : " ") + w;
        inserted = CodePoints(words);
      }
      *changed += std::max(removed, inserted);
      out.replace(from, to - from, words);
    }
    return out;
  }

 private:
  static constexpr int64_t kEpoch2025Ms = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

  std::string Notes(const Language& lang, size_t target) {
    const int lo = static_cast<int>(static_cast<double>(target) * 0.9);
    const int hi = static_cast<int>(static_cast<double>(target) * 1.1);
    return Sentences(rng_, vocab_, lang, static_cast<size_t>(rng_.Int(lo, hi)));
  }

  json Checklist() {
    json a = json::object();
    for (const FormField* f : required_) a[f->id] = AnswerValue(*f);
    std::vector<const FormField*> pool = optional_;
    std::shuffle(pool.begin(), pool.end(), rng_.gen());
    for (size_t i = 0; a.size() < kChecklistItems; ++i) a[pool[i]->id] = AnswerValue(*pool[i]);
    return a;
  }

  json AnswerValue(const FormField& f) {
    switch (f.type) {
      case AnswerType::kText:
        return "D-" + std::to_string(rng_.Int(1, 400));
      case AnswerType::kLongText:
        return Sentences(rng_, vocab_, vocab_.en(), 80);
      case AnswerType::kInteger: {
        const double lo = f.min.value_or(0), hi = std::min(f.max.value_or(lo + 200), lo + 200);
        return static_cast<int64_t>(rng_.Int(static_cast<int>(std::ceil(lo)), static_cast<int>(std::floor(hi))));
      }
      case AnswerType::kDecimal: {
        const double lo = f.min.value_or(0), hi = std::min(f.max.value_or(lo + 100), lo + 100);
        return std::clamp(std::round(rng_.Real(lo, hi) * 10) / 10, lo, hi);
      }
      case AnswerType::kSingleChoice:
        return rng_.Pick(f.options).value;
      case AnswerType::kMultiChoice: {
        std::vector<std::string> values;
        for (const FormOption& o : f.options) values.push_back(o.value);
        std::shuffle(values.begin(), values.end(), rng_.gen());
        values.resize(static_cast<size_t>(rng_.Int(1, static_cast<int>(std::min<size_t>(3, values.size())))));
        return values;
      }
      case AnswerType::kYesNo:
        return rng_.Chance(0.5);
      case AnswerType::kDate:
        return DateOf(kEpoch2025Ms + static_cast<int64_t>(rng_.Real(0, 365.0 * 86'400'000)));
      case AnswerType::kPosition:
        return json{{"lat", rng_.Real(-7, -6)}, {"lon", rng_.Real(39, 40)}};
    }
    return nullptr;
  }

  const FormDef& form_;
  const Vocabulary& vocab_;
  const std::string workspace_id_;
  const std::vector<Site> sites_;
  const std::string inspector_id_;
  Rng rng_;
  std::vector<const FormField*> required_, optional_;
  std::discrete_distribution<size_t> lang_dist_;
};

// ---- Measuring one sync -------------------------------------------------------

// The JSON inside the HTTP bodies of one direction, and what it is made of.
struct BodyBreakdown {
  size_t messages = 0;
  size_t head_bytes = 0;                 // start lines and headers
  size_t body_bytes = 0;                 // bodies as sent
  size_t json_bytes = 0;                 // bodies decoded
  size_t undecoded = 0;                  // bodies the bench could not decode
  std::map<std::string, int> encodings;  // Content-Encoding -> bodies ("identity" when none)
  std::vector<json> docs;                // the decoded JSON documents
  // The server's own time for its sync answers (Server-Timing "app;dur=",
  // server/src/api_handler.cpp): reading, applying, answering, compressing.
  double server_ms = 0;
  size_t server_timed = 0;  // answers that carried it
};

// What one SyncNow did, from the client's report and from the tap.
struct Measured {
  std::string name;
  SyncReport report;
  double wall_ms = 0;
  bool tapped = false;
  WireTap::Counts wire;
  BodyBreakdown up, down;                   // from the tap
  std::string request_head, response_head;  // the first of each, token masked
};

BodyBreakdown Breakdown(const std::vector<WireMessage>& messages, bool from_client) {
  BodyBreakdown b;
  for (const WireMessage& m : messages) {
    if (m.from_client != from_client) continue;
    ++b.messages;
    b.head_bytes += m.head.size();
    b.body_bytes += m.body.size();
    if (!from_client) {
      const std::string timing = HeaderValue(m.head, "server-timing");
      if (const size_t at = timing.find("dur="); at != std::string::npos) {
        b.server_ms += std::strtod(timing.c_str() + at + 4, nullptr);
        ++b.server_timed;
      }
    }
    std::string enc = Lower(HeaderValue(m.head, "content-encoding"));
    if (enc.empty()) enc = "identity";
    ++b.encodings[enc];
    std::optional<std::string> text;
    if (!m.framed) {
      text = std::nullopt;
    } else if (enc == "identity") {
      text = m.body;
    } else if (enc == "gzip") {
      text = Gunzip(m.body);
    } else if (enc == "br") {
      text = Unbrotli(m.body);
    } else if (enc == "zstd") {  // the product's codec (sync/body_codec.h)
      Result<sync::DecodedBody> z = sync::DecodeBody(sync::BodyEncoding::kZstd, m.body, size_t{1} << 30);
      if (z.ok() && !z->too_large) text = std::move(z->bytes);
    }
    if (!text) {
      ++b.undecoded;
      continue;
    }
    b.json_bytes += text->size();
    if (text->empty()) continue;
    json j = json::parse(*text, nullptr, false);
    if (!j.is_discarded()) b.docs.push_back(std::move(j));
  }
  return b;
}

// The head of the first message in a direction, with the bearer token masked.
std::string FirstHead(const std::vector<WireMessage>& messages, bool from_client) {
  for (const WireMessage& m : messages) {
    if (m.from_client != from_client) continue;
    std::string h = m.head;
    const std::string bearer = "Bearer ";
    if (size_t p = h.find(bearer); p != std::string::npos) {
      const size_t s = p + bearer.size();
      const size_t e = h.find("\r\n", s);
      h.replace(s, e - s, "<" + std::to_string(e - s) + "-char token>");
    }
    std::string out;
    for (size_t pos = 0; pos < h.size();) {
      size_t e = h.find("\r\n", pos);
      if (e == std::string::npos || e == pos) break;
      out += "    | " + h.substr(pos, e - pos) + "\n";
      pos = e + 2;
    }
    return out;
  }
  return "";
}

Measured RunSync(const std::string& name, Device* d, WireTap* tap) {
  if (tap) {
    tap->TakeMessages();
    tap->TakeCounts();
  }
  Measured m;
  m.name = name;
  const auto t0 = Clock::now();
  sync::SyncOutcome out = d->client->Sync();
  m.wall_ms = MsBetween(t0, Clock::now());
  if (!out.status.ok()) Die(name + ": sync of device " + d->name + " failed: " + out.status.ToString());
  m.report = out.report;
  if (tap) {
    m.tapped = true;
    m.wire = tap->TakeCounts();
    const std::vector<WireMessage> messages = tap->TakeMessages();
    m.up = Breakdown(messages, true);
    m.down = Breakdown(messages, false);
    m.request_head = FirstHead(messages, true);
    m.response_head = FirstHead(messages, false);
  }
  return m;
}

std::string Encodings(const BodyBreakdown& b) {
  std::string s;
  for (const auto& [enc, n] : b.encodings) s += (s.empty() ? "" : ",") + enc + "x" + std::to_string(n);
  return s.empty() ? "-" : s;
}

void PrintMeasured(const Measured& m) {
  const SyncReport& r = m.report;
  std::printf("%s requests=%d pushed=%lld received=%lld rejected=%lld conflicts=%lld complete=%s wall_ms=%.1f\n",
              m.name.c_str(), r.requests, static_cast<long long>(r.pushed), static_cast<long long>(r.received),
              static_cast<long long>(r.rejected), static_cast<long long>(r.conflicts), r.complete ? "yes" : "NO",
              m.wall_ms);
  std::printf("%s report_bytes up=%zu down=%zu per_request up=%.0f down=%.0f\n", m.name.c_str(), r.bytes_up,
              r.bytes_down, Ratio(static_cast<double>(r.bytes_up), r.requests),
              Ratio(static_cast<double>(r.bytes_down), r.requests));
  if (!m.tapped) return;
  std::printf("%s wire_bytes up=%zu down=%zu connections=%d report/wire up=%.3f down=%.3f\n", m.name.c_str(), m.wire.up,
              m.wire.down, m.wire.connections, Ratio(static_cast<double>(r.bytes_up), m.wire.up),
              Ratio(static_cast<double>(r.bytes_down), m.wire.down));
  for (const auto* b : {&m.up, &m.down}) {
    std::printf("%s wire_%s messages=%zu headers=%zu (%.0f per message) bodies=%zu encoding=%s json=%zu%s\n",
                m.name.c_str(), b == &m.up ? "up" : "down", b->messages, b->head_bytes,
                Ratio(static_cast<double>(b->head_bytes), static_cast<double>(b->messages)), b->body_bytes,
                Encodings(*b).c_str(), b->json_bytes,
                b->undecoded ? (" undecoded=" + std::to_string(b->undecoded)).c_str() : "");
  }
  if (m.down.server_timed > 0) {
    std::printf("%s server_side_ms=%.1f (Server-Timing of %zu answers; the rest of wall_ms is the client and the link)\n",
                m.name.c_str(), m.down.server_ms, m.down.server_timed);
  }
  std::fflush(stdout);
}

// ---- What the JSON bodies are made of -------------------------------------

// Bytes of a change's value as the person typed it: the text of a string,
// the JSON of anything else.
size_t ValueBytes(const json& v) { return v.is_string() ? v.get_ref<const std::string&>().size() : v.dump().size(); }

struct ChangeListFigures {
  size_t changes = 0;
  size_t value_bytes = 0;                   // values alone (raw text)
  size_t envelope_json = 0;                 // the whole documents with every value nulled
  size_t envelope_gzip = 0;                 // gzip of those
  size_t values_gzip = 0;                   // gzip of the values alone, concatenated
  size_t docs_gzip = 0;                     // gzip of the whole documents, one per body as sent
  size_t acks_json = 0;                     // the "acks" arrays
  size_t own_echo = 0;                      // received changes that came from the receiving device
  std::map<std::string, size_t> key_bytes;  // per member of a change: JSON bytes of `"key":value,`
};

ChangeListFigures ChangeFigures(const std::vector<json>& docs, const std::string& own_device) {
  ChangeListFigures f;
  std::string values, envelopes;
  for (const json& doc : docs) {
    f.docs_gzip += GzipSize(doc.dump());
    json env = doc;
    if (auto a = doc.find("acks"); a != doc.end()) f.acks_json += a->dump().size();
    auto it = env.find("changes");
    if (it == env.end()) it = env.find("entries");  // protocol 3: an item is an entry
    if (it != env.end() && it->is_array()) {
      for (json& c : *it) {
        ++f.changes;
        if (!c.is_object()) continue;
        if (auto fs = c.find("f"); fs != c.end() && fs->is_object()) {  // an entry's values
          for (auto& [k, v] : fs->items()) {
            f.value_bytes += ValueBytes(v);
            values += v.is_string() ? v.get_ref<const std::string&>() : v.dump();
            v = nullptr;
          }
        }
        if (auto dev = c.find("device"); dev != c.end() && dev->is_string() && *dev == own_device) ++f.own_echo;
        for (auto& [k, v] : c.items()) {
          f.key_bytes[k] += k.size() + 3 + (k == "value" ? 0 : v.dump().size()) + 1;  // "k":v,
        }
        if (auto v = c.find("value"); v != c.end()) {
          f.value_bytes += ValueBytes(*v);
          values += v->is_string() ? v->get_ref<const std::string&>() : v->dump();
          *v = nullptr;
        }
      }
    }
    envelopes += env.dump();
  }
  f.envelope_json = envelopes.size();
  f.envelope_gzip = envelopes.empty() ? 0 : GzipSize(envelopes);
  f.values_gzip = values.empty() ? 0 : GzipSize(values);
  return f;
}

void PrintChangeFigures(const std::string& label, const ChangeListFigures& f) {
  std::printf(
      "%s changes=%zu values_raw=%zu values_gzip=%zu envelope_json=%zu envelope_gzip=%zu (%.0f per change) "
      "json_gzip=%zu acks_json=%zu own_echo=%zu\n",
      label.c_str(), f.changes, f.value_bytes, f.values_gzip, f.envelope_json, f.envelope_gzip,
      Ratio(static_cast<double>(f.envelope_gzip), static_cast<double>(f.changes)), f.docs_gzip, f.acks_json,
      f.own_echo);
  if (f.changes == 0) return;
  std::string keys;
  std::vector<std::pair<size_t, std::string>> by_size;
  for (const auto& [k, n] : f.key_bytes) by_size.emplace_back(n, k);
  std::sort(by_size.rbegin(), by_size.rend());
  for (const auto& [n, k] : by_size) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s=%.0f", k.c_str(), static_cast<double>(n) / static_cast<double>(f.changes));
    keys += buf;
  }
  std::printf("%s envelope_json_per_change (bytes of \"key\":value, in the value's case the key only):%s\n",
              label.c_str(), keys.c_str());
}

// A change's envelope with a short value, for showing what one looks like.
std::string OneChange(const std::vector<json>& docs) {
  for (const json& doc : docs) {
    auto it = doc.find("changes");
    if (it == doc.end() || !it->is_array() || it->empty()) continue;
    json c = (*it)[0];
    if (c.contains("value") && c["value"].is_string()) {
      std::string v = c["value"].get<std::string>();
      if (v.size() > 24) {
        size_t cut = 24;
        while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;  // whole characters
        c["value"] = v.substr(0, cut) + "…";
      }
    }
    return c.dump();
  }
  return "";
}

// ---- What a leaner wire format would cost (sizing only, not a codec) --------
//
// The captured JSON re-encoded the way a later protocol version could send it,
// to put numbers on the envelope:
//   no_ws:   "ws" only on changes that create a record (the server, and any
//            device that holds the record, know its workspace already);
//   grouped: consecutive changes of one record from one commit (same id, type,
//            ws, time, author, created, origin device; consecutive seq, or v
//            and dseq) become one object {..., "fields": {field: value},
//            "base": {field: base}} ("base" only where it is not 0).

json WithoutWs(const json& doc) {
  json out = doc;
  auto it = out.find("changes");
  if (it == out.end() || !it->is_array()) return out;
  for (json& c : *it) {
    if (c.is_object() && !c.value("created", false)) c.erase("ws");
  }
  return out;
}

json Grouped(const json& doc, const std::vector<std::string>& counters) {
  json out = doc;
  auto it = doc.find("changes");
  if (it == doc.end() || !it->is_array()) return out;
  json groups = json::array();
  json last_invariant, last_counters;
  for (const json& c : *it) {
    if (!c.is_object() || !c.contains("field") || !c["field"].is_string()) return doc;  // not a change list
    const std::string field = c["field"].get<std::string>();
    json invariant = c;
    for (const char* k : {"field", "value", "base"}) invariant.erase(k);
    for (const std::string& k : counters) invariant.erase(k);
    bool extend = !groups.empty() && invariant == last_invariant && !groups.back()["fields"].contains(field);
    for (const std::string& k : counters) {
      extend = extend && c.contains(k) && c[k].is_number_integer() && last_counters.contains(k) &&
               last_counters[k].get<int64_t>() + 1 == c[k].get<int64_t>();
    }
    if (!extend) {
      json g = invariant;
      for (const std::string& k : counters) {
        if (c.contains(k)) g[k] = c[k];
      }
      g["fields"] = json::object();
      groups.push_back(std::move(g));
      last_invariant = std::move(invariant);
    }
    json& g = groups.back();
    g["fields"][field] = c.contains("value") ? c["value"] : json();
    if (c.contains("base") && c["base"] != 0) g["base"][field] = c["base"];
    for (const std::string& k : counters) {
      if (c.contains(k)) last_counters[k] = c[k];
    }
  }
  out["changes"] = std::move(groups);
  return out;
}

struct Encoded {
  size_t json = 0, gzip = 0, gzip9 = 0, br = 0;  // br: 0 when not computed (large inputs)
};

// Sizes of `docs` after `transform`, one body per document as sent.
template <typename F>
Encoded Encode(const std::vector<json>& docs, F transform, bool with_brotli) {
  Encoded e;
  for (const json& d : docs) {
    const std::string text = transform(d).dump(-1, ' ', false, json::error_handler_t::replace);
    e.json += text.size();
    e.gzip += GzipSize(text);
    e.gzip9 += Gzip9Size(text);
    if (with_brotli) e.br += Brotli(text, 11).size();
  }
  return e;
}

// Prints the sizes of the bodies as sent and in the leaner forms. `head_bytes`
// and `baseline` turn them into the ratio the scenario would get.
void PrintWhatIf(const std::string& label, const std::vector<json>& docs, bool request, size_t head_bytes,
                 size_t baseline) {
  const std::vector<std::string> counters =
      request ? std::vector<std::string>{"seq"} : std::vector<std::string>{"v", "dseq"};
  size_t total = 0;
  for (const json& d : docs) total += d.dump().size();
  const bool with_brotli = total < 2 * 1024 * 1024;  // quality 11 is slow; only for the small bodies
  auto same = [](const json& d) { return d; };
  auto no_ws = [](const json& d) { return WithoutWs(d); };
  auto grouped = [&](const json& d) { return Grouped(d, counters); };
  auto both = [&](const json& d) { return Grouped(WithoutWs(d), counters); };
  const std::pair<const char*, Encoded> rows[] = {{"as_sent", Encode(docs, same, with_brotli)},
                                                  {"no_ws", Encode(docs, no_ws, with_brotli)},
                                                  {"grouped", Encode(docs, grouped, with_brotli)},
                                                  {"no_ws+grouped", Encode(docs, both, with_brotli)}};
  for (const auto& [name, e] : rows) {
    std::printf("whatif %s %-13s json=%zu gzip=%zu gzip9=%zu", label.c_str(), name, e.json, e.gzip, e.gzip9);
    if (with_brotli) std::printf(" br11=%zu", e.br);
    if (baseline > 0) {
      std::printf(" ratio_gzip=%.3f", Ratio(static_cast<double>(head_bytes + e.gzip), static_cast<double>(baseline)));
      if (with_brotli) {
        std::printf(" ratio_br11=%.3f", Ratio(static_cast<double>(head_bytes + e.br), static_cast<double>(baseline)));
      }
    }
    std::printf("\n");
  }
}

// ---- A raw request to the server, to compare response encodings -------------

struct RawExchange {
  int status = 0;
  size_t request_bytes = 0, head_bytes = 0, body_bytes = 0;
  std::string encoding;  // Content-Encoding of the response, "identity" when none
  double ms = 0;         // from sending the request to the end of the response
};

// POST /v1/sync straight to the server (no tap) on a new connection that the
// server closes after answering. `accept_encoding` empty: no Accept-Encoding.
RawExchange RawSync(int port, const std::string& token, const std::string& body, const std::string& accept_encoding) {
  RawExchange x;
  const int fd = ConnectLoopback(port);
  if (fd < 0) Die("cannot connect to the server for the replay");
  std::string req = "POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (!accept_encoding.empty()) req += "Accept-Encoding: " + accept_encoding + "\r\n";
  req += "Authorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
  x.request_bytes = req.size();
  const auto t0 = Clock::now();
  if (!SendAll(fd, req.data(), req.size())) Die("replay: send failed");
  std::string resp;
  char buf[64 * 1024];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<size_t>(n));
  x.ms = MsBetween(t0, Clock::now());
  ::close(fd);
  const size_t end = resp.find("\r\n\r\n");
  if (end == std::string::npos) Die("replay: no HTTP answer");
  const std::string head = resp.substr(0, end + 4);
  x.head_bytes = head.size();
  x.body_bytes = resp.size() - head.size();
  x.status = std::atoi(head.substr(head.find(' ') + 1).c_str());
  x.encoding = Lower(HeaderValue(head, "content-encoding"));
  if (x.encoding.empty()) x.encoding = "identity";
  return x;
}

// ---- One edit cycle ------------------------------------------------------------

struct EditRound {
  Measured push, pull;  // A's sync, then B's
  size_t raw = 0;       // the new notes, concatenated
  size_t baseline = 0;  // gzip of those
  int same = 0;         // edited visits whose notes on B equal the new ones
  double r_up = 0, r_down = 0;
};

// A rewrites the notes of `edits` visits picked with `pick_seed` (new text of
// about the same size, one commit per visit, as a person edits one visit at a
// time); A syncs, then B syncs.
EditRound RunEditRound(const std::string& prefix, Device* a, Device* b, WireTap* tap, ChecklistVisitMaker* maker,
                       const std::vector<std::string>& visit_ids, int edits, size_t notes_bytes, uint64_t pick_seed) {
  EditRound e;
  Rng pick(pick_seed);
  std::vector<std::string> ids = visit_ids;
  std::shuffle(ids.begin(), ids.end(), pick.gen());
  ids.resize(static_cast<size_t>(edits));
  std::string changed;
  std::vector<std::pair<std::string, std::string>> edited;  // id, new notes
  for (const std::string& id : ids) {
    Record r = Check(a->store->Get(RecordType::kVisit, id), "reading a visit to edit");
    const std::string language = r.Get("language").is_string() ? r.Get("language").get<std::string>() : "en";
    std::string notes = maker->EditedNotes(language, notes_bytes);
    changed += notes;
    Check(a->store->Commit({SetFields{RecordType::kVisit, id, {{"notes", notes}}}}), "editing notes on A");
    edited.emplace_back(id, std::move(notes));
  }
  e.raw = changed.size();
  e.baseline = GzipSize(changed);
  e.push = RunSync(prefix + "_push_A", a, tap);
  e.pull = RunSync(prefix + "_pull_B", b, tap);
  for (const auto& [id, notes] : edited) {
    Result<Record> rb = b->store->Get(RecordType::kVisit, id);
    if (rb.ok() && rb->Get("notes") == notes) ++e.same;
  }
  e.r_up = Ratio(static_cast<double>(e.push.report.bytes_up), static_cast<double>(e.baseline));
  e.r_down = Ratio(static_cast<double>(e.pull.report.bytes_down), static_cast<double>(e.baseline));
  return e;
}

// Issue 14's "10 edited notes": A changes ~100 characters of each of `edits`
// notes (three places of ~33) instead of rewriting them; A syncs, then B.
struct SmallEditRound {
  Measured push, pull;
  size_t changed_chars = 0;  // the sum of the edit sizes (PartlyEditedNotes)
  size_t notes_bytes = 0;    // the edited notes' whole values, UTF-8 bytes
  size_t delta_json = 0;     // sync::MakeTextDelta of each note from its old value, JSON bytes (whole value when none)
  int deltas = 0;            // notes for which a delta pays
  int same = 0;              // edited notes equal on B
};

SmallEditRound RunSmallEditRound(Device* a, Device* b, WireTap* tap, ChecklistVisitMaker* maker,
                                 const std::vector<std::string>& visit_ids, int edits, uint64_t pick_seed) {
  constexpr int kPlaces = 3;
  constexpr size_t kCharsPerPlace = 33;
  SmallEditRound e;
  Rng pick(pick_seed);
  std::vector<std::string> ids = visit_ids;
  std::shuffle(ids.begin(), ids.end(), pick.gen());
  ids.resize(static_cast<size_t>(edits));
  std::vector<std::pair<std::string, std::string>> edited;  // id, new notes
  for (const std::string& id : ids) {
    Record r = Check(a->store->Get(RecordType::kVisit, id), "reading a visit to edit");
    const std::string language = r.Get("language").is_string() ? r.Get("language").get<std::string>() : "en";
    const std::string old_notes = r.Get("notes").is_string() ? r.Get("notes").get<std::string>() : "";
    std::string notes = maker->PartlyEditedNotes(old_notes, language, kPlaces, kCharsPerPlace, &e.changed_chars);
    e.notes_bytes += notes.size();
    if (std::optional<json> delta = sync::MakeTextDelta(old_notes, notes)) {
      e.delta_json += delta->dump().size();
      ++e.deltas;
    } else {
      e.delta_json += json(notes).dump().size();
    }
    Check(a->store->Commit({SetFields{RecordType::kVisit, id, {{"notes", notes}}}}), "editing notes on A");
    edited.emplace_back(id, std::move(notes));
  }
  e.push = RunSync("s3b_small_edit_push_A", a, tap);
  e.pull = RunSync("s3b_small_edit_pull_B", b, tap);
  for (const auto& [id, notes] : edited) {
    Result<Record> rb = b->store->Get(RecordType::kVisit, id);
    if (rb.ok() && rb->Get("notes") == notes) ++e.same;
  }
  return e;
}

// ---- The run ------------------------------------------------------------------


// ---- Text merge: the server's three-way merge of long text, alone ----
// (moved here from unit tests: a speed figure is a bench figure.)
struct TextMergeFigures {
  double scattered_ms = 0;     // 100 KB note, edits scattered on both sides: merged
  double pathological_ms = 0;  // 100 KB texts rewritten on both sides: given up (work budget)
  bool scattered_merged = false, pathological_refused = false;
};

TextMergeFigures MeasureTextMerge(int repeats) {
  std::mt19937_64 rng(7);
  auto words = [&](size_t bytes, bool newlines) {
    std::string s;
    while (s.size() < bytes) {
      for (int c = 1 + static_cast<int>(rng() % 6); c > 0; --c) s += static_cast<char>('a' + rng() % 3);
      s += newlines && rng() % 8 == 0 ? '\n' : ' ';
    }
    return s;
  };
  std::string base;
  for (int line = 0; base.size() < 100 * 1024; ++line) {
    base += "Ligne " + std::to_string(line) + " : le caniveau est bouché lundi, la pompe ne marche plus.\n";
  }
  std::string ours = base, theirs = base;
  for (size_t at = 0; at < base.size(); at += 10 * 1024) {
    ours.replace(ours.find("lundi", at), 5, "mardi");
    theirs.replace(theirs.find("pompe", at), 5, "pompe manuelle");
  }
  const std::string p_base = words(100 * 1024, true), p_ours = words(100 * 1024, true),
                    p_theirs = words(100 * 1024, true);
  TextMergeFigures f;
  std::vector<double> a, b;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    f.scattered_merged = sync::MergeText(base, ours, theirs).has_value();
    a.push_back(MsBetween(t0, Clock::now()));
    t0 = Clock::now();
    f.pathological_refused = !sync::MergeText(p_base, p_ours, p_theirs).has_value();
    b.push_back(MsBetween(t0, Clock::now()));
  }
  f.scattered_ms = Median(a);
  f.pathological_ms = Median(b);
  return f;
}

// ---- Text deltas: sync::MakeTextDelta alone (issue 14, sync/text_delta.h) ----
struct TextDeltaFigures {
  double scattered_10k_ms = 0;  // 10 KB note, 20 scattered word edits: a delta of several hunks
  size_t scattered_10k_bytes = 0;
  double rewritten_10k_ms = 0;  // 10 KB note against an unrelated one: diffed to the cap, no delta
  bool rewritten_refused = false;
  double scattered_100k_ms = 0;  // 100 KB, 20 edits
};

TextDeltaFigures MeasureTextDelta(int repeats) {
  std::mt19937_64 rng(11);
  auto words = [&](size_t bytes) {
    std::string s;
    while (s.size() < bytes) {
      for (int c = 2 + static_cast<int>(rng() % 7); c > 0; --c) s += static_cast<char>('a' + rng() % 26);
      s += rng() % 10 == 0 ? ". " : " ";
    }
    return s;
  };
  auto edited = [&](std::string s) {
    for (int i = 0; i < 20; ++i) s.replace(s.find(' ', rng() % (s.size() - 20)) + 1, 4, "caniveau bouché");
    return s;
  };
  const std::string base_10k = words(10 * 1024), value_10k = edited(base_10k), other_10k = words(10 * 1024);
  const std::string base_100k = words(100 * 1024), value_100k = edited(base_100k);
  TextDeltaFigures f;
  std::vector<double> a, b, c;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    const std::optional<json> d = sync::MakeTextDelta(base_10k, value_10k);
    a.push_back(MsBetween(t0, Clock::now()));
    f.scattered_10k_bytes = d ? d->dump().size() : 0;
    t0 = Clock::now();
    f.rewritten_refused = !sync::MakeTextDelta(base_10k, other_10k).has_value();
    b.push_back(MsBetween(t0, Clock::now()));
    t0 = Clock::now();
    (void)sync::MakeTextDelta(base_100k, value_100k);
    c.push_back(MsBetween(t0, Clock::now()));
  }
  f.scattered_10k_ms = Median(a);
  f.rewritten_10k_ms = Median(b);
  f.scattered_100k_ms = Median(c);
  return f;
}

int Run(const Options& opt) {
  ::signal(SIGPIPE, SIG_IGN);
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(opt.dir, "ccfield_sync_bench", opt.keep, &remove_dir);
  if (!opt.dir.empty()) {
    for (const char* sub : {"data", "devices"}) {
      if (fs::exists(dir + "/" + sub)) Die(dir + " already holds a run (" + sub + "); give an empty --dir");
    }
  }
  fs::create_directories(dir + "/devices");

  std::printf("ccfield_sync_bench dir=%s visits=%d edits=%d notes_bytes=%d sites=%d seed=%llu%s%s\n", dir.c_str(),
              opt.visits, opt.edits, opt.notes_bytes, opt.sites, static_cast<unsigned long long>(opt.seed),
              opt.quick ? " (quick)" : "", opt.direct ? " (direct: no wire tap)" : "");
  std::printf("server=%s\n", CCFIELD_SERVER_PATH);
  const std::string load_start = LoadAverage();
  std::printf("loadavg_start=%s\n", load_start.c_str());

  // ---- Setup (not measured): server, users, devices, sites ----
  ServerProcess server(dir);
  const std::string workspace_id = server.Admin({"create-workspace", "Bench municipality", "--country", "TZ"});
  server.Admin({"create-user", "alice", "--password", "pw-alice-bench"});
  const std::string alice_member =
      server.Admin({"add-member", workspace_id, "alice", "--role", "field_staff", "--name", "Alice Mwangi"});
  server.Start();
  std::unique_ptr<WireTap> tap;
  if (!opt.direct) tap = std::make_unique<WireTap>(server.port());
  const std::string url = "http://127.0.0.1:" + std::to_string(tap ? tap->port() : server.port());
  std::printf("server_port=%d client_url=%s\n", server.port(), url.c_str());

  const std::string devdir = dir + "/devices";
  Device a("A", devdir), b("B", devdir), c("C", devdir);
  for (Device* d : {&a, &b, &c}) {
    Check(d->client->Login(url, "alice", "pw-alice-bench", "bench tablet " + d->name), "login of device " + d->name);
    d->store->SetAuthor("alice");
  }
  std::fflush(stdout);

  // A fresh device's first pull from a new server: the workspace and its
  // member (a new server has no library records: forms are built in).
  Measured setup_pull = RunSync("setup_A_first_pull", &a, tap.get());
  PrintMeasured(setup_pull);

  // Sites, pushed before the measured scenarios so scenario 1 holds visits only.
  Rng site_rng(opt.seed * 7919 + 1);
  std::vector<Site> sites;
  {
    const char* const kHoods[] = {"Kariakoo", "Manzese", "Tandale", "Mburahati",  "Jangwani",
                                  "Yopougon", "Abobo",   "Pikine",  "Chamanculo", "Kibera"};
    std::vector<Op> ops;
    for (int i = 0; i < opt.sites; ++i) {
      Site s{site_rng.Uuid(), -6.8 + site_rng.Real(-0.1, 0.1), 39.27 + site_rng.Real(-0.1, 0.1)};
      const std::string hood = kHoods[static_cast<size_t>(i) % std::size(kHoods)];
      ops.push_back(SetFields{RecordType::kSite,
                              s.id,
                              {{"workspace_id", workspace_id},
                               {"name", hood + " drain " + std::to_string(i + 1)},
                               {"kind", "drain"},
                               {"ward", hood},
                               {"lat", s.lat},
                               {"lon", s.lon}}});
      sites.push_back(std::move(s));
    }
    Check(a.store->Commit(ops), "creating sites on A");
  }
  Measured setup_sites = RunSync("setup_A_push_sites", &a, tap.get());
  PrintMeasured(setup_sites);
  // The part of a fresh pull that is not visits: what device C, fresh, pulls now.
  Measured setup_fixed = RunSync("setup_C_fresh_pull_without_visits", &c, tap.get());
  PrintMeasured(setup_fixed);
  std::fflush(stdout);

  const FormDef* form = a.store->FindForm(kFormKey);
  if (!form) Die(std::string("device A does not know ") + kFormKey);
  const std::string inspector = a.store->Get(RecordType::kMember, alice_member).ok() ? alice_member : "";
  if (inspector.empty()) std::printf("note: alice's member record did not reach A; visits have no inspector_id\n");
  const Vocabulary vocab = MakeVocabulary();
  ChecklistVisitMaker maker(*form, vocab, workspace_id, sites, inspector, opt.seed * 31 + 5);

  // ---- 1. N visits made on A, pushed to the empty server ----
  std::printf("\n== 1 initial push: %d visits made on device A, pushed to a server that has none\n", opt.visits);
  std::vector<std::string> visit_ids;
  {
    const auto t0 = Clock::now();
    constexpr int kBatch = 100;
    for (int done = 0; done < opt.visits; done += kBatch) {
      std::vector<Op> ops;
      for (int i = done; i < std::min(opt.visits, done + kBatch); ++i) {
        SetFields v = maker.Make(static_cast<size_t>(opt.notes_bytes));
        visit_ids.push_back(v.id);
        ops.push_back(std::move(v));
      }
      Check(a.store->Commit(ops), "saving visits on A");
    }
    std::printf("made %d visits on A in %.0f ms (not part of the figures)\n", opt.visits, MsBetween(t0, Clock::now()));
  }
  const ChangeStateCounts before_push = Check(a.store->replica().CountChangeStates(), "counting A's changes");
  // The reference: gzip of the JSON of the visit records (id and fields) as
  // the store holds them, one array.
  json records = json::array();
  size_t notes_total = 0;
  for (const std::string& id : visit_ids) {
    Record r = Check(a.store->Get(RecordType::kVisit, id), "reading a visit");
    json one = r.fields;
    one["id"] = r.id;
    notes_total += r.Get("notes").is_string() ? r.Get("notes").get_ref<const std::string&>().size() : 0;
    records.push_back(std::move(one));
  }
  const std::string records_json = records.dump();
  const size_t records_gzip = GzipSize(records_json);
  std::string records_lines;  // one record's fields object (with its id) per line
  for (const json& one : records) records_lines += one.dump() + "\n";
  const RecordsReference ref = MeasureRecordsReference(records_lines);
  std::printf("reference records_json_lines=%zu brotli_q11_w24=%zu (%.0f ms) zstd_19=%zu (%.0f ms) best=%zu (%s)\n",
              ref.json_lines, ref.brotli11, ref.brotli_ms, ref.zstd19, ref.zstd_ms, ref.best(),
              ref.brotli11 <= ref.zstd19 ? "brotli" : "zstd");
  std::printf(
      "visits=%d changes_waiting=%lld (%.1f per visit) records_json=%zu records_gzip=%zu notes_avg_bytes=%.0f "
      "answers_per_visit=%zu\n",
      opt.visits, static_cast<long long>(before_push.waiting), static_cast<double>(before_push.waiting) / opt.visits,
      records_json.size(), records_gzip, static_cast<double>(notes_total) / opt.visits, records[0]["answers"].size());
  Measured push = RunSync("s1_push_A", &a, tap.get());
  PrintMeasured(push);
  std::printf(
      "s1_push_A ratio_up_vs_records_gzip=%.2f ratio_up_down_vs_records_gzip=%.2f\n",
      Ratio(static_cast<double>(push.report.bytes_up), static_cast<double>(records_gzip)),
      Ratio(static_cast<double>(push.report.bytes_up + push.report.bytes_down), static_cast<double>(records_gzip)));
  const double push_vs_best = Ratio(static_cast<double>(push.report.bytes_up), static_cast<double>(ref.best()));
  std::printf("s1_push_A bytes_up=%zu best_reference=%zu ratio_up_vs_best=%.3f <=1.1: %s\n", push.report.bytes_up,
              ref.best(), push_vs_best, Verdict(push_vs_best <= 1.1));
  if (push.report.rejected > 0) {
    for (const auto& [e, why] : Check(a.store->replica().ChangesInState(ChangeState::kRejected, 5), "reading rejects")) {
      std::printf("  rejected %s %s: %s\n", e.record_id.c_str(), e.field.c_str(), why.c_str());
    }
  }
  std::fflush(stdout);

  // ---- 2. A fresh device B pulls them ----
  std::printf("\n== 2 initial pull: a fresh device B pulls everything\n");
  Measured pull = RunSync("s2_pull_B", &b, tap.get());
  PrintMeasured(pull);
  const size_t pull_visits_down =
      pull.report.bytes_down - std::min(pull.report.bytes_down, setup_fixed.report.bytes_down);
  std::printf(
      "s2_pull_B ratio_down_vs_records_gzip=%.2f; minus what a fresh pull without visits costs (device C: %zu B): "
      "down=%zu ratio=%.2f\n",
      Ratio(static_cast<double>(pull.report.bytes_down), static_cast<double>(records_gzip)),
      setup_fixed.report.bytes_down, pull_visits_down,
      Ratio(static_cast<double>(pull_visits_down), static_cast<double>(records_gzip)));
  const double pull_vs_best = Ratio(static_cast<double>(pull.report.bytes_down), static_cast<double>(ref.best()));
  std::printf(
      "s2_pull_B bytes_down=%zu best_reference=%zu ratio_down_vs_best=%.3f <=1.1: %s (visits only, minus C: %.3f)\n",
      pull.report.bytes_down, ref.best(), pull_vs_best, Verdict(pull_vs_best <= 1.1),
      Ratio(static_cast<double>(pull_visits_down), static_cast<double>(ref.best())));
  // ---- issue 14, pages by bytes: the fresh pull's requests (target <= 3) ----
  {
    std::string asked;  // page_bytes of each request as the tap saw it
    for (const json& j : pull.up.docs) asked += (asked.empty() ? "" : ",") + j.value("page_bytes", json(0)).dump();
    std::printf("s2_pull_B pages_by_bytes requests=%d wire_requests=%zu page_bytes=%s requests<=3: %s\n",
                pull.report.requests, pull.up.messages, asked.empty() ? "-" : asked.c_str(),
                Verdict(pull.report.requests <= 3));
  }
  {
    int same = 0;
    for (const std::string& id : visit_ids) {
      Result<Record> ra = a.store->Get(RecordType::kVisit, id), rb = b.store->Get(RecordType::kVisit, id);
      if (ra.ok() && rb.ok() && ra->fields == rb->fields) ++same;
    }
    std::printf("s2_pull_B check: %d of %d visits on B equal A's%s\n", same, opt.visits,
                same == opt.visits ? "" : "  <-- DATA DIFFERS");
  }
  std::fflush(stdout);

  // ---- 3. A edits the notes of `edits` visits; A pushes, B pulls ----
  std::printf("\n== 3 edit: A rewrites the notes of %d visits; A syncs (push), then B syncs (pull)\n", opt.edits);
  const EditRound first_edit = RunEditRound("s3_edit", &a, &b, tap.get(), &maker, visit_ids, opt.edits,
                                            static_cast<size_t>(opt.notes_bytes), opt.seed * 131 + 9);
  const Measured& edit_push = first_edit.push;
  const Measured& edit_pull = first_edit.pull;
  const size_t baseline = first_edit.baseline;
  std::printf("edit changed_values_raw=%zu baseline_gzip=%zu\n", first_edit.raw, baseline);
  PrintMeasured(edit_push);
  PrintMeasured(edit_pull);
  std::printf("s3_edit_pull_B check: %d of %d edited notes on B%s\n", first_edit.same, opt.edits,
              first_edit.same == opt.edits ? "" : "  <-- DATA DIFFERS");
  const double edit_up = static_cast<double>(edit_push.report.bytes_up);
  const double edit_down = static_cast<double>(edit_pull.report.bytes_down);
  const double edit_all = static_cast<double>(edit_push.report.bytes_up + edit_push.report.bytes_down +
                                              edit_pull.report.bytes_up + edit_pull.report.bytes_down);
  const double r_up = Ratio(edit_up, static_cast<double>(baseline));
  const double r_down = Ratio(edit_down, static_cast<double>(baseline));
  const double r_both = Ratio(edit_up + edit_down, static_cast<double>(baseline));
  std::printf(
      "edit ratio_A_up=%.3f ratio_B_down=%.3f ratio_A_up_plus_B_down=%.3f (the values cross twice: per "
      "crossing %.3f) ratio_all_four_directions=%.3f\n",
      r_up, r_down, r_both, r_both / 2, Ratio(edit_all, static_cast<double>(baseline)));
  std::fflush(stdout);

  // ---- 3b. Issue 14's case: ~100 characters changed in each of `edits` notes ----
  std::printf("\n== 3b small edits: A changes ~100 characters (3 places) in the notes of %d visits; A syncs, then B\n",
              opt.edits);
  const SmallEditRound small = RunSmallEditRound(&a, &b, tap.get(), &maker, visit_ids, opt.edits, opt.seed * 137 + 11);
  PrintMeasured(small.push);
  PrintMeasured(small.pull);
  const double small_up =
      Ratio(static_cast<double>(small.push.report.bytes_up), static_cast<double>(small.changed_chars));
  const double small_down =
      Ratio(static_cast<double>(small.pull.report.bytes_down), static_cast<double>(small.changed_chars));
  std::printf(
      "s3b changed_chars=%zu (sum of the edit sizes) notes_whole_bytes=%zu text_delta_json=%zu (%d of %d notes as "
      "deltas) bytes_up=%zu ratio_up_vs_changed=%.2f <=3: %s bytes_down=%zu ratio_down_vs_changed=%.2f\n",
      small.changed_chars, small.notes_bytes, small.delta_json, small.deltas, opt.edits, small.push.report.bytes_up,
      small_up, Verdict(small_up <= 3), small.pull.report.bytes_down, small_down);
  std::printf("s3b_small_edit_pull_B check: %d of %d edited notes on B%s\n", small.same, opt.edits,
              small.same == opt.edits ? "" : "  <-- DATA DIFFERS");
  std::fflush(stdout);

  // ---- 4. No-op syncs ----
  std::printf("\n== 4 no-op: A syncs, then B syncs, with nothing new anywhere\n");
  Measured noop_a = RunSync("s4_noop_A", &a, tap.get());
  PrintMeasured(noop_a);
  Measured noop_b = RunSync("s4_noop_B", &b, tap.get());
  PrintMeasured(noop_b);
  std::vector<double> noop_ms;
  {
    // Wall time of one no-op is a few ms and noisy: repeat it.
    size_t up = 0, down = 0;
    int requests = 0;
    for (int i = 0; i < 20; ++i) {
      Measured m = RunSync("s4_noop_repeat", i % 2 ? &b : &a, tap.get());
      noop_ms.push_back(m.wall_ms);
      up += m.report.bytes_up;
      down += m.report.bytes_down;
      requests += m.report.requests;
    }
    std::string each;
    for (double x : noop_ms) each += (each.empty() ? "" : ",") + std::to_string(static_cast<int>(std::lround(x)));
    std::printf(
        "s4_noop_repeat syncs=20 (A and B in turn) requests=%d bytes_per_sync up=%.0f down=%.0f wall_ms "
        "min=%.1f median=%.1f max=%.1f each=%s\n",
        requests, static_cast<double>(up) / 20, static_cast<double>(down) / 20,
        *std::min_element(noop_ms.begin(), noop_ms.end()), Median(noop_ms),
        *std::max_element(noop_ms.begin(), noop_ms.end()), each.c_str());
  }
  std::fflush(stdout);

  // ---- 3, again: the spread of the edit ratios ----
  // One edit cycle's ratio depends on how well those 10 notes compress (the
  // envelope and headers are a near-fixed ~1 KB): repeat it with other visits.
  std::vector<double> up_ratios = {r_up}, down_ratios = {r_down};
  int one_request = (edit_push.report.requests == 1) + (edit_pull.report.requests == 1);
  bool rounds_exact = true;  // SyncReport's bytes equal the tap's in every round
  if (opt.edit_rounds > 0) {
    std::printf("\n== 3, repeated: %d more edit cycles of %d other visits each\n", opt.edit_rounds, opt.edits);
    for (int i = 0; i < opt.edit_rounds; ++i) {
      EditRound e = RunEditRound("s3_round", &a, &b, tap.get(), &maker, visit_ids, opt.edits,
                                 static_cast<size_t>(opt.notes_bytes), opt.seed * 131 + 10 + static_cast<uint64_t>(i));
      // Overhead: bytes beyond the baseline (headers, envelope, JSON syntax, gzip framing).
      std::printf(
          "s3_round %2d baseline_gzip=%zu (raw %zu) A_up=%zu (+%lld) B_down=%zu (+%lld) requests=%d+%d "
          "ratio_A_up=%.3f ratio_B_down=%.3f%s\n",
          i + 1, e.baseline, e.raw, e.push.report.bytes_up,
          static_cast<long long>(e.push.report.bytes_up) - static_cast<long long>(e.baseline), e.pull.report.bytes_down,
          static_cast<long long>(e.pull.report.bytes_down) - static_cast<long long>(e.baseline), e.push.report.requests,
          e.pull.report.requests, e.r_up, e.r_down, e.same == opt.edits ? "" : "  <-- DATA DIFFERS");
      up_ratios.push_back(e.r_up);
      down_ratios.push_back(e.r_down);
      one_request += (e.push.report.requests == 1) + (e.pull.report.requests == 1);
      for (const Measured* m : {&e.push, &e.pull}) {
        rounds_exact =
            rounds_exact && (!m->tapped || (m->report.bytes_up == m->wire.up && m->report.bytes_down == m->wire.down));
      }
    }
  }
  auto within = [](const std::vector<double>& v) {
    return static_cast<int>(std::count_if(v.begin(), v.end(), [](double x) { return x <= 1.2; }));
  };
  const int rounds = static_cast<int>(up_ratios.size());
  std::printf(
      "edit_rounds=%d ratio_A_up min=%.3f median=%.3f max=%.3f (<=1.2 in %d) ratio_B_down min=%.3f median=%.3f "
      "max=%.3f (<=1.2 in %d) one_request=%d of %d syncs\n",
      rounds, *std::min_element(up_ratios.begin(), up_ratios.end()), Median(up_ratios),
      *std::max_element(up_ratios.begin(), up_ratios.end()), within(up_ratios),
      *std::min_element(down_ratios.begin(), down_ratios.end()), Median(down_ratios),
      *std::max_element(down_ratios.begin(), down_ratios.end()), within(down_ratios), one_request, 2 * rounds);
  std::fflush(stdout);

  // ---- Where the bytes go ----
  if (tap) {
    std::printf("\n== where the bytes go (from the wire tap)\n");
    const std::string dev_a = a.store->device_id(), dev_b = b.store->device_id();
    std::printf("-- edit cycle\n");
    const double heads = static_cast<double>(edit_push.up.head_bytes + edit_pull.down.head_bytes);
    std::printf(
        "headers: A's edit request %zu B, B's edit response %zu B (%.1f %% of A up + B down); without them "
        "ratio_A_up=%.3f ratio_B_down=%.3f\n",
        edit_push.up.head_bytes, edit_pull.down.head_bytes, 100 * Ratio(heads, edit_up + edit_down),
        Ratio(edit_up - static_cast<double>(edit_push.up.head_bytes), static_cast<double>(baseline)),
        Ratio(edit_down - static_cast<double>(edit_pull.down.head_bytes), static_cast<double>(baseline)));
    for (const auto& [who, bytes, b] : {std::tuple{"A_up", edit_push.report.bytes_up, &edit_push.up},
                                        std::tuple{"B_down", edit_pull.report.bytes_down, &edit_pull.down}}) {
      std::printf("overhead %s - baseline = %lld B = headers %zu + body beyond the baseline %lld (body %zu B)\n", who,
                  static_cast<long long>(bytes) - static_cast<long long>(baseline), b->head_bytes,
                  static_cast<long long>(b->body_bytes) - static_cast<long long>(baseline), b->body_bytes);
    }
    std::printf("bodies: A's edit request %zu B (%s, JSON %zu B); B's edit response %zu B (%s, JSON %zu B)\n",
                edit_push.up.body_bytes, Encodings(edit_push.up).c_str(), edit_push.up.json_bytes,
                edit_pull.down.body_bytes, Encodings(edit_pull.down).c_str(), edit_pull.down.json_bytes);
    PrintChangeFigures("edit_request_A", ChangeFigures(edit_push.up.docs, dev_a));
    PrintChangeFigures("edit_response_A", ChangeFigures(edit_push.down.docs, dev_a));
    PrintChangeFigures("edit_response_B", ChangeFigures(edit_pull.down.docs, dev_b));
    std::printf("one pushed change (A -> server): %s\n", OneChange(edit_push.up.docs).c_str());
    std::printf("one pulled change (server -> B): %s\n", OneChange(edit_pull.down.docs).c_str());
    PrintWhatIf("edit_request_A", edit_push.up.docs, true, edit_push.up.head_bytes, baseline);
    PrintWhatIf("edit_response_B", edit_pull.down.docs, false, edit_pull.down.head_bytes, baseline);

    std::printf("-- initial push and pull\n");
    PrintChangeFigures("s1_request_A", ChangeFigures(push.up.docs, dev_a));
    PrintChangeFigures("s1_response_A", ChangeFigures(push.down.docs, dev_a));
    PrintChangeFigures("s2_response_B", ChangeFigures(pull.down.docs, dev_b));
    PrintWhatIf("s1_request_A", push.up.docs, true, push.up.head_bytes, records_gzip);
    PrintWhatIf("s2_response_B", pull.down.docs, false, pull.down.head_bytes, records_gzip);
    std::printf("connections opened through the tap: s1 push %d for %d requests, s2 pull %d for %d requests\n",
                push.wire.connections, push.report.requests, pull.wire.connections, pull.report.requests);

    std::printf("-- no-op\n");
    if (!noop_a.up.docs.empty()) std::printf("no-op request body:  %s\n", noop_a.up.docs[0].dump().c_str());
    if (!noop_a.down.docs.empty()) std::printf("no-op response body: %s\n", noop_a.down.docs[0].dump().c_str());
    std::printf("no-op A: request %zu B = headers %zu + body %zu (%s); response %zu B = headers %zu + body %zu (%s)\n",
                noop_a.wire.up, noop_a.up.head_bytes, noop_a.up.body_bytes, Encodings(noop_a.up).c_str(),
                noop_a.wire.down, noop_a.down.head_bytes, noop_a.down.body_bytes, Encodings(noop_a.down).c_str());
    std::printf("no-op request head as sent (token masked):\n%s", noop_a.request_head.c_str());
    std::printf("no-op response head as sent:\n%s", noop_a.response_head.c_str());
  }

  // ---- Why the initial pull takes its time: the response encoding ----
  {
    std::printf("\n== response encoding: B's first pull page (cursor 0, limit %d) replayed 3 times per encoding\n",
                sync::kDefaultPullLimit);
    const SyncSettings settings = Check(b.store->replica().GetSyncSettings(), "reading B's sync settings");
    const json request = {{"protocol", sync::kProtocolVersion},
                          {"device_id", b.store->device_id()},
                          {"cursor", 0},
                          {"device_time", FormatUtcMillis(DefaultEnv()->WallMillis())},
                          {"limit", sync::kDefaultPullLimit},
                          {"entries", json::array()}};
    const std::string body = request.dump();
    for (const char* enc : {"deflate, gzip, br, zstd", "gzip", ""}) {
      std::vector<double> ms;
      RawExchange x;
      for (int i = 0; i < 3; ++i) {
        x = RawSync(server.port(), settings.token, body, enc);
        if (x.status != 200) Die("replay answered HTTP " + std::to_string(x.status));
        ms.push_back(x.ms);
      }
      std::printf("replay accept_encoding=\"%s\" -> %s body=%zu head=%zu ms_median=%.1f\n", enc, x.encoding.c_str(),
                  x.body_bytes, x.head_bytes, Median(ms));
    }
    // The same JSON compressed here, to separate compression from the rest.
    if (tap && !pull.down.docs.empty()) {
      const std::string page = pull.down.docs[0].dump(-1, ' ', false, json::error_handler_t::replace);
      for (int q : {11, 9, 5}) {
        const auto t0 = Clock::now();
        const size_t size = Brotli(page, q).size();
        std::printf("local brotli q%d of the first page (%zu B JSON): %zu B in %.1f ms\n", q, page.size(), size,
                    MsBetween(t0, Clock::now()));
      }
      const auto t0 = Clock::now();
      const size_t size = GzipSize(page);
      std::printf("local gzip -6 of the first page: %zu B in %.1f ms\n", size, MsBetween(t0, Clock::now()));
    }
  }

  std::printf("\n== text merge: 100 KB long text, three-way, median of 5 (sync::MergeText alone)\n");
  const TextMergeFigures tm = MeasureTextMerge(5);
  std::printf("scattered edits on both sides: %s in %.1f ms\n", tm.scattered_merged ? "merged" : "NOT MERGED",
              tm.scattered_ms);
  std::printf("rewritten on both sides: %s in %.1f ms\n", tm.pathological_refused ? "given up" : "MERGED",
              tm.pathological_ms);

  std::printf("\n== text delta: sync::MakeTextDelta alone, median of 5\n");
  const TextDeltaFigures td = MeasureTextDelta(5);
  std::printf("10 KB note, 20 scattered edits: %zu B delta in %.2f ms\n", td.scattered_10k_bytes, td.scattered_10k_ms);
  std::printf("10 KB note against an unrelated one: %s in %.2f ms\n", td.rewritten_refused ? "no delta" : "A DELTA",
              td.rewritten_10k_ms);
  std::printf("100 KB note, 20 scattered edits: %.2f ms\n", td.scattered_100k_ms);

  // ---- Summary ----
  auto row = [](const char* name, const Measured& m, const std::string& ratio, const std::string& target) {
    std::printf("%-34s %8d %12zu %12zu %10.1f  %-22s %s\n", name, m.report.requests, m.report.bytes_up,
                m.report.bytes_down, m.wall_ms, ratio.c_str(), target.c_str());
  };
  auto fmt = [](const char* f, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, x);
    return std::string(buf);
  };
  std::printf("\n== summary (bytes from SyncReport: on the wire, compressed, with headers)\n");
  std::printf(
      "baselines: records_gzip=%zu (JSON of %d visit records, %zu raw); edit baseline_gzip=%zu (%d new "
      "notes, %zu raw)\n",
      records_gzip, opt.visits, records_json.size(), baseline, opt.edits, first_edit.raw);
  std::printf(
      "issue 14 references: records as JSON lines %zu B -> brotli -q11 %zu, zstd -19 %zu, best %zu; small edits "
      "changed %zu characters\n",
      ref.json_lines, ref.brotli11, ref.zstd19, ref.best(), small.changed_chars);
  std::printf("%-34s %8s %12s %12s %10s  %-22s %s\n", "scenario", "requests", "bytes_up", "bytes_down", "wall_ms",
              "ratio", "target");
  row("0 fresh pull, no visits (C)", setup_fixed, "", "reference");
  row("1 push visits (A)", push, fmt("up/best %.3f", push_vs_best),
      std::string("up<=1.1x best: ") + Verdict(push_vs_best <= 1.1));
  if (push.down.server_timed > 0) {
    std::printf("%-34s %8s %12s %12s %10.1f  %-22s %s\n", "1 push visits, server side", "", "", "", push.down.server_ms,
                "Server-Timing", (std::string("<=500 ms: ") + Verdict(push.down.server_ms <= 500)).c_str());
  }
  row("2 fresh pull (B)", pull, fmt("down/best %.3f", pull_vs_best),
      std::string("requests<=3: ") + Verdict(pull.report.requests <= 3) +
          "; down<=1.1x best: " + Verdict(pull_vs_best <= 1.1));
  row("3 edit push (A)", edit_push, fmt("up/baseline %.3f", r_up),
      std::string("1 request: ") + Verdict(edit_push.report.requests == 1) + "; up<=1.2x: " + Verdict(r_up <= 1.2));
  row("3 edit pull (B)", edit_pull, fmt("down/baseline %.3f", r_down),
      std::string("1 request: ") + Verdict(edit_pull.report.requests == 1) + "; down<=1.2x: " + Verdict(r_down <= 1.2));
  std::printf("%-34s %8s %12s %12s %10s  %-22s %s\n", ("3 edit, all " + std::to_string(rounds) + " rounds").c_str(), "",
              "", "", "", fmt("up median %.3f", Median(up_ratios)).c_str(),
              (std::string("up<=1.2x in ") + std::to_string(within(up_ratios)) + " of " + std::to_string(rounds) +
               " (max " + fmt("%.3f", *std::max_element(up_ratios.begin(), up_ratios.end())) + ")")
                  .c_str());
  std::printf("%-34s %8s %12s %12s %10s  %-22s %s\n", "", "", "", "", "",
              fmt("down median %.3f", Median(down_ratios)).c_str(),
              (std::string("down<=1.2x in ") + std::to_string(within(down_ratios)) + " of " + std::to_string(rounds) +
               " (max " + fmt("%.3f", *std::max_element(down_ratios.begin(), down_ratios.end())) + ")")
                  .c_str());
  std::printf("%-34s %8s %12.0f %12.0f %10s  %-22s %s\n", "3 edit: A up + B down", "", edit_up, edit_down, "",
              fmt("sum/baseline %.3f", r_both).c_str(),
              (std::string("sum<=2x1.2 (crosses twice): ") + Verdict(r_both <= 2.4)).c_str());
  row("3b small edits push (A)", small.push, fmt("up/changed %.2f", small_up),
      std::string("up<=3x changed chars: ") + Verdict(small_up <= 3));
  row("3b small edits pull (B)", small.pull, fmt("down/changed %.2f", small_down), "(no target)");
  row("4 no-op (A)", noop_a, "", std::string("1 request: ") + Verdict(noop_a.report.requests == 1));
  row("4 no-op (B)", noop_b, "", std::string("1 request: ") + Verdict(noop_b.report.requests == 1));
  std::printf("%-34s %8s %12s %12s %10.1f  %-22s %s\n", "4 no-op x20, A and B: median", "", "", "", Median(noop_ms),
              fmt("max %.1f ms", *std::max_element(noop_ms.begin(), noop_ms.end())).c_str(), "");
  std::printf("%-34s %8s %12s %12s %10.1f  %-22s %s\n", "text merge 100 KB, scattered", "", "", "", tm.scattered_ms,
              tm.scattered_merged ? "merged" : "NOT MERGED", (std::string("<=50 ms: ") + Verdict(tm.scattered_ms <= 50)).c_str());
  std::printf("%-34s %8s %12s %12s %10.1f  %-22s %s\n", "text merge 100 KB, rewritten", "", "", "",
              tm.pathological_ms, tm.pathological_refused ? "given up" : "MERGED",
              (std::string("<=500 ms: ") + Verdict(tm.pathological_ms <= 500)).c_str());
  std::printf("%-34s %8s %12s %12s %10.2f  %-22s %s\n", "text delta 10 KB, 20 edits", "", "", "",
              td.scattered_10k_ms, ("delta " + std::to_string(td.scattered_10k_bytes) + " B").c_str(), "");
  std::printf("%-34s %8s %12s %12s %10.2f  %-22s %s\n", "text delta 10 KB, unrelated", "", "", "",
              td.rewritten_10k_ms, td.rewritten_refused ? "no delta" : "A DELTA", "");
  if (tap) {
    bool exact = rounds_exact;
    for (const Measured* m :
         std::initializer_list<const Measured*>{&setup_pull, &setup_sites, &setup_fixed, &push, &pull, &edit_push,
                                                &edit_pull, &small.push, &small.pull, &noop_a, &noop_b}) {
      exact = exact && m->report.bytes_up == m->wire.up && m->report.bytes_down == m->wire.down;
    }
    std::printf("SyncReport bytes vs the wire tap: %s\n",
                exact ? "identical in every scenario" : "DIFFER (see report/wire lines above)");
  }
  std::printf("%s\n", MachineLine(load_start).c_str());
  std::printf("files: %s%s\n", dir.c_str(), remove_dir ? " (removed)" : "");
  std::fflush(stdout);

  for (Device* d : {&a, &b, &c}) d->client.reset();  // closes kept-alive connections
  tap.reset();
  server.Stop();
  if (remove_dir) fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_sync_bench");
  return ccfield::bench::Run(ccfield::bench::ParseOptions(argc, argv));
}
