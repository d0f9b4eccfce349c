// The photo blob endpoints (docs/sync-protocol.md, "Photos: blobs") on the
// real HTTP server on 127.0.0.1 (in this process, FakeEnv clock and file
// faults), with real files in a temporary blob directory.
#include <doctest/doctest.h>
#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "blob_test_support.h"
#include "http_server.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

constexpr size_t kChunk = 100 * 1000;

struct BlobFixture {
  ServerFixture f;
  std::string blob_dir;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  int port = 0;
  std::string ws;

  explicit BlobFixture(int64_t quota_bytes = int64_t{2048} << 20) {
    blob_dir = f.dir.File("server.db.blobs");
    HttpServerOptions o;
    o.port = 0;
    o.auth.password_cost = PasswordCost::kMinimumForTests;
    o.blobs.dir = blob_dir;
    o.blobs.quota_bytes = quota_bytes;
    server = std::make_unique<HttpServer>(f.storage.get(), &f.env, o);
    port = Unwrap(server->Bind());
    thread = std::thread([this] { CHECK(server->Run().ok()); });
    for (int i = 0; i < 500 && !server->IsRunning(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(server->IsRunning());
    ws = f.AddWorkspace();
  }
  ~BlobFixture() {
    server->Stop();
    thread.join();
  }

  // A user with `role` in `workspace` (default: ws), signed in: their client.
  BlobClient Member(const std::string& user, const std::string& role = "field_staff", std::string workspace = "") {
    f.AddUser(user);
    f.AddMember(workspace.empty() ? ws : workspace, user, role);
    return SignIn(user);
  }
  BlobClient SignIn(const std::string& user) {
    nlohmann::json body = {
        {"username", user}, {"password", kPassword}, {"device_id", f.NewDeviceId()}, {"device_name", "tablet"}};
    httplib::Client c("127.0.0.1", port);
    httplib::Result r = c.Post("/v1/login", body.dump(), "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return BlobClient("127.0.0.1", port, nlohmann::json::parse(r->body)["token"]);
  }
  FileBlobStore Store() { return FileBlobStore(&f.env, blob_dir); }
  // Complete blob files in the store.
  int64_t BlobFiles() { return Unwrap(Store().BlobTotals()).count; }
};

TEST_CASE("blobs: upload in 3 chunks, then the download is the same bytes") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(250 * 1000);
  const std::string hash = Sha256Hex(photo);
  amina.Upload(t.ws, photo, kChunk);
  httplib::Result r = amina.Get(hash, t.ws);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == photo);
  CHECK(r->get_header_value("Content-Type") == "image/jpeg");
  CHECK(r->get_header_value("ETag") == "\"" + hash + "\"");
  CHECK(r->get_header_value("Content-Encoding").empty());
  nlohmann::json s = BodyOf(amina.Status(hash, t.ws, static_cast<int64_t>(photo.size())));
  CHECK(s == nlohmann::json{{"hash", hash}, {"size", photo.size()}, {"offset", photo.size()}, {"complete", true}});
  // Stored once, in its shard, and no partial left.
  FileBlobStore store = t.Store();
  CHECK(t.f.env.ReadFile(store.BlobPath(hash), nullptr) == photo);
  CHECK(store.BlobPath(hash) == t.blob_dir + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash);
  CHECK(Unwrap(store.ListUploads()).empty());
}

TEST_CASE("blobs: status says protocol 2 and the blob limits") {
  BlobFixture t;
  nlohmann::json j = BodyOf(httplib::Client("127.0.0.1", t.port).Get("/v1/status"));
  CHECK(j["protocol"] == sync::kProtocolVersion);  // "blobs" says it takes photos
  CHECK(j["blobs"] == nlohmann::json{{"max_chunk", 1048576}, {"max_blob", 52428800}});
}

TEST_CASE("blobs: an upload resumes where the server's durable offset says") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(250 * 1000, 2);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["offset"] == 0);
  REQUIRE(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  REQUIRE(amina.Put(hash, t.ws, size, kChunk, photo.substr(kChunk, kChunk))->status == 200);
  nlohmann::json s = BodyOf(amina.Status(hash, t.ws, size));
  CHECK(s["offset"] == 2 * kChunk);
  CHECK(s["complete"] == false);
  CHECK(amina.Get(hash, t.ws)->status == 404);  // not visible while uploading
  amina.Upload(t.ws, photo, kChunk, 2 * kChunk);
  CHECK(amina.Get(hash, t.ws)->body == photo);
}

TEST_CASE("blobs: a chunk at the wrong offset gets 409 with the server's offset") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(250 * 1000, 3);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  REQUIRE(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  for (int64_t wrong : {int64_t{0}, int64_t{2 * kChunk}}) {
    httplib::Result r = amina.Put(hash, t.ws, size, wrong, photo.substr(static_cast<size_t>(wrong), kChunk));
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(CodeOf(r) == "offset_mismatch");
    CHECK(BodyOf(r)["offset"] == kChunk);
  }
  CHECK(Unwrap(t.Store().UploadSize(t.ws, hash)) == kChunk);
}

TEST_CASE("blobs: a damaged chunk gets 422 chunk_mismatch and the offset stays") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(250 * 1000, 4);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  REQUIRE(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  std::string damaged = photo.substr(kChunk, kChunk);
  damaged[7] ^= 1;
  httplib::Result r = amina.Put(hash, t.ws, size, kChunk, damaged, Sha256Hex(photo.substr(kChunk, kChunk)));
  REQUIRE(r);
  CHECK(r->status == 422);
  CHECK(CodeOf(r) == "chunk_mismatch");
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["offset"] == kChunk);
  CHECK(Unwrap(t.Store().UploadSize(t.ws, hash)) == kChunk);
}

TEST_CASE("blobs: bytes that do not match the name get 422 hash_mismatch, offset 0, nothing visible") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(150 * 1000, 5);
  const std::string wrong_name = Sha256Hex("another photo");
  const int64_t size = static_cast<int64_t>(photo.size());
  REQUIRE(amina.Put(wrong_name, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  httplib::Result r = amina.Put(wrong_name, t.ws, size, kChunk, photo.substr(kChunk));
  REQUIRE(r);
  CHECK(r->status == 422);
  CHECK(CodeOf(r) == "hash_mismatch");
  CHECK(BodyOf(r)["offset"] == 0);
  CHECK(BodyOf(amina.Status(wrong_name, t.ws, size))["offset"] == 0);
  CHECK(amina.Get(wrong_name, t.ws)->status == 404);
  CHECK(t.BlobFiles() == 0);
  CHECK(Unwrap(t.Store().ListUploads()).empty());
}

TEST_CASE("blobs: dedupe within a workspace, a second workspace must upload, stored once") {
  BlobFixture t;
  const std::string ws_b = t.f.AddWorkspace("Other municipality");
  BlobClient amina = t.Member("amina");
  t.f.AddMember(ws_b, "amina");
  const std::string photo = PhotoBytes(150 * 1000, 6);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  amina.Upload(t.ws, photo, kChunk);
  // Same workspace: complete at once, and a chunk sent anyway changes nothing.
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["complete"] == true);
  nlohmann::json again = BodyOf(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk)));
  CHECK(again["complete"] == true);
  CHECK(again["offset"] == size);
  // Another workspace: knowing the hash proves nothing; it uploads the bytes.
  nlohmann::json other = BodyOf(amina.Status(hash, ws_b, size));
  CHECK(other["complete"] == false);
  CHECK(other["offset"] == 0);
  CHECK(amina.Get(hash, ws_b)->status == 404);
  amina.Upload(ws_b, photo, kChunk);
  CHECK(amina.Get(hash, ws_b)->body == photo);
  CHECK(t.BlobFiles() == 1);
}

TEST_CASE("blobs: tenants see nothing of each other, observers cannot upload") {
  BlobFixture t;
  const std::string ws_b = t.f.AddWorkspace("Other municipality");
  BlobClient amina = t.Member("amina");
  BlobClient bob = t.Member("bob", "field_staff", ws_b);
  BlobClient olga = t.Member("olga", "observer");
  const std::string photo = PhotoBytes(50 * 1000, 7);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  amina.Upload(t.ws, photo, kChunk);
  // Bob (workspace B): A's blob through either workspace is the same 404 as a random hash.
  httplib::Result random = bob.Get(Sha256Hex("nothing"), ws_b);
  REQUIRE(random);
  CHECK(random->status == 404);
  for (const std::string& ws : {t.ws, ws_b}) {
    httplib::Result r = bob.Get(hash, ws);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == random->body);
  }
  // Bob cannot upload into A, nor ask where an upload to A stands.
  httplib::Result put = bob.Put(hash, t.ws, size, 0, photo);
  REQUIRE(put);
  CHECK(put->status == 403);
  CHECK(CodeOf(put) == "forbidden");
  CHECK(bob.Status(hash, t.ws, size)->status == 403);
  // The observer reads A's photos but adds none.
  CHECK(olga.Get(hash, t.ws)->body == photo);
  const std::string own = PhotoBytes(1000, 8);
  httplib::Result op = olga.Put(Sha256Hex(own), t.ws, 1000, 0, own);
  REQUIRE(op);
  CHECK(op->status == 403);
  CHECK(CodeOf(op) == "read_only");
  CHECK(t.BlobFiles() == 1);
}

TEST_CASE("blobs: no token or a wrong one is 401") {
  BlobFixture t;
  const std::string hash = Sha256Hex("x");
  for (const std::string& token : {std::string(), std::string("not-a-token")}) {
    BlobClient stranger("127.0.0.1", t.port, token);
    std::vector<httplib::Result> answers;
    answers.push_back(stranger.Get(hash, t.ws));
    answers.push_back(stranger.Status(hash, t.ws, 1));
    answers.push_back(stranger.Put(hash, t.ws, 1, 0, "x"));
    for (const httplib::Result& r : answers) {
      REQUIRE(r);
      CHECK(r->status == 401);
      CHECK(CodeOf(r) == "unauthenticated");
    }
  }
}

TEST_CASE("blobs: the workspace quota counts claimed and partial bytes, and says how much is used") {
  BlobFixture t(int64_t{1} << 20);  // 1 MiB
  BlobClient amina = t.Member("amina");
  const std::string first = PhotoBytes(512 * 1024, 9);
  amina.Upload(t.ws, first, 256 * 1024);
  const std::string second = PhotoBytes(768 * 1024, 10);
  httplib::Result r = amina.Put(Sha256Hex(second), t.ws, 768 * 1024, 0, second.substr(0, kChunk));
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(CodeOf(r) == "blob_quota");
  const std::string msg = BodyOf(r)["error"]["message"];
  CHECK_MESSAGE(msg.find("0.5 MB of 1.0 MB used") != std::string::npos, msg);
  CHECK_MESSAGE(msg.find("needs 0.8 MB") != std::string::npos, msg);
  CHECK(Unwrap(t.Store().ListUploads()).empty());
  // A partial upload counts too: with 300 KiB of one received, 350 KiB more pass 600 KiB.
  BlobFixture u(int64_t{600} * 1024);
  BlobClient bob = u.Member("bob");
  const std::string big = PhotoBytes(400 * 1024, 11);
  REQUIRE(bob.Put(Sha256Hex(big), u.ws, 400 * 1024, 0, big.substr(0, 300 * 1024))->status == 200);
  const std::string small = PhotoBytes(350 * 1024, 12);
  httplib::Result q = bob.Put(Sha256Hex(small), u.ws, 350 * 1024, 0, small);
  REQUIRE(q);
  CHECK(q->status == 413);
  CHECK(CodeOf(q) == "blob_quota");
}

TEST_CASE("blobs: a photo over 50 MiB or a chunk over 1 MiB is 413 too_large") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string hash = Sha256Hex("big");
  httplib::Result big = amina.Status(hash, t.ws, (int64_t{50} << 20) + 1);
  REQUIRE(big);
  CHECK(big->status == 413);
  CHECK(CodeOf(big) == "too_large");
  const std::string chunk = PhotoBytes((1 << 20) + 1, 13);
  httplib::Result r = amina.Put(hash, t.ws, 2 << 20, 0, chunk);
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(CodeOf(r) == "too_large");
  // Exactly 1 MiB is a chunk.
  const std::string photo = PhotoBytes(1 << 20, 14);
  amina.Upload(t.ws, photo, 1 << 20);
}

TEST_CASE("blobs: a malformed hash, ws, size or offset is 400 invalid") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string hash = Sha256Hex("photo");
  const std::string upper = "ABCDEF" + hash.substr(6);
  auto get = [&](const std::string& path) { return amina.Client()->Get(path.c_str(), amina.Auth()); };
  for (const std::string& path :
       {"/v1/blobs/" + hash.substr(1) + "/upload?ws=" + t.ws + "&size=5", "/v1/blobs/" + upper + "?ws=" + t.ws,
        "/v1/blobs/" + hash + "/upload?ws=../etc&size=5", "/v1/blobs/" + hash + "?ws=",
        "/v1/blobs/" + hash + "/upload?ws=" + t.ws + "&size=-5", "/v1/blobs/" + hash + "/upload?ws=" + t.ws + "&size=0",
        "/v1/blobs/" + hash + "/upload?ws=" + t.ws + "&size=x", "/v1/blobs/" + hash + "/upload?ws=" + t.ws}) {
    httplib::Result r = get(path);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 400, path);
    CHECK(CodeOf(r) == "invalid");
  }
  httplib::Headers h = amina.Auth();
  h.emplace("X-Chunk-Sha256", Sha256Hex("abc"));
  for (const char* offset : {"-1", "x", ""}) {
    const std::string path = BlobClient::UploadPath(hash, t.ws, 3) + "&offset=" + std::string(offset);
    httplib::Result r = amina.Client()->Put(path.c_str(), h, "abc", "application/octet-stream");
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 400, offset);
  }
  // A size that differs from the upload's.
  const std::string photo = PhotoBytes(150 * 1000, 15);
  REQUIRE(amina.Put(Sha256Hex(photo), t.ws, 150 * 1000, 0, photo.substr(0, kChunk))->status == 200);
  CHECK(amina.Status(Sha256Hex(photo), t.ws, 150 * 1000 + 1)->status == 400);
}

TEST_CASE("blobs: Range resumes a download (206), a range past the end is 416") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(120 * 1000, 16);
  const std::string hash = Sha256Hex(photo);
  amina.Upload(t.ws, photo, kChunk);
  httplib::Result tail = amina.Get(hash, t.ws, "bytes=100000-");
  REQUIRE(tail);
  CHECK(tail->status == 206);
  CHECK(tail->body == photo.substr(100000));
  CHECK(tail->get_header_value("Content-Range") == "bytes 100000-119999/120000");
  httplib::Result mid = amina.Get(hash, t.ws, "bytes=10-19");
  REQUIRE(mid);
  CHECK(mid->status == 206);
  CHECK(mid->body == photo.substr(10, 10));
  CHECK(mid->get_header_value("Content-Range") == "bytes 10-19/120000");
  httplib::Result past = amina.Get(hash, t.ws, "bytes=120000-");
  REQUIRE(past);
  CHECK(past->status == 416);
  CHECK(past->get_header_value("Content-Range") == "bytes */120000");
}

TEST_CASE("blobs: a full disk answers 503 out_of_space, and after space returns the upload completes whole") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(300 * 1000, 17);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  REQUIRE(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  // The second chunk: 1000 bytes reach the disk, then it is full.
  t.f.env.SetFileFaults({.fail_write = 2, .fail_errno = ENOSPC, .short_write_bytes = 1000});
  httplib::Result r = amina.Put(hash, t.ws, size, kChunk, photo.substr(kChunk, kChunk));
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(CodeOf(r) == "out_of_space");
  CHECK(BodyOf(r)["offset"] == kChunk);
  CHECK(t.f.env.write_faults() == 1);
  CHECK(Unwrap(t.Store().UploadSize(t.ws, hash)) == kChunk);  // cut back to the durable offset
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["offset"] == kChunk);
  CHECK(amina.Get(hash, t.ws)->status == 404);
  t.f.env.SetFileFaults({});
  amina.Upload(t.ws, photo, kChunk, kChunk);
  CHECK(amina.Get(hash, t.ws)->body == photo);
}

TEST_CASE("blobs: partial uploads untouched longer than the age are removed, rows and files") {
  BlobFixture t;
  BlobClient amina = t.Member("amina");
  const std::string photo = PhotoBytes(150 * 1000, 18);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  REQUIRE(amina.Put(hash, t.ws, size, 0, photo.substr(0, kChunk))->status == 200);
  constexpr int64_t kHour = 3600 * 1000;
  t.f.env.Advance(71 * kHour);  // younger than 72 h: kept (the sweep runs on this request)
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["offset"] == kChunk);
  CHECK(Unwrap(t.Store().UploadSize(t.ws, hash)) == kChunk);
  t.f.env.Advance(2 * kHour);
  REQUIRE(httplib::Client("127.0.0.1", t.port).Get("/v1/status"));  // any request sweeps
  CHECK(Unwrap(t.Store().ListUploads()).empty());
  CHECK(Unwrap(t.f.storage->FindBlobUpload(t.ws, hash)) == std::nullopt);
  CHECK(BodyOf(amina.Status(hash, t.ws, size))["offset"] == 0);
  amina.Upload(t.ws, photo, kChunk);
  CHECK(amina.Get(hash, t.ws)->body == photo);
}

}  // namespace
}  // namespace ccfield::server::testing
