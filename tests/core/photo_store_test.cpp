// Photos on the device (issue 12): blob files named by SHA-256 written
// atomically, photo records with change capture, the photo queue (order,
// progress, done, refused, deleted photos skipped), originals released as the
// "keep originals" setting says, thumbnails of received photos queued, data
// use per month. Real SQLite files and real blob files in a temp dir.
#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/import.h"
#include "ccfield/core/store.h"
#include "support/store_fixture.h"

namespace ccfield {
namespace {

using nlohmann::json;
using testing::StoreFixture;
using testing::Unwrap;

// SHA-256 test vectors (FIPS 180-2).
TEST_CASE("Sha256Hex matches the standard test vectors, whole and piece by piece") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  CHECK(h.FinishHex() == Sha256Hex("abc"));
  CHECK(IsBlobHash(Sha256Hex("abc")));
  CHECK_FALSE(IsBlobHash("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  CHECK_FALSE(IsBlobHash("../etc/passwd"));
}

TEST_CASE("BlobFiles: put once by content, read, ranges, sharded path") {
  StoreFixture fx;
  BlobFiles blobs(&fx.env, fx.dir.File("blobs"));
  const std::string bytes = std::string("\xff\xd8jpeg\0bytes", 11);
  const std::string hash = Unwrap(blobs.Put(bytes));
  CHECK(hash == Sha256Hex(bytes));
  CHECK(blobs.PathOf(hash) == fx.dir.File("blobs") + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash);
  CHECK(blobs.Has(hash));
  CHECK(Unwrap(blobs.Read(hash)) == bytes);
  CHECK(Unwrap(blobs.ReadRange(hash, 2, 4)) == "jpeg");
  CHECK(Unwrap(blobs.Size(hash)) == 11);
  // The same bytes again: nothing is written (no write(2) at all).
  fx.env.SetFileFaults({.fail_write = 1});
  CHECK(Unwrap(blobs.Put(bytes)) == hash);
  CHECK(fx.env.writes_seen() == 0);
  fx.env.SetFileFaults({});
  REQUIRE_OK(blobs.Remove(hash));
  CHECK_FALSE(blobs.Has(hash));
  CHECK(blobs.Read(hash).status().code() == Code::kNotFound);
  CHECK(blobs.Read("not-a-hash").status().code() == Code::kInvalidArgument);
}

TEST_CASE("BlobFiles: a full disk during a put is kDiskFull and leaves no blob and no temp file") {
  StoreFixture fx;
  BlobFiles blobs(&fx.env, fx.dir.File("blobs"));
  const std::string bytes(200'000, 'p');
  fx.env.SetFileFaults({.fail_write = 2, .fail_errno = ENOSPC, .short_write_bytes = 65536});
  Result<std::string> put = blobs.Put(bytes);
  CHECK(put.status().code() == Code::kDiskFull);
  CHECK(put.status().message().find("storage is full") != std::string::npos);
  const std::string hash = Sha256Hex(bytes);
  CHECK_FALSE(blobs.Has(hash));
  std::string error;
  auto names = fx.env.ListDir(fx.dir.File("blobs") + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2), &error);
  REQUIRE(names.has_value());
  CHECK(names->empty());
  fx.env.SetFileFaults({});  // space returns
  CHECK(Unwrap(blobs.Put(bytes)) == hash);
}

TEST_CASE("BlobFiles: a download grows by appends and becomes a blob only when its hash matches") {
  StoreFixture fx;
  BlobFiles blobs(&fx.env, fx.dir.File("blobs"));
  const std::string bytes(100'000, 'd');
  const std::string hash = Sha256Hex(bytes);
  CHECK(blobs.PartialSize(hash) == 0);
  REQUIRE_OK(blobs.AppendPartial(hash, bytes.substr(0, 30'000)));
  CHECK(blobs.PartialSize(hash) == 30'000);
  // A failed append is cut back: the partial holds only whole, flushed appends.
  fx.env.SetFileFaults({.fail_write = 2, .fail_errno = ENOSPC, .short_write_bytes = 1000});
  CHECK(blobs.AppendPartial(hash, bytes.substr(30'000, 40'000)).code() == Code::kDiskFull);
  CHECK(blobs.PartialSize(hash) == 30'000);
  fx.env.SetFileFaults({});
  REQUIRE_OK(blobs.AppendPartial(hash, bytes.substr(30'000)));
  CHECK_FALSE(blobs.Has(hash));  // not yet checked
  CHECK(Unwrap(blobs.FinishPartial(hash)));
  CHECK(Unwrap(blobs.Read(hash)) == bytes);
  CHECK(blobs.PartialSize(hash) == 0);

  // Wrong bytes (a hostile or broken server) are thrown away.
  const std::string other = Sha256Hex("other");
  REQUIRE_OK(blobs.AppendPartial(other, "not the other bytes"));
  CHECK_FALSE(Unwrap(blobs.FinishPartial(other)));
  CHECK_FALSE(blobs.Has(other));
  CHECK(blobs.PartialSize(other) == 0);
}

struct PhotoFixture {
  StoreFixture fx;
  testing::Seeded seeded = testing::SeedSite(fx.store(), &fx.env);
  std::string visit = testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  BlobFiles blobs{&fx.env, fx->photos().BlobDir()};

  // Puts three blobs (original, send copy, thumbnail) and attaches them.
  std::string Attach(const std::string& tag, RecordType parent_type = RecordType::kVisit, std::string parent = "") {
    NewPhoto p;
    p.parent_type = parent_type;
    p.parent_id = parent.empty() ? visit : parent;
    p.original = Unwrap(blobs.Put("original " + tag));
    p.original_bytes = 9 + static_cast<int64_t>(tag.size());
    p.blob = Unwrap(blobs.Put("send copy " + tag));
    p.bytes = 10 + static_cast<int64_t>(tag.size());
    p.thumb = Unwrap(blobs.Put("thumb " + tag));
    p.thumb_bytes = 6 + static_cast<int64_t>(tag.size());
    p.width = 1600;
    p.height = 1200;
    p.taken_at = "2026-10-14T08:05:00+03:00";
    p.lat = -6.8;
    p.lon = 39.28;
    p.position_source = "exif";
    p.caption = "Blocked inlet, " + tag;
    p.file_name = "IMG_" + tag + ".jpg";
    return Unwrap(fx->photos().Add(p));
  }
};

TEST_CASE("photos: attaching makes an ordinary photo record with change capture, and queues thumbnail then send copy") {
  PhotoFixture pf;
  const std::string id = pf.Attach("a");
  Record r = Unwrap(pf.fx->Get(RecordType::kPhoto, id));
  CHECK(r.Get("visit_id") == pf.visit);
  CHECK(r.Get("site_id") == pf.seeded.site_id);
  CHECK(r.Get("workspace_id") == pf.seeded.workspace_id);
  CHECK(r.Get("blob") == Sha256Hex("send copy a"));
  CHECK(r.Get("caption") == "Blocked inlet, a");
  CHECK(r.Get("lat") == -6.8);
  std::vector<ChangeEntry> history = Unwrap(pf.fx->History(id));
  CHECK(history.size() >= 10);
  CHECK(history.front().created);

  std::vector<BlobTransfer> up = Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10));
  REQUIRE(up.size() == 2);
  CHECK(up[0].kind == BlobKind::kThumb);
  CHECK(up[0].hash == Sha256Hex("thumb a"));
  CHECK(up[1].kind == BlobKind::kFull);
  CHECK(up[1].size == 11);
  CHECK(up[1].workspace_id == pf.seeded.workspace_id);

  PhotoRow row = Unwrap(pf.fx->photos().Get(id, pf.blobs));
  CHECK(row.state == PhotoState::kWaiting);
  CHECK(row.have_full);
  CHECK(row.have_thumb);
  CHECK(row.original == Sha256Hex("original a"));
  REQUIRE_OK(pf.fx->photos().Progress(up[1], 11, 4));
  row = Unwrap(pf.fx->photos().Get(id, pf.blobs));
  CHECK(row.state == PhotoState::kSending);
  CHECK(row.done == 4);
  CHECK(Unwrap(pf.fx->photos().CountWaiting(TransferDirection::kUp)) == 2);
}

TEST_CASE("photos: a sent send copy lets the original go unless the person keeps originals") {
  PhotoFixture pf;
  const std::string a = pf.Attach("a");
  std::vector<BlobTransfer> up = Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10));
  REQUIRE(up.size() == 2);
  // The thumbnail alone releases nothing.
  CHECK(Unwrap(pf.fx->photos().Done(up[0])).empty());
  CHECK(Unwrap(pf.fx->photos().Done(up[1])) == std::vector<std::string>{Sha256Hex("original a")});
  PhotoRow row = Unwrap(pf.fx->photos().Get(a, pf.blobs));
  CHECK(row.state == PhotoState::kSent);
  CHECK(Unwrap(pf.fx->photos().CountWaiting(TransferDirection::kUp)) == 0);

  // Keeping originals: a sent photo keeps its original; turning the setting
  // off later releases it.
  PhotoSettings keep;
  keep.keep_originals = true;
  CHECK(Unwrap(pf.fx->photos().SaveSettings(keep)).empty());
  const std::string b = pf.Attach("b");
  for (const BlobTransfer& t : Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10))) {
    CHECK(Unwrap(pf.fx->photos().Done(t)).empty());
  }
  CHECK(Unwrap(pf.fx->photos().Get(b, pf.blobs)).original == Sha256Hex("original b"));
  keep.keep_originals = false;
  CHECK(Unwrap(pf.fx->photos().SaveSettings(keep)) == std::vector<std::string>{Sha256Hex("original b")});
  CHECK(Unwrap(pf.fx->photos().Settings()).keep_originals == false);
}

TEST_CASE("photos: a deleted photo's blobs wait, a restored one goes again, a refused one keeps its reason") {
  PhotoFixture pf;
  const std::string a = pf.Attach("a");
  REQUIRE_OK(pf.fx->Commit({DeleteRecord{RecordType::kPhoto, a}}).status());
  CHECK(Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10)).empty());
  CHECK(Unwrap(pf.fx->photos().Of(pf.visit, false, pf.blobs)).empty());
  CHECK(Unwrap(pf.fx->photos().Of(pf.visit, true, pf.blobs)).size() == 1);
  REQUIRE_OK(pf.fx->Commit({RestoreRecord{RecordType::kPhoto, a}}).status());
  std::vector<BlobTransfer> up = Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10));
  REQUIRE(up.size() == 2);
  REQUIRE_OK(pf.fx->photos().Refused(up[1], "the workspace's photo quota (2048 MB) is full"));
  PhotoRow row = Unwrap(pf.fx->photos().Get(a, pf.blobs));
  CHECK(row.state == PhotoState::kRefused);
  CHECK(row.error == "the workspace's photo quota (2048 MB) is full");
  CHECK(Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10)).size() == 1);
  REQUIRE_OK(pf.fx->photos().SendNow(a));  // the person retries
  up = Unwrap(pf.fx->photos().Waiting(TransferDirection::kUp, 10));
  REQUIRE(up.size() == 2);
  CHECK(up[0].wanted);  // what a person asks for goes first, thumbnail then photo
  CHECK(up[0].kind == BlobKind::kThumb);
  CHECK(up[1].wanted);
  CHECK(up[1].kind == BlobKind::kFull);
}

TEST_CASE("photos: refused without a parent, on a deleted visit, with a malformed hash") {
  PhotoFixture pf;
  json f = {{"workspace_id", pf.seeded.workspace_id}, {"blob", Sha256Hex("x")}};
  Result<CommitResult> orphan = pf.fx->Commit({SetFields{RecordType::kPhoto, NewUuid(&pf.fx.env), f}});
  CHECK(orphan.status().code() == Code::kInvalidArgument);
  CHECK(orphan.status().message().find("visit or a site") != std::string::npos);
  f["visit_id"] = pf.visit;
  f["blob"] = "ABC";
  Result<CommitResult> bad = pf.fx->Commit({SetFields{RecordType::kPhoto, NewUuid(&pf.fx.env), f}});
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message().find("SHA-256") != std::string::npos);
  f["blob"] = Sha256Hex("x");
  f["width"] = 0;
  CHECK(pf.fx->Commit({SetFields{RecordType::kPhoto, NewUuid(&pf.fx.env), f}}).status().code() ==
        Code::kInvalidArgument);
  REQUIRE_OK(pf.fx->Commit({DeleteRecord{RecordType::kVisit, pf.visit}}).status());
  NewPhoto p;
  p.parent_id = pf.visit;
  p.blob = Sha256Hex("x");
  p.bytes = 1;
  p.width = p.height = 1;
  CHECK(pf.fx->photos().Add(p).status().code() == Code::kConflict);
}

TEST_CASE("photos: a site's own photos, apart from its visits' photos") {
  PhotoFixture pf;
  pf.Attach("visit photo");
  const std::string on_site = pf.Attach("site photo", RecordType::kSite, pf.seeded.site_id);
  std::vector<PhotoRow> site_photos = Unwrap(pf.fx->photos().Of(pf.seeded.site_id, false, pf.blobs));
  REQUIRE(site_photos.size() == 1);
  CHECK(site_photos[0].record.id == on_site);
  CHECK(Unwrap(pf.fx->photos().Of(pf.visit, false, pf.blobs)).size() == 1);
}

TEST_CASE("photos: a photo from another device queues its thumbnail, its photo only when asked") {
  PhotoFixture pf;
  const std::string id = NewUuid(&pf.fx.env);
  SyncBatch b;
  int64_t v = 100;
  json fields = {{"workspace_id", pf.seeded.workspace_id}, {"visit_id", pf.visit},
                 {"blob", Sha256Hex("remote full")},       {"thumb", Sha256Hex("remote thumb")},
                 {"bytes", 11},                            {"thumb_bytes", 12}};
  for (const auto& [field, value] : fields.items()) {
    FieldChange c;
    c.type = ChangeType::kPhoto;
    c.record_id = id;
    c.workspace_id = pf.seeded.workspace_id;
    c.field = field;
    c.value = value;
    c.created = true;
    c.device_id = "other-device";
    c.device_seq = ++v;
    c.version = v;
    c.time = "2026-10-14T05:05:00.000Z";
    c.author = "Amina";
    b.changes.push_back(c);
  }
  b.cursor = v;
  REQUIRE_OK(pf.fx->replica().ApplySyncBatch(b));
  PhotoRow row = Unwrap(pf.fx->photos().Get(id, pf.blobs));
  CHECK(row.state == PhotoState::kNothingHere);
  REQUIRE_OK(pf.fx->photos().QueueMissingThumbnails());
  REQUIRE_OK(pf.fx->photos().QueueMissingThumbnails());  // once
  std::vector<BlobTransfer> down = Unwrap(pf.fx->photos().Waiting(TransferDirection::kDown, 10));
  REQUIRE(down.size() == 1);
  CHECK(down[0].kind == BlobKind::kThumb);
  CHECK(down[0].size == 12);
  REQUIRE_OK(pf.blobs.AppendPartial(down[0].hash, "remote thumb"));
  REQUIRE(Unwrap(pf.blobs.FinishPartial(down[0].hash)));
  CHECK(Unwrap(pf.fx->photos().Done(down[0])).empty());
  CHECK(Unwrap(pf.fx->photos().Get(id, pf.blobs)).state == PhotoState::kThumbnailOnly);
  CHECK(Unwrap(pf.fx->photos().Waiting(TransferDirection::kDown, 10)).empty());

  REQUIRE_OK(pf.fx->photos().WantFull(id));
  down = Unwrap(pf.fx->photos().Waiting(TransferDirection::kDown, 10));
  REQUIRE(down.size() == 1);
  CHECK(down[0].kind == BlobKind::kFull);
  CHECK(down[0].wanted);
  CHECK(Unwrap(pf.fx->photos().Get(id, pf.blobs)).state == PhotoState::kDownloading);
  // Our own photos are never downloaded: they are here.
  pf.Attach("own");
  REQUIRE_OK(pf.fx->photos().WantAllFull());
  CHECK(Unwrap(pf.fx->photos().Waiting(TransferDirection::kDown, 10)).size() == 1);
}

TEST_CASE("photos: demo photos are never queued") {
  StoreFixture fx;
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env).status());
  std::vector<Record> visits = Unwrap(fx->List(ListQuery{}));
  REQUIRE_FALSE(visits.empty());
  BlobFiles blobs(&fx.env, fx->photos().BlobDir());
  NewPhoto p;
  p.parent_id = visits[0].id;
  p.blob = Unwrap(blobs.Put("demo"));
  p.bytes = 4;
  p.width = p.height = 10;
  const std::string id = Unwrap(fx->photos().Add(p));
  CHECK(Unwrap(fx->IsDemo(id)));
  CHECK(Unwrap(fx->photos().Waiting(TransferDirection::kUp, 10)).empty());
}

TEST_CASE("photos: data use adds up per month, records apart from photos") {
  StoreFixture fx;
  fx.env.SetWallMillis(1'795'000'000'000);  // 2026-11-18
  REQUIRE_OK(fx->photos().AddUsage(UsageKind::kRecords, 1000, 2000));
  REQUIRE_OK(fx->photos().AddUsage(UsageKind::kPhotos, 300'000, 0));
  REQUIRE_OK(fx->photos().AddUsage(UsageKind::kPhotos, 200'000, 15'000));
  DataUsage u = Unwrap(fx->photos().Usage());
  CHECK(u.records_up == 1000);
  CHECK(u.records_down == 2000);
  CHECK(u.photos_up == 500'000);
  CHECK(u.photos_down == 15'000);
  fx.env.Advance(int64_t{20} * 24 * 3600 * 1000);  // December
  CHECK(Unwrap(fx->photos().Usage()).photos_up == 0);
  CHECK(Unwrap(fx->photos().Usage("2026-11")).photos_up == 500'000);
}

TEST_CASE("photos: settings are kept in the store, rules by name") {
  StoreFixture fx;
  PhotoSettings s = Unwrap(fx->photos().Settings());
  CHECK(s.rule == PhotoRule::kAlways);
  CHECK(s.monthly_cap_mb == 0);
  s.rule = PhotoRule::kUnmetered;
  s.monthly_cap_mb = 500;
  REQUIRE_OK(fx->photos().SaveSettings(s).status());
  fx.Reopen();
  s = Unwrap(fx->photos().Settings());
  CHECK(s.rule == PhotoRule::kUnmetered);
  CHECK(s.monthly_cap_mb == 500);
  CHECK(ParsePhotoRule("thumbnails") == PhotoRule::kThumbnails);
  CHECK_FALSE(ParsePhotoRule("sometimes").has_value());
  s.monthly_cap_mb = -1;
  CHECK(fx->photos().SaveSettings(s).status().code() == Code::kInvalidArgument);
}

TEST_CASE("photos: the workspace's photo size, 1600 px unless set") {
  PhotoFixture pf;
  CHECK(Unwrap(pf.fx->photos().LongEdgeFor(pf.seeded.workspace_id)) == 1600);
  REQUIRE_OK(pf.fx->photos().SetLongEdge(pf.seeded.workspace_id, 1024));
  CHECK(Unwrap(pf.fx->photos().LongEdgeFor(pf.seeded.workspace_id)) == 1024);
  CHECK(Unwrap(pf.fx->photos().LongEdgeFor("another workspace")) == 1600);
  CHECK(pf.fx->photos().SetLongEdge(pf.seeded.workspace_id, 100).code() == Code::kInvalidArgument);
  CHECK(Unwrap(pf.fx->photos().LongEdgeFor(pf.seeded.workspace_id)) == 1024);
}

}  // namespace
}  // namespace ccfield
