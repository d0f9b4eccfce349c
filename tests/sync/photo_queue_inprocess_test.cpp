// The photo queue against the server's own request handler in-process
// (tests/sync/in_process_transport.h): real device stores and blob files,
// the real ApiHandler and BlobApi with their files in a temp directory, and
// faults on the link that a socket cannot make on demand: requests lost or
// delivered twice, a chunk damaged on the way, a device file and a server
// file damaged on disk, a server without blobs.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "admin.h"
#include "auth.h"
#include "ccfield/core/blob_files.h"
#include "ccfield/sync/client.h"
#include "sqlite_storage.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "sync/in_process_transport.h"

namespace ccfield::sync {
namespace {

using testing::InProcessServer;
using testing::LinkFault;
using testing::LinkFaults;
using testing::TempDir;
using testing::Unwrap;

constexpr const char* kUrl = "http://127.0.0.1:9";
constexpr const char* kPassword = "pw-inprocess-2026";

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Damages one byte of the `nth` PUT body (0: the first) on its way, as a
// bad link might; everything else goes through untouched.
class DamagingTransport final : public Transport {
 public:
  DamagingTransport(std::unique_ptr<Transport> inner, int nth) : inner_(std::move(inner)), nth_(nth) {}
  Result<HttpResult> Post(const std::string& path, const std::string& body, const std::string& token) override {
    return inner_->Post(path, body, token);
  }
  Result<HttpResult> Get(const std::string& path) override { return inner_->Get(path); }
  Result<HttpResult> Send(const HttpRequest& request) override {
    if (request.method != "PUT" || puts_++ != nth_) return inner_->Send(request);
    HttpRequest damaged = request;
    damaged.body[damaged.body.size() / 2] ^= 0x20;
    return inner_->Send(damaged);
  }

 private:
  std::unique_ptr<Transport> inner_;
  int nth_;
  int puts_ = 0;
};

// A server storage with one workspace (alice and bob, field staff), served
// in-process with blobs (or without, as an older server).
struct World {
  explicit World(bool blobs = true) {
    REQUIRE(server::InitCrypto());
    const std::string data = dir.File("server");
    REQUIRE(DefaultEnv()->CreateDirs(data));
    storage = Unwrap(server::SqliteStorage::Open(server::SqliteStorage::PathIn(data)));
    ws = Unwrap(server::CreateWorkspace(storage.get(), DefaultEnv(), "Photo municipality", "TZ", "sw"));
    for (const char* name : {"alice", "bob"}) {
      Unwrap(server::CreateUser(storage.get(), DefaultEnv(), name, kPassword, false,
                                server::PasswordCost::kMinimumForTests));
      Unwrap(server::AddMember(storage.get(), DefaultEnv(), ws, name, "field_staff"));
    }
    server::BlobApiOptions b;
    if (blobs) b.dir = dir.File("server/blobs");
    srv = std::make_unique<InProcessServer>(storage.get(), DefaultEnv(), InProcessServer::TestAuthOptions(),
                                            server::SyncServiceOptions{}, b);
  }

  // A device of `user` in a folder of its own (its blobs beside its store).
  struct Device {
    TempDir dir;
    std::string path = dir.File("ccfield.db");
    LinkFaults faults{7};
    std::unique_ptr<SyncClient> client;
    std::unique_ptr<Store> store;
    BlobFiles Blobs() { return BlobFiles(DefaultEnv(), store->photos().BlobDir()); }
  };

  std::unique_ptr<Device> NewDevice(const std::string& user, int damage_put = -1) {
    auto d = std::make_unique<Device>();
    SyncClientOptions o;
    o.link_metered = [] { return LinkMetered::kUnmetered; };
    sync::TransportFactory plain = srv->Factory(&d->faults);
    o.transport_factory = [plain, damage_put](const TransportConfig& c) -> Result<std::unique_ptr<Transport>> {
      CCF_ASSIGN_OR_RETURN(std::unique_ptr<Transport> t, plain(c));
      if (damage_put < 0) return t;
      return std::unique_ptr<Transport>(std::make_unique<DamagingTransport>(std::move(t), damage_put));
    };
    d->client = Unwrap(SyncClient::Open(DefaultEnv(), d->path, o));
    Unwrap(d->client->Login(kUrl, user, kPassword, "tablet " + user));
    d->store = testing::OpenStore(DefaultEnv(), d->path);
    REQUIRE_OK(d->client->SyncNow());
    return d;
  }

  TempDir dir;
  std::unique_ptr<server::SqliteStorage> storage;
  std::string ws;
  std::unique_ptr<InProcessServer> srv;
};

struct Photo {
  std::string id, full, thumb, full_hash, thumb_hash;
};

Photo Attach(World::Device& d, const std::string& site_id, size_t full_bytes, uint64_t seed) {
  Photo p;
  p.full = RandomBytes(full_bytes, seed);
  p.thumb = RandomBytes(4000, seed + 1);
  BlobFiles blobs = d.Blobs();
  p.full_hash = Unwrap(blobs.Put(p.full));
  p.thumb_hash = Unwrap(blobs.Put(p.thumb));
  NewPhoto n;
  n.parent_type = RecordType::kSite;
  n.parent_id = site_id;
  n.blob = p.full_hash;
  n.thumb = p.thumb_hash;
  n.bytes = static_cast<int64_t>(p.full.size());
  n.thumb_bytes = static_cast<int64_t>(p.thumb.size());
  n.width = 1600;
  n.height = 900;
  p.id = Unwrap(d.store->photos().Add(n));
  return p;
}

// Syncs until a sync succeeds; REQUIREs that `max_calls` are enough.
SyncReport SyncUntilOk(SyncClient* client, int max_calls) {
  for (int i = 0; i < max_calls; ++i) {
    SyncOutcome out = client->Sync();
    if (out.status.ok()) return out.report;
  }
  FAIL("no sync succeeded in " << max_calls << " calls");
  return {};
}

TEST_CASE("Photo queue in-process: lost answers, duplicates and requests never delivered still move the same bytes") {
  World w;
  auto a = w.NewDevice("alice");
  auto b = w.NewDevice("bob");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-1");
  const Photo p = Attach(*a, site, 300 * 1024 + 11, 1);
  a->faults.SetRandom(0.15, 0.15, 0.15);
  int64_t up = 0;
  for (int i = 0; i < 200 && up < 2; ++i) {
    SyncOutcome out = a->client->Sync();
    up += out.report.photos_up;
  }
  a->faults.SetRandom(0, 0, 0);
  CHECK(up == 2);
  CHECK(a->faults.counts().lost_responses > 0);
  CHECK(a->faults.counts().duplicates > 0);
  CHECK(Unwrap(a->store->photos().Get(p.id, a->Blobs())).state == PhotoState::kSent);

  b->faults.SetRandom(0.15, 0.15, 0.15);
  SyncUntilOk(b->client.get(), 200);
  REQUIRE_OK(b->store->photos().WantFull(p.id));
  int64_t down = 0;
  for (int i = 0; i < 200 && !b->Blobs().Has(p.full_hash); ++i) down += b->client->Sync().report.photos_down;
  CHECK(Unwrap(b->Blobs().Read(p.full_hash)) == p.full);
  CHECK(Unwrap(b->Blobs().Read(p.thumb_hash)) == p.thumb);
}

TEST_CASE("Photo queue in-process: a chunk damaged on the way is sent again") {
  World w;
  auto a = w.NewDevice("alice", /*damage_put=*/2);  // thumbnail, first chunk, then the damaged one
  auto b = w.NewDevice("bob");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-2");
  const Photo p = Attach(*a, site, 200 * 1024, 2);
  SyncReport r = Unwrap(a->client->SyncNow());
  CHECK(r.photos_up == 2);
  CHECK(r.photos_refused == 0);
  // The status, 2 asks, the thumbnail, and the send copy in chunks of 32,
  // 64 (damaged), 64 again and the last 104 KiB.
  CHECK(r.photo_requests == 1 + 2 + 1 + 4);
  REQUIRE_OK(b->client->SyncNow());
  REQUIRE_OK(b->store->photos().WantFull(p.id));
  REQUIRE_OK(b->client->SyncNow());
  CHECK(Unwrap(b->Blobs().Read(p.full_hash)) == p.full);
}

// Regression (photo sync bench, issue 12): every thumbnail doubled the
// chunk size, so after five of them a 2G link got 1 MiB chunks and a cut
// lost a whole photo. Only full-size chunks may grow it.
TEST_CASE("Photo queue in-process: thumbnails and short last pieces do not grow the chunk size") {
  World w;
  auto a = w.NewDevice("alice");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-5");
  for (uint64_t seed = 10; seed < 16; ++seed) Attach(*a, site, 100 * 1024, seed);
  SyncReport r = Unwrap(a->client->SyncNow());
  CHECK(r.photos_up == 12);
  // The status, 12 asks, 6 thumbnails (32 KiB stays), the first send copy
  // in 32, 64 and the last 4 KiB (now 128 KiB), then 5 send copies whole.
  CHECK(r.photo_requests == 1 + 12 + 6 + 3 + 5);
}

TEST_CASE("Photo queue in-process: the site goes in a request before its photo records (text first)") {
  World w;
  auto a = w.NewDevice("alice");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-6");
  const Photo p = Attach(*a, site, 50 * 1024, 30);
  // The link drops the second request: the first carried the site alone.
  a->faults.Arm(LinkFault::kFailBeforeDelivery, 1);
  CHECK_FALSE(a->client->SyncNow().ok());
  CHECK(Unwrap(w.storage->GetRecord(site)).has_value());
  CHECK_FALSE(Unwrap(w.storage->GetRecord(p.id)).has_value());
  SyncReport r = Unwrap(a->client->SyncNow());
  CHECK(r.pushed > 0);
  CHECK(Unwrap(w.storage->GetRecord(p.id)).has_value());
  CHECK(r.photos_up == 2);
  CHECK(Unwrap(a->store->replica().PendingChanges(100)).empty());
}

// Overwrites the middle byte of the file at `path` (same length).
void DamageFile(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  f.seekg(size / 2);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x55);
  f.seekp(size / 2);
  f.write(&c, 1);
  REQUIRE(f.good());
}

TEST_CASE("Photo queue in-process: a damaged file is refused with plain words, on the device and from the server") {
  World w;
  auto a = w.NewDevice("alice");
  auto b = w.NewDevice("bob");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-3");
  const Photo bad = Attach(*a, site, 50000, 3);
  const Photo good = Attach(*a, site, 60000, 4);
  DamageFile(a->Blobs().PathOf(bad.full_hash));
  SyncReport r = Unwrap(a->client->SyncNow());
  CHECK(r.photos_up == 3);  // both thumbnails and the good photo
  CHECK(r.photos_refused == 1);
  PhotoRow row = Unwrap(a->store->photos().Get(bad.id, a->Blobs()));
  CHECK(row.state == PhotoState::kRefused);
  CHECK(row.error ==
        "this photo's file on this device is damaged (its bytes do not match its name); attach the photo again");

  // The server's copy of the good one is damaged on its disk: B throws what
  // it got away, tries once more, then says so.
  int damaged = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(w.dir.File("server/blobs"))) {
    if (e.is_regular_file() && e.path().filename() == good.full_hash) {
      DamageFile(e.path().string());
      ++damaged;
    }
  }
  REQUIRE(damaged == 1);
  REQUIRE_OK(b->client->SyncNow());
  REQUIRE_OK(b->store->photos().WantFull(good.id));
  r = Unwrap(b->client->SyncNow());
  CHECK(r.photos_down == 0);
  CHECK(r.photos_refused == 1);
  CHECK_FALSE(b->Blobs().Has(good.full_hash));
  CHECK(b->Blobs().PartialSize(good.full_hash) == 0);
  CHECK(Unwrap(b->store->photos().Get(good.id, b->Blobs())).error == "the server sent a damaged photo");
}

TEST_CASE("Photo queue in-process: a server without blobs keeps the photos queued and says why") {
  World w(/*blobs=*/false);
  auto a = w.NewDevice("alice");
  const std::string site = testing::AddSite(a->store.get(), DefaultEnv(), w.ws, "Drain D-4");
  const Photo p = Attach(*a, site, 10000, 5);
  SyncReport r = Unwrap(a->client->SyncNow());
  CHECK(r.pushed > 0);
  CHECK(r.photos_up == 0);
  CHECK(r.photos_held == 2);
  CHECK(r.photo_hold == PhotoHold::kNoServer);
  CHECK(r.photo_requests == 1);  // GET /v1/status only
  CHECK(StatusSentence(a->client->Status()).find("2 photos waiting: the server does not take photos yet") !=
        std::string::npos);
  CHECK(Unwrap(a->store->photos().Get(p.id, a->Blobs())).state == PhotoState::kWaiting);
}

}  // namespace
}  // namespace ccfield::sync
