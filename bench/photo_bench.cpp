// ccfield_photo_bench: what attaching a phone photo costs on a tablet. It
// writes a 4000x3000 JPEG like a phone's (~3.5 MB at quality 92, with EXIF:
// the shared generator tests/support/test_photos.h), shrinks it N times with
// media::MakePhotoCopies and prints the time per photo, the sizes of the
// send copy and the thumbnail, and the peak memory of a fresh process that
// shrinks it once against one that only reads the file. Prints figures, never
// asserts on time; the exit code only says whether it could run (0) or not (2).
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "ccfield/media/photo_codec.h"
#include "test_photos.h"

namespace ccfield::bench {
namespace {

struct Options : CommonOptions {
  int runs = 20;
  int width = 4000, height = 3000, quality = 92;
  std::string rss_child;  // internal: "shrink FILE" or "read FILE" in a fresh process
  std::string rss_file;
};

void Usage() {
  std::printf(
      "usage: ccfield_photo_bench [--runs N] [--size WxH] [--quality Q] [--quick] [--dir DIR] [--keep] [--seed N]\n"
      "  --runs N      photos shrunk for the timing (default 20; --quick: 3)\n"
      "  --size WxH    the photo's size (default 4000x3000)\n"
      "  --quality Q   the photo's JPEG quality (default 92)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv); args.Next();) {
    if (args.Common(&o, Usage)) continue;
    if (args.Is("--runs")) {
      o.runs = static_cast<int>(args.Int(100000));
    } else if (args.Is("--size")) {
      std::string v = args.Value();
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 1 || o.height < 1) {
        Die("--size takes WxH, e.g. 4000x3000");
      }
    } else if (args.Is("--quality")) {
      o.quality = static_cast<int>(args.Int(100));
    } else if (args.Is("--rss-child")) {
      o.rss_child = args.Value();
      o.rss_file = args.Value();
    } else {
      args.Unknown(Usage);
    }
  }
  if (o.quick) o.runs = 3;
  return o;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// VmHWM of /proc/self/status in KiB: the peak RSS of this process image.
long VmHwmKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    long kb = 0;
    if (std::sscanf(line.c_str(), "VmHWM: %ld kB", &kb) == 1) return kb;
  }
  return -1;
}

// The child: reads the file, shrinks it once (or not), prints its peak RSS
// in KiB two ways: VmHWM (this program image only) and getrusage's ru_maxrss
// (Linux keeps it across exec, so it also holds the parent's RSS at fork).
int RssChild(const Options& o) {
  std::string photo = ReadWholeFile(o.rss_file);
  if (o.rss_child == "shrink") {
    media::PhotoCopies copies = Check(media::MakePhotoCopies(photo), "shrinking the photo");
    if (copies.send.bytes.empty()) Die("no send copy");
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%ld %ld\n", VmHwmKb(), usage.ru_maxrss);
  return 0;
}

struct PeakRss {
  double hwm_mb = 0;     // VmHWM of the child's own image
  double maxrss_mb = 0;  // ru_maxrss, the parent's pages at fork included
};

// The peak RSS of a fresh process (fork + exec of this program) that does `what` with `file`.
PeakRss ChildPeakRss(const std::string& what, const std::string& file) {
  SpawnOptions spawn;
  spawn.exe = "/proc/self/exe";
  auto [code, out] = RunCommand({"ccfield_photo_bench", "--rss-child", what, file}, spawn);
  long hwm = 0, maxrss = 0;
  if (code != 0 || std::sscanf(out.c_str(), "%ld %ld", &hwm, &maxrss) != 2 || hwm <= 0) {
    Die("the " + what + " child failed: " + out);
  }
  return {static_cast<double>(hwm) / 1024.0, static_cast<double>(maxrss) / 1024.0};
}

std::string WritePhoto(const std::string& dir, const char* name, const std::string& bytes) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  if (FileSize(path) != static_cast<int64_t>(bytes.size())) Die("cannot write " + path);
  return path;
}

testing::TestJpegOptions PhotoOptions(const Options& o, bool progressive) {
  testing::TestJpegOptions j;
  j.width = o.width, j.height = o.height, j.quality = o.quality, j.seed = static_cast<uint32_t>(o.seed);
  j.progressive = progressive;
  testing::TestExif exif;
  exif.orientation = 6, exif.date_time_original = "2026:10:14 08:05:00", exif.offset_time_original = "+03:00";
  exif.lat = -1.2921, exif.lon = 36.8219, exif.altitude_m = 1795;
  exif.make = "ccfield", exif.model = "bench phone", exif.maker_note_bytes = 20000;
  j.exif = exif;
  return j;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct Timings {
  std::vector<double> wall_ms, cpu_ms;  // per photo
};

// Shrinks `photo` `runs` times (after one warm-up): wall and CPU time per
// photo (CPU time is what a busy machine does not inflate).
Timings TimeShrinks(const std::string& photo, int runs, media::PhotoCopies* last) {
  *last = Check(media::MakePhotoCopies(photo), "shrinking the photo");
  Timings t;
  for (int i = 0; i < runs; ++i) {
    Clock::time_point t0 = Clock::now();
    const double c0 = ThreadCpuMs();
    *last = Check(media::MakePhotoCopies(photo), "shrinking the photo");
    t.cpu_ms.push_back(ThreadCpuMs() - c0);
    t.wall_ms.push_back(MsBetween(t0, Clock::now()));
  }
  return t;
}

int Run(const Options& o) {
  const std::string load_start = LoadAverage();
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(o.dir, "ccfield_photo_bench", o.keep, &remove_dir);
  std::printf("== photo: %dx%d JPEG q%d with EXIF (orientation 6, time, GPS, 20 KB maker note), seed %llu\n", o.width,
              o.height, o.quality, static_cast<unsigned long long>(o.seed));
  Clock::time_point g0 = Clock::now();
  const std::string photo = testing::MakeTestJpeg(PhotoOptions(o, false));
  const std::string progressive = testing::MakeTestJpeg(PhotoOptions(o, true));
  std::printf("photo_bytes=%zu progressive_bytes=%zu generate_s=%.1f\n", photo.size(), progressive.size(),
              MsBetween(g0, Clock::now()) / 1000);
  const std::string path = WritePhoto(dir, "photo.jpg", photo);
  const std::string progressive_path = WritePhoto(dir, "progressive.jpg", progressive);

  media::PhotoCopies copies, pcopies;
  const Timings times = TimeShrinks(photo, o.runs, &copies);
  const Timings ptimes = TimeShrinks(progressive, std::max(1, o.runs / 4), &pcopies);
  const Stats t = Summarize(times.wall_ms);
  const double median = Median(times.wall_ms), pmedian = Median(ptimes.wall_ms);
  const double cpu = Median(times.cpu_ms), pcpu = Median(ptimes.cpu_ms);
  const double ratio = Ratio(double(copies.send.bytes.size()), double(photo.size()));
  std::printf("shrink_ms runs=%d median=%.1f p95=%.1f max=%.1f cpu_median=%.1f; progressive median=%.1f cpu=%.1f\n",
              o.runs, median, t.p95, t.max, cpu, pmedian, pcpu);
  std::printf("send=%dx%d send_bytes=%zu thumb=%dx%d thumb_bytes=%zu ratio_send_original=%.3f\n", copies.send.width,
              copies.send.height, copies.send.bytes.size(), copies.thumb.width, copies.thumb.height,
              copies.thumb.bytes.size(), ratio);

  const PeakRss base = ChildPeakRss("read", path);
  const PeakRss rss = ChildPeakRss("shrink", path);
  const PeakRss prss = ChildPeakRss("shrink", progressive_path);
  std::printf("peak_rss_mb (VmHWM) read_only=%.1f shrink=%.1f (+%.1f) shrink_progressive=%.1f (+%.1f)\n", base.hwm_mb,
              rss.hwm_mb, rss.hwm_mb - base.hwm_mb, prss.hwm_mb, prss.hwm_mb - base.hwm_mb);
  std::printf("ru_maxrss_mb read_only=%.1f shrink=%.1f shrink_progressive=%.1f (includes this bench's RSS at fork)\n",
              base.maxrss_mb, rss.maxrss_mb, prss.maxrss_mb);

  SetSummarySection(1);
  Summary(
      "(1) shrink a %dx%d %.1f MB JPEG to %dx%d + %dx%d: median=%.1f ms p95=%.1f ms, CPU median=%.1f ms "
      "(progressive: median=%.1f ms, CPU %.1f ms)",
      o.width, o.height, double(photo.size()) / 1e6, copies.send.width, copies.send.height, copies.thumb.width,
      copies.thumb.height, median, t.p95, cpu, pmedian, pcpu);
  Summary("(2) send copy %zu bytes, thumbnail %zu bytes; send/original=%.3f  target<=0.12: %s",
          copies.send.bytes.size(), copies.thumb.bytes.size(), ratio, Verdict(ratio <= 0.12));
  Summary(
      "(3) peak RSS shrinking once in a fresh process: %.1f MB (reading the file only: %.1f MB; progressive: "
      "%.1f MB)  target<100: %s",
      rss.hwm_mb, base.hwm_mb, prss.hwm_mb, Verdict(rss.hwm_mb < 100));
  FinishRun(load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_photo_bench");
  ccfield::bench::Options o = ccfield::bench::ParseOptions(argc, argv);
  if (!o.rss_child.empty()) return ccfield::bench::RssChild(o);
  return ccfield::bench::Run(o);
}
