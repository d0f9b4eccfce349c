// SyncClient: signing in and out (client.h). A login binds the device id
// with the server's secret, saves the token apart from the file and the
// account's memberships; a logout revokes the token on the server when it can.
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "client_context.h"
#include "curl_errors.h"

namespace ccfield::sync {

using nlohmann::json;

Result<LoginResult> SyncClient::Login(const std::string& url_in, const std::string& username,
                                      const std::string& password, const std::string& device_name,
                                      const std::string& ca_file) {
  if (username.empty()) return ccfield::Status::Invalid("give a user name");
  if (password.empty()) return ccfield::Status::Invalid("give a password");
  CCF_ASSIGN_OR_RETURN(std::string url, CheckServerUrl(url_in));
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  Context* ctx = caller_.get();
  Store* store = ctx->store.get();
  CCF_ASSIGN_OR_RETURN(Transport * transport, ctx->TransportFor(options_, env_, url, ca_file));
  CCF_ASSIGN_OR_RETURN(SyncSettings settings, store->replica().GetSyncSettings());
  sync::LoginRequest request;
  request.username = username;
  request.password = password;
  request.device_id = store->device_id();
  request.device_name = device_name;
  // The secret this server gave the device binds its id to it (docs/security.md).
  if (!settings.device_secret.empty() && settings.device_secret_server == url) {
    request.device_secret = settings.device_secret;
  }
  CCF_ASSIGN_OR_RETURN(HttpResult http, transport->Post("/v1/login", ToJson(request).dump(), ""));
  if (http.status != 200) return internal::LoginHttpFailure(http.status, http.body, http.retry_after_seconds).status;
  Result<json> j = ParseJsonText(http.body);
  Result<LoginResponse> answer = j.ok() ? ParseLoginResponse(*j) : Result<LoginResponse>(j.status());
  if (!answer.ok()) {
    return ccfield::Status::Unavailable("the server's answer to the login could not be read (" +
                                        answer.status().message() + ")");
  }
  LoginResult result;
  result.server_url = url;
  result.user_id = answer->user_id;
  result.expires_at = answer->expires_at;
  for (const WorkspaceRole& w : answer->workspaces) result.workspaces.push_back({w.id, w.role});
  if (!answer->device_secret.empty()) {
    settings.device_secret = answer->device_secret;
    settings.device_secret_server = url;
  }
  if (settings.server_url != url || settings.username != username) {
    // Another server or another person: what this device saw before says
    // nothing about what it may see now. Pull everything again (idempotent).
    settings.cursor = 0;
  }
  settings.server_url = url;
  settings.username = username;
  settings.token = answer->token;
  settings.ca_file = ca_file;
  settings.last_error.clear();
  CCF_RETURN_IF_ERROR(store->replica().SaveSyncSettings(settings).WithContext("saving the login"));
  if (answer->workspaces_known) {
    std::vector<std::pair<std::string, std::string>> ws;
    for (const LoginResult::Workspace& w : result.workspaces) ws.emplace_back(w.id, w.role);
    CCF_RETURN_IF_ERROR(store->replica().SaveMemberships(username, ws).WithContext("saving the login"));
  }
  CCF_ASSIGN_OR_RETURN(result.others_unsent, store->replica().UnsentOfOtherAccounts());
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.logged_in = true;
    state_.server_url = url;
    state_.username = username;
    state_.blocked_by.clear();
    state_.blocked_action.reset();
  }
  return result;
}

Result<LogoutResult> SyncClient::Logout() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  Context* ctx = caller_.get();
  Store* store = ctx->store.get();
  CCF_ASSIGN_OR_RETURN(SyncSettings settings, store->replica().GetSyncSettings());
  LogoutResult result;
  if (settings.token.empty()) return result;
  result.was_logged_in = true;
  Result<Transport*> transport = ctx->TransportFor(options_, env_, settings.server_url, settings.ca_file);
  Result<HttpResult> http = transport.ok()
                                ? (*transport)->Post("/v1/logout", ToJson(LogoutRequest{}).dump(), settings.token)
                                : Result<HttpResult>(transport.status());
  if (!http.ok()) {
    result.server_problem = http.status().message();
  } else if (http->status == 200 || http->status == 401) {
    result.revoked_on_server = true;  // 401: the token was already no good there
  } else {
    result.server_problem = internal::HttpFailure(http->status, http->body, http->retry_after_seconds).status.message();
  }
  settings.token.clear();
  CCF_RETURN_IF_ERROR(store->replica().SaveSyncSettings(settings).WithContext("forgetting the login"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.logged_in = false;
  }
  return result;
}

}  // namespace ccfield::sync
