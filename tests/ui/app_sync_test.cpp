// The App with the real sync client and a real ccfield-server on 127.0.0.1:
// sign in, save a visit, sync in the background, and see the screens update
// when the result is posted back to the main thread; a conflict between two
// devices shows on the Conflicts screen and is resolved there.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include "app/app.h"
#include "support/server_process.h"
#include "support/temp_dir.h"
#include "text/i18n.h"

namespace ccfield {
namespace {

using nlohmann::json;
using testing::ServerProcess;

#ifdef CCFIELD_SERVER_PATH
const std::string kServerPath = CCFIELD_SERVER_PATH;
#else
const std::string kServerPath;
#endif

// A device running the app: its own data dir, the real clock, background sync.
struct Device {
  testing::TempDir dir;
  std::atomic<int> wakes{0};
  std::unique_ptr<app::App> app;

  explicit Device(bool demo = false) {
    (void)ui::SetLanguage("en");
    app::AppOptions o;
    o.env = DefaultEnv();
    o.data_dir = dir.path();
    o.load_demo_on_first_start = demo;
    o.wake = [this] { ++wakes; };
    auto r = app::App::Open(std::move(o));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    app = std::move(*r);
  }

  // Runs the main loop's part (Tick drains posted results) until `done` or 15 s.
  template <typename Pred>
  bool Until(Pred done) {
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(15)) {
      app->Tick();
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  void Login(const ServerProcess& server, const std::string& user) {
    app->Apply(app::Login{server.url, user, ServerProcess::Password(user)});
    CHECK(app->state().settings.login_running);
    REQUIRE(Until([&] { return !app->state().settings.login_running; }));
    REQUIRE_MESSAGE(app->state().sync.status.logged_in, app->state().settings.login_message);
    // Signing in starts a first sync that brings the workspace; a site saved
    // before it arrives is refused ("no workspace with id ..."), so wait for it
    // as a person waits for "Sync finished" (on a loaded machine it takes a while).
    REQUIRE(Until([&] { return Synced(); }));
  }

  bool Synced() {
    const auto& s = app->state().sync;
    return !s.running && s.status.waiting == 0 && !s.status.last_ok.empty() && s.status.blocked_by.empty();
  }
};

TEST_CASE("app sync: a saved visit is sent in the background and reaches a colleague, a conflict is resolved") {
  if (!ServerProcess::Available(kServerPath)) {
    MESSAGE("skipped: ccfield-server not built");
    return;
  }
  ServerProcess server(kServerPath);
  Device a, b;
  a.Login(server, "alice");
  b.Login(server, "bob");

  // Alice adds a site (no screen for that yet: through the store) and a visit through the editor.
  const std::string site = NewUuid(DefaultEnv());
  {
    auto saved = a.app->store()->Commit({SetFields{
        RecordType::kSite, site, {{"workspace_id", server.workspace_id}, {"name", "Drain D-14"}, {"lat", -6.8}, {"lon", 39.28}}}});
    REQUIRE_MESSAGE(saved.ok(), saved.status().ToString());
  }
  a.app->Apply(app::NewVisit{site, "drainage_flood@1.0"});
  a.app->Apply(app::EditField{"answers.asset_type", "culvert"});
  a.app->Apply(app::EditField{"answers.blockage_pct", "gt75"});
  a.app->Apply(app::EditField{"condition_rating", "2"});
  a.app->Apply(app::SaveVisit{false});
  const std::string visit = a.app->state().editor.visit_id;
  REQUIRE(a.app->state().editor.message == "Saved.");

  // Saving asked for a sync; the background thread posts its outcome and wakes the loop.
  const int wakes_before = a.wakes;
  REQUIRE(a.Until([&] { return a.Synced(); }));
  CHECK(a.wakes > wakes_before);
  CHECK(a.app->state().sync.last_result.find("Sync finished") == 0);
  // Counted in records (the site and the visit), not in their field changes (issue 14).
  CHECK_MESSAGE(a.app->state().sync.last_result.find("Sent: 2,") != std::string::npos, a.app->state().sync.last_result);

  // Bob presses "Sync now" and finds the visit on his Visits screen.
  b.app->Apply(app::GoTo{app::Screen::kVisits});
  CHECK(b.app->state().visits.rows.empty());
  b.app->Apply(app::SyncNow{});
  REQUIRE(b.Until([&] { return b.Synced() && !b.app->state().visits.rows.empty(); }));
  CHECK(b.app->state().visits.rows.front().id == visit);

  // Both change the condition offline-style (before syncing): a conflict.
  a.app->Apply(app::OpenVisit{visit});
  a.app->Apply(app::EditField{"condition_rating", "3"});
  a.app->Apply(app::SaveVisit{false});
  REQUIRE(a.Until([&] { return a.Synced(); }));
  b.app->Apply(app::OpenVisit{visit});
  b.app->Apply(app::EditField{"condition_rating", "1"});
  b.app->Apply(app::SaveVisit{false});
  REQUIRE(b.Until([&] { return b.Synced() && b.app->state().home.open_conflicts == 1; }));

  b.app->Apply(app::GoTo{app::Screen::kConflicts});
  REQUIRE(b.app->state().conflicts.open.size() == 1);
  const app::ConflictItem& c = b.app->state().conflicts.open[0];
  CHECK(c.field_label == "Condition");
  CHECK(c.base_text == "2 · needs repair");
  // Keep Alice's value; the choice syncs like any edit and reaches Alice.
  const json alice_value = c.info.winner == "3" ? c.info.winner : c.info.loser;
  b.app->Apply(app::ResolveConflict{c.info.id, alice_value});
  CHECK(b.app->state().conflicts.open.empty());
  REQUIRE(b.Until([&] { return b.Synced(); }));
  a.app->Apply(app::SyncNow{});
  REQUIRE(a.Until([&] { return a.Synced(); }));
  CHECK(a.app->store()->Get(RecordType::kVisit, visit).value().Get("condition_rating") == "3");
  CHECK(b.app->store()->Get(RecordType::kVisit, visit).value().Get("condition_rating") == "3");
}

TEST_CASE("app sync: the first sign-in offers to remove the demo data, only demo records go, sign-out keeps unsent work") {
  if (!ServerProcess::Available(kServerPath)) return;
  ServerProcess server(kServerPath);
  Device d(/*demo=*/true);
  Store* store = d.app->store();
  REQUIRE(store->HasDemoData().value());
  CHECK_FALSE(d.app->state().settings.offer_demo_removal);
  d.Login(server, "alice");
  CHECK(d.app->state().settings.offer_demo_removal);
  CHECK(d.app->state().settings.logged_in);
  REQUIRE(d.Until([&] { return d.Synced(); }));  // the real workspace arrives

  // Typed into the real workspace (as a new site with its first visit) before the answer.
  d.app->Apply(app::StartNewVisit{});
  d.app->Apply(app::NewPlaceForVisit{});
  d.app->Apply(app::EditSiteField{"name", "Ward 4 drain outlet"});
  d.app->Apply(app::EditSiteField{"workspace_id", server.workspace_id});
  d.app->Apply(app::SaveSite{true});
  d.app->Apply(app::NewVisitAtNewPlace{"drainage_flood@1.0"});
  d.app->Apply(app::EditField{"notes", "Outlet half silted"});
  d.app->Apply(app::SaveVisit{false});
  REQUIRE(d.app->state().editor.message == "Saved.");
  const std::string visit = d.app->state().editor.visit_id;
  d.app->Apply(app::CloseEditor{false});

  d.app->Apply(app::GoTo{app::Screen::kSettings});
  d.app->Apply(app::RemoveDemoData{});
  CHECK_FALSE(d.app->state().settings.offer_demo_removal);
  CHECK_FALSE(store->HasDemoData().value());
  CHECK(store->Get(RecordType::kVisit, visit).value().Get("notes") == "Outlet half silted");
  CHECK(d.app->state().home.visit_states.demo == 0);
  CHECK(d.app->state().home.workspaces.size() == 1);

  // Sign out: the server forgets the token; what is not sent yet stays here and is counted.
  REQUIRE(d.Until([&] { return d.Synced(); }));
  d.app->Apply(app::OpenVisit{visit});
  d.app->Apply(app::EditField{"notes", "Outlet half silted; cleared by noon"});
  d.app->Apply(app::SaveVisit{false});
  d.app->Apply(app::SignOut{});
  REQUIRE(d.Until([&] { return !d.app->state().settings.logout_running; }));
  CHECK_FALSE(d.app->state().settings.logged_in);
  CHECK_FALSE(d.app->state().sync.status.logged_in);
  const std::string& said = d.app->state().settings.login_message;
  CHECK_MESSAGE(said.find("Changes not yet sent stay on this device") != std::string::npos, said);
  CHECK(store->Get(RecordType::kVisit, visit).value().Get("notes") == "Outlet half silted; cleared by noon");
}

TEST_CASE("app sync: without a server, Sync now says what to do instead of failing silently") {
  Device d;
  d.app->Apply(app::SyncNow{});
  CHECK(d.app->state().message_is_error);
  CHECK(d.app->state().screen == app::Screen::kSettings);
  CHECK(d.app->state().sync.sentence.find("not set up") != std::string::npos);
}

TEST_CASE("app sync: a failed Sync now says why once, under the button, not again in the status sentence") {
  if (!ServerProcess::Available(kServerPath)) return;
  auto server = std::make_unique<ServerProcess>(kServerPath);
  Device d;
  d.Login(*server, "alice");
  server.reset();  // the server goes away
  d.app->Apply(app::SyncNow{});
  REQUIRE(d.Until([&] { return !d.app->state().sync.running && !d.app->state().sync.status.blocked_by.empty(); }));
  d.app->Tick();
  const auto& s = d.app->state().sync;
  INFO("sentence: ", s.sentence, " | result: ", s.last_result);
  CHECK(s.last_result.find("Sync failed: ") == 0);
  CHECK(s.sentence.find("Sync blocked") == std::string::npos);
  CHECK(s.sentence.find("Last successful sync") != std::string::npos);
}

TEST_CASE("app sync: a wrong password is reported on the Settings screen") {
  if (!ServerProcess::Available(kServerPath)) return;
  ServerProcess server(kServerPath);
  Device d;
  d.app->Apply(app::Login{server.url, "alice", "not-her-password"});
  REQUIRE(d.Until([&] { return !d.app->state().settings.login_running; }));
  CHECK(d.app->state().settings.login_message.find("password") != std::string::npos);
  CHECK_FALSE(d.app->state().sync.status.logged_in);
}

TEST_CASE("app sync: a person removed from a workspace is told, and its records leave the tablet") {
  if (!ServerProcess::Available(kServerPath)) {
    MESSAGE("skipped: ccfield-server not built");
    return;
  }
  ServerProcess server(kServerPath);
  const std::string team = server.Admin({"create-workspace", "Msasani team", "--country", "TZ"});
  const std::string team_id = team.substr(0, team.find_last_not_of(" \n") + 1);
  server.Admin({"add-member", team_id, "alice", "--role", "field_staff"});
  server.Admin({"add-member", team_id, "bob", "--role", "field_staff"});
  Device a, b;
  a.Login(server, "alice");
  b.Login(server, "bob");
  const std::string site = NewUuid(DefaultEnv());
  REQUIRE(b.app->store()->Commit({SetFields{RecordType::kSite, site, {{"workspace_id", team_id}, {"name", "Drain D-3"}}}}).ok());
  b.app->Apply(app::SyncNow{});
  REQUIRE(b.Until([&] { return b.Synced(); }));
  a.app->Apply(app::SyncNow{});
  REQUIRE(a.Until([&] { return a.Synced() && a.app->store()->Get(RecordType::kSite, site).ok(); }));

  server.Admin({"remove-member", team_id, "alice"});
  a.app->Apply(app::SyncNow{});
  REQUIRE(a.Until([&] { return a.Synced() && !a.app->store()->Get(RecordType::kSite, site).ok(); }));
  const std::string told = "You were removed from the workspace Msasani team; its records were removed from this tablet.";
  CHECK(a.app->state().sync.last_result.find(told) != std::string::npos);
  CHECK(a.app->state().message == told);
  // The other workspace and Bob are untouched.
  CHECK(b.app->store()->Get(RecordType::kSite, site).ok());
}

TEST_CASE("app sync: a form the platform adds is offered by the new-visit screen after the next sync, without a restart") {
  if (!ServerProcess::Available(kServerPath)) {
    MESSAGE("skipped: ccfield-server not built");
    return;
  }
  ServerProcess server(kServerPath);
  Device a;
  a.Login(server, "alice");
  const std::string site = NewUuid(DefaultEnv());
  REQUIRE(a.app->store()->Commit({SetFields{RecordType::kSite, site, {{"workspace_id", server.workspace_id}, {"name", "Market M-1"}}}}).ok());
  // What a person sees: New visit, pick the site, then the list of forms.
  auto offered = [&](const std::string& key) {
    a.app->Apply(app::StartNewVisit{});
    a.app->Apply(app::PickVisitSite{site});
    for (const auto& [k, title] : a.app->state().new_visit.forms) {
      if (k == key) return true;
    }
    return false;
  };
  CHECK_FALSE(offered("market_hygiene@1.0"));
  // The coordinator adds a form on the platform (a copy of the WASH form under a new id).
  std::ifstream in(std::string(CCFIELD_SOURCE_DIR) + "/data/forms/wash.json");
  REQUIRE(in);
  json form = json::parse(in);
  form["id"] = "market_hygiene";
  form["title"] = {{"en", "Market hygiene"}, {"fr", "Hygi\u00e8ne des march\u00e9s"}};
  const std::string file = server.dir.File("market_hygiene.json");
  std::ofstream(file) << form.dump();
  server.Admin({"import-form", file});
  a.app->Apply(app::SyncNow{});
  REQUIRE(a.Until([&] { return a.Synced() && a.app->store()->FindForm("market_hygiene@1.0") != nullptr; }));
  CHECK(offered("market_hygiene@1.0"));
}

}  // namespace
}  // namespace ccfield
