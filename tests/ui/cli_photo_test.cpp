// `ccfield visit attach`, `site attach`, `photos`, `photo ...` in-process on a
// real store with real photo files (JPEG with EXIF, PNG), a text file and a
// photo cut short: what attaches, what is refused and why, exports, edits.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ccfield/core/blob_files.h"
#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "support/cli_device.h"
#include "support/temp_dir.h"
#include "support/test_photos.h"

namespace ccfield {
namespace {

using nlohmann::json;

struct PhotoCli {
  testing::TempDir dir;
  FakeEnv env{dir.path() + "/data"};
  std::string visit, site;

  PhotoCli() {
    REQUIRE(Run({"demo"}).code == 0);
    visit = Run({"--json", "list", "visits"}).Json()["items"][0]["id"].get<std::string>();
    site = Run({"--json", "list", "sites"}).Json()["items"][0]["id"].get<std::string>();
  }
  testing::CliOut Run(const std::vector<std::string>& args) { return testing::RunCli(args, &env); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir.File(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

std::string PhoneJpeg() {
  testing::TestJpegOptions o = testing::JpegOfSize(2000, 1500);
  testing::TestExif exif;
  exif.orientation = 6;
  exif.date_time_original = "2026:10:14 08:05:00";
  exif.offset_time_original = "+03:00";
  exif.lat = -6.8;
  exif.lon = 39.28;
  o.exif = exif;
  return testing::MakeTestJpeg(o);
}

TEST_CASE("cli photos: attach names each refused file with its reason and attaches the others") {
  PhotoCli c;
  const std::string jpeg = PhoneJpeg();
  testing::TestPngOptions png_options;
  png_options.width = 300;
  png_options.height = 200;
  const std::string good = c.Write("IMG_2041.jpg", jpeg);
  const std::string png = c.Write("sketch.png", testing::MakeTestPng(png_options));
  const std::string cut = c.Write("IMG_2042.jpg", jpeg.substr(0, jpeg.size() / 2));
  const std::string text = c.Write("notes.txt", "not a photo");
  testing::CliOut r = c.Run({"--json", "visit", "attach", c.visit.substr(0, 8), good, cut, text, png, "--caption",
                             "Blocked inlet"});
  CHECK(r.code == 4);
  json j = r.Json();
  REQUIRE(j["attached"].size() == 2);
  REQUIRE(j["refused"].size() == 2);
  CHECK(j["refused"][0]["file"] == cut);
  CHECK(j["refused"][0]["error"].get<std::string>().find("IMG_2042.jpg: the photo is cut short") == 0);
  CHECK(j["refused"][1]["error"].get<std::string>().find("notes.txt: this file is not a photo") == 0);

  json photos = c.Run({"--json", "photos", c.visit}).Json()["items"];
  REQUIRE(photos.size() == 2);
  const json& first = photos[0]["fields"];
  CHECK(first["caption"] == "Blocked inlet");
  CHECK(first["file_name"] == "IMG_2041.jpg");
  CHECK(first["width"] == 1200);  // orientation 6: portrait
  CHECK(first["height"] == 1600);
  CHECK(first["taken_at"] == "2026-10-14T08:05:00+03:00");
  CHECK(first["lat"].get<double>() == doctest::Approx(-6.8));
  CHECK(first["position_source"] == "exif");
  CHECK(photos[0]["here"]["original"] == true);
  CHECK(photos[1]["fields"]["file_name"] == "sketch.png");

  // The plain listing has one line per photo with its size and caption.
  testing::CliOut list = c.Run({"photos", c.visit});
  CHECK(list.out.find("1200×1600") != std::string::npos);
  CHECK(list.out.find("\"Blocked inlet\"") != std::string::npos);
}

TEST_CASE("cli photos: export writes the original, never over a file, and the edits are ordinary changes") {
  PhotoCli c;
  const std::string jpeg = PhoneJpeg();
  REQUIRE(c.Run({"visit", "attach", c.visit, c.Write("IMG_2041.jpg", jpeg)}).code == 0);
  const std::string id = c.Run({"--json", "photos", c.visit}).Json()["items"][0]["id"].get<std::string>();
  const std::string out = c.dir.File("export");
  testing::CliOut e1 = c.Run({"--json", "photo", "export", id.substr(0, 8), out});
  REQUIRE_MESSAGE(e1.code == 0, e1.err);
  testing::CliOut e2 = c.Run({"--json", "photo", "export", id, out});
  REQUIRE(e2.code == 0);
  CHECK(e1.Json()["path"] == out + "/IMG_2041.jpg");
  CHECK(e2.Json()["path"] == out + "/IMG_2041-2.jpg");
  std::string error;
  CHECK(c.env.ReadFile(out + "/IMG_2041.jpg", &error) == std::optional<std::string>(jpeg));

  REQUIRE(c.Run({"photo", "caption", id, "Inlet after cleaning"}).code == 0);
  REQUIRE(c.Run({"photo", "delete", id}).code == 0);
  CHECK(c.Run({"--json", "photos", c.visit}).Json()["items"].empty());
  CHECK(c.Run({"--json", "photos", c.visit, "--deleted"}).Json()["items"].size() == 1);
  REQUIRE(c.Run({"photo", "restore", id}).code == 0);
  json photo = c.Run({"--json", "photos", c.visit}).Json()["items"][0];
  CHECK(photo["fields"]["caption"] == "Inlet after cleaning");
  testing::CliOut history = c.Run({"history", id});
  CHECK(history.out.find("caption = Inlet after cleaning") != std::string::npos);
  CHECK(history.out.find("deleted") != std::string::npos);
  CHECK(history.out.find("restored") != std::string::npos);
}

TEST_CASE("cli photos: a site's own photos, settings, and command lines that are refused") {
  PhotoCli c;
  const std::string good = c.Write("place.jpg", testing::MakeTestJpeg(testing::JpegOfSize(800, 600)));
  REQUIRE(c.Run({"site", "attach", c.site, good}).code == 0);
  CHECK(c.Run({"--json", "photos", c.site}).Json()["items"].size() == 1);
  CHECK(c.Run({"visit", "attach", c.visit}).code == 2);  // no file
  CHECK(c.Run({"visit", "attach"}).code == 2);           // no visit
  CHECK(c.Run({"visit", "attach", "ffffffff", good}).code == 3);
  CHECK(c.Run({"visit", "attach", c.visit, c.dir.File("missing.jpg")}).code == 4);
  CHECK(c.Run({"photos", c.Run({"--json", "list", "workspaces"}).Json()["items"][0]["id"].get<std::string>()})
            .code == 4);  // a workspace has no photos

  testing::CliOut s = c.Run({"--json", "photo", "settings", "--rule", "unmetered", "--cap-mb", "300",
                             "--keep-originals", "yes"});
  REQUIRE_MESSAGE(s.code == 0, s.err);
  CHECK(s.Json() == json({{"rule", "unmetered"}, {"monthly_cap_mb", 300}, {"keep_originals", true}}));
  CHECK(c.Run({"--json", "photo", "settings"}).Json()["rule"] == "unmetered");
  CHECK(c.Run({"photo", "settings", "--rule", "sometimes"}).code == 2);
  CHECK(c.Run({"photo", "settings", "--cap-mb", "-5"}).code == 2);
  json usage = c.Run({"--json", "photo", "usage"}).Json();
  CHECK(usage["photos"]["up"] == 0);
}

}  // namespace
}  // namespace ccfield
