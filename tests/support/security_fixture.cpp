#include "support/security_fixture.h"

namespace ccfield::security_test {

httplib::Result PostLogin(httplib::Client& c, const std::string& user, const std::string& password,
                          const std::string& device_id, const std::string& device_name,
                          const std::string& device_secret) {
  json body = {{"username", user}, {"password", password}, {"device_id", device_id}};
  if (!device_name.empty()) body["device_name"] = device_name;
  if (!device_secret.empty()) body["device_secret"] = device_secret;
  return c.Post("/v1/login", body.dump(), "application/json");
}

std::string LoginToken(httplib::Client& c, const std::string& user, const std::string& device_id,
                       const std::string& device_name) {
  httplib::Result r = PostLogin(c, user, ServerProcess::Password(user), device_id, device_name);
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 200, r->body);
  return json::parse(r->body)["token"].get<std::string>();
}

httplib::Result PostSync(httplib::Client& c, const std::string& token, const std::string& body) {
  return c.Post("/v1/sync", {{"Authorization", "Bearer " + token}}, body, "application/json");
}

void AddNewSiteChanges(json* changes, int64_t* seq, const std::string& ws, const std::string& id,
                       const std::string& name, const std::string& author, const std::string& time) {
  changes->push_back({{"seq", (*seq)++},
                      {"type", "site"},
                      {"id", id},
                      {"ws", ws},
                      {"field", "workspace_id"},
                      {"value", ws},
                      {"base", 0},
                      {"time", time},
                      {"author", author},
                      {"created", true}});
  changes->push_back({{"seq", (*seq)++},
                      {"type", "site"},
                      {"id", id},
                      {"ws", ws},
                      {"field", "name"},
                      {"value", name},
                      {"base", 0},
                      {"time", time},
                      {"author", author}});
}

void CheckServerAlive(httplib::Client& c) {
  httplib::Result alive = c.Get("/v1/status");
  REQUIRE(alive);
  CHECK(alive->status == 200);
}

}  // namespace ccfield::security_test
