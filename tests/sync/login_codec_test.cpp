// The login and logout codecs (sync/protocol.h), the sync answer's workspaces and the shared gzip
// (sync/gzip.h): round trips, and malformed input refused with a message
// that names the field. Pure: no storage, no network.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ccfield/sync/gzip.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::sync {
namespace {

using nlohmann::json;

constexpr const char* kDevice = "5f0c6a43-8d1e-4c2b-9a7e-2d3b4c5d6e7f";

// The error message of `r`; "" when it is ok.
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? "" : r.status().message();
}

TEST_CASE("login codec: a request survives encode and parse, optional fields included") {
  LoginRequest in{"Amina", "p\xc3\xa4ssword \"quoted\"", kDevice, "Amina's tablet", "secret-123"};
  Result<LoginRequest> out = ParseLoginRequest(json::parse(ToJson(in).dump()));
  REQUIRE_MESSAGE(out.ok(), out.status().message());
  CHECK(out->username == in.username);
  CHECK(out->password == in.password);
  CHECK(out->device_id == in.device_id);
  CHECK(out->device_name == in.device_name);
  CHECK(out->device_secret == in.device_secret);

  // Without the optional fields: they are left out of the JSON and read back empty.
  LoginRequest bare{"amina", "pw", kDevice, "", ""};
  json j = ToJson(bare);
  CHECK_FALSE(j.contains("device_name"));
  CHECK_FALSE(j.contains("device_secret"));
  Result<LoginRequest> back = ParseLoginRequest(j);
  REQUIRE(back.ok());
  CHECK(back->device_name.empty());
  CHECK(back->device_secret.empty());
}

TEST_CASE("login codec: malformed requests are refused naming the field") {
  CHECK(ErrorOf(ParseLoginRequest(json::array())) == "login must be an object");
  CHECK(ErrorOf(ParseLoginRequest(json{{"password", "pw"}, {"device_id", kDevice}})) == "login.username is missing");
  CHECK(ErrorOf(ParseLoginRequest(json{{"username", 5}, {"password", "pw"}, {"device_id", kDevice}})) ==
        "login.username must be a string");
  CHECK(ErrorOf(ParseLoginRequest(json{{"username", "amina"}, {"device_id", kDevice}})) ==
        "login.password is missing");
  CHECK(ErrorOf(ParseLoginRequest(json{{"username", "amina"}, {"password", "pw"}, {"device_id", "tablet-1"}})) ==
        "login.device_id must be a UUID");
  CHECK(ErrorOf(ParseLoginRequest(json{{"username", "amina"},
                                       {"password", std::string(5000, 'x')},
                                       {"device_id", kDevice}})) == "login.password is too long");
  CHECK(ErrorOf(ParseLoginRequest(
            json{{"username", "amina"}, {"password", "pw"}, {"device_id", kDevice}, {"device_secret", true}})) ==
        "login.device_secret must be a string");
}

TEST_CASE("login codec: a response survives encode and parse, with and without workspaces") {
  LoginResponse in;
  in.token = "tok_ABC-123";
  in.expires_at = "2026-01-31T10:00:00.000Z";
  in.user_id = "u1";
  in.workspaces_known = true;
  in.workspaces = {{"ws1", "field_staff"}, {"ws2", "coordinator"}};
  in.device_secret = "s3cret";
  Result<LoginResponse> out = ParseLoginResponse(json::parse(ToJson(in).dump()));
  REQUIRE_MESSAGE(out.ok(), out.status().message());
  CHECK(out->token == in.token);
  CHECK(out->expires_at == in.expires_at);
  CHECK(out->user_id == in.user_id);
  REQUIRE(out->workspaces_known);
  REQUIRE(out->workspaces.size() == 2);
  CHECK(out->workspaces[1].id == "ws2");
  CHECK(out->workspaces[1].role == "coordinator");
  CHECK(out->device_secret == "s3cret");

  // A member of nothing is a known, empty list; no field at all says nothing.
  in.workspaces.clear();
  out = ParseLoginResponse(ToJson(in));
  REQUIRE(out.ok());
  CHECK(out->workspaces_known);
  CHECK(out->workspaces.empty());
  out = ParseLoginResponse(json{{"token", "t"}});
  REQUIRE(out.ok());
  CHECK_FALSE(out->workspaces_known);
  CHECK(out->device_secret.empty());
}

TEST_CASE("login codec: malformed responses are refused") {
  CHECK(ErrorOf(ParseLoginResponse(json("token"))) == "login response must be an object");
  CHECK(ErrorOf(ParseLoginResponse(json{{"user_id", "u1"}})) == "login response.token is missing");
  CHECK(ErrorOf(ParseLoginResponse(json{{"token", ""}})) == "login response.token is empty");
  CHECK(ErrorOf(ParseLoginResponse(json{{"token", 7}})) == "login response.token must be a string");
  CHECK(ErrorOf(ParseLoginResponse(json{{"token", "t"}, {"workspaces", "ws1"}})) ==
        "login response.workspaces must be an array");
  CHECK(ErrorOf(ParseLoginResponse(json{{"token", "t"}, {"workspaces", {{{"id", "ws1"}}}}})) ==
        "login response.workspaces[].role is missing");
  CHECK(ErrorOf(ParseLoginResponse(json{{"token", "t"}, {"workspaces", {"ws1"}}})) ==
        "login response.workspaces[] must be an object");
}

TEST_CASE("sync response codec: a workspace's photo size travels, sizes devices cannot make are ignored") {
  SyncResponse r;
  r.workspaces = {{"ws-1", "field_staff", 1024}, {"ws-2", "coordinator", 0}};
  r.workspaces_known = true;
  const json j = ToJson(r);
  CHECK(j["workspaces"][0]["photo_long_edge"] == 1024);
  CHECK_FALSE(j["workspaces"][1].contains("photo_long_edge"));  // not set: devices keep their default
  Result<SyncResponse> parsed = ParseSyncResponse(j);
  REQUIRE(parsed.ok());
  const SyncResponse& back = parsed.value();
  REQUIRE(back.workspaces.size() == 2);
  CHECK(back.workspaces[0].photo_long_edge == 1024);
  CHECK(back.workspaces[1].photo_long_edge == 0);
  for (int bad : {1, 319, 4097, 1 << 30}) {
    json hostile = j;
    hostile["workspaces"][0]["photo_long_edge"] = bad;
    Result<SyncResponse> r = ParseSyncResponse(hostile);
    REQUIRE(r.ok());
    CHECK(r.value().workspaces[0].photo_long_edge == 0);
  }
  json wrong_type = j;
  wrong_type["workspaces"][0]["photo_long_edge"] = "big";
  CHECK_FALSE(ParseSyncResponse(wrong_type).ok());
}

// Issue 14: additive fields; an older server sends none and an older client ignores them.
TEST_CASE("sync response codec: a conflict names its users when known, and reads without them") {
  SyncResponse r;
  FieldConflict x;
  x.id = "c1";
  x.version = 7;
  x.record_id = "r1";
  x.workspace_id = "ws-1";
  x.field = "notes";
  x.winner_user = "bob";
  x.loser_user = "alice";
  FieldConflict merged = x;  // the other side was the server's own merge
  merged.id = "c2";
  merged.version = 8;
  merged.loser_user.clear();
  r.conflicts = {x, merged};
  const json j = ToJson(r);
  CHECK(j["conflicts"][0]["winner_user"] == "bob");
  CHECK(j["conflicts"][0]["loser_user"] == "alice");
  CHECK_FALSE(j["conflicts"][1].contains("loser_user"));
  Result<SyncResponse> parsed = ParseSyncResponse(j);
  REQUIRE(parsed.ok());
  REQUIRE(parsed.value().conflicts.size() == 2);
  CHECK(parsed.value().conflicts[0].winner_user == "bob");
  CHECK(parsed.value().conflicts[0].loser_user == "alice");
  CHECK(parsed.value().conflicts[1].winner_user == "bob");
  CHECK(parsed.value().conflicts[1].loser_user.empty());
  json old = j;  // as a server before issue 14 sends it
  for (json& c : old["conflicts"]) {
    c.erase("winner_user");
    c.erase("loser_user");
  }
  Result<SyncResponse> from_old = ParseSyncResponse(old);
  REQUIRE(from_old.ok());
  CHECK(from_old.value().conflicts[0].winner_user.empty());
  CHECK(from_old.value().conflicts[0].loser_user.empty());
  json wrong_type = j;
  wrong_type["conflicts"][0]["winner_user"] = 7;
  CHECK(ErrorOf(ParseSyncResponse(wrong_type)).find("winner_user") != std::string::npos);
}

TEST_CASE("logout codec: an empty object both ways, anything else refused") {
  CHECK(ToJson(LogoutRequest{}).dump() == "{}");
  CHECK(ParseLogoutRequest(json::object()).ok());
  CHECK(ErrorOf(ParseLogoutRequest(json::array())) == "logout must be an object");
  Result<LogoutResponse> ok = ParseLogoutResponse(ToJson(LogoutResponse{}));
  REQUIRE(ok.ok());
  CHECK(ok->ok);
  CHECK(ErrorOf(ParseLogoutResponse(json{{"ok", "yes"}})) == "logout response.ok must be true or false");
}

TEST_CASE("gzip: round trip, a size limit that stops inflating, broken data refused") {
  const std::string text = std::string(100000, 'a') + "tail";
  Result<std::string> gz = Gzip(text);
  REQUIRE(gz.ok());
  CHECK(gz->size() < text.size() / 50);
  Result<std::optional<std::string>> back = Gunzip(*gz, text.size());
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK(**back == text);

  back = Gunzip(*gz, text.size() - 1);
  REQUIRE(back.ok());
  CHECK_FALSE(back->has_value());

  CHECK_FALSE(Gunzip(gz->substr(0, gz->size() / 2), text.size()).ok());  // cut short
  CHECK_FALSE(Gunzip(*gz + "trailing", text.size()).ok());
  CHECK_FALSE(Gunzip(std::string("\x1f\x8b\x08\x00garbage", 12), 1000).ok());
  CHECK_FALSE(Gunzip("{\"plain\": true}", 1000).ok());
}

}  // namespace
}  // namespace ccfield::sync
