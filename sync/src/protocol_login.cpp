// The login and logout messages' JSON codec (protocol.h).
#include "ccfield/core/text.h"
#include "ccfield/sync/protocol.h"
#include "json_reader.h"

namespace ccfield::sync {

using internal::Reader;
using nlohmann::json;

namespace {

// Bounds well above what the server accepts (auth.h checks the real limits
// and says them in plain words); they only keep a hostile body small.
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxPasswordBytes = 4096;
constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxSecretBytes = 256;

}  // namespace

json ToJson(const LoginRequest& r) {
  json j = {{"username", r.username}, {"password", r.password}, {"device_id", r.device_id}};
  if (!r.device_name.empty()) j["device_name"] = r.device_name;
  if (!r.device_secret.empty()) j["device_secret"] = r.device_secret;
  return j;
}

Result<LoginRequest> ParseLoginRequest(const json& j) {
  Reader r(j, "login");
  if (!r.Object()) return r.status();
  LoginRequest req;
  req.username = r.Str("username", true, kMaxNameBytes);
  req.password = r.Str("password", true, kMaxPasswordBytes);
  req.device_id = r.Str("device_id", true, kMaxIdBytes);
  if (r.ok() && !IsUuid(req.device_id)) r.Fail("login.device_id must be a UUID");
  req.device_name = r.Str("device_name", false, kMaxNameBytes);
  req.device_secret = r.Str("device_secret", false, kMaxSecretBytes);
  if (!r.ok()) return r.status();
  return req;
}

json ToJson(const LoginResponse& r) {
  json j = {{"token", r.token}, {"expires_at", r.expires_at}, {"user_id", r.user_id}};
  if (r.workspaces_known) {
    json ws = json::array();
    for (const WorkspaceRole& w : r.workspaces) ws.push_back({{"id", w.id}, {"role", w.role}});
    j["workspaces"] = std::move(ws);
  }
  if (!r.device_secret.empty()) j["device_secret"] = r.device_secret;
  return j;
}

Result<LoginResponse> ParseLoginResponse(const json& j) {
  Reader r(j, "login response");
  if (!r.Object()) return r.status();
  LoginResponse resp;
  resp.token = r.Str("token", true, 1024);
  if (r.ok() && resp.token.empty()) r.Fail("login response.token is empty");
  resp.expires_at = r.Str("expires_at", false, 64);
  resp.user_id = r.Str("user_id", false, kMaxIdBytes);
  resp.device_secret = r.Str("device_secret", false, kMaxSecretBytes);
  const json* workspaces = r.Array("workspaces", false);
  if (!r.ok()) return r.status();
  if (workspaces) {
    resp.workspaces_known = true;
    for (const json& w : *workspaces) {
      Reader wr(w, "login response.workspaces[]");
      if (!wr.Object()) return wr.status();
      WorkspaceRole role{wr.Str("id", true, kMaxIdBytes), wr.Str("role", true, kMaxIdBytes)};
      if (!wr.ok()) return wr.status();
      resp.workspaces.push_back(std::move(role));
    }
  }
  return resp;
}

json ToJson(const LogoutRequest&) { return json::object(); }

json ToJson(const LogoutResponse& r) { return {{"ok", r.ok}}; }

// Any object is a logout request: it carries nothing (the token is the
// Authorization header), and fields a later version adds are ignored.
Result<LogoutRequest> ParseLogoutRequest(const json& j) {
  Reader r(j, "logout");
  if (!r.Object()) return r.status();
  return LogoutRequest{};
}

Result<LogoutResponse> ParseLogoutResponse(const json& j) {
  Reader r(j, "logout response");
  if (!r.Object()) return r.status();
  LogoutResponse resp;
  resp.ok = r.Bool("ok");
  if (!r.ok()) return r.status();
  return resp;
}

}  // namespace ccfield::sync
