// ccfield_photo_sync_bench: photos over a 2G link (issue 12). A real
// ccfield-server process (spawned on 127.0.0.1 in a temporary data
// directory), real device stores and the real sync client, talking through
// the tests' fault-injecting proxy (tests/support/fault_proxy.h) with the 2G
// profile: 12 500 bytes/s each way and 300 ms latency each way (600 ms RTT).
// Photos are phone-like 4000x3000 JPEGs with EXIF from the tests' generator
// (tests/support/test_photos.h), attached with media::AttachPhotoFile.
//
//   1. Ten visits with 3 photos each, attached before the sync: when do the
//      visit records land on the server (the server's own database, polled),
//      against ten visits of the same shape without photos? The photos go in
//      the same sync, after the records; how long they take is printed too.
//   2. The bytes the photo phase puts on the wire (the proxy's count, HTTP
//      headers and every request included) per photo, against the original.
//   3. A cut in the middle of a photo upload, resumed by the next sync:
//      the bytes sent beyond an uncut upload of the same photo.
//
// Prints figures, never asserts on time; the exit code only says whether it
// could run (0) or not (2).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "ccfield/core/photo_store.h"
#include "ccfield/core/sqlite_db.h"
#include "ccfield/core/store.h"
#include "ccfield/core/uuid.h"
#include "ccfield/media/photo_attach.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "ccfield/sync/photo_budget.h"
#include "fault_proxy.h"
#include "test_photos.h"
#include "visit_generator.h"

#ifndef CCFIELD_SERVER_PATH
#error "CCFIELD_SERVER_PATH must name the ccfield-server binary (bench/CMakeLists.txt sets it)"
#endif

namespace ccfield::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sync::SyncClient;
using sync::SyncOutcome;
using sync::SyncReport;
using testing::FaultProxy;
using testing::ProxyFaults;

// ---- Options ----------------------------------------------------------------

struct Options : CommonOptions {
  int visits = 10;
  int photos_per_visit = 3;
  int photo_visits = -1;             // visits that get photos; -1: all
  int64_t bytes_per_second = 12500;  // the 2G profile: ~100 kbit/s each way
  int latency_ms = 300;              // each way: 600 ms RTT
  int baseline_runs = 3;
  std::string photo_dir;  // --photos-dir; "": DIR/photos
  int width = 4000, height = 3000, quality = 92;
};

void Usage() {
  std::printf(
      "usage: ccfield_photo_sync_bench [--visits N] [--photos-per-visit N] [--photo-visits N]\n"
      "         [--bytes-per-second N] [--latency-ms N] [--baseline-runs N] [--size WxH] [--quality Q]\n"
      "         [--photos-dir D]\n"
      "         [--quick] [--dir DIR] [--keep] [--seed N]\n"
      "  --visits N            visits per scenario-1 sync (default 10)\n"
      "  --photos-per-visit N  photos attached to each visit that gets photos (default 3)\n"
      "  --photo-visits N      visits that get photos (default: all; --quick: 2)\n"
      "  --bytes-per-second N  the link's bandwidth each way (default 12500; --quick: 50000)\n"
      "  --latency-ms N        the link's delay each way (default 300)\n"
      "  --baseline-runs N     syncs of visits without photos (default 3)\n"
      "  --size WxH            the photos' size (default 4000x3000)\n"
      "  --quality Q           the photos' JPEG quality (default 92)\n"
      "  --photos-dir D        where the photos are made, or reused from an earlier run (default DIR/photos)\n"
      "  --quick               2 visits with photos (6 photos) and a 4x faster link (50 000 bytes/s)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool bps_given = false, photo_visits_given = false;
  for (ArgReader args(argc, argv); args.Next();) {
    if (args.Common(&o, Usage)) continue;
    if (args.Is("--visits")) {
      o.visits = static_cast<int>(args.Int(1000));
    } else if (args.Is("--photos-per-visit")) {
      o.photos_per_visit = static_cast<int>(args.Int(20));
    } else if (args.Is("--photo-visits")) {
      o.photo_visits = static_cast<int>(args.Int(1000));
      photo_visits_given = true;
    } else if (args.Is("--bytes-per-second")) {
      o.bytes_per_second = args.Int(int64_t{1} << 30);
      bps_given = true;
    } else if (args.Is("--latency-ms")) {
      o.latency_ms = static_cast<int>(args.Int(10000));
    } else if (args.Is("--baseline-runs")) {
      o.baseline_runs = static_cast<int>(args.Int(100));
    } else if (args.Is("--size")) {
      std::string v = args.Value();
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 1 || o.height < 1) {
        Die("--size takes WxH, e.g. 4000x3000");
      }
    } else if (args.Is("--quality")) {
      o.quality = static_cast<int>(args.Int(100));
    } else if (args.Is("--photos-dir")) {
      o.photo_dir = args.Value();
    } else {
      args.Unknown(Usage);
    }
  }
  if (o.quick && !bps_given) o.bytes_per_second = 50000;
  if (o.quick && !photo_visits_given) o.photo_visits = 2;
  if (o.photo_visits < 0 || o.photo_visits > o.visits) o.photo_visits = o.visits;
  if (o.visits < 1 || o.baseline_runs < 1) Die("--visits and --baseline-runs must be at least 1");
  if (o.photo_visits * o.photos_per_visit < 1) Die("scenario 1 needs at least one photo");
  return o;
}

// ---- The server ---------------------------------------------------------------

// A ccfield-server in DIR/server (admin commands, then one serving process on
// 127.0.0.1 with a free port); its standard error goes to DIR/server.log.
class Server {
 public:
  explicit Server(const std::string& dir) : data_(dir + "/server"), log_(dir + "/server.log") {}
  ~Server() { Stop(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::string Admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CCFIELD_SERVER_PATH, "--data", data_, "--password-cost", "test", "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto [code, out] = RunCommand(argv, LogStderr());
    if (code != 0) Die("ccfield-server admin " + args[0] + " failed (see " + log_ + ")");
    return TrimRight(out);
  }

  // The bench pushes more than a person does in a minute: write quotas off.
  void Start() {
    const Spawned s = Spawn({CCFIELD_SERVER_PATH, "--data", data_, "--password-cost", "test", "serve", "--port", "0",
                             "--quota-user-changes-per-min", "0", "--quota-workspace-changes-per-min", "0"},
                            LogStderr());
    pid_ = s.pid;
    const std::string out = ReadOutput(s.out_fd, 10, true);
    const std::string prefix = "listening on 127.0.0.1:";
    if (out.rfind(prefix, 0) != 0) Die("ccfield-server did not start; it said \"" + out + "\" (see " + log_ + ")");
    port_ = std::atoi(TrimRight(out.substr(prefix.size())).c_str());
  }

  void Stop() {
    if (pid_ > 0) bench::Stop(pid_, SIGTERM, 5);
    pid_ = 0;
  }

  int port() const { return port_; }
  std::string db_path() const { return data_ + "/server.db"; }

 private:
  SpawnOptions LogStderr() const {
    SpawnOptions o;
    o.stderr_path = log_;
    return o;
  }

  const std::string data_, log_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// A read-only look into an SQLite file (the server's or a device's), for
// what neither exposes while a sync runs: records landed, blob progress.
class Peek {
 public:
  explicit Peek(const std::string& path) {
    sql::OpenOptions o;
    o.path = path;
    o.read_only = true;
    db_ = Check(sql::Db::Open(o), "opening " + path + " read-only");
  }
  // The first column of the first row (0 when no row).
  int64_t Int(const std::string& query, const std::string& arg = "") {
    sql::Stmt q = Check(db_->Prepare(query), "preparing " + query);
    if (!arg.empty()) q.Bind(1, arg);
    return Check(q.Step(), "running " + query) ? q.Int(0) : 0;
  }

 private:
  std::unique_ptr<sql::Db> db_;
};

// How many of `ids` the server holds as visit records.
int64_t VisitsOnServer(Peek* server, const std::vector<std::string>& ids) {
  std::string in;
  for (const std::string& id : ids) in += (in.empty() ? "'" : ",'") + id + "'";
  return server->Int("SELECT count(*) FROM records WHERE type = 'visit' AND id IN (" + in + ")");
}

// ---- Devices --------------------------------------------------------------------

// A device: its own data directory (the store file and its blobs), the
// bench's connection for local edits, and fresh sync clients on demand.
struct Device {
  Device(const std::string& root, std::string user, std::string workspace)
      : user(std::move(user)), workspace_id(std::move(workspace)), path(root + "/" + this->user + "/ccfield.db") {
    fs::create_directories(root + "/" + this->user);
    StoreOptions o;
    o.path = path;
    store = Check(Store::Open(DefaultEnv(), o), "opening the store of " + this->user + "'s device");
    store->SetAuthor(this->user);
  }

  // A 2G link is metered; the default photo rule (always) sends anyway.
  std::unique_ptr<SyncClient> Client(bool photos) {
    sync::SyncClientOptions o;
    o.photos = photos;
    o.link_metered = [] { return LinkMetered::kMetered; };
    return Check(SyncClient::Open(DefaultEnv(), path, std::move(o)), "opening a sync client");
  }

  // Logs in, pulls the workspace, makes one site and pushes it (records only).
  void SetUp(const std::string& url, const std::string& password) {
    Check(Client(false)->Login(url, user, password, "bench tablet " + user), "login of " + user);
    Check(Client(false)->SyncNow(), "first pull of " + user);
    site_id = NewUuid(DefaultEnv());
    Check(store->Commit({SetFields{RecordType::kSite,
                                   site_id,
                                   {{"workspace_id", workspace_id},
                                    {"name", "Kariakoo drain " + user},
                                    {"kind", "drain"},
                                    {"ward", "Kariakoo"},
                                    {"lat", -6.8161},
                                    {"lon", 39.2804}}}}),
          "making a site");
    Check(Client(false)->SyncNow(), "pushing the site of " + user);
  }

  // `n` drainage visits at the site with ~900-byte notes and a few answers.
  std::vector<std::string> MakeVisits(int n, Rng& rng, const Vocabulary& vocab) {
    std::vector<Op> ops;
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      const int64_t start_ms = 1'767'225'600'000 + rng.Int(0, 300) * int64_t{86'400'000};
      json f = {{"workspace_id", workspace_id},
                {"site_id", site_id},
                {"form", "drainage_flood@1.0"},
                {"status", "complete"},
                {"started_at", LocalTimestamp(start_ms, 180)},
                {"ended_at", LocalTimestamp(start_ms + 40 * 60'000, 180)},
                {"gps_lat", -6.8161 + rng.Real(-0.0005, 0.0005)},
                {"gps_lon", 39.2804 + rng.Real(-0.0005, 0.0005)},
                {"gps_accuracy_m", 8},
                {"gps_source", "gps"},
                {"weather", rng.Pick(kWeather)},
                {"condition_rating", rng.Pick(kCondition)},
                {"language", "en"},
                {"follow_up_needed", false},
                {"notes", Sentences(rng, vocab, vocab.en(), static_cast<size_t>(rng.Int(800, 1000)))},
                {"answers", {{"asset_type", "culvert"}, {"blockage_pct", "lt25"}}}};
      ids.push_back(rng.Uuid());
      ops.push_back(SetFields{RecordType::kVisit, ids.back(), std::move(f)});
    }
    Check(store->Commit(ops), "saving visits");
    return ids;
  }

  std::string user, workspace_id, path, site_id;
  std::unique_ptr<Store> store;
};

// ---- Photos -------------------------------------------------------------------

// `count` distinct phone-like photos (one seed each: distinct pixels, so no
// two send copies share a hash) in `photo_dir`, named by size, quality and
// seed. A file already there under its name is reused (the generator is
// deterministic): photos take seconds each to make. Their paths.
std::vector<std::string> MakePhotos(const Options& o, const std::string& photo_dir, int count, uint32_t first_seed) {
  fs::create_directories(photo_dir);
  std::vector<std::string> paths;
  int made = 0;
  for (int i = 0; i < count; ++i) {
    testing::TestJpegOptions j;
    j.width = o.width, j.height = o.height, j.quality = o.quality;
    j.seed = first_seed + static_cast<uint32_t>(i);
    const std::string path = photo_dir + "/photo-" + std::to_string(o.width) + "x" + std::to_string(o.height) + "-q" +
                             std::to_string(o.quality) + "-s" + std::to_string(j.seed) + ".jpg";
    paths.push_back(path);
    if (FileSize(path) > 0) continue;
    testing::TestExif exif;
    exif.orientation = 6, exif.date_time_original = "2026:10:14 08:05:00", exif.offset_time_original = "+03:00";
    exif.lat = -6.8161, exif.lon = 39.2804, exif.altitude_m = 14;
    exif.make = "ccfield", exif.model = "bench phone", exif.maker_note_bytes = 20000;
    j.exif = exif;
    const std::string bytes = testing::MakeTestJpeg(j);
    std::ofstream(path + ".tmp", std::ios::binary) << bytes;
    if (FileSize(path + ".tmp") != static_cast<int64_t>(bytes.size())) Die("cannot write " + path);
    fs::rename(path + ".tmp", path);
    std::fprintf(stderr, "  generated photo %d/%d (%.1f MB)\n", i + 1, count, double(bytes.size()) / 1e6);
    ++made;
  }
  std::printf("photos: %d generated, %d reused from %s\n", made, count - made, photo_dir.c_str());
  return paths;
}

struct Attached {
  int photos = 0;
  int64_t original_bytes = 0, send_bytes = 0, thumb_bytes = 0;
};

Attached Attach(Device* d, const std::string& visit_id, const std::string& path, Attached sum) {
  media::AttachRequest req;
  req.parent_type = RecordType::kVisit;
  req.parent_id = visit_id;
  req.caption = "culvert inlet, object for scale";
  media::AttachResult r = Check(media::AttachPhotoFile(d->store.get(), DefaultEnv(), req, path), "attaching " + path);
  ++sum.photos;
  sum.original_bytes += r.original_bytes, sum.send_bytes += r.send_bytes, sum.thumb_bytes += r.thumb_bytes;
  return sum;
}

// ---- One measured sync -----------------------------------------------------------

struct Timed {
  double land_ms = -1;                             // from the start until the server held every visit
  double end_ms = 0;                               // until SyncNow returned (the photos too)
  int64_t up = 0, down = 0;                        // proxy bytes during the whole sync
  int64_t up_after_land = 0, down_after_land = 0;  // ... after the visits landed
  SyncOutcome outcome;
};

// Runs one Sync of `client` on a thread while this one polls the server's
// database (every 5 ms) for `visit_ids`. `progress`, when set, is called
// about every 15 s with the elapsed seconds.
Timed TimedSync(SyncClient* client, FaultProxy* proxy, Peek* server, const std::vector<std::string>& visit_ids,
                const std::function<void(double)>& progress = {}) {
  Timed t;
  std::atomic<bool> done{false};
  const int64_t up0 = proxy->bytes_up(), down0 = proxy->bytes_down();
  int64_t up_land = 0, down_land = 0;
  const Clock::time_point t0 = Clock::now();
  std::thread worker([&] {
    t.outcome = client->Sync();
    done = true;
  });
  double next_progress = 15000;
  while (!done) {
    const double ms = MsBetween(t0, Clock::now());
    if (t.land_ms < 0 && VisitsOnServer(server, visit_ids) == static_cast<int64_t>(visit_ids.size())) {
      t.land_ms = ms;
      up_land = proxy->bytes_up(), down_land = proxy->bytes_down();
    }
    if (progress && ms >= next_progress) {
      progress(ms / 1000);
      next_progress += 15000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  worker.join();
  t.end_ms = MsBetween(t0, Clock::now());
  if (t.land_ms < 0 && VisitsOnServer(server, visit_ids) == static_cast<int64_t>(visit_ids.size())) {
    t.land_ms = t.end_ms;  // landed in the last 5 ms
    up_land = proxy->bytes_up(), down_land = proxy->bytes_down();
  }
  t.up = proxy->bytes_up() - up0, t.down = proxy->bytes_down() - down0;
  t.up_after_land = proxy->bytes_up() - up_land, t.down_after_land = proxy->bytes_down() - down_land;
  return t;
}

ProxyFaults Link2G(const Options& o) {
  ProxyFaults f;
  f.bytes_per_second = o.bytes_per_second;
  f.latency_ms = o.latency_ms;
  return f;
}

// ---- The bench ---------------------------------------------------------------------

struct Rig {
  const Options& o;
  FaultProxy* proxy;
  Peek* server_db;
  const Vocabulary& vocab;
};

// Blobs of `d` confirmed on the server, and their confirmed bytes.
std::pair<int64_t, int64_t> BlobsSent(Peek* d) {
  const char* const kWhere = " FROM blob_transfers WHERE direction = 'up' AND state = 'done'";
  return {d->Int(std::string("SELECT count(*)") + kWhere),
          d->Int(std::string("SELECT coalesce(sum(size), 0)") + kWhere)};
}

struct Baseline {
  std::vector<double> land_ms;  // per run
  size_t records_up = 0;        // the last run's records request, bytes up
};

// Scenario 1's baseline: `o.visits` visits without photos, synced over the
// link, `o.baseline_runs` times (new visits each time).
Baseline BaselineRuns(Rig& rig, Device* a, Rng& rng) {
  Baseline b;
  for (int i = 0; i < rig.o.baseline_runs; ++i) {
    const std::vector<std::string> ids = a->MakeVisits(rig.o.visits, rng, rig.vocab);
    Timed t = TimedSync(a->Client(true).get(), rig.proxy, rig.server_db, ids);
    if (!t.outcome.status.ok()) Die("the sync without photos failed: " + t.outcome.status.ToString());
    if (t.land_ms < 0) Die("the visits did not reach the server");
    const SyncReport& r = t.outcome.report;
    b.land_ms.push_back(t.land_ms);
    b.records_up = r.bytes_up;
    std::printf(
        "no_photos run=%d visits_on_server_ms=%.0f sync_ms=%.0f records_requests=%d records_bytes_up=%zu "
        "records_bytes_down=%zu proxy_up=%lld proxy_down=%lld photo_requests=%d\n",
        i + 1, t.land_ms, t.end_ms, r.requests, r.bytes_up, r.bytes_down, static_cast<long long>(t.up),
        static_cast<long long>(t.down), r.photo_requests);
    std::fflush(stdout);
  }
  return b;
}

// Attaches `photos` to `ids`, o.photos_per_visit each, and checks that both
// blobs of each wait for upload.
Attached AttachAll(Rig& rig, Device* a, const std::vector<std::string>& ids, const std::vector<std::string>& photos) {
  Attached sum;
  const Clock::time_point a0 = Clock::now();
  for (size_t k = 0; k < photos.size(); ++k) {
    sum = Attach(a, ids[k / static_cast<size_t>(rig.o.photos_per_visit)], photos[k], sum);
  }
  const int64_t waiting = Check(a->store->photos().CountWaiting(TransferDirection::kUp), "counting photos");
  std::printf(
      "attached %d photos in %.1f s (not part of the figures): originals %lld bytes, send copies %lld, thumbnails "
      "%lld; %lld blobs queued for upload\n",
      sum.photos, MsBetween(a0, Clock::now()) / 1000, static_cast<long long>(sum.original_bytes),
      static_cast<long long>(sum.send_bytes), static_cast<long long>(sum.thumb_bytes), static_cast<long long>(waiting));
  std::fflush(stdout);
  if (waiting != 2 * sum.photos) Die("the photos are not queued for upload (thumbnail and send copy each)");
  return sum;
}

// The sync of visits `ids` with their photos queued, progress on stderr.
Timed SyncWithPhotos(Rig& rig, Device* a, const std::vector<std::string>& ids, const Attached& sum) {
  Peek device(a->path);
  const std::pair<int64_t, int64_t> sent0 = BlobsSent(&device);
  auto progress = [&](double s) {
    const std::pair<int64_t, int64_t> sent = BlobsSent(&device);
    std::fprintf(stderr, "  %4.0f s: %lld of %d blobs sent (%lld KB), proxy up %lld KB\n", s,
                 static_cast<long long>(sent.first - sent0.first), 2 * sum.photos,
                 static_cast<long long>((sent.second - sent0.second) / 1000),
                 static_cast<long long>(rig.proxy->bytes_up() / 1000));
  };
  std::fprintf(stderr, "syncing %zu visits with %d photos over the link...\n", ids.size(), sum.photos);
  Timed t = TimedSync(a->Client(true).get(), rig.proxy, rig.server_db, ids, progress);
  if (!t.outcome.status.ok()) Die("the sync with photos failed: " + t.outcome.status.ToString());
  if (t.land_ms < 0) Die("the visits did not reach the server");
  const SyncReport& r = t.outcome.report;
  const int64_t left = Check(a->store->photos().CountWaiting(TransferDirection::kUp), "counting photos");
  std::printf(
      "with_photos visits_on_server_ms=%.0f sync_ms=%.0f photos_after_records_s=%.1f records_requests=%d "
      "records_bytes_up=%zu records_bytes_down=%zu\n",
      t.land_ms, t.end_ms, (t.end_ms - t.land_ms) / 1000, r.requests, r.bytes_up, r.bytes_down);
  std::printf(
      "with_photos photo_requests=%d blobs_up=%lld refused=%lld held=%lld left_waiting=%lld photo_bytes_up=%lld "
      "photo_bytes_down=%lld yields=%d (SyncReport, libcurl's count)\n",
      r.photo_requests, static_cast<long long>(r.photos_up), static_cast<long long>(r.photos_refused),
      static_cast<long long>(r.photos_held), static_cast<long long>(left), static_cast<long long>(r.photo_bytes_up),
      static_cast<long long>(r.photo_bytes_down), r.photo_yields);
  std::printf("with_photos proxy_up=%lld proxy_down=%lld after_visits_landed: proxy_up=%lld proxy_down=%lld\n",
              static_cast<long long>(t.up), static_cast<long long>(t.down), static_cast<long long>(t.up_after_land),
              static_cast<long long>(t.down_after_land));
  if (left != 0 || r.photos_refused != 0) Die("not every photo reached the server");
  // One status question per client and one offset question per blob; the rest are chunks.
  const int64_t puts = r.photo_requests - 1 - r.photos_up;
  std::printf("with_photos chunks=%lld (thumbnails %d, send copies %lld: %.2f per send copy of %.0f bytes)\n",
              static_cast<long long>(puts), sum.photos, static_cast<long long>(puts - sum.photos),
              double(puts - sum.photos) / sum.photos, double(sum.send_bytes) / sum.photos);
  return t;
}

// Scenarios 1 and 2: visits without photos (the baseline, several runs),
// then visits with photos attached before the sync.
void RecordsAndPhotos(Rig& rig, Device* a, const std::vector<std::string>& photos) {
  const Options& o = rig.o;
  Rng rng(o.seed * 7919 + 3);
  std::printf("\n== 1 records first: %d visits without photos (%d runs), then %d visits with %zu photos queued\n",
              o.visits, o.baseline_runs, o.visits, photos.size());
  rig.proxy->SetFaults(Link2G(o));
  const Baseline b = BaselineRuns(rig, a, rng);
  const double base = Median(b.land_ms);
  const std::vector<std::string> ids = a->MakeVisits(o.visits, rng, rig.vocab);
  const Attached sum = AttachAll(rig, a, ids, photos);
  const Timed t = SyncWithPhotos(rig, a, ids, sum);
  rig.proxy->SetFaults({});
  const SyncReport& r = t.outcome.report;

  const double ratio = Ratio(t.land_ms, base);
  const double photo_record_bytes = double(r.bytes_up) - double(b.records_up);
  const double per_photo = double(t.up_after_land) / sum.photos;
  const double original = double(sum.original_bytes) / sum.photos;
  const double send = double(sum.send_bytes) / sum.photos, thumb = double(sum.thumb_bytes) / sum.photos;
  const double wire_ratio = Ratio(per_photo, original);
  std::printf(
      "ratio_records_time=%.3f (with photos / median without); the photo records add %.0f bytes to the records "
      "request (%.2f s at the link's rate)\n",
      ratio, photo_record_bytes, photo_record_bytes / double(o.bytes_per_second));
  std::printf(
      "wire_per_photo=%.0f bytes (proxy up after the visits landed / %d: send copy + thumbnail + HTTP) "
      "original=%.0f send_copy=%.0f thumbnail=%.0f ratio_wire_original=%.4f\n",
      per_photo, sum.photos, original, send, thumb, wire_ratio);

  SetSummarySection(1);
  std::string runs;
  for (double v : b.land_ms) runs += (runs.empty() ? "" : "/") + std::to_string(static_cast<int>(v));
  Summary(
      "(1) %d visits on the server: without photos %.0f ms (median of %s), with %d photos queued %.0f ms; "
      "ratio=%.3f  target<=1.10: %s",
      o.visits, base, runs.c_str(), sum.photos, t.land_ms, ratio, Verdict(ratio <= 1.10));
  Summary(
      "    records request up: %zu bytes without photos, %zu with the %d photo records (+%.2f s at the link's rate)",
      b.records_up, r.bytes_up, sum.photos, photo_record_bytes / double(o.bytes_per_second));
  Summary("    the photos then took %.1f s (%d blobs, %d requests); whole sync %.1f s", (t.end_ms - t.land_ms) / 1000,
          static_cast<int>(r.photos_up), r.photo_requests, t.end_ms / 1000);
  SetSummarySection(2);
  Summary(
      "(2) on the wire per photo %.0f bytes (send copy %.0f + thumbnail %.0f + HTTP) vs original %.0f: "
      "ratio=%.4f  target<=0.12: %s",
      per_photo, send, thumb, original, wire_ratio, Verdict(wire_ratio <= 0.12));
}

// ---- 3. A cut in the middle of a photo ------------------------------------------

struct Step {
  double ms = 0;
  int64_t done = 0;      // the send copy's confirmed offset
  int64_t proxy_up = 0;  // the proxy's count when it was seen
};

struct UploadWatch {
  std::vector<Step> steps;  // each change of the confirmed offset
  bool cut = false;
  int64_t up_at_cut = 0, done_at_cut = 0;
  int64_t predicted_chunk = 0;  // the chunk in flight at the cut, by the sizer's rule and the last chunk's time
  size_t steps_before_cut = 0;
};

// The device's send copy upload: its confirmed offset, and when the row last
// changed (the photo queue writes it after the offset question and after
// every confirmed chunk, just before it sends the next chunk).
std::pair<int64_t, int64_t> UploadRow(Peek* device) {
  const std::string where = " FROM blob_transfers WHERE direction = 'up' AND kind = 'full'";
  return {device->Int("SELECT CASE state WHEN 'done' THEN size ELSE done END" + where),
          device->Int("SELECT updated_ms" + where)};
}

// The chunk the photo queue sends after one of `chunk` bytes that took
// `ms` (ChunkSizer, sync/photo_budget.h: double under 2 s, halve over 8 s).
int64_t NextChunk(int64_t chunk, double ms) {
  if (ms < double(sync::ChunkSizer::kFastMs)) return std::min(2 * chunk, sync::ChunkSizer::kMax);
  if (ms > double(sync::ChunkSizer::kSlowMs)) return std::max(chunk / 2, sync::ChunkSizer::kMin);
  return chunk;
}

// Polls the device's send-copy upload (every 5 ms) until *stop. With
// `cut`: once the chunk after a confirmed one holds the blob's middle byte,
// waits until half of that chunk has crossed the link and then cuts every
// connection, open and new (libcurl quietly retries a request cut on a
// reused connection on a fresh one: that one is cut too, so the sync fails
// and the next sync resumes).
void Watch(Peek* device, FaultProxy* proxy, ProxyFaults link, int64_t size, bool cut, const std::atomic<bool>* stop,
           UploadWatch* w) {
  const Clock::time_point t0 = Clock::now();
  std::pair<int64_t, int64_t> last{-1, -1};
  int64_t mark = -1, half_chunk = 0;
  while (!*stop) {
    const std::pair<int64_t, int64_t> row = UploadRow(device);
    if (row != last) {
      w->steps.push_back({MsBetween(t0, Clock::now()), row.first, proxy->bytes_up()});
      const size_t n = w->steps.size();
      const int64_t chunk = n >= 2 ? row.first - w->steps[n - 2].done : 0;
      if (cut && mark < 0 && chunk > 0) {
        // The next request: the sizer's next size, or what is left.
        const int64_t next = NextChunk(chunk, w->steps[n - 1].ms - w->steps[n - 2].ms);
        const int64_t body = std::min(next, size - row.first);
        if (row.first + body > size / 2) {  // it holds the blob's middle byte
          mark = proxy->bytes_up();
          half_chunk = body / 2;
          w->predicted_chunk = next;
        }
      }
      last = row;
    }
    if (mark >= 0 && !w->cut && proxy->bytes_up() >= mark + half_chunk) {
      link.cut_up_after = 0;
      link.cut_connections = -1;
      proxy->SetFaults(link);
      w->cut = true;
      w->up_at_cut = proxy->bytes_up();
      w->done_at_cut = row.first;
      w->steps_before_cut = w->steps.size();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A visit with `photo` on `d`, its records pushed at full speed: only the
// photo waits. The send copy's size.
int64_t PreparePhoto(Rig& rig, Device* d, const std::string& photo) {
  Rng rng(rig.o.seed * 31 + static_cast<uint64_t>(d->user.size()));
  const std::vector<std::string> ids = d->MakeVisits(1, rng, rig.vocab);
  const Attached at = Attach(d, ids[0], photo, {});
  Check(d->Client(false)->SyncNow(), "pushing the records of " + d->user);
  return at.send_bytes;
}

// The confirmed chunks between steps [from, to) in bytes: "32768,32768,...".
std::string StepSizes(const std::vector<Step>& steps, size_t from, size_t to) {
  std::string out;
  for (size_t i = std::max<size_t>(from, 1); i < std::min(to, steps.size()); ++i) {
    const int64_t chunk = steps[i].done - steps[i - 1].done;
    if (chunk != 0) out += (out.empty() ? "" : ",") + std::to_string(chunk);
  }
  return out.empty() ? "-" : out;
}

// The uncut upload of `d`'s waiting photo: one sync over the link. Its
// proxy bytes up.
int64_t UncutUpload(Rig& rig, Device* d, int64_t size) {
  const ProxyFaults link = Link2G(rig.o);
  rig.proxy->SetFaults(link);
  Peek db(d->path);
  std::atomic<bool> stop{false};
  UploadWatch w;
  std::thread watch(Watch, &db, rig.proxy, link, size, false, &stop, &w);
  const int64_t up0 = rig.proxy->bytes_up();
  SyncOutcome u = d->Client(true)->Sync();
  stop = true;
  watch.join();
  const int64_t up = rig.proxy->bytes_up() - up0;
  if (!u.status.ok() || u.report.photos_up != 2) Die("the uncut upload failed: " + u.status.ToString());
  std::printf("uncut send_copy=%lld proxy_up=%lld photo_requests=%d chunks=%s\n", static_cast<long long>(size),
              static_cast<long long>(up), u.report.photo_requests, StepSizes(w.steps, 0, w.steps.size()).c_str());
  return up;
}

struct CutRun {
  UploadWatch w;
  int64_t up = 0;             // proxy bytes up over both syncs
  int64_t up_first = 0;       // ... until the cut sync ended
  int64_t in_flight = 0;      // the chunk in flight at the cut
  int64_t resumed_chunk = 0;  // the resumed upload's first chunk
  bool resume_tells = false;  // whether in_flight = 2 * resumed_chunk
};

// The cut upload of `d`'s waiting photo: one sync cut mid-chunk (Watch),
// then the next sync of the same client resumes it.
CutRun CutAndResume(Rig& rig, Device* d, int64_t size) {
  const ProxyFaults link = Link2G(rig.o);
  rig.proxy->SetFaults(link);
  Peek db(d->path);
  std::atomic<bool> stop{false};
  CutRun c;
  std::thread watch(Watch, &db, rig.proxy, link, size, true, &stop, &c.w);
  std::unique_ptr<SyncClient> client = d->Client(true);
  const int64_t up0 = rig.proxy->bytes_up(), cuts0 = rig.proxy->cuts();
  SyncOutcome first = client->Sync();
  rig.proxy->SetFaults(link);
  c.up_first = rig.proxy->bytes_up() - up0;
  SyncOutcome resumed = client->Sync();
  rig.proxy->SetFaults({});
  stop = true;
  watch.join();
  c.up = rig.proxy->bytes_up() - up0;
  if (!c.w.cut) Die("the upload finished before the bench could cut it; use a bigger photo");
  if (first.status.ok()) Die("the cut did not fail the first sync (libcurl recovered on its own)");
  if (!resumed.status.ok() || resumed.report.photos_up != 1) {
    Die("the resumed upload failed: " + resumed.status.ToString());
  }
  // The chunk in flight at the cut, two ways: twice the first chunk of the
  // resumed upload (the sizer halves after a cut, never below its minimum)
  // unless the blob's end cut that one short or it is the minimum; else the
  // sizer's rule applied to the last confirmed chunk's time (as polled).
  for (size_t i = c.w.steps_before_cut; i < c.w.steps.size() && c.resumed_chunk == 0; ++i) {
    c.resumed_chunk = c.w.steps[i].done - c.w.steps[i - 1].done;
  }
  c.resume_tells = c.resumed_chunk > sync::ChunkSizer::kMin && c.w.done_at_cut + c.resumed_chunk < size;
  c.in_flight = c.resume_tells ? 2 * c.resumed_chunk : c.w.predicted_chunk;
  std::printf(
      "cut first_sync=\"%s\" cuts=%lld confirmed_at_cut=%lld of %lld, bytes of the cut request that crossed=%lld\n",
      first.status.ToString().c_str(), static_cast<long long>(rig.proxy->cuts() - cuts0),
      static_cast<long long>(c.w.done_at_cut), static_cast<long long>(size),
      static_cast<long long>(c.w.up_at_cut - c.w.steps[c.w.steps_before_cut - 1].proxy_up));
  std::printf("cut resumed sync: requests=%d photo_requests=%d proxy_up=%lld\n", resumed.report.requests,
              resumed.report.photo_requests, static_cast<long long>(c.up - c.up_first));
  return c;
}

void CutMidPhoto(Rig& rig, Device* uncut, Device* cut, const std::string& photo) {
  std::printf("\n== 3 a cut mid-photo: the same photo uploaded uncut (%s) and cut once in the middle (%s)\n",
              uncut->user.c_str(), cut->user.c_str());
  const int64_t size = PreparePhoto(rig, uncut, photo);
  PreparePhoto(rig, cut, photo);
  const int64_t uncut_up = UncutUpload(rig, uncut, size);
  const CutRun c = CutAndResume(rig, cut, size);
  const int64_t extra = c.up - uncut_up;
  std::printf(
      "cut chunks_before=%s chunks_after=%s chunk_in_flight=%lld (by the sizer's rule and the last chunk's time: "
      "%lld; twice the first resumed chunk: %s)\n",
      StepSizes(c.w.steps, 0, c.w.steps_before_cut).c_str(),
      StepSizes(c.w.steps, c.w.steps_before_cut, c.w.steps.size()).c_str(), static_cast<long long>(c.in_flight),
      static_cast<long long>(c.w.predicted_chunk),
      c.resume_tells ? std::to_string(2 * c.resumed_chunk).c_str() : "- (not telling: short or minimum)");
  std::printf("cut proxy_up: until the cut sync ended=%lld, total=%lld; uncut=%lld; extra=%lld\n",
              static_cast<long long>(c.up_first), static_cast<long long>(c.up), static_cast<long long>(uncut_up),
              static_cast<long long>(extra));
  SetSummarySection(3);
  Summary(
      "(3) cut mid-photo at %lld of %lld bytes, resumed by the next sync: %lld bytes up vs %lld uncut, extra=%lld "
      "vs chunk in use=%lld  target<=one chunk: %s",
      static_cast<long long>(c.w.done_at_cut), static_cast<long long>(size), static_cast<long long>(c.up),
      static_cast<long long>(uncut_up), static_cast<long long>(extra), static_cast<long long>(c.in_flight),
      Verdict(extra <= c.in_flight));
}

int Run(const Options& o) {
  ::signal(SIGPIPE, SIG_IGN);
  const std::string load_start = LoadAverage();
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(o.dir, "ccfield_photo_sync_bench", o.keep, &remove_dir);
  if (fs::exists(dir + "/server")) Die(dir + " already holds a run; give an empty --dir");
  const int n_photos = o.photo_visits * o.photos_per_visit;
  std::printf(
      "ccfield_photo_sync_bench dir=%s link: %lld bytes/s each way, %d ms latency each way (%d ms RTT)%s\n"
      "scenario 1: %d visits, %d of them with %d photos (%d photos), %dx%d JPEG q%d with EXIF; seed %llu\n",
      dir.c_str(), static_cast<long long>(o.bytes_per_second), o.latency_ms, 2 * o.latency_ms,
      o.bytes_per_second == 12500 && o.latency_ms == 300 ? " = the 2G profile" : " (NOT the 2G profile)", o.visits,
      o.photo_visits, o.photos_per_visit, n_photos, o.width, o.height, o.quality,
      static_cast<unsigned long long>(o.seed));
  if (o.quick) std::printf("quick: fewer photos and a faster link than the full run; compare with care\n");
  std::printf("server=%s loadavg_start=%s\n", CCFIELD_SERVER_PATH, load_start.c_str());
  std::fflush(stdout);

  const Clock::time_point g0 = Clock::now();
  std::fprintf(stderr, "making %d photos...\n", n_photos + 1);
  const std::vector<std::string> photos = MakePhotos(o, o.photo_dir.empty() ? dir + "/photos" : o.photo_dir,
                                                     n_photos + 1, static_cast<uint32_t>(o.seed) * 1000 + 1);
  std::printf("made %d photos in %.1f s (not part of the figures)\n", n_photos + 1, MsBetween(g0, Clock::now()) / 1000);

  // Three workspaces, one user each: scenario 1 in the first; the uncut and
  // the cut upload of the same photo in the others (a workspace claims a
  // blob only by uploading its bytes, so each pays for the whole photo).
  Server server(dir);
  std::vector<std::string> users = {"alice", "carol", "dave"}, workspaces;
  for (const std::string& u : users) {
    workspaces.push_back(server.Admin({"create-workspace", "Bench municipality " + u, "--country", "TZ"}));
    server.Admin({"create-user", u, "--password", "pw-" + u + "-bench"});
    server.Admin({"add-member", workspaces.back(), u, "--role", "field_staff", "--name", u});
  }
  server.Start();
  FaultProxy proxy(server.port());
  if (!proxy.Start()) Die("cannot start the fault proxy");
  std::printf("server_port=%d proxy=%s\n", server.port(), proxy.url().c_str());
  Device a(dir + "/devices", "alice", workspaces[0]), c(dir + "/devices", "carol", workspaces[1]),
      d(dir + "/devices", "dave", workspaces[2]);
  for (Device* dev : {&a, &c, &d}) dev->SetUp(proxy.url(), "pw-" + dev->user + "-bench");  // full speed
  Peek server_db(server.db_path());
  const Vocabulary vocab = MakeVocabulary();
  Rig rig{o, &proxy, &server_db, vocab};

  RecordsAndPhotos(rig, &a, std::vector<std::string>(photos.begin(), photos.end() - 1));
  CutMidPhoto(rig, &c, &d, photos.back());

  proxy.Stop();
  server.Stop();
  FinishRun(load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_photo_sync_bench");
  return ccfield::bench::Run(ccfield::bench::ParseOptions(argc, argv));
}
