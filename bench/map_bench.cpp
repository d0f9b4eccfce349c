// ccfield_map_bench: memory and decode speed of the offline basemap with a
// big pack. Writes a pack of noisy JPEG tiles (they do not compress: ~200 MB
// on disk), then runs two fresh child processes (this program re-executed)
// that "pan" a 1100x720 map across it the way the map view does: each step
// asks TileLoader for the tiles on screen (KeepOnly the rest), and keeps the
// decoded tiles in a ByteLru with the map's cap. One child has the pack, the
// other none (every tile missing): the difference of their peak RSS is what
// the pack costs. Prints figures, asserts nothing; see bench/README.md.
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>
#include <unordered_set>

#include "bench_util.h"
#include "ccfield/maps/byte_lru.h"
#include "ccfield/maps/mbtiles_writer.h"
#include "ccfield/maps/tile_loader.h"
#include "test_photos.h"

namespace ccfield::bench {
namespace {

using maps::TileKey;

struct Options : CommonOptions {
  int pack_mb = 200;
  int steps = 400;        // pan steps of 48 px
  int cap_mb = 24;        // the map view's texture cache
  std::string rss_child;  // internal: "pack" or "none"
  std::string rss_pack;   // internal: the pack's path
};

void PrintUsage() {
  std::printf(
      "usage: ccfield_map_bench [--pack-mb N] [--steps N] [--cap-mb N] [--quick] [--dir DIR] [--keep] [--seed N]\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv); args.Next();) {
    if (args.Common(&o, PrintUsage)) continue;
    if (args.Is("--pack-mb")) {
      o.pack_mb = int(args.Int(4000));
    } else if (args.Is("--steps")) {
      o.steps = int(args.Int(100000));
    } else if (args.Is("--cap-mb")) {
      o.cap_mb = int(args.Int(4000));
    } else if (args.Is("--rss-child")) {
      o.rss_child = args.Value();
      o.rss_pack = args.Value();
    } else {
      args.Unknown(PrintUsage);
    }
  }
  if (o.quick) o.pack_mb = std::min(o.pack_mb, 20), o.steps = std::min(o.steps, 80);
  return o;
}

long StatusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line, want = std::string(field) + ": %ld kB";
  while (std::getline(status, line)) {
    long kb = 0;
    if (std::sscanf(line.c_str(), want.c_str(), &kb) == 1) return kb;
  }
  return -1;
}

// The pack: a square of zoom-16 tiles, each a distinct noisy JPEG.
struct PackLayout {
  int z = 16, x0 = 39500, y0 = 34000, side = 0;
};

PackLayout WritePack(const std::string& path, int pack_mb, uint64_t seed, size_t* tiles) {
  // A handful of distinct tiles, cycled; each stored copy differs by a
  // trailing comment so that no two rows are alike.
  std::vector<std::string> jpegs;
  for (uint32_t i = 0; i < 32; ++i) {
    testing::TestJpegOptions j = testing::JpegOfSize(256, 256);
    j.quality = 95, j.seed = uint32_t(seed) * 100 + i;
    jpegs.push_back(testing::MakeTestJpeg(j));
  }
  size_t avg = 0;
  for (const std::string& j : jpegs) avg += j.size() / jpegs.size();
  const size_t count = (size_t(pack_mb) << 20) / avg;
  PackLayout layout;
  layout.side = int(std::ceil(std::sqrt(double(count))));
  auto writer = Check(maps::MbTilesWriter::Create(path, {{"name", "bench"}, {"format", "jpg"}}), "creating the pack");
  size_t n = 0;
  for (int dy = 0; dy < layout.side && n < count; ++dy) {
    for (int dx = 0; dx < layout.side && n < count; ++dx, ++n) {
      const std::string& j = jpegs[n % jpegs.size()];
      Status st = writer->Put({layout.z, layout.x0 + dx, layout.y0 + dy}, j);
      if (!st.ok()) Die("writing the pack: " + st.ToString());
    }
  }
  Status st = writer->Finish();
  if (!st.ok()) Die("writing the pack: " + st.ToString());
  *tiles = n;
  return layout;
}

// The tiles a 1100x720 view shows with its top-left corner at world pixel (x, y).
std::vector<TileKey> Visible(const PackLayout& l, double x, double y) {
  std::vector<TileKey> out;
  for (int ty = int(y) / 256; ty <= int(y + 720) / 256; ++ty) {
    for (int tx = int(x) / 256; tx <= int(x + 1100) / 256; ++tx) out.push_back({l.z, tx, ty});
  }
  return out;
}

// The child: pans across the layout (serpentine rows), loading what is on
// screen at each step; prints peak RSS, current RSS, tiles decoded, seconds.
int RssChild(const Options& o) {
  PackLayout l;
  std::vector<std::unique_ptr<maps::MbTiles>> packs;
  if (o.rss_child == "pack") {
    packs.push_back(Check(maps::MbTiles::Open(o.rss_pack), "opening the pack"));
    l.side = int(std::sqrt(double(packs[0]->info().tile_count))) + 1;
  } else {
    l.side = 64;
  }
  auto loader = maps::TileLoader::Start(std::move(packs));
  maps::ByteLru<TileKey, std::vector<uint8_t>, maps::TileKeyHash> cache(size_t(o.cap_mb) << 20);
  const double span = double(l.side) * 256 - 1100, row_step = 720;
  double x = 0, y = 0, dir = 1;
  size_t decoded = 0, missing = 0;
  double decode_s = 0;
  for (int step = 0; step < o.steps; ++step) {
    x += dir * 48;
    if (x > span || x < 0) dir = -dir, x += dir * 96, y += row_step;
    const std::vector<TileKey> want =
        Visible(l, x + double(l.x0) * 256, std::fmod(y, double(l.side) * 256 - 720) + double(l.y0) * 256);
    loader->KeepOnly(want);
    std::unordered_set<TileKey, maps::TileKeyHash> pending;
    for (const TileKey& k : want) {
      if (cache.Get(k) == nullptr) pending.insert(k), loader->Request(k);
    }
    const Clock::time_point t0 = Clock::now();
    while (!pending.empty()) {
      for (maps::TileResult& r : loader->TakeReady()) {
        pending.erase(r.key);
        if (!r.error.empty()) Die("tile error: " + r.error);
        if (r.missing) {
          ++missing;
          continue;
        }
        ++decoded;
        const size_t bytes = r.image.rgba.size();
        cache.Put(r.key, std::move(r.image.rgba), bytes);
      }
      if (!pending.empty()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    decode_s += MsBetween(t0, Clock::now()) / 1000;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_s = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%ld %ld %zu %zu %.3f %zu %.3f\n", StatusKb("VmHWM"), StatusKb("VmRSS"), decoded, missing, decode_s,
              cache.bytes(), cpu_s);
  return 0;
}

struct ChildFigures {
  double hwm_mb = 0, rss_mb = 0, seconds = 0, cache_mb = 0, cpu_s = 0;
  size_t decoded = 0, missing = 0;
};

ChildFigures RunChild(const Options& o, const std::string& what, const std::string& pack) {
  SpawnOptions spawn;
  spawn.exe = "/proc/self/exe";
  auto [code, out] = RunCommand({"ccfield_map_bench", "--steps", std::to_string(o.steps), "--cap-mb",
                                 std::to_string(o.cap_mb), "--rss-child", what, pack},
                                spawn);
  long hwm = 0, rss = 0;
  ChildFigures f;
  size_t cache = 0;
  if (code != 0 || std::sscanf(out.c_str(), "%ld %ld %zu %zu %lf %zu %lf", &hwm, &rss, &f.decoded, &f.missing,
                               &f.seconds, &cache, &f.cpu_s) != 7) {
    Die("the " + what + " child failed: " + out);
  }
  f.hwm_mb = double(hwm) / 1024, f.rss_mb = double(rss) / 1024, f.cache_mb = double(cache) / (1 << 20);
  return f;
}

int Run(const Options& o) {
  const std::string load_start = LoadAverage();
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(o.dir, "ccfield_map_bench", o.keep, &remove_dir);
  const std::string pack = dir + "/big.mbtiles";
  const Clock::time_point g0 = Clock::now();
  size_t tiles = 0;
  const PackLayout l = WritePack(pack, o.pack_mb, o.seed, &tiles);
  std::printf("== pack: %zu JPEG tiles (zoom 16, %dx%d), %.1f MB on disk, written in %.1f s\n", tiles, l.side, l.side,
              double(FileSize(pack)) / (1 << 20), MsBetween(g0, Clock::now()) / 1000);
  std::printf("== pan: %d steps of 48 px, 1100x720 view, cache cap %d MB\n", o.steps, o.cap_mb);
  const ChildFigures none = RunChild(o, "none", pack);
  const ChildFigures with = RunChild(o, "pack", pack);
  const double extra = with.hwm_mb - none.hwm_mb;
  const double rate = Ratio(double(with.decoded), with.seconds);
  std::printf("no_pack peak_rss_mb=%.1f rss_mb=%.1f tiles_missing=%zu\n", none.hwm_mb, none.rss_mb, none.missing);
  const double cpu_rate = Ratio(double(with.decoded), with.cpu_s - none.cpu_s);
  std::printf(
      "pack    peak_rss_mb=%.1f rss_mb=%.1f tiles_decoded=%zu cache_mb=%.1f wait_s=%.2f tiles_per_s=%.0f "
      "cpu_s=%.2f (no pack: %.2f) tiles_per_cpu_s=%.0f\n",
      with.hwm_mb, with.rss_mb, with.decoded, with.cache_mb, with.seconds, rate, with.cpu_s, none.cpu_s, cpu_rate);
  SetSummarySection(1);
  Summary(
      "(1) peak RSS panning a %.0f MB pack: %.1f MB vs %.1f MB with no pack: +%.1f MB (cache cap %d MB)  "
      "target<+30: %s",
      double(FileSize(pack)) / (1 << 20), with.hwm_mb, none.hwm_mb, extra, o.cap_mb, Verdict(extra < 30));
  Summary(
      "(2) %zu tiles read and decoded (256 px JPEG) in %.2f s of waiting: %.0f tiles/s on one worker thread; "
      "%.0f tiles per CPU second (what a busy machine does not inflate)",
      with.decoded, with.seconds, rate, cpu_rate);
  FinishRun(load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_map_bench");
  ccfield::bench::Options o = ccfield::bench::ParseOptions(argc, argv);
  if (!o.rss_child.empty()) return ccfield::bench::RssChild(o);
  return ccfield::bench::Run(o);
}
