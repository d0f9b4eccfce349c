// The `ccfield` command line, run in-process (cli::Run) on a real store in a
// temporary directory: commands, --json output, exit codes, plain errors.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "support/temp_dir.h"

namespace ccfield {
namespace {

using nlohmann::json;

struct Cli {
  testing::TempDir dir;
  FakeEnv env{dir.path() + "/data"};

  struct Out {
    int code;
    std::string out, err;
    json Json() const {
      json j = json::parse(out, nullptr, false);
      INFO("stdout: ", out, " stderr: ", err);
      REQUIRE_FALSE(j.is_discarded());
      return j;
    }
  };
  Out Run(std::vector<std::string> args) {
    std::ostringstream out, err;
    int code = cli::Run(args, &env, out, err);
    return {code, out.str(), err.str()};
  }
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

TEST_CASE("cli: add, edit, delete and restore a visit; history shows every change") {
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

TEST_CASE("cli: export writes CSV and GeoJSON files; import practices is all or nothing") {
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

}  // namespace
}  // namespace ccfield
