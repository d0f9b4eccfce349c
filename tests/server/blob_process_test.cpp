// The photo blob endpoints on the real ccfield-server binary (spawned on
// 127.0.0.1): kill -9 in the middle of an upload and a restart, the blob
// flags of `serve`, and `admin blob-stats`. Real processes, real files.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "admin.h"
#include "blob_test_support.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace ccfield::server::testing {
namespace {

constexpr size_t kChunk = 100 * 1000;

// Sends a chunk's headers and the first half of its bytes, then stops
// (a device whose link dies mid-chunk). Returns the open socket.
int SendHalfAChunk(int port, const std::string& token, const std::string& path, const std::string& chunk) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string head = "PUT " + path + " HTTP/1.1\r\nHost: ccfield\r\nAuthorization: Bearer " + token +
                           "\r\nContent-Type: application/octet-stream\r\nX-Chunk-Sha256: " + Sha256Hex(chunk) +
                           "\r\nContent-Length: " + std::to_string(chunk.size()) + "\r\n\r\n" +
                           chunk.substr(0, chunk.size() / 2);
  REQUIRE(send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
  return fd;
}

// Signs alice of a ServerProcess in; her token.
std::string AliceToken(int port) {
  const nlohmann::json login = {{"username", "alice"},
                                {"password", ccfield::testing::ServerProcess::Password("alice")},
                                {"device_id", "0b9d7c3a-1e2f-4a5b-8c6d-7e8f9a0b1c2d"},
                                {"device_name", "tablet"}};
  httplib::Result lr = httplib::Client("127.0.0.1", port).Post("/v1/login", login.dump(), "application/json");
  REQUIRE(lr);
  REQUIRE_MESSAGE(lr->status == 200, lr->body);
  return nlohmann::json::parse(lr->body)["token"];
}

TEST_CASE("blobs: kill -9 of the server mid-upload, restart, the upload resumes from the durable offset") {
  SKIP_WITHOUT_SERVER();
  ccfield::testing::ServerProcess server(ccfield::testing::kServerPath);
  const std::string token = AliceToken(server.port);
  const std::string ws = server.workspace_id;
  const std::string photo = PhotoBytes(500 * 1000, 20);
  const std::string hash = Sha256Hex(photo);
  const int64_t size = static_cast<int64_t>(photo.size());
  {
    BlobClient alice("127.0.0.1", server.port, token);
    REQUIRE(alice.Put(hash, ws, size, 0, photo.substr(0, kChunk))->status == 200);
    REQUIRE(alice.Put(hash, ws, size, kChunk, photo.substr(kChunk, kChunk))->status == 200);
    const int fd = SendHalfAChunk(server.port, token, BlobClient::UploadPath(hash, ws, size) + "&offset=200000",
                                  photo.substr(2 * kChunk, kChunk));
    server.Kill(9);
    close(fd);
  }
  // A chunk that reached the file but not the table (killed between the two):
  // the partial is longer than the durable offset.
  const std::string partial = server.dir.File("server.db.blobs/partial/" + ws + "-" + hash);
  {
    std::ofstream junk(partial, std::ios::binary | std::ios::app);
    junk << "bytes the server never counted";
  }
  server.Start();
  BlobClient alice("127.0.0.1", server.port, token);
  nlohmann::json s = BodyOf(alice.Status(hash, ws, size));
  CHECK(s["offset"] == 2 * kChunk);
  CHECK(s["complete"] == false);
  alice.Upload(ws, photo, kChunk, 2 * kChunk);
  httplib::Result got = alice.Get(hash, ws);
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body == photo);
  CHECK(BodyOf(alice.Client()->Get("/v1/status"))["protocol"] == sync::kProtocolVersion);  // the new port

  // blob-stats while it runs: one blob, nothing partial, the workspace's claim.
  const std::string second = PhotoBytes(64 * 1024, 21);
  REQUIRE(alice.Put(Sha256Hex(second), ws, 128 * 1024, 0, second)->status == 200);
  const std::string stats = server.Admin({"blob-stats"});
  CHECK_MESSAGE(stats.find("blobs stored: 1 (0.5 MB)\n") == 0, stats);
  CHECK_MESSAGE(stats.find("partial uploads: 1 (0.1 MB), oldest untouched for 0 min\n") != std::string::npos, stats);
  CHECK_MESSAGE(stats.find("workspace " + ws + ": 1 claimed (0.5 MB) of quota 2048.0 MB; 1 uploading (0.1 MB)\n") !=
                    std::string::npos,
                stats);
  const nlohmann::json j = nlohmann::json::parse(server.Admin({"blob-stats", "--json"}));
  CHECK(j["blobs"] == nlohmann::json{{"count", 1}, {"bytes", size}});
  CHECK(j["partial"]["count"] == 1);
  CHECK(j["partial"]["bytes"] == 64 * 1024);
  REQUIRE(j["workspaces"].size() == 1);
  CHECK(j["workspaces"][0] == nlohmann::json{{"id", ws},
                                             {"claimed_count", 1},
                                             {"claimed_bytes", size},
                                             {"uploads", 1},
                                             {"upload_bytes", 64 * 1024},
                                             {"quota_bytes", int64_t{2048} << 20}});
}

TEST_CASE("blobs: serve flags --blob-dir and --blob-quota-mb, and bad values are exit 2") {
  SKIP_WITHOUT_SERVER();
  using ccfield::testing::RunCommand;
  ccfield::testing::TempDir elsewhere;
  const std::string photos = elsewhere.File("photos");
  const std::vector<std::string> flags = {"--blob-dir", photos, "--blob-quota-mb", "1"};
  ccfield::testing::ServerProcess server(ccfield::testing::kServerPath, flags);
  BlobClient alice("127.0.0.1", server.port, AliceToken(server.port));
  const std::string photo = PhotoBytes(600 * 1024, 22);
  const std::string hash = Sha256Hex(photo);
  alice.Upload(server.workspace_id, photo, 300 * 1024);
  CHECK(FileBlobStore(DefaultEnv(), photos).BlobPath(hash) ==
        photos + "/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash);
  CHECK(DefaultEnv()->FileSize(FileBlobStore(DefaultEnv(), photos).BlobPath(hash), nullptr) == photo.size());
  const std::string more = PhotoBytes(600 * 1024, 23);
  httplib::Result r = alice.Put(Sha256Hex(more), server.workspace_id, 600 * 1024, 0, more.substr(0, 1024));
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(CodeOf(r) == "blob_quota");
  // blob-stats reads the same directory when given the same flags.
  std::vector<std::string> stats = {ccfield::testing::kServerPath, "--data", server.dir.path()};
  stats.insert(stats.end(), flags.begin(), flags.end());
  stats.insert(stats.end(), {"admin", "blob-stats"});
  const auto [code, out] = RunCommand(stats);
  CHECK(code == 0);
  CHECK_MESSAGE(out.find("blobs stored: 1 (0.6 MB)\n") == 0, out);
  CHECK_MESSAGE(out.find(": 1 claimed (0.6 MB) of quota 1.0 MB\n") != std::string::npos, out);
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--blob-quota-mb", "lots"}, {"--partial-max-age-hours", "0"}, {"--blob-dir", ""}}) {
    std::vector<std::string> args = {ccfield::testing::kServerPath, "--data", elsewhere.File("data")};
    args.insert(args.end(), bad.begin(), bad.end());
    CHECK_MESSAGE(RunCommand(args).first == kExitUsage, bad[0]);
  }
}

}  // namespace
}  // namespace ccfield::server::testing
