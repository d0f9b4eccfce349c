#pragma once
// What the photo blob tests share: deterministic photo bytes and an HTTP
// client for the three blob endpoints (docs/sync-protocol.md, "Photos:
// blobs") against a server on 127.0.0.1, in this process or spawned.
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "blob_store.h"

namespace ccfield::server::testing {

// `n` bytes that differ with `seed` (a JPEG's worth of noise).
inline std::string PhotoBytes(size_t n, uint32_t seed = 1) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

// The blob endpoints, as a device calls them.
class BlobClient {
 public:
  BlobClient(std::string host, int port, std::string token)
      : host_(std::move(host)), port_(port), token_(std::move(token)) {}

  std::unique_ptr<httplib::Client> Client() const {
    auto c = std::make_unique<httplib::Client>(host_, port_);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    return c;
  }
  httplib::Headers Auth() const {
    httplib::Headers h;
    if (!token_.empty()) h.emplace("Authorization", "Bearer " + token_);
    return h;
  }
  static std::string UploadPath(const std::string& hash, const std::string& ws, int64_t size) {
    return "/v1/blobs/" + hash + "/upload?ws=" + ws + "&size=" + std::to_string(size);
  }
  httplib::Result Status(const std::string& hash, const std::string& ws, int64_t size) const {
    return Client()->Get(UploadPath(hash, ws, size).c_str(), Auth());
  }
  // One chunk; `chunk_sha` defaults to the chunk's own SHA-256.
  httplib::Result Put(const std::string& hash, const std::string& ws, int64_t size, int64_t offset,
                      const std::string& chunk, std::string chunk_sha = "") const {
    httplib::Headers h = Auth();
    h.emplace("X-Chunk-Sha256", chunk_sha.empty() ? Sha256Hex(chunk) : chunk_sha);
    return Client()->Put((UploadPath(hash, ws, size) + "&offset=" + std::to_string(offset)).c_str(), h, chunk,
                         "application/octet-stream");
  }
  httplib::Result Get(const std::string& hash, const std::string& ws, const std::string& range = "") const {
    httplib::Headers h = Auth();
    if (!range.empty()) h.emplace("Range", range);
    return Client()->Get(("/v1/blobs/" + hash + "?ws=" + ws).c_str(), h);
  }
  // Uploads `data` under its own hash from `from` in chunks of `chunk`;
  // REQUIREs 200 for each and complete at the end.
  void Upload(const std::string& ws, const std::string& data, size_t chunk, size_t from = 0) const {
    const std::string hash = Sha256Hex(data);
    for (size_t off = from; off < data.size(); off += chunk) {
      httplib::Result r =
          Put(hash, ws, static_cast<int64_t>(data.size()), static_cast<int64_t>(off), data.substr(off, chunk));
      REQUIRE(r);
      REQUIRE_MESSAGE(r->status == 200, r->body);
      const nlohmann::json j = nlohmann::json::parse(r->body);
      CHECK(j["offset"] == std::min(off + chunk, data.size()));
      CHECK(j["complete"] == (off + chunk >= data.size()));
    }
  }

 private:
  std::string host_;
  int port_;
  std::string token_;
};

// The JSON body of an answer (REQUIREs one).
inline nlohmann::json BodyOf(const httplib::Result& r) {
  REQUIRE(r);
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), r->body);
  return j;
}

// The error code of a JSON error body.
inline std::string CodeOf(const httplib::Result& r) {
  const nlohmann::json j = BodyOf(r);
  return j.contains("error") ? j["error"].value("code", "") : "<no error>";
}

}  // namespace ccfield::server::testing
