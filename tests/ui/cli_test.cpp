// The `ccfield` command line, run in-process (cli::Run) on a real store in a
// temporary directory: commands, --json output, exit codes, plain errors.
#include <doctest/doctest.h>

#include <fstream>

#include "ccfield/platform/env.h"
#include "app/display.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "support/cli_device.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using nlohmann::json;

struct Cli {
  testing::TempDir dir;
  FakeEnv env{dir.path() + "/data"};

  using Out = testing::CliOut;
  Out Run(const std::vector<std::string>& args) { return testing::RunCli(args, &env); }
  std::string FirstSite() {
    Out r = Run({"--json", "list", "sites"});
    REQUIRE(r.code == 0);
    return r.Json()["items"][0]["id"].get<std::string>();
  }
};

TEST_CASE("cli: first start loads the demo data and shows the home overview") {
  Cli c;
  Cli::Out r = c.Run({});
  CHECK(r.code == 0);
  CHECK(r.out.find("First start: loaded the demo data set") != std::string::npos);
  CHECK(r.out.find("Follow-ups due") != std::string::npos);
  Cli::Out again = c.Run({"--json", "home"});
  REQUIRE(again.code == 0);
  json j = again.Json();
  CHECK(j["demo_loaded"] == false);
  CHECK(j["counts"]["visits"].get<int>() >= 12);
  CHECK(j["workspaces"].size() >= 3);
}

TEST_CASE("cli: add, edit, delete and restore a visit, history shows every change") {
  Cli c;
  REQUIRE(c.Run({"demo"}).code == 0);
  const std::string site = c.FirstSite();
  Cli::Out add = c.Run({"--json", "--author", "amina", "visit", "add", "--site", site.substr(0, 8), "--form",
                        "drainage_flood", "--answer", "asset_type=culvert", "--answer", "blockage_pct=gt75",
                        "--answer", "blockage_cause=solid_waste_plastics,sediment_sand", "--notes",
                        "Caniveau bouché, repère quokkafleur", "--language", "fr", "--gps", "35.57,-5.37,4",
                        "--follow-up", "P1", "--due", "2026-12-01", "--started", "2026-11-20T08:00:00+01:00"});
  REQUIRE_MESSAGE(add.code == 0, add.err);
  json v = add.Json();
  const std::string id = v["id"];
  CHECK(v["fields"]["form"] == "drainage_flood@1.0");
  CHECK(v["fields"]["answers"]["blockage_cause"] == json({"solid_waste_plastics", "sediment_sand"}));
  CHECK(v["fields"]["gps_accuracy_m"] == 4.0);

  Cli::Out edit = c.Run({"--json", "visit", "edit", id, "--condition", "3", "--clear", "answers.blockage_cause"});
  REQUIRE_MESSAGE(edit.code == 0, edit.err);
  CHECK(edit.Json()["fields"]["condition_rating"] == "3");
  CHECK_FALSE(edit.Json()["fields"]["answers"].contains("blockage_cause"));

  CHECK(c.Run({"visit", "delete", id}).code == 0);
  CHECK(c.Run({"--json", "search", "quokkafleur"}).Json()["count"] == 0);
  Cli::Out deleted = c.Run({"--json", "list", "visits", "--deleted"});
  CHECK(deleted.Json()["count"] == 1);
  CHECK(c.Run({"visit", "restore", id}).code == 0);
  CHECK(c.Run({"--json", "search", "quokkafleur"}).Json()["items"][0]["id"] == id);

  json h = c.Run({"--json", "history", id}).Json();
  std::vector<std::string> fields;
  for (const json& e : h["items"]) fields.push_back(e["field"]);
  CHECK(std::count(fields.begin(), fields.end(), "_deleted") == 2);
  CHECK(std::count(fields.begin(), fields.end(), "condition_rating") == 1);
  CHECK(h["items"][0]["author"] == "amina");
  CHECK(h["items"][0]["device_id"].get<std::string>().size() == 36);
}

TEST_CASE("cli: bad input gets a plain error, an exit code, and writes nothing") {
  Cli c;
  REQUIRE(c.Run({"demo"}).code == 0);
  const std::string site = c.FirstSite();
  const int before = c.Run({"--json", "list", "visits"}).Json()["count"];
  Cli::Out bad_choice = c.Run({"visit", "add", "--site", site, "--form", "drainage_flood", "--answer", "blockage_pct=lots"});
  CHECK(bad_choice.code == cli::kExitInvalid);
  CHECK(bad_choice.err.find("blockage_pct") != std::string::npos);
  Cli::Out bad_number = c.Run({"visit", "add", "--site", site, "--form", "drainage_flood", "--answer", "width_m=wide"});
  CHECK(bad_number.code == cli::kExitInvalid);
  Cli::Out no_form = c.Run({"visit", "add", "--site", site, "--form", "nonexistent"});
  CHECK(no_form.code == cli::kExitNotFound);
  Cli::Out no_site = c.Run({"visit", "add", "--site", "00000000-0000-4000-8000-000000000000", "--form", "heat"});
  CHECK(no_site.code == cli::kExitNotFound);
  Cli::Out bad_time = c.Run({"visit", "add", "--site", site, "--form", "heat", "--answer", "sub_kind=cooling_space",
                             "--started", "2026-11-20 08:00"});
  CHECK(bad_time.code == cli::kExitInvalid);
  CHECK(bad_time.err.find("offset") != std::string::npos);
  Cli::Out json_err = c.Run({"--json", "show", "zzzzzzzz"});
  CHECK(json_err.code == cli::kExitNotFound);
  CHECK(json::parse(json_err.err)["error"]["code"] == "not_found");
  CHECK(c.Run({"--json", "list", "visits"}).Json()["count"] == before);
  CHECK(c.Run({"frobnicate"}).code == cli::kExitUsage);
  CHECK(c.Run({"list", "visits", "--bogus"}).code == cli::kExitUsage);
  CHECK(c.Run({"visit", "--help"}).code == 0);
  CHECK(c.Run({"--help"}).out.find("Usage: ccfield") != std::string::npos);
}

TEST_CASE("cli: export writes CSV and GeoJSON files, import practices is all or nothing") {
  Cli c;
  REQUIRE(c.Run({"demo"}).code == 0);
  const std::string csv = c.dir.File("visits.csv"), geo = c.dir.File("visits.geojson");
  REQUIRE(c.Run({"export", "csv", "--output", csv}).code == 0);
  REQUIRE(c.Run({"export", "geojson", "--output", geo}).code == 0);
  std::ifstream g(geo);
  json fc = json::parse(g);
  CHECK(fc["type"] == "FeatureCollection");
  CHECK(fc["features"].size() >= 20);
  std::ifstream f(csv);
  std::string header;
  std::getline(f, header);
  CHECK(header.find("drainage_flood.blockage_pct") != std::string::npos);

  const std::string good = c.dir.File("good.json"), bad = c.dir.File("bad.json");
  std::ofstream(good) << R"([{"title": "Bin-sharing rota", "city": "Bolnisi", "country": "GE"}])";
  std::ofstream(bad) << R"([{"title": "ok"}, {"title": 42}])";
  const int before = c.Run({"--json", "list", "practices"}).Json()["count"];
  Cli::Out b = c.Run({"import", "practices", bad});
  CHECK(b.code == cli::kExitInvalid);
  CHECK(c.Run({"--json", "list", "practices"}).Json()["count"] == before);
  Cli::Out ok = c.Run({"--json", "import", "practices", good});
  REQUIRE_MESSAGE(ok.code == 0, ok.err);
  CHECK(ok.Json()["created"] == 1);
  CHECK(c.Run({"--json", "list", "practices"}).Json()["count"] == before + 1);
  std::ofstream(bad, std::ios::trunc) << "{not json";
  CHECK(c.Run({"import", "practices", bad}).code == cli::kExitInvalid);
}

TEST_CASE("cli: import sites from CSV or GeoJSON is all or nothing, lists every problem, and finds the workspace") {
  Cli c;
  REQUIRE(c.Run({"demo"}).code == 0);
  const std::string csv = c.dir.File("sites.csv");
  std::ofstream(csv) << "\xEF\xBB\xBFname,kind,ward,lat,lon\r\n"
                        "\"Drain D-14, north end\",drain,Tandale,-6.79,39.24\r\n"
                        "Tap 7,Water point,,,\r\n";
  auto site_count = [&] { return c.Run({"--json", "list", "sites"}).Json()["count"].get<int>(); };
  const int before = site_count();

  // Only demo workspaces on the device: --workspace is needed.
  Cli::Out none = c.Run({"import", "sites", csv});
  CHECK(none.code == cli::kExitUsage);
  CHECK(none.err.find("--workspace") != std::string::npos);

  // One workspace of its own (as a sync brings it): that one is used.
  const std::string ws = NewUuid(&c.env);
  {
    StoreOptions o;
    o.path = c.env.DataDir() + "/ccfield.db";
    std::unique_ptr<Store> store = Store::Open(&c.env, o).value();
    REQUIRE(store->Commit({SetFields{RecordType::kWorkspace, ws, {{"name", "Kinondoni"}}}}).ok());
  }
  Cli::Out ok = c.Run({"--json", "import", "sites", csv});
  REQUIRE_MESSAGE(ok.code == 0, ok.err);
  CHECK(ok.Json()["created"] == 2);
  CHECK(ok.Json()["workspace_id"] == ws);
  CHECK(site_count() == before + 2);
  Cli::Out again = c.Run({"import", "sites", csv});
  REQUIRE_MESSAGE(again.code == 0, again.err);
  CHECK(again.out == "Imported sites into Kinondoni: 0 new, 0 updated, 2 unchanged.\n");

  // A bad file: every problem with its line, nothing written, exit 4.
  const std::string bad = c.dir.File("bad.geojson");
  std::ofstream(bad) << R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [39.2, -6.7]}, "properties": {"name": "Fine"}},
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[39.2, -6.7], [39.3, -6.8]]},
       "properties": {"name": "Road"}},
      {"type": "Feature", "geometry": null, "properties": {"kind": "volcano"}}]})";
  Cli::Out b = c.Run({"import", "sites", bad});
  CHECK(b.code == cli::kExitInvalid);
  CHECK(b.err.find(bad + ": feature 2: the geometry is a LineString") != std::string::npos);
  CHECK(b.err.find(bad + ": feature 3: ") != std::string::npos);
  CHECK(b.err.find("nothing was imported") != std::string::npos);
  Cli::Out bj = c.Run({"--json", "import", "sites", bad});
  CHECK(bj.code == cli::kExitInvalid);
  json err = json::parse(bj.err);
  CHECK(err["error"]["code"] == "invalid_input");
  CHECK(err["error"]["problems"].size() >= 3);
  CHECK(err["error"]["problems"][0]["where"] == "feature 2");
  CHECK(site_count() == before + 2);

  // Two workspaces of its own: say which (an id prefix will do).
  const std::string ws2 = NewUuid(&c.env);
  {
    StoreOptions o;
    o.path = c.env.DataDir() + "/ccfield.db";
    std::unique_ptr<Store> store = Store::Open(&c.env, o).value();
    REQUIRE(store->Commit({SetFields{RecordType::kWorkspace, ws2, {{"name", "Temeke"}}}}).ok());
  }
  Cli::Out two = c.Run({"import", "sites", csv});
  CHECK(two.code == cli::kExitUsage);
  CHECK(two.err.find(ws2) != std::string::npos);
  Cli::Out chosen = c.Run({"--json", "import", "sites", csv, "--workspace", ws2.substr(0, 8)});
  REQUIRE_MESSAGE(chosen.code == 0, chosen.err);
  CHECK(chosen.Json()["created"] == 2);
  CHECK(c.Run({"import", "sites", csv, "--workspace", "ffffffff"}).code == cli::kExitNotFound);
  CHECK(c.Run({"import", "sites", c.dir.File("missing.csv")}).code == cli::kExitNotFound);
  CHECK(c.Run({"import", "sites", "--help"}).code == 0);
}

TEST_CASE("cli: init declines the demo, home loads it only on a first start, demo remove keeps real workspaces") {
  Cli c;
  REQUIRE(c.Run({"init"}).code == 0);
  json home = c.Run({"--json", "home"}).Json();
  CHECK(home["demo_loaded"] == false);
  CHECK(home["counts"]["visits"] == 0);
  CHECK(c.Run({}).out.find("First start") == std::string::npos);

  Cli fresh;
  Cli::Out first = fresh.Run({"home"});
  CHECK(first.out.find("First start: loaded the demo data set") != std::string::npos);
  CHECK(first.out.find("(demo)") != std::string::npos);
  CHECK(first.out.find("Visits: Drafts ") != std::string::npos);
  CHECK(first.out.find("overdue  ") != std::string::npos);  // the demo's due dates are in the past
  json h = fresh.Run({"--json", "home"}).Json();
  CHECK(h["visit_states"]["demo"].get<int>() >= 12);
  CHECK(h["overdue"].get<int>() >= 1);
  CHECK(h["follow_ups"][0]["overdue"] == true);
  for (const json& w : h["workspaces"]) CHECK(w["demo"] == true);

  // A workspace of its own (as a sync brings it) survives demo remove.
  const std::string ws = NewUuid(&fresh.env);
  {
    StoreOptions o;
    o.path = fresh.env.DataDir() + "/ccfield.db";
    std::unique_ptr<Store> store = Store::Open(&fresh.env, o).value();
    REQUIRE(store->Commit({SetFields{RecordType::kWorkspace, ws, {{"name", "Kinondoni"}}}}).ok());
  }
  Cli::Out removed = fresh.Run({"demo", "remove"});
  REQUIRE_MESSAGE(removed.code == 0, removed.err);
  CHECK(removed.out.find("Removed the demo data:") != std::string::npos);
  CHECK(removed.out.find("were not touched") != std::string::npos);
  json after = fresh.Run({"--json", "home"}).Json();
  CHECK(after["demo_loaded"] == false);
  REQUIRE(after["workspaces"].size() == 1);
  CHECK(after["workspaces"][0]["id"] == ws);
  CHECK(fresh.Run({"--json", "demo", "remove"}).Json()["removed"].value("visit", 0) == 0);
  CHECK(fresh.Run({"demo", "again"}).code == cli::kExitUsage);
}

TEST_CASE("cli: site add, edit, delete, restore and kinds, near-duplicates warn, positions from visits") {
  Cli c;
  REQUIRE(c.Run({"init"}).code == 0);
  Cli::Out none = c.Run({"site", "add", "--name", "Drain D-14"});
  CHECK(none.code == cli::kExitInvalid);
  CHECK(none.err.find("no workspace yet") != std::string::npos);
  REQUIRE(c.Run({"demo"}).code == 0);
  // Only demo workspaces, several: say which.
  CHECK(c.Run({"site", "add", "--name", "Drain D-14"}).code == cli::kExitUsage);

  Cli::Out kinds = c.Run({"--lang", "fr", "site", "kinds"});
  CHECK(kinds.code == 0);
  CHECK(kinds.out.find("drain ") == 0);
  CHECK(c.Run({"--json", "site", "kinds"}).Json()["count"].get<int>() >= 5);

  const std::string ws = NewUuid(&c.env);
  {
    StoreOptions o;
    o.path = c.env.DataDir() + "/ccfield.db";
    std::unique_ptr<Store> store = Store::Open(&c.env, o).value();
    REQUIRE(store->Commit({SetFields{RecordType::kWorkspace, ws, {{"name", "Kinondoni"}}}}).ok());
  }
  // One workspace of its own: used without --workspace, never the demo's.
  Cli::Out add = c.Run({"--json", "site", "add", "--name", "Marché Central", "--kind", "market", "--ward", "Tandale",
                        "--lat", "-6.7959", "--lon", "39.2469"});
  REQUIRE_MESSAGE(add.code == 0, add.err);
  json site = add.Json();
  const std::string id = site["id"];
  CHECK(site["fields"]["workspace_id"] == ws);
  CHECK(site["state"] == "waiting");
  CHECK(site["similar"].empty());
  CHECK(c.Run({"site", "add", "--name", "X", "--kind", "volcano"}).code == cli::kExitInvalid);
  CHECK(c.Run({"site", "add", "--kind", "market"}).code == cli::kExitUsage);
  CHECK(c.Run({"site", "add", "--name", "X", "--position", "-6.7"}).code == cli::kExitInvalid);

  // The same name, accents and case aside: "Is it one of these?", saved anyway.
  Cli::Out dup = c.Run({"site", "add", "--name", "marche central", "--kind", "market", "--position", "-6.7960,39.2470"});
  REQUIRE_MESSAGE(dup.code == 0, dup.err);
  CHECK(dup.out.find("Is it one of these?") == 0);
  CHECK(dup.out.find(id.substr(0, 8) + "  Marché Central · Market") != std::string::npos);
  CHECK(dup.out.find(" m away") != std::string::npos);
  CHECK(dup.out.find("Saved site ") != std::string::npos);

  // Edit: given fields only; a position from a visit's GPS fix.
  Cli::Out visit = c.Run({"--json", "visit", "add", "--site", id, "--form", "heat", "--answer",
                          "sub_kind=cooling_space", "--gps", "-6.7950,39.2460,5"});
  REQUIRE_MESSAGE(visit.code == 0, visit.err);
  CHECK(visit.Json()["warnings"].empty());
  const std::string visit_id = visit.Json()["id"];
  json edited = c.Run({"--json", "site", "edit", id.substr(0, 8), "--near-visit", visit_id, "--address", "Kawawa Rd"})
                    .Json();
  CHECK(edited["fields"]["lat"] == -6.7950);
  CHECK(edited["fields"]["name"] == "Marché Central");
  CHECK(edited["fields"]["address"] == "Kawawa Rd");
  json last = c.Run({"--json", "site", "edit", id, "--position-from-last-visit", "--clear", "ward"}).Json();
  CHECK(last["fields"]["lon"] == 39.2460);
  CHECK_FALSE(last["fields"].contains("ward"));
  CHECK(c.Run({"site", "edit", id}).code == cli::kExitUsage);
  CHECK(c.Run({"site", "edit", id, "--workspace", ws}).code == cli::kExitInvalid);
  CHECK(c.Run({"site", "edit", visit_id, "--name", "x"}).code == cli::kExitInvalid);

  // A visit far from its site: a warning, saved all the same.
  Cli::Out far = c.Run({"visit", "add", "--site", id, "--form", "heat", "--answer", "sub_kind=cooling_space", "--gps",
                        "-6.8200,39.2460"});
  REQUIRE_MESSAGE(far.code == 0, far.err);
  CHECK(far.out.find("Warning: the GPS position is 2.8 km from the site's position") != std::string::npos);

  Cli::Out shown = c.Run({"site", "show", id});
  CHECK(shown.out.find("state: ready to send") != std::string::npos);
  CHECK(shown.out.find("kind: market (Market)") != std::string::npos);
  CHECK(shown.out.find("6.7950° S, 39.2460° E") != std::string::npos);
  CHECK(c.Run({"site", "delete", id}).code == 0);
  CHECK(c.Run({"--json", "list", "sites", "--deleted"}).Json()["items"][0]["id"] == id);
  json restored = c.Run({"--json", "site", "restore", id}).Json();
  CHECK(restored["deleted"] == false);

  // States in lists: words in text, codes in JSON.
  Cli::Out sites = c.Run({"list", "sites"});
  CHECK(sites.out.find(id.substr(0, 8) + "  ready to send  Marché Central") != std::string::npos);
  CHECK(sites.out.find("  demo           ") != std::string::npos);
  json visits = c.Run({"--json", "list", "visits"}).Json();
  int waiting = 0, demo = 0;
  for (const json& v : visits["items"]) {
    waiting += v["state"] == "waiting";
    demo += v["state"] == "demo";
  }
  CHECK(waiting == 2);
  CHECK(demo >= 12);
}

TEST_CASE("cli: refused, logout and friction: plain answers when nothing applies") {
  Cli c;
  REQUIRE(c.Run({"init"}).code == 0);
  CHECK(c.Run({"refused"}).out == "The server has refused nothing from this device.\n");
  CHECK(c.Run({"--json", "refused"}).Json()["count"] == 0);
  CHECK(c.Run({"refused", "discard"}).code == cli::kExitUsage);
  CHECK(c.Run({"refused", "frob", "x"}).code == cli::kExitUsage);
  Cli::Out out = c.Run({"logout"});
  CHECK(out.code == 0);
  CHECK(out.out.find("not logged in") != std::string::npos);
  Cli::Out login = c.Run({"login", "localhost:8080", "--user", "amina", "--password", "pw"});
  CHECK(login.code == cli::kExitInvalid);
  CHECK(login.err.find("did you mean http://localhost:8080 ?") != std::string::npos);
  CHECK(c.Run({"resolve", "--help"}).out.find("not the record's id") != std::string::npos);
  CHECK(c.Run({"visit", "--help"}).out.find("2 needs repair") != std::string::npos);
}

TEST_CASE("cli: --help works for the program and for every command, with -h and in any place") {
  Cli c;
  Cli::Out top = c.Run({"--help"});
  CHECK(top.code == 0);
  CHECK(top.out.starts_with("ccfield — offline field notebook"));
  CHECK(top.out.find("Global options (anywhere on the line)") != std::string::npos);
  CHECK(c.Run({"-h"}).out == top.out);
  for (const char* cmd : {"home", "init", "demo", "forms", "visit", "site", "list", "show", "search", "history",
                          "export", "import", "login", "sync", "status", "conflicts", "resolve", "refused",
                          "logout"}) {
    const std::string name = cmd;
    INFO(name);
    Cli::Out help = c.Run({cmd, "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.starts_with("Usage:"));
    CHECK(help.out.find(name == "home" ? "ccfield [home]" : "ccfield " + name) != std::string::npos);
    CHECK(help.err.empty());
    CHECK(c.Run({"-h", cmd}).out == help.out);  // -h before the command: the command's help
  }
  Cli::Out sync = c.Run({"sync", "--help"});
  CHECK(sync.out.starts_with("Usage: ccfield sync [--stall-timeout SECONDS]"));
  CHECK(c.Run({"sync", "-h", "--json"}).out == sync.out);
  CHECK(c.Run({"--json", "refused", "discard", "x", "--help"}).out.find("ccfield refused discard ID --yes") !=
        std::string::npos);
  // Help opens no store: the data directory is not even made.
  CHECK(c.Run({"--data", c.dir.File("never"), "status", "--help"}).code == 0);
  CHECK_FALSE(std::ifstream(c.dir.File("never") + "/ccfield.db").good());
}

TEST_CASE("cli: a bad option or a missing value is exit 2 with a plain message and the command's usage") {
  Cli c;
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"list", "visits", "--bogus"}, "ccfield: unknown option --bogus (see --help)\n"},
      {{"list", "visits", "-x"}, "ccfield: unknown option -x (see --help)\n"},
      {{"list", "visits", "--limit"}, "ccfield: option --limit needs a value\n"},
      {{"status", "--limit", "5", "--limit", "6"}, "ccfield: option --limit given twice\n"},
      {{"sync", "--stall-timeout"}, "ccfield: option --stall-timeout needs a value\n"},
      {{"sync", "--stall-timeout", "0"}, "ccfield: --stall-timeout takes whole seconds from 1 to 3600\n"},
      {{"list", "visits", "--lang"}, "ccfield: option --lang needs a value\n"},
      {{"frobnicate"}, "ccfield: unknown command \"frobnicate\"\n"},
  };
  for (const Case& k : cases) {
    std::string line;
    for (const std::string& a : k.args) line += a + " ";
    INFO("ccfield ", line);
    Cli::Out r = c.Run(k.args);
    INFO("stderr: ", r.err);
    CHECK(r.code == cli::kExitUsage);
    CHECK(r.err.starts_with(k.message));
    CHECK(r.err.find("Usage: ccfield") != std::string::npos);
    CHECK(r.out.empty());
  }
  // The same options, right: --x=value, values that start with "-", global options after the command.
  REQUIRE(c.Run({"demo"}).code == 0);
  Cli::Out limited = c.Run({"list", "visits", "--limit=2", "--json"});
  CHECK(limited.code == 0);
  CHECK(limited.Json()["count"] == 2);
  Cli::Out one = c.Run({"list", "--limit", "1", "visits", "--json", "--lang", "fr"});
  CHECK(one.Json()["count"] == 1);
  const std::string ws = c.Run({"--json", "list", "workspaces"}).Json()["items"][0]["id"].get<std::string>();
  Cli::Out site =
      c.Run({"--json", "site", "add", "--name", "Drain -3", "--lat", "-6.79", "--lon", "39.21", "--workspace", ws});
  INFO("stderr: ", site.err);
  REQUIRE(site.code == 0);
  CHECK(site.Json()["fields"]["lat"] == -6.79);
  CHECK(site.Json()["fields"]["name"] == "Drain -3");
}

// Issue 14: the command line writes the window's English words itself (it
// loads no catalogs and no FriBidi); they must stay the window's words.
TEST_CASE("the CLI's condition and distance words are the window's English words") {
  for (const char* rating : {"0", "1", "2", "3", "na", "ni", "7"}) {
    CHECK(cli::ConditionWords(rating) == app::ConditionText(rating));
  }
  CHECK(cli::ConditionWords("2") == "2 · needs repair");
  for (double m : {10.0, 999.0, 1000.5, 1400.0, 25000.0}) CHECK(cli::FarFromSiteWords(m) == app::FarFromSiteText(m));
  CHECK(cli::FarFromSiteWords(1400) == "1.4 km from the site's position — is this the right site?");
  CHECK(cli::FarFromSiteWords(10).empty());
}

}  // namespace
}  // namespace ccfield
