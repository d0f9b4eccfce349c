// The command line against the real ccfield-server on 127.0.0.1, end to end:
// an administrator makes a workspace, a user and the membership with the
// server's admin commands; a fresh `ccfield init` device logs in, adds a site
// and a visit and syncs; a second device receives both. Demo data on the
// first device is never sent and shows as "demo". A site in a workspace the
// user may only read is refused by the server: it shows as "refused" with the
// reason, is never counted as sent, and `refused move` to the writable
// workspace gets it (and its visit) to the server and the other device.
#include <doctest/doctest.h>

#include <string>

#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "support/cli_device.h"
#include "support/server_process.h"
#include "support/sync_system.h"
#include "support/temp_dir.h"

namespace ccfield::sync::system_test {
namespace {

using testing::TrimEnd;

// One device: `ccfield --data DIR ...` run in-process with the real clock.
struct Device : testing::CliDevice {
  // The listed record with this id (list visits|sites --json), or null.
  json Find(const std::string& what, const std::string& id) {
    const json list = Ok({"list", what, "--limit", "1000"});
    for (const json& item : list["items"]) {
      if (item["id"] == id) return item;
    }
    return nullptr;
  }
};

TEST_CASE("cli end to end: init, login, site add, visit add, sync, demo never sent, a refused site is moved and sent") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  // The administrator: an empty workspace, two field staff; a second
  // workspace where amina may only read (the server refuses her changes there).
  const std::string ws = TrimEnd(server.Admin({"create-workspace", "Kinondoni Environment Unit", "--country", "TZ"}));
  const std::string ws_read = TrimEnd(server.Admin({"create-workspace", "Ubungo Drainage", "--country", "TZ"}));
  for (const char* user : {"amina", "juma"}) {
    server.Admin({"create-user", user, "--password", ServerProcess::Password(user)});
    server.Admin({"add-member", ws, user, "--role", "field_staff"});
  }
  server.Admin({"add-member", ws_read, "amina", "--role", "observer"});

  Device one, two;
  json init = one.Ok({"init"});
  CHECK(init["path"] == one.dir.path() + "/ccfield.db");
  // `init` declined the demo: home does not load it.
  json home = one.Ok({"home"});
  CHECK(home["demo_loaded"] == false);
  CHECK(home["workspaces"].empty());

  // An address without a scheme gets a hint instead of a bare refusal.
  Device::Out bare = one.Run({"login", "127.0.0.1:" + std::to_string(server.port), "--user", "amina", "--password",
                              ServerProcess::Password("amina")});
  CHECK(bare.code == cli::kExitInvalid);
  CHECK(bare.err.find("did you mean http://127.0.0.1:" + std::to_string(server.port) + " ?") != std::string::npos);

  json login = one.Ok({"login", server.url, "--user", "amina", "--password", ServerProcess::Password("amina")});
  CHECK(login["workspaces"].size() == 2);
  CHECK(login["demo_data"] == false);  // an `init` store: nothing to offer to remove
  one.Ok({"sync"});

  // Two workspaces of her own: site add asks which.
  Device::Out which = one.Run({"site", "add", "--name", "Drain D-14", "--kind", "drain"});
  CHECK(which.code == cli::kExitUsage);
  CHECK(which.err.find("several workspaces") != std::string::npos);
  CHECK(one.Run({"site", "add", "--name", "X", "--kind", "no_such_kind", "--workspace", ws}).code == cli::kExitInvalid);

  json site = one.Ok({"site", "add", "--name", "Drain D-14", "--kind", "drain", "--ward", "Tandale", "--position",
                      "-6.7959,39.2469", "--workspace", ws.substr(0, 8)});
  const std::string site_id = site["id"];
  CHECK(site["fields"]["workspace_id"] == ws);
  CHECK(site["state"] == "waiting");
  CHECK(site["similar"].empty());
  // The same place again: a warning, never a refusal.
  json again = one.Ok(
      {"site", "add", "--name", "drain d 14", "--kind", "drain", "--position", "-6.7960,39.2469", "--workspace", ws});
  REQUIRE(again["similar"].size() == 1);
  CHECK(again["similar"][0]["id"] == site_id);
  CHECK(again["similar"][0]["kind_label"] == "Drain or channel");
  one.Ok({"site", "delete", again["id"]});

  // A visit 2 km from the site: saved, with a warning.
  json visit = one.Ok({"visit", "add", "--site", site_id, "--form", "drainage_flood", "--answer", "asset_type=culvert",
                       "--answer", "blockage_pct=gt75", "--condition", "2", "--gps", "-6.8139,39.2469,5"});
  const std::string visit_id = visit["id"];
  CHECK(visit["state"] == "waiting");
  REQUIRE(visit["warnings"].size() == 1);
  CHECK(visit["warnings"][0].get<std::string>().find("is this the right site?") != std::string::npos);

  json synced = one.Ok({"sync"});
  CHECK(synced["pushed"].get<int>() > 0);
  CHECK(synced["rejected"] == 0);
  // Issue 14: records, not field changes: one visit, its fields many changes.
  CHECK(synced["pushed_records"]["visit"] == 1);
  const int records = synced["pushed_records"]["visit"].get<int>() + synced["pushed_records"]["site"].get<int>();
  CHECK(synced["pushed"].get<int>() > records);
  CHECK(one.Find("visits", visit_id)["state"] == "sent");
  CHECK(one.Find("sites", site_id)["state"] == "sent");
  Device::Out shown = one.Run({"show", visit_id});
  CHECK(shown.out.find("state: sent") != std::string::npos);
  CHECK(shown.out.find("2 · needs repair") != std::string::npos);  // the window's words

  // A second device of the workspace receives both.
  two.Ok({"init"});
  two.Ok({"login", server.url, "--user", "juma", "--password", ServerProcess::Password("juma")});
  json received = two.Ok({"sync"});
  CHECK(received["received_records"]["visit"] == 1);
  CHECK(received["pushed_records"] == json::object());
  CHECK(two.Find("sites", site_id)["fields"]["name"] == "Drain D-14");
  CHECK(two.Find("visits", visit_id)["state"] == "sent");

  // Demo data on device one: a visit on a demo site stays on the device.
  one.Ok({"demo"});
  Device::Out relogin = one.Run({"login", server.url, "--user", "amina", "--password", ServerProcess::Password("amina")});
  CHECK(relogin.code == 0);
  CHECK(relogin.out.find("ccfield demo remove") != std::string::npos);  // the login offers to remove it
  json home_demo = one.Ok({"home"});
  std::string demo_ws;
  for (const json& w : home_demo["workspaces"]) {
    if (w["demo"] == true) demo_ws = w["id"];
    if (w["id"] == ws) CHECK(w["demo"] == false);
  }
  REQUIRE_FALSE(demo_ws.empty());
  CHECK(one.Run({"home"}).out.find("(demo)") != std::string::npos);
  const std::string demo_site = one.Ok({"list", "sites", "--workspace", demo_ws})["items"][0]["id"];
  json demo_visit = one.Ok({"visit", "add", "--site", demo_site, "--form", "drainage_flood", "--answer",
                            "asset_type=culvert", "--answer", "blockage_pct=lt25"});
  CHECK(demo_visit["state"] == "demo");
  json demo_sync = one.Ok({"sync"});
  CHECK(demo_sync["pushed"] == 0);
  CHECK(one.Find("visits", demo_visit["id"])["state"] == "demo");
  CHECK(one.Ok({"status"})["waiting"] == 0);
  two.Ok({"sync"});
  CHECK(two.Find("visits", demo_visit["id"]).is_null());

  // A site (with a visit) in the workspace amina may only read: refused.
  json market = one.Ok({"site", "add", "--name", "Market drain", "--kind", "drain", "--workspace", ws_read});
  const std::string market_id = market["id"];
  json market_visit = one.Ok({"visit", "add", "--site", market_id, "--form", "drainage_flood", "--answer",
                              "asset_type=culvert", "--answer", "blockage_pct=gt75"});
  const std::string market_visit_id = market_visit["id"];
  json refused_sync = one.Ok({"sync"});
  CHECK(refused_sync["pushed"] == 0);
  CHECK(refused_sync["rejected"].get<int>() > 0);
  CHECK(refused_sync["refused_records"]["site"] == 1);
  CHECK(refused_sync["refused_records"]["visit"] == 1);
  json listed = one.Find("sites", market_id);
  CHECK(listed["state"] == "refused");
  CHECK(listed["refused_reason"].get<std::string>().find("observers") != std::string::npos);
  CHECK(one.Find("visits", market_visit_id)["state"] == "refused");
  // Never counted as sent or waiting.
  json status = one.Ok({"status"});
  CHECK(status["waiting"] == 0);
  CHECK(status["rejected"].get<int>() > 0);
  Device::Out status_text = one.Run({"status"});
  CHECK(status_text.out.find("1 visit was refused by the server — see `ccfield refused`") != std::string::npos);
  CHECK(status_text.out.find("1 site was refused by the server") != std::string::npos);
  Device::Out refused_text = one.Run({"refused"});
  CHECK(refused_text.out.find("Market drain") != std::string::npos);
  CHECK(refused_text.out.find("the server said: observers") != std::string::npos);
  CHECK(refused_text.out.find("ccfield refused move ID --workspace WS") != std::string::npos);
  CHECK(one.Ok({"refused"})["count"] == 2);
  // Discarding asks for --yes; nothing happens without it.
  CHECK(one.Run({"refused", "discard", market_id}).code == cli::kExitUsage);
  CHECK(one.Find("sites", market_id)["state"] == "refused");

  // The way out: move it (with its visit) to the workspace she writes to.
  json moved = one.Ok({"refused", "move", market_id.substr(0, 8), "--workspace", ws});
  CHECK(moved["state"] == "waiting");
  json resent = one.Ok({"sync"});
  CHECK(resent["pushed"].get<int>() > 0);
  CHECK(resent["refused_records"]["site"] == 0);
  CHECK(resent["refused_records"]["visit"] == 0);
  CHECK(one.Find("sites", market_id)["state"] == "sent");
  CHECK(one.Find("visits", market_visit_id)["state"] == "sent");
  CHECK(one.Ok({"refused"})["count"] == 0);
  two.Ok({"sync"});
  CHECK(two.Find("sites", market_id)["fields"]["workspace_id"] == ws);
  CHECK(two.Find("visits", market_visit_id)["state"] == "sent");

  // Demo removal leaves the real workspace alone.
  json removed = one.Ok({"demo", "remove"});
  CHECK(removed["removed"]["visit"].get<int>() >= 1);
  CHECK_FALSE(one.Find("sites", site_id).is_null());
  CHECK(one.Find("visits", demo_visit["id"]).is_null());

  // Logout revokes the token on the server and forgets it here.
  one.Ok({"site", "edit", site_id, "--address", "Mto Ng'ombe road"});
  json out = one.Ok({"logout"});
  CHECK(out["revoked_on_server"] == true);
  CHECK(out["unsent_changes"] == 1);
  Device::Out after = one.Run({"sync"});
  CHECK(after.code == cli::kExitFailure);
  CHECK(one.Ok({"status"})["logged_in"] == false);
}

}  // namespace
}  // namespace ccfield::sync::system_test
