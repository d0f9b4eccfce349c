// Seeding a workspace's sites from a file, end to end: the platform admin
// imports them (`ccfield-server admin import-sites`, a real process beside
// the real server on 127.0.0.1) and a logged-in device receives them on its
// next sync; a device imports them (`ccfield import sites`) and another
// device of the workspace receives them.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ccfield/sync/client.h"
#include "cli/cli.h"
#include "support/server_process.h"
#include "support/store_fixture.h"
#include "support/sync_system.h"
#include "support/temp_dir.h"

namespace ccfield::sync::system_test {
namespace {

// The workspace's live sites on the device, by name.
std::map<std::string, Record> SitesByName(Store* store, const std::string& workspace_id) {
  ListQuery q;
  q.type = RecordType::kSite;
  q.workspace_id = workspace_id;
  std::map<std::string, Record> out;
  for (Record& r : Unwrap(store->List(q))) out[r.Get("name").get<std::string>()] = std::move(r);
  return out;
}

std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.File(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_CASE("End to end: sites imported by the admin reach a device on its next sync, and a device's import reaches others") {
  SKIP_WITHOUT_SERVER();
  ServerProcess server(kServerPath);
  TempDir files;
  TempDir device_dir;
  const std::string db = device_dir.File("ccfield.db");
  auto client = Unwrap(SyncClient::Open(DefaultEnv(), db));
  REQUIRE_OK(client->Login(server.url, "alice", ServerProcess::Password("alice"), "tablet A"));
  REQUIRE_OK(client->SyncNow());
  CHECK(SitesByName(testing::OpenStore(DefaultEnv(), db).get(), server.workspace_id).empty());

  // The admin seeds the sites from a QGIS export while the server runs.
  const json geojson = {
      {"type", "FeatureCollection"},
      {"features",
       {{{"type", "Feature"},
         {"geometry", {{"type", "Point"}, {"coordinates", {39.246905, -6.795812}}}},
         {"properties", {{"fid", 1}, {"Name", "Mto Ng'ombe channel"}, {"kind", "drain"}, {"ward", "Tandale"}}}},
        {{"type", "Feature"},
         {"geometry", {{"type", "Point"}, {"coordinates", {39.2501, -6.7803}}}},
         {"properties", {{"fid", 2}, {"Name", "Mwananyamala market"}, {"kind", "market"}}}}}}};
  const std::string path = WriteFile(files, "sites.geojson", geojson.dump());
  CHECK(server.Admin({"import-sites", server.workspace_id, path}) == "sites: 2 created, 0 updated, 0 unchanged\n");

  SyncReport pulled = Unwrap(client->SyncNow());
  CHECK(pulled.received > 0);
  {
    std::unique_ptr<Store> store = testing::OpenStore(DefaultEnv(), db);
    std::map<std::string, Record> sites = SitesByName(store.get(), server.workspace_id);
    REQUIRE(sites.size() == 2);
    const Record& drain = sites.at("Mto Ng'ombe channel");
    CHECK(drain.Get("kind") == "drain");
    CHECK(drain.Get("ward") == "Tandale");
    CHECK(drain.Get("lat") == -6.795812);
    CHECK(drain.Get("lon") == 39.246905);
    CHECK(sites.at("Mwananyamala market").Get("kind") == "market");
  }
  // The same file again: nothing new to receive.
  CHECK(server.Admin({"import-sites", server.workspace_id, path}) == "sites: 0 created, 0 updated, 2 unchanged\n");
  CHECK(Unwrap(client->SyncNow()).received == 0);

  // A device imports a CSV (its only workspace is the server's: no --workspace
  // needed), syncs, and bob's device receives the sites.
  const std::string csv = WriteFile(files, "more.csv",
                                    "name,kind,lat,lon\r\n"
                                    "Tap 7,water_point,-6.79,39.23\r\n"
                                    "Mwananyamala market,market,-6.7803,39.2501\r\n");
  std::ostringstream out, err;
  const int code = cli::Run({"--data", device_dir.path(), "--json", "import", "sites", csv}, DefaultEnv(), out, err);
  REQUIRE_MESSAGE(code == 0, err.str());
  const json summary = json::parse(out.str());
  CHECK(summary["created"] == 1);
  CHECK(summary["unchanged"] == 1);
  CHECK(summary["workspace_id"] == server.workspace_id);
  SyncReport pushed = Unwrap(client->SyncNow());
  CHECK(pushed.pushed > 0);
  CHECK(pushed.rejected == 0);

  TempDir bob_dir;
  const std::string bob_db = bob_dir.File("ccfield.db");
  auto bob = Unwrap(SyncClient::Open(DefaultEnv(), bob_db));
  REQUIRE_OK(bob->Login(server.url, "bob", ServerProcess::Password("bob"), "tablet B"));
  REQUIRE_OK(bob->SyncNow());
  std::map<std::string, Record> bob_sites = SitesByName(testing::OpenStore(DefaultEnv(), bob_db).get(),
                                                        server.workspace_id);
  CHECK(bob_sites.size() == 3);
  CHECK(bob_sites.count("Tap 7") == 1);
}

}  // namespace
}  // namespace ccfield::sync::system_test
