// FileBlobStore (blob_store.h): sharded blob files, partial uploads, hashing
// the whole before a blob becomes visible, and a full disk through FakeEnv's
// file faults. Real files in a temporary directory.
#include "blob_store.h"

#include <doctest/doctest.h>

#include <cerrno>

#include "blob_test_support.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"

namespace ccfield::server::testing {
namespace {

using ccfield::testing::Unwrap;

constexpr const char* kWs = "6f1c2b1e-8d4e-4c8a-9d7e-2f1a3b4c5d6e";

struct StoreFixture {
  ccfield::testing::TempDir dir;
  FakeEnv env{dir.path()};
  FileBlobStore store{&env, dir.File("blobs")};
  StoreFixture() { REQUIRE(store.Open().ok()); }
};

TEST_CASE("blob store: names are 64 lowercase hex digits, workspace ids are safe file names") {
  CHECK(IsBlobHash(Sha256Hex("")));
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK_FALSE(IsBlobHash("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  CHECK_FALSE(IsBlobHash(Sha256Hex("").substr(1)));
  CHECK_FALSE(IsBlobHash(Sha256Hex("") + "0"));
  CHECK(IsWorkspaceId(kWs));
  for (const char* bad : {"", "../x", "a/b", "a b", "a.b"}) CHECK_FALSE(IsWorkspaceId(bad));
}

TEST_CASE("blob store: a partial becomes the blob only when its bytes match the name") {
  StoreFixture t;
  const std::string photo = PhotoBytes(300 * 1000, 1);
  const std::string hash = Sha256Hex(photo);
  CHECK(Unwrap(t.store.UploadSize(kWs, hash)) == 0);
  REQUIRE(t.store.AppendUpload(kWs, hash, photo.substr(0, 100000)).ok());
  REQUIRE(t.store.AppendUpload(kWs, hash, photo.substr(100000)).ok());
  CHECK(Unwrap(t.store.UploadSize(kWs, hash)) == photo.size());
  CHECK(Unwrap(t.store.BlobSize(hash)) == std::nullopt);  // not visible yet
  const std::vector<StoredUpload> ups = Unwrap(t.store.ListUploads());
  REQUIRE(ups.size() == 1);
  CHECK(ups[0].ws == kWs);
  CHECK(ups[0].hash == hash);
  CHECK(ups[0].bytes == photo.size());
  CHECK(t.store.UploadPath(kWs, hash) == t.dir.File("blobs") + "/partial/" + kWs + "-" + hash);
  CHECK(Unwrap(t.store.CompleteUpload(kWs, hash)) == true);
  CHECK(Unwrap(t.store.BlobSize(hash)) == photo.size());
  CHECK(Unwrap(t.store.ReadBlob(hash, 0, photo.size() + 10)) == photo);
  CHECK(Unwrap(t.store.ReadBlob(hash, 299990, 100)) == photo.substr(299990));
  CHECK(t.env.ReadFile(t.dir.File("blobs") + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash, nullptr) ==
        photo);
  CHECK(Unwrap(t.store.ListUploads()).empty());
  const BlobStore::Totals totals = Unwrap(t.store.BlobTotals());
  CHECK(totals.count == 1);
  CHECK(totals.bytes == static_cast<int64_t>(photo.size()));

  // Wrong bytes under a name: the partial is thrown away, nothing is visible.
  const std::string wrong = Sha256Hex("something else");
  REQUIRE(t.store.AppendUpload(kWs, wrong, photo).ok());
  CHECK(Unwrap(t.store.CompleteUpload(kWs, wrong)) == false);
  CHECK(Unwrap(t.store.BlobSize(wrong)) == std::nullopt);
  CHECK(Unwrap(t.store.UploadSize(kWs, wrong)) == 0);
  CHECK(Unwrap(t.store.BlobTotals()).count == 1);
}

TEST_CASE("blob store: truncate cuts a partial back to the durable size") {
  StoreFixture t;
  const std::string photo = PhotoBytes(5000, 2);
  const std::string hash = Sha256Hex(photo);
  REQUIRE(t.store.AppendUpload(kWs, hash, photo.substr(0, 3000) + "junk after a crash").ok());
  REQUIRE(t.store.TruncateUpload(kWs, hash, 3000).ok());
  CHECK(Unwrap(t.store.UploadSize(kWs, hash)) == 3000);
  REQUIRE(t.store.TruncateUpload(kWs, hash, 4000).ok());  // never longer
  CHECK(Unwrap(t.store.UploadSize(kWs, hash)) == 3000);
  REQUIRE(t.store.AppendUpload(kWs, hash, photo.substr(3000)).ok());
  CHECK(Unwrap(t.store.CompleteUpload(kWs, hash)) == true);
  REQUIRE(t.store.RemoveUpload(kWs, hash).ok());  // none left: still ok
}

TEST_CASE("blob store: a full disk is kDiskFull, other write failures kIoError") {
  StoreFixture t;
  const std::string hash = Sha256Hex("x");
  t.env.SetFileFaults({.fail_write = 1, .fail_errno = ENOSPC});
  Status full = t.store.AppendUpload(kWs, hash, "abc");
  CHECK(full.code() == Code::kDiskFull);
  CHECK_MESSAGE(full.message().find("disk is full") != std::string::npos, full.message());
  t.env.SetFileFaults({.fail_write = 1, .fail_errno = EIO});
  CHECK(t.store.AppendUpload(kWs, hash, "abc").code() == Code::kIoError);
  t.env.SetFileFaults({});
  REQUIRE(t.store.TruncateUpload(kWs, hash, 0).ok());
  REQUIRE(t.store.AppendUpload(kWs, hash, "x").ok());
  CHECK(Unwrap(t.store.CompleteUpload(kWs, hash)) == true);
  CHECK(Unwrap(t.store.ReadBlob(hash, 0, 10)) == "x");
}

}  // namespace
}  // namespace ccfield::server::testing
