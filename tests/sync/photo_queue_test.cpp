// The photo queue against the real ccfield-server (tests/support/
// server_process.h) through the fault proxy (tests/support/fault_proxy.h):
// real device stores, real blob files, real HTTP on 127.0.0.1. A photo made
// on device A (any bytes: transfer does not look inside) reaches the server
// whole and device B, thumbnail first; cuts up and down resume without
// re-sending more than the chunk in flight; the server's refusals, the data
// rule and the cap hold what they should; records go before a photo
// finishes; a client killed with SIGKILL mid-upload resumes.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/uuid.h"
#include "support/fault_proxy.h"
#include "support/sync_system.h"

namespace ccfield::sync::system_test {
namespace {

#ifdef PHOTO_CHILD_PATH
constexpr const char* kChildPath = PHOTO_CHILD_PATH;
#else
constexpr const char* kChildPath = "";
#endif

using testing::FaultProxy;
using testing::ProxyFaults;

// Requests, headers and the no-op record cycles of a photo run: far below
// one chunk. Bounds "bytes that are not photo bytes" on the proxy.
constexpr int64_t kOverheadBytes = 16 << 10;

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

SyncClientOptions Link(LinkMetered link, bool photos = true) {
  SyncClientOptions o;
  o.photos = photos;
  o.link_metered = [link] { return link; };
  return o;
}

struct Photo {
  std::string id;
  std::string full, thumb;  // the bytes
  std::string full_hash, thumb_hash;
};

BlobFiles BlobsOf(Store* store) { return BlobFiles(DefaultEnv(), store->photos().BlobDir()); }

// Attaches a photo of random bytes (`full_bytes` send copy, `thumb_bytes`
// thumbnail) to `site_id` on `device`.
Photo Attach(SyncDevice& device, const std::string& site_id, size_t full_bytes, size_t thumb_bytes, uint64_t seed) {
  std::unique_ptr<Store> store = device.OpenStore();
  BlobFiles blobs = BlobsOf(store.get());
  Photo p;
  p.full = RandomBytes(full_bytes, seed);
  p.thumb = RandomBytes(thumb_bytes, seed + 1000);
  p.full_hash = Unwrap(blobs.Put(p.full));
  p.thumb_hash = Unwrap(blobs.Put(p.thumb));
  NewPhoto n;
  n.parent_type = RecordType::kSite;
  n.parent_id = site_id;
  n.blob = p.full_hash;
  n.thumb = p.thumb_hash;
  n.bytes = static_cast<int64_t>(full_bytes);
  n.thumb_bytes = static_cast<int64_t>(thumb_bytes);
  n.width = 1600;
  n.height = 1200;
  n.file_name = "photo-" + std::to_string(seed) + ".jpg";
  p.id = Unwrap(store->photos().Add(n));
  return p;
}

PhotoRow RowOf(SyncDevice& device, const std::string& photo_id) {
  std::unique_ptr<Store> store = device.OpenStore();
  return Unwrap(store->photos().Get(photo_id, BlobsOf(store.get())));
}

// A server (with `serve_args`), a proxy in front of it, alice on device A and
// bob on device B logged in through the proxy, and one site of A's on both.
struct PhotoSetup {
  explicit PhotoSetup(std::vector<std::string> serve_args = {}) : server(kServerPath, std::move(serve_args)) {
    REQUIRE(proxy.Start());
    a.LogIn(proxy.url(), "alice");
    b.LogIn(proxy.url(), "bob");
    REQUIRE_OK(a.Client(Link(LinkMetered::kUnmetered, false))->SyncNow());
    std::unique_ptr<Store> store = a.OpenStore();
    site_id = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id, "Culvert C-3");
    PushRecords(a);
  }

  // Sends the records only (the photo records among them).
  void PushRecords(SyncDevice& device) { REQUIRE_OK(device.Client(Link(LinkMetered::kUnmetered, false))->SyncNow()); }

  ServerProcess server;
  FaultProxy proxy{server.port};
  SyncDevice a, b;
  std::string site_id;
};

TEST_CASE("Photo queue: a photo reaches the server whole, B gets the record, the thumbnail, the photo on asking") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  const Photo p = Attach(s.a, s.site_id, 200 * 1024 + 123, 9000, 1);
  {
    auto client = s.a.Client(Link(LinkMetered::kUnmetered));
    SyncReport r = Unwrap(client->SyncNow());
    CHECK(r.pushed > 0);  // the photo record went first, in the same sync
    CHECK(r.photos_up == 2);
    CHECK(r.photos_refused == 0);
    CHECK(r.photo_bytes_up >= static_cast<int64_t>(p.full.size() + p.thumb.size()));
    CHECK(RowOf(s.a, p.id).state == PhotoState::kSent);
    std::unique_ptr<Store> store = s.a.OpenStore();
    CHECK(Unwrap(store->photos().CountWaiting(TransferDirection::kUp)) == 0);
    DataUsage used = Unwrap(store->photos().Usage());
    CHECK(used.photos_up == r.photo_bytes_up);
    CHECK(used.records_up > 0);
    // Nothing waits: the next sync sends no photo request at all.
    CHECK(Unwrap(client->SyncNow()).photo_requests == 0);
  }
  auto client = s.b.Client(Link(LinkMetered::kMetered));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.received > 0);
  CHECK(r.photos_down == 1);  // the thumbnail, right after the records that named it
  std::unique_ptr<Store> store = s.b.OpenStore();
  BlobFiles blobs = BlobsOf(store.get());
  CHECK(Unwrap(blobs.Read(p.thumb_hash)) == p.thumb);
  CHECK_FALSE(blobs.Has(p.full_hash));
  CHECK(RowOf(s.b, p.id).state == PhotoState::kThumbnailOnly);
  CHECK(Unwrap(client->SyncNow()).photos_down == 0);

  REQUIRE_OK(store->photos().WantFull(p.id));
  r = Unwrap(client->SyncNow());
  CHECK(r.photos_down == 1);
  CHECK(Unwrap(blobs.Read(p.full_hash)) == p.full);
  CHECK(RowOf(s.b, p.id).state == PhotoState::kHere);
  CHECK(Unwrap(store->photos().Usage()).photos_down >= static_cast<int64_t>(p.full.size() + p.thumb.size()));
}

TEST_CASE("Photo queue: the photo size an admin sets for a workspace reaches its devices at their next sync") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  const std::string ws = s.server.workspace_id;
  CHECK(Unwrap(s.a.OpenStore()->photos().LongEdgeFor(ws)) == kDefaultPhotoLongEdge);
  const std::string said = s.server.Admin({"set-photo-size", ws, "1024"});
  CHECK(said.find("1024 px") != std::string::npos);
  s.PushRecords(s.a);
  CHECK(Unwrap(s.a.OpenStore()->photos().LongEdgeFor(ws)) == 1024);
  // Changed again: the next sync says so; a device that had not synced learns the latest.
  s.server.Admin({"set-photo-size", ws, "2048"});
  s.PushRecords(s.b);
  CHECK(Unwrap(s.b.OpenStore()->photos().LongEdgeFor(ws)) == 2048);
  CHECK(Unwrap(s.a.OpenStore()->photos().LongEdgeFor(ws)) == 1024);
  s.PushRecords(s.a);
  CHECK(Unwrap(s.a.OpenStore()->photos().LongEdgeFor(ws)) == 2048);
}

// The chunk an upload sends from `done` on: 32 KiB, then doubling (fast loopback).
int64_t ChunkAt(int64_t done) {
  int64_t start = 0, size = 32 << 10;
  while (start + size <= done) {
    start += size;
    size *= 2;
  }
  return size;
}

// Bytes of blob `hash` that device `d` has confirmed uploaded (its size once done).
int64_t UploadedOf(SyncDevice& d, const std::string& hash) {
  return QueryInt(OpenRaw(d.path).get(),
                  "SELECT CASE state WHEN 'done' THEN size ELSE done END FROM blob_transfers "
                  "WHERE direction = 'up' AND hash = ?1",
                  hash);
}

TEST_CASE("Photo queue: uploads cut at and around chunk boundaries resume without re-sending more than the chunk") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  constexpr int64_t kFull = 256 * 1024 + 17, kThumb = 9000;
  // Every connection breaks after this many bytes up: around the end of the
  // thumbnail, of the first 32 KiB chunk and of the second 64 KiB one
  // (headers move them by a few hundred bytes, hence several points each).
  // libcurl sends a request cut on a reused connection once more on a fresh
  // one; a fresh connection that is cut too fails the sync.
  const int64_t cuts[] = {9000, 10000, 11000, 42000, 43000, 44000, 45000, 107000, 109000, 111000};
  uint64_t seed = 10;
  for (int64_t cut : cuts) {
    CAPTURE(cut);
    const Photo p = Attach(s.a, s.site_id, kFull, kThumb, ++seed);
    s.PushRecords(s.a);
    ProxyFaults f;
    f.cut_up_after = cut;
    const int64_t up0 = s.proxy.bytes_up(), cuts0 = s.proxy.cuts();
    s.proxy.SetFaults(f);
    SyncOutcome cut_run = s.a.Client(Link(LinkMetered::kUnmetered))->Sync();
    s.proxy.SetFaults({});
    const int64_t up1 = s.proxy.bytes_up(), cut_count = s.proxy.cuts() - cuts0;
    REQUIRE(cut_count >= 1);
    CHECK_FALSE(cut_run.status.ok());
    CHECK(cut_run.status.message().starts_with("photos: "));
    CHECK(cut_run.action == SyncAction::kRetryLater);
    const int64_t thumb_done = UploadedOf(s.a, p.thumb_hash), full_done = UploadedOf(s.a, p.full_hash);
    CAPTURE(thumb_done);
    CAPTURE(full_done);
    CHECK(full_done < kFull);
    // Each cut cost at most the request in flight: a chunk of the size due
    // at the confirmed offset (the sizes only shrink after a cut).
    CHECK(up1 - up0 <= thumb_done + full_done + cut_count * (ChunkAt(full_done) + 1024) + kOverheadBytes);

    SyncReport resumed = Unwrap(s.a.Client(Link(LinkMetered::kUnmetered))->SyncNow());
    CHECK(resumed.photos_refused == 0);
    REQUIRE(RowOf(s.a, p.id).state == PhotoState::kSent);
    // The resumed run sent only what was not confirmed.
    CHECK(s.proxy.bytes_up() - up1 <= (kThumb - thumb_done) + (kFull - full_done) + kOverheadBytes);
  }
  // B gets each of them whole.
  auto client = s.b.Client(Link(LinkMetered::kUnmetered));
  REQUIRE_OK(client->SyncNow());
  std::unique_ptr<Store> store = s.b.OpenStore();
  REQUIRE_OK(store->photos().WantAllFull());
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.photos_down == static_cast<int64_t>(std::size(cuts)));
  CHECK(r.photos_refused == 0);
}

TEST_CASE("Photo queue: downloads cut mid-way resume from the partial file with Range") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  constexpr size_t kFull = 400 * 1024 + 5;
  const Photo p = Attach(s.a, s.site_id, kFull, 5000, 50);
  REQUIRE_OK(s.a.Client(Link(LinkMetered::kUnmetered))->SyncNow());
  auto client = s.b.Client(Link(LinkMetered::kUnmetered));
  REQUIRE_OK(client->SyncNow());  // records and the thumbnail
  std::unique_ptr<Store> store = s.b.OpenStore();
  BlobFiles blobs = BlobsOf(store.get());
  REQUIRE_OK(store->photos().WantFull(p.id));

  int64_t partial_before = 0;
  for (int64_t cut : {int64_t{30000}, int64_t{100000}, int64_t{100000}}) {
    CAPTURE(cut);
    ProxyFaults f;
    f.cut_down_after = cut;
    // A reset throws away what the device has not read yet: bytes trickle,
    // so that the device reads them as they come, as on a real slow link.
    f.bytes_per_second = 256 << 10;
    f.cut_connections = 1;
    const int64_t cuts0 = s.proxy.cuts();
    s.proxy.SetFaults(f);
    SyncOutcome out = s.b.Client(Link(LinkMetered::kUnmetered))->Sync();
    s.proxy.SetFaults({});
    REQUIRE(s.proxy.cuts() == cuts0 + 1);
    CHECK_FALSE(out.status.ok());
    const int64_t partial = static_cast<int64_t>(blobs.PartialSize(p.full_hash));
    // What arrived before the cut stays: every byte of the new connection
    // but its headers and the record cycle's answer.
    CHECK(partial > partial_before);
    CHECK(partial <= partial_before + cut);
    CHECK(RowOf(s.b, p.id).done == partial);
    partial_before = partial;
  }
  const int64_t down0 = s.proxy.bytes_down();
  SyncReport r = Unwrap(s.b.Client(Link(LinkMetered::kUnmetered))->SyncNow());
  CHECK(r.photos_down == 1);
  CHECK(Unwrap(blobs.Read(p.full_hash)) == p.full);
  CHECK(blobs.PartialSize(p.full_hash) == 0);
  // Only the rest came down again.
  CHECK(s.proxy.bytes_down() - down0 <= static_cast<int64_t>(kFull) - partial_before + kOverheadBytes);
}

TEST_CASE("Photo queue: a photo over the workspace's quota is refused with the server's words, never sent") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s({"--blob-quota-mb", "1"});
  const Photo p = Attach(s.a, s.site_id, 1536 * 1024, 7000, 60);
  auto client = s.a.Client(Link(LinkMetered::kUnmetered));
  SyncReport r = Unwrap(client->SyncNow());  // a refusal is not a failed sync
  CHECK(r.photos_up == 1);                   // the thumbnail fits
  CHECK(r.photos_refused == 1);
  PhotoRow row = RowOf(s.a, p.id);
  CHECK(row.state == PhotoState::kRefused);
  CHECK(row.error.find("MB") != std::string::npos);
  MESSAGE("the server's words: ", row.error);
  // Not retried on its own: the next sync sends nothing.
  CHECK(Unwrap(client->SyncNow()).photo_requests == 0);
  CHECK(RowOf(s.a, p.id).state == PhotoState::kRefused);
}

TEST_CASE("Photo queue: rule never holds everything but a photo a person asked for") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  {
    std::unique_ptr<Store> store = s.a.OpenStore();
    PhotoSettings never;
    never.rule = PhotoRule::kNever;
    REQUIRE(Unwrap(store->photos().SaveSettings(never)).empty());
  }
  const Photo p = Attach(s.a, s.site_id, 50000, 4000, 70);
  auto client = s.a.Client(Link(LinkMetered::kUnmetered));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.photos_up == 0);
  CHECK(r.photos_held == 2);
  CHECK(r.photo_hold == PhotoHold::kNever);
  CHECK(r.photo_hold_reason == "photos wait until you ask for them (photo data rule: never)");
  SyncStatus st = client->Status();
  CHECK(st.photos_up == 2);
  CHECK(StatusSentence(st).find(", 2 photos waiting until you ask for them, ") != std::string::npos);
  CHECK(RowOf(s.a, p.id).state == PhotoState::kWaiting);

  // B knows the photo but its bytes are not on the server yet.
  auto b = s.b.Client(Link(LinkMetered::kUnmetered));
  SyncReport rb = Unwrap(b->SyncNow());
  CHECK(rb.photos_not_found == 1);
  CHECK(rb.photos_down == 0);
  auto bdb = OpenRaw(s.b.path);
  CHECK(QueryInt(bdb.get(),
                 "SELECT count(*) FROM blob_transfers WHERE hash = ?1 AND direction = 'down' AND state = 'waiting' "
                 "AND error = 'not on the server (yet)'",
                 p.thumb_hash) == 1);

  {
    std::unique_ptr<Store> store = s.a.OpenStore();
    REQUIRE_OK(store->photos().SendNow(p.id));
  }
  r = Unwrap(client->SyncNow());
  CHECK(r.photos_up == 2);
  CHECK(r.photos_held == 0);
  CHECK(RowOf(s.a, p.id).state == PhotoState::kSent);
  rb = Unwrap(b->SyncNow());  // retried on the next cycle: there now
  CHECK(rb.photos_down == 1);
  CHECK(RowOf(s.b, p.id).state == PhotoState::kThumbnailOnly);
}

TEST_CASE("Photo queue: the monthly cap and the unmetered rule hold automatic transfers") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  std::unique_ptr<Store> store = s.a.OpenStore();
  PhotoSettings capped;
  capped.monthly_cap_mb = 1;
  REQUIRE(Unwrap(store->photos().SaveSettings(capped)).empty());
  REQUIRE_OK(store->photos().AddUsage(UsageKind::kPhotos, 600 << 10, 424 << 10));  // 1 MB reached
  const Photo p = Attach(s.a, s.site_id, 30000, 3000, 80);
  auto client = s.a.Client(Link(LinkMetered::kUnmetered));
  SyncReport r = Unwrap(client->SyncNow());
  CHECK(r.photos_up == 0);
  CHECK(r.photos_held == 2);
  CHECK(r.photo_hold_reason == "this month's photo data cap (1 MB) is reached");
  CHECK(StatusSentence(client->Status()).find("2 photos waiting: this month's photo data cap (1 MB) is reached") !=
        std::string::npos);
  REQUIRE_OK(store->photos().SendNow(p.id));  // a person asked: the cap does not hold it
  CHECK(Unwrap(client->SyncNow()).photos_up == 2);

  // Unmetered rule on a metered (or unknown) link: thumbnails go, send copies wait.
  PhotoSettings unmetered;
  unmetered.rule = PhotoRule::kUnmetered;
  REQUIRE(Unwrap(store->photos().SaveSettings(unmetered)).empty());
  const Photo q = Attach(s.a, s.site_id, 30000, 3000, 81);
  for (LinkMetered link : {LinkMetered::kMetered, LinkMetered::kUnknown}) {
    auto metered = s.a.Client(Link(link));
    r = Unwrap(metered->SyncNow());
    CHECK(r.photos_held == 1);
    CHECK(r.photo_hold_reason == "photos wait for an unmetered network");
    CHECK(StatusSentence(metered->Status()).find("1 photo waiting for an unmetered network") != std::string::npos);
  }
  CHECK(RowOf(s.a, q.id).state == PhotoState::kWaiting);
  r = Unwrap(s.a.Client(Link(LinkMetered::kUnmetered))->SyncNow());
  CHECK(r.photos_up == 1);
  CHECK(RowOf(s.a, q.id).state == PhotoState::kSent);
}

// The sync state of the change-log entries of record `id` on `device`.
std::vector<std::string> StatesOf(SyncDevice& device, const std::string& id) {
  auto db = OpenRaw(device.path);
  sql::Stmt q = Unwrap(db->Prepare("SELECT sync_state FROM change_log WHERE record_id = ?"));
  q.Bind(1, id);
  std::vector<std::string> out;
  while (Unwrap(q.Step())) out.push_back(q.Text(0));
  return out;
}

TEST_CASE("Photo queue: a record edit made while a photo uploads goes out before the photo finishes") {
  SKIP_WITHOUT_SERVER();
  PhotoSetup s;
  constexpr size_t kFull = 3 << 20;
  const Photo p = Attach(s.a, s.site_id, kFull, 6000, 90);
  s.PushRecords(s.a);
  ProxyFaults slow;
  slow.bytes_per_second = 256 << 10;
  s.proxy.SetFaults(slow);
  std::mutex mu;
  int yields = 0;
  SyncClientOptions o = Link(LinkMetered::kUnmetered);
  o.on_finished = [&](const SyncOutcome& out) {
    std::lock_guard<std::mutex> lock(mu);
    yields += out.report.photo_yields;
  };
  auto client = s.a.Client(o);
  client->Start();
  client->RequestSync();
  REQUIRE(WaitFor([&] { return RowOf(s.a, p.id).done > 0; }, 30000));
  std::string visit_id;
  {
    std::unique_ptr<Store> store = s.a.OpenStore();
    visit_id = testing::AddVisit(store.get(), DefaultEnv(), s.site_id);
  }
  // No RequestSync: the queue sees the new own change between chunks.
  REQUIRE(WaitFor(
      [&] {
        std::vector<std::string> states = StatesOf(s.a, visit_id);
        return !states.empty() && std::all_of(states.begin(), states.end(), [](auto& x) { return x == "synced"; });
      },
      30000));
  const PhotoRow mid = RowOf(s.a, p.id);
  CHECK(mid.state == PhotoState::kSending);
  CHECK(mid.done < static_cast<int64_t>(kFull));
  // A RequestSync (the UI after an edit) stops the photo at the next chunk too.
  client->RequestSync();
  REQUIRE(WaitFor([&] { return RowOf(s.a, p.id).state == PhotoState::kSent; }, 60000));
  // The sync that sent it stopped twice for records (on_finished comes after its end).
  CHECK(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return yields >= 2;
      },
      10000));
  client->Stop();
  s.proxy.SetFaults({});
}

TEST_CASE("Photo queue: a client killed with SIGKILL mid-upload resumes and completes the blob") {
  SKIP_WITHOUT_SERVER();
  if (access(kChildPath, X_OK) != 0) {
    MESSAGE("skipped: photo_child not built");
    return;
  }
  PhotoSetup s;
  constexpr size_t kFull = 1 << 20;
  const Photo p = Attach(s.a, s.site_id, kFull, 8000, 100);
  s.PushRecords(s.a);
  ProxyFaults slow;
  slow.bytes_per_second = 128 << 10;
  s.proxy.SetFaults(slow);
  auto [pid, fd] = testing::SpawnWithOutput({kChildPath, s.a.path});
  const bool sending = WaitFor([&] { return RowOf(s.a, p.id).done >= (192 << 10); }, 30000);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fd);
  REQUIRE(sending);
  CHECK(WIFSIGNALED(status));
  const int64_t done_at_kill = RowOf(s.a, p.id).done;
  CHECK(done_at_kill < static_cast<int64_t>(kFull));
  s.proxy.SetFaults({});
  // Bytes of the killed client's connection still in the proxy may go on
  // reaching the server for a moment: count the second run's bytes only
  // once that has settled (it flaked under parallel ctest load otherwise).
  int64_t up0 = s.proxy.bytes_up();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t now = s.proxy.bytes_up();
    if (now == up0) break;
    up0 = now;
  }
  auto [code, out] = testing::RunCommand({kChildPath, s.a.path});
  REQUIRE(code == 0);
  CHECK(out == "done\n");
  CHECK(RowOf(s.a, p.id).state == PhotoState::kSent);
  // The second run sent the rest only (the server's offset is at least the
  // device's last confirmed one).
  CHECK(s.proxy.bytes_up() - up0 <= static_cast<int64_t>(kFull) - done_at_kill + kOverheadBytes);
  // Whole on the server: B gets the same bytes.
  auto b = s.b.Client(Link(LinkMetered::kUnmetered));
  REQUIRE_OK(b->SyncNow());
  std::unique_ptr<Store> store = s.b.OpenStore();
  REQUIRE_OK(store->photos().WantFull(p.id));
  REQUIRE_OK(b->SyncNow());
  CHECK(Unwrap(BlobsOf(store.get()).Read(p.full_hash)) == p.full);
}

}  // namespace
}  // namespace ccfield::sync::system_test
