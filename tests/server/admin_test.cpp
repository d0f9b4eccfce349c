// The admin commands (admin.h): users, workspaces, members, devices, tokens,
// practices and forms; plain-language errors and exit codes.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ccfield/core/forms.h"
#include "ccfield/core/text.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

struct Admin {
  ServerFixture f;
  std::string out, err;
  int Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream o, e;
    AdminOptions options;
    options.password_cost = PasswordCost::kMinimumForTests;
    int code = RunAdmin(args, f.storage.get(), &f.env, in, o, e, options);
    out = o.str();
    err = e.str();
    return code;
  }
  std::string Line() const { return out.substr(0, out.find('\n')); }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = f.dir.File(name);
    std::ofstream(path) << text;
    return path;
  }
};

TEST_CASE("admin: create-user, with the password from stdin, errors are plain and exit non-zero") {
  Admin a;
  CHECK(a.Run({"create-user", "Amina", "--password-stdin"}, "a long password\n") == kExitOk);
  std::string id = a.Line();
  auto user = Unwrap(a.f.storage->FindUserByName("amina"));
  REQUIRE(user.has_value());
  CHECK(user->id == id);
  CHECK(VerifyPassword(user->password_hash, "a long password"));
  CHECK_FALSE(user->admin);

  CHECK(a.Run({"create-user", "amina", "--password", "another password"}) == kExitFailed);
  CHECK(a.err.find("already exists") != std::string::npos);
  CHECK(a.Run({"create-user", "bakari", "--password", "short"}) == kExitFailed);
  CHECK(a.err.find("at least 8") != std::string::npos);
  CHECK(a.Run({"create-user", "bakari"}) == kExitUsage);
  CHECK(a.Run({"create-user", "bad name", "--password", "long enough"}) == kExitFailed);
  CHECK(a.Run({"create-user", "root", "--password", "long enough pw", "--admin"}) == kExitOk);
  CHECK(Unwrap(a.f.storage->FindUserByName("root"))->admin);
  CHECK(a.Run({"frobnicate"}) == kExitUsage);
  CHECK(a.err.find("unknown admin command") != std::string::npos);
  CHECK(a.Run({}) == kExitUsage);
}

TEST_CASE("admin: set-photo-size stores a workspace's photo size, refuses sizes devices cannot make") {
  Admin a;
  REQUIRE(a.Run({"create-workspace", "Kinondoni"}) == kExitOk);
  const std::string ws = a.Line();
  CHECK(Unwrap(a.f.storage->PhotoLongEdge(ws)) == 0);
  CHECK(a.Run({"set-photo-size", ws, "1280"}) == kExitOk);
  CHECK(a.out.find("1280 px") != std::string::npos);
  CHECK(Unwrap(a.f.storage->PhotoLongEdge(ws)) == 1280);
  for (const char* bad : {"100", "5000", "12x", "", "-1600"}) {
    CAPTURE(bad);
    CHECK(a.Run({"set-photo-size", ws, bad}) == kExitUsage);
    CHECK(a.err.find("320 to 4096") != std::string::npos);
  }
  CHECK(Unwrap(a.f.storage->PhotoLongEdge(ws)) == 1280);
  CHECK(a.Run({"set-photo-size", a.f.NewId(), "1024"}) == kExitFailed);
  CHECK(a.err.find("there is no workspace with id") != std::string::npos);
  CHECK(a.Run({"set-photo-size", ws}) == kExitUsage);
}

TEST_CASE("admin: create-workspace and add-member write server changes that members receive") {
  Admin a;
  REQUIRE(a.Run({"create-workspace", "Kinondoni", "--country", "TZ", "--language", "sw"}) == kExitOk);
  std::string ws = a.Line();
  CHECK(IsUuid(ws));
  REQUIRE(a.Run({"create-user", "amina", "--password", kPassword}) == kExitOk);
  std::string user = a.Line();
  REQUIRE(a.Run({"add-member", ws, "amina", "--role", "field_staff", "--name", "Amina K."}) == kExitOk);
  std::string member = a.Line();

  auto ms = Unwrap(a.f.storage->MembershipsOf(user));
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].role == "field_staff");
  CHECK(ms[0].member_id == member);

  AuthContext who = a.f.Who(user, a.f.NewDeviceId());
  sync::SyncResponse r = a.f.Sync(who, {}, 0);
  std::map<std::string, json> got;
  for (const auto& c : r.changes) {
    CHECK(c.device_id == "server");
    got[std::string(ChangeTypeName(c.type)) + ":" + c.field] = c.value;
  }
  CHECK(got["workspace:name"] == "Kinondoni");
  CHECK(got["workspace:country"] == "TZ");
  CHECK(got["workspace:default_language"] == "sw");
  CHECK(got["member:name"] == "Amina K.");
  CHECK(got["member:role"] == "field_staff");
  CHECK(got["member:workspace_id"] == ws);

  // Changing the role sends the new role.
  REQUIRE(a.Run({"add-member", ws, "amina", "--role", "coordinator"}) == kExitOk);
  CHECK(a.Line() == member);
  sync::SyncResponse r2 = a.f.Sync(who, {}, r.cursor);
  REQUIRE(r2.changes.size() == 1);
  CHECK(r2.changes[0].value == "coordinator");

  CHECK(a.Run({"add-member", a.f.NewId(), "amina", "--role", "field_staff"}) == kExitFailed);
  CHECK(a.err.find("no workspace") != std::string::npos);
  CHECK(a.Run({"add-member", ws, "nobody", "--role", "field_staff"}) == kExitFailed);
  CHECK(a.Run({"add-member", ws, "amina", "--role", "boss"}) == kExitFailed);
  CHECK(a.Run({"add-member", ws, "amina"}) == kExitUsage);
  CHECK(a.Run({"create-workspace", "X", "--country", "Tanzania"}) == kExitFailed);
}

TEST_CASE("admin: list-devices, list-tokens, revoke-token, revoke-device") {
  Admin a;
  std::mutex mu;
  AuthOptions ao;
  ao.password_cost = PasswordCost::kMinimumForTests;
  Auth auth(a.f.storage.get(), &mu, &a.f.env, ao);
  a.f.AddUser("amina");
  const std::string device = a.f.NewDeviceId();
  ApiResult<LoginResult> login = auth.Login({"amina", kPassword, device, "Tablet 7", ""}, "127.0.0.1");
  REQUIRE(login.ok());

  REQUIRE(a.Run({"list-devices"}) == kExitOk);
  CHECK(a.out.find(device) != std::string::npos);
  CHECK(a.out.find("Tablet 7") != std::string::npos);
  CHECK(a.out.find("active") != std::string::npos);

  REQUIRE(a.Run({"list-tokens", "amina"}) == kExitOk);
  CHECK(a.out.find(login.value().token) == std::string::npos);  // never the secret
  auto tokens = Unwrap(a.f.storage->ListTokens(login.value().user_id));
  REQUIRE(tokens.size() == 1);
  CHECK(a.out.find(tokens[0].id) != std::string::npos);

  REQUIRE(a.Run({"revoke-token", tokens[0].id}) == kExitOk);
  CHECK(auth.Authenticate(login.value().token).error().code == "revoked_token");
  CHECK(a.Run({"revoke-token", "no-such-token"}) == kExitFailed);

  REQUIRE(a.Run({"revoke-device", device}) == kExitOk);
  REQUIRE(a.Run({"list-devices"}) == kExitOk);
  CHECK(a.out.find("revoked") != std::string::npos);
  CHECK(a.Run({"revoke-device", a.f.NewDeviceId()}) == kExitFailed);
  CHECK(a.Run({"list-tokens", "nobody"}) == kExitFailed);
}

TEST_CASE("admin: remove-member, disable-user, enable-user and reset-password (issue 10, finding 7)") {
  Admin a;
  const std::string ws = a.f.AddWorkspace();
  const std::string uid = a.f.AddUser("amina");
  a.f.AddMember(ws, "amina", "field_staff");
  CHECK(a.Run({"remove-member", "--workspace", ws, "--user", "Amina"}) == kExitOk);
  CHECK(Unwrap(a.f.storage->MembershipsOf(uid)).empty());
  CHECK(a.Run({"remove-member", ws, "amina"}) == kExitFailed);  // positional form; no longer a member
  CHECK(a.err.find("is not a member") != std::string::npos);
  CHECK(a.Run({"remove-member", "--workspace", ws}) == kExitUsage);

  CHECK(a.Run({"disable-user", "amina"}) == kExitOk);
  CHECK(Unwrap(a.f.storage->FindUserById(uid))->disabled);
  CHECK(a.Run({"enable-user", "amina"}) == kExitOk);
  CHECK_FALSE(Unwrap(a.f.storage->FindUserById(uid))->disabled);
  CHECK(a.Run({"disable-user", "nobody"}) == kExitFailed);
  CHECK(a.err.find("no user named") != std::string::npos);

  const std::string before = Unwrap(a.f.storage->FindUserById(uid))->password_hash;
  CHECK(a.Run({"reset-password", "amina", "--password-stdin"}, "short\n") == kExitFailed);
  CHECK(Unwrap(a.f.storage->FindUserById(uid))->password_hash == before);
  CHECK(a.Run({"reset-password", "amina", "--password-stdin"}, "a new long password\n") == kExitOk);
  const std::string after = Unwrap(a.f.storage->FindUserById(uid))->password_hash;
  CHECK(after != before);
  CHECK(VerifyPassword(after, "a new long password"));
  CHECK(a.Run({"reset-password", "amina"}) == kExitUsage);  // not a terminal: asks for --password-stdin
}

TEST_CASE("admin: import-practices is all or nothing, idempotent, and reaches every device") {
  Admin a;
  const std::string p1 = "0b1e7c52-5f6a-4c5e-9a51-3f9a2f0c0001";
  const std::string p2 = "0b1e7c52-5f6a-4c5e-9a51-3f9a2f0c0002";
  json doc = {{"format", "ccfield-records@1"},
              {"practice",
               {{{"id", p1},
                 {"title", "Community drain clean-ups"},
                 {"city", "Dakar"},
                 {"country", "SN"},
                 {"problem", "Blocked drains\n"},
                 {"topics", {"drainage"}},
                 {"sdg_targets", {"11.5"}}},
                {{"id", p2}, {"title", "Shade trees at markets"}, {"language", "fr"}}}}};
  std::string path = a.WriteFile("practices.json", doc.dump());
  REQUIRE(a.Run({"import-practices", path}) == kExitOk);
  CHECK(a.out.find("2 created") != std::string::npos);
  REQUIRE(a.Run({"import-practices", path}) == kExitOk);
  CHECK(a.out.find("2 unchanged") != std::string::npos);

  doc["practice"][1]["title"] = "Shade trees at bus stops";
  REQUIRE(a.Run({"import-practices", a.WriteFile("p2.json", doc.dump())}) == kExitOk);
  CHECK(a.out.find("1 updated") != std::string::npos);

  // A bare array works; a bad item rejects the whole file.
  const sync::ServerVersion before = a.f.storage->CurrentVersion().value();
  json bad = json::array({{{"title", "Fine one"}}, {{"title", "Bad one"}, {"country", "Senegal"}}});
  CHECK(a.Run({"import-practices", a.WriteFile("bad.json", bad.dump())}) == kExitFailed);
  CHECK(a.err.find("practice #2") != std::string::npos);
  CHECK(a.f.storage->CurrentVersion().value() == before);
  // Other record types are refused.
  json visits = {{"format", "ccfield-records@1"}, {"visit", {{{"id", a.f.NewId()}}}}};
  CHECK(a.Run({"import-practices", a.WriteFile("v.json", visits.dump())}) == kExitFailed);
  CHECK(a.err.find("only practices") != std::string::npos);
  CHECK(a.Run({"import-practices", a.WriteFile("broken.json", "{\"practice\": [")}) == kExitFailed);
  CHECK(a.Run({"import-practices", a.f.dir.File("missing.json")}) == kExitFailed);

  // Any user of any workspace receives the library.
  std::string ws = a.f.AddWorkspace();
  Staff s = AddStaff(&a.f, ws, "amina");
  sync::SyncResponse r = a.f.Sync(s.who, {}, 0);
  int titles = 0;
  for (const auto& c : r.changes) {
    if (c.type == ChangeType::kPractice) {
      CHECK(c.workspace_id.empty());
      if (c.field == "title") ++titles;
    }
  }
  CHECK(titles == 3);  // two created, one title updated
}

TEST_CASE("admin: import-form delivers a new form version that the server then validates answers against") {
  Admin a;
  const FormDef* builtin = BuiltinForm(kFormKey);
  REQUIRE(builtin);
  json def = builtin->source;
  def["version"] = "1.1";
  def["fields"].push_back({{"id", "smell"}, {"type", "yes_no"}, {"label", {{"en", "Smell"}, {"fr", "Odeur"}}}});
  std::string path = a.WriteFile("form.json", def.dump());
  REQUIRE(a.Run({"import-form", path}) == kExitOk);
  CHECK(a.out.find("drainage_flood@1.1") != std::string::npos);
  REQUIRE(a.Run({"import-form", path}) == kExitOk);
  CHECK(a.out.find("already known") != std::string::npos);
  json changed = def;
  changed["fields"].back()["type"] = "text";
  CHECK(a.Run({"import-form", a.WriteFile("changed.json", changed.dump())}) == kExitFailed);
  CHECK(a.err.find("new version") != std::string::npos);
  json builtin_changed = builtin->source;
  builtin_changed["fields"].erase(0);
  CHECK(a.Run({"import-form", a.WriteFile("b.json", builtin_changed.dump())}) == kExitFailed);
  CHECK(a.Run({"import-form", a.WriteFile("b2.json", builtin->source.dump())}) == kExitOk);
  CHECK(a.out.find("already known") != std::string::npos);
  CHECK(a.Run({"import-form", a.WriteFile("bad.json", R"({"id": "x"})")}) == kExitFailed);

  std::string ws = a.f.AddWorkspace();
  Staff s = AddStaff(&a.f, ws, "amina");
  sync::SyncResponse r = a.f.Sync(s.who, {}, 0);
  bool delivered = false;
  for (const auto& c : r.changes) {
    if (c.type == ChangeType::kForm) {
      delivered = c.record_id == "drainage_flood@1.1" && c.field == "definition" && c.value == def && c.workspace_id.empty();
    }
  }
  CHECK(delivered);

  sync::DeviceSeq seq = 0;
  std::string site = a.f.NewId(), visit = a.f.NewId();
  auto changes = SiteChanges(&seq, site, ws);
  auto vc = VisitChanges(&seq, visit, ws, site);
  vc[2].value = "drainage_flood@1.1";
  Append(&changes, vc);
  changes.push_back(Change(++seq, "visit", visit, ws, "answers.smell", true));
  changes.push_back(Change(++seq, "visit", visit, ws, "answers.smell", "strong"));
  sync::SyncResponse pushed = a.f.Sync(s.who, changes, r.cursor);
  REQUIRE(pushed.rejects.size() == 1);
  CHECK(pushed.rejects[0].device_seq == seq);
}

TEST_CASE("admin: import-sites is all or nothing, matches sites by name and kind, and reaches the members") {
  Admin a;
  const std::string ws = a.f.AddWorkspace();
  // Two sites; only the drain's latitude differs between the files.
  auto sites_csv = [](const std::string& drain_lat) {
    return "name,kind,ward,lat,lon\n"
           "Drain D-14,drain,Tandale," + drain_lat + ",39.24\n"
           "\"Market, Mwananyamala\",market,,-6.78,39.25\n";
  };
  const std::string path = a.WriteFile("sites.csv", sites_csv("-6.79"));
  REQUIRE(a.Run({"import-sites", ws, path}) == kExitOk);
  CHECK(a.out == "sites: 2 created, 0 updated, 0 unchanged\n");
  const sync::ServerVersion after_first = a.f.storage->CurrentVersion().value();
  REQUIRE(a.Run({"import-sites", ws, path}) == kExitOk);
  CHECK(a.out == "sites: 0 created, 0 updated, 2 unchanged\n");
  CHECK(a.f.storage->CurrentVersion().value() == after_first);  // nothing written
  const std::string fixed = a.WriteFile("fixed.csv", sites_csv("-6.80"));
  REQUIRE(a.Run({"import-sites", ws, fixed}) == kExitOk);
  CHECK(a.out == "sites: 0 created, 1 updated, 1 unchanged\n");
  CHECK(a.f.storage->CurrentVersion().value() == after_first + 1);  // the one changed field

  // A bad file: every problem with its line, nothing written, exit 1.
  const sync::ServerVersion before = a.f.storage->CurrentVersion().value();
  const std::string bad = a.WriteFile("bad.csv",
                                      "name,kind,lat,lon\n"
                                      "Good,drain,-6.7,39.2\n"
                                      "Bad,drain,95,39.2\n"
                                      "Worse,volcano,,\n");
  CHECK(a.Run({"import-sites", ws, bad}) == kExitFailed);
  CHECK(a.err.find(bad + ": line 3: lat 95.0 is not between -90 and 90") != std::string::npos);
  CHECK(a.err.find(bad + ": line 4: kind \"volcano\" is not a site kind") != std::string::npos);
  CHECK(a.err.find("2 problems in " + bad + "; nothing was imported") != std::string::npos);
  CHECK(a.f.storage->CurrentVersion().value() == before);

  CHECK(a.Run({"import-sites", a.f.NewId(), path}) == kExitFailed);
  CHECK(a.err.find("there is no workspace with id") != std::string::npos);
  CHECK(a.Run({"import-sites", ws, a.f.dir.File("missing.csv")}) == kExitFailed);
  CHECK(a.Run({"import-sites", ws}) == kExitUsage);
  CHECK(a.err.find("usage: ccfield-server --data DIR admin import-sites WORKSPACE_ID FILE") != std::string::npos);

  // The workspace's members receive the sites; another workspace does not.
  Staff amina = AddStaff(&a.f, ws, "amina");
  sync::SyncResponse r = a.f.Sync(amina.who, {}, 0);
  std::map<std::string, json> names, lats;
  for (const auto& c : r.changes) {
    if (c.type != ChangeType::kSite) continue;
    CHECK(c.workspace_id == ws);
    CHECK(c.device_id == "server");
    if (c.field == "name") names[c.record_id] = c.value;
    if (c.field == "lat") lats[c.record_id] = c.value;  // in version order: the latest last
  }
  REQUIRE(names.size() == 2);
  for (const auto& [id, name] : names) CHECK(lats[id] == (name == "Drain D-14" ? -6.80 : -6.78));
  Staff bakari = AddStaff(&a.f, a.f.AddWorkspace("Elsewhere"), "bakari");
  for (const auto& c : a.f.Sync(bakari.who, {}, 0).changes) CHECK(c.type != ChangeType::kSite);
}

TEST_CASE("admin: help for every command, and create-user asks for the password twice on a terminal") {
  Admin a;
  CHECK(a.Run({"--help"}) == kExitOk);
  CHECK(a.out.find("import-sites WORKSPACE_ID FILE") != std::string::npos);
  for (const char* cmd : {"create-user", "create-workspace", "add-member", "revoke-device", "list-devices",
                          "list-tokens", "revoke-token", "import-practices", "import-form", "import-sites"}) {
    INFO(cmd);
    CHECK(a.Run({cmd, "--help"}) == kExitOk);
    CHECK(a.out.starts_with(std::string("usage: ccfield-server --data DIR admin ") + cmd));
  }
  CHECK(a.Run({"help", "create-user"}) == kExitOk);
  CHECK(a.out.find("at least 8 characters") != std::string::npos);
  CHECK(a.Run({}) == kExitUsage);
  CHECK(a.err.find("import-sites") != std::string::npos);
  CHECK_FALSE(AdminNeedsStorage({}));
  CHECK_FALSE(AdminNeedsStorage({"import-sites", "-h"}));
  CHECK(AdminNeedsStorage({"list-devices"}));

  // Not a terminal: the way to give it, and the rule.
  CHECK(a.Run({"create-user", "bakari"}) == kExitUsage);
  CHECK(a.err.find("--password-stdin") != std::string::npos);
  CHECK(a.err.find("at least 8 characters") != std::string::npos);

  // A terminal (the prompt function stands in for it).
  auto run_typed = [&](std::vector<std::string> typed, std::vector<std::string>* prompts) {
    AdminOptions o;
    o.password_cost = PasswordCost::kMinimumForTests;
    o.read_password = [&typed, prompts](const std::string& prompt) -> Result<std::string> {
      prompts->push_back(prompt);
      if (typed.empty()) return Status::Invalid("no password given (end of input)");
      std::string t = typed.front();
      typed.erase(typed.begin());
      return t;
    };
    std::istringstream in;
    std::ostringstream o_out, o_err;
    int code = RunAdmin({"create-user", "zawadi"}, a.f.storage.get(), &a.f.env, in, o_out, o_err, o);
    a.err = o_err.str();
    return code;
  };
  std::vector<std::string> prompts;
  CHECK(run_typed({"short"}, &prompts) == kExitFailed);
  CHECK(prompts == std::vector<std::string>{"Password (at least 8 characters): "});
  CHECK(a.err.find("at least 8 characters") != std::string::npos);
  CHECK(run_typed({"long enough 1", "long enough 2"}, &prompts) == kExitFailed);
  CHECK(a.err.find("differ") != std::string::npos);
  CHECK_FALSE(Unwrap(a.f.storage->FindUserByName("zawadi")).has_value());
  prompts.clear();
  CHECK(run_typed({"long enough 1", "long enough 1"}, &prompts) == kExitOk);
  CHECK(prompts.size() == 2);
  auto user = Unwrap(a.f.storage->FindUserByName("zawadi"));
  REQUIRE(user.has_value());
  CHECK(VerifyPassword(user->password_hash, "long enough 1"));
}

}  // namespace
}  // namespace ccfield::server::testing
