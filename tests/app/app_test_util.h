#pragma once
// Shared by the app tests: how to start the real binary on a data folder with
// a UI script, and how to judge its screenshots (decoded with stb_image).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/store.h"
#include "support/temp_dir.h"

namespace ccfield::testing {

// The app binary under test (set by CMake from $<TARGET_FILE:ccfield>).
inline constexpr const char* kAppBinary = CCFIELD_APP_PATH;
// Every window is this size: small enough to keep software rendering fast,
// large enough for the screens' layouts.
inline constexpr int kAppWidth = 1100, kAppHeight = 720;
// How long one run of the app may take before the test kills it. Generous:
// sanitizer builds on a loaded 2-core machine are many times slower than a
// release build on an idle one (a run takes 1-3 s there).
inline constexpr std::chrono::milliseconds kAppTimeout{90'000};

// Writes `lines` (one script step each) to dir/name and returns the path.
std::string WriteScript(const TempDir& dir, const std::string& name, const std::vector<std::string>& lines);

// `--data DIR window --renderer R --size WxH --script FILE`.
std::vector<std::string> WindowArgs(const std::string& data_dir, const std::string& renderer,
                                    const std::string& script);

// Calls `done` every `poll` until it returns true (then true) or `timeout`
// passes (then false).
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// The store the app keeps in `data_dir` (DIR/ccfield.db), opened with the
// real Env; REQUIREs success (only inside a doctest test case).
std::unique_ptr<Store> OpenAppStore(const std::string& data_dir);

// A decoded screenshot, 8-bit RGBA rows top to bottom.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  uint32_t Rgb(int x, int y) const;  // 0xRRGGBB
};
// nullopt when the file is missing or not a decodable image.
std::optional<Image> LoadPng(const std::string& path);

struct ImageStats {
  size_t distinct_colours = 0;
  uint32_t background = 0;            // the most common colour, 0xRRGGBB
  double content_share = 0;           // share of pixels that are not the background colour
  double top_band_content_share = 0;  // the same for the top 60 rows (the navigation bar)
};
ImageStats Analyse(const Image& image);

// Share of pixels whose colours differ (any channel by more than 16) between
// two images of the same size; 1 when the sizes differ.
double DifferentShare(const Image& a, const Image& b);

}  // namespace ccfield::testing
