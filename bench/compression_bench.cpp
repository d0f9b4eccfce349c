// ccfield_compression_bench: the body encodings of sync (issue 14,
// "Compression near the limit"). For real sync bodies — the JSON that
// sync::ToJson writes for the bench's generated visits (visit_generator.h),
// read back from a real device store's change log — it prints, in one run:
// - size and ratio for gzip 6/9 and zstd 1/3/6/9/12/15/19, compressed and
//   decompressed through the product's body codec (sync/body_codec.h);
// - compression and decompression CPU time (this thread's, median) in ms
//   per MB of JSON on this machine, and an estimate for a 1 GHz ARM core (see EstimateArm);
// - a zstd dictionary trained (ZDICT_trainFromBuffer) on visits from
//   another seed, and what it saves on small cycles (a 10-edit push, a no-op
//   sync) and on a pull of all the visits (1000 by default).
// It prints figures and never asserts on time (bench/README.md).
#include <time.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "ccfield/core/store.h"
#include "ccfield/core/sync_replica.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/body_codec.h"
#include "ccfield/sync/protocol.h"
#include "visit_generator.h"

namespace ccfield::bench {
namespace {

using nlohmann::json;

struct Options : CommonOptions {
  int visits = 1000;
  int dict_kb = 32;         // dictionary capacity
  double min_ms = 300;      // time each measurement at least this long
  double arm_factor = 3.0;  // per-clock slowdown of a little ARM core (EstimateArm)
};

void Usage() {
  std::printf(
      "usage: ccfield_compression_bench [--visits N] [--dict-kb N] [--min-ms MS] [--arm-factor X]\n"
      "                                 [--quick] [--dir DIR] [--keep] [--seed N]\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv); args.Next();) {
    if (args.Common(&o, Usage)) continue;
    if (args.Is("--visits")) {
      o.visits = static_cast<int>(args.Int(100000));
    } else if (args.Is("--dict-kb")) {
      o.dict_kb = static_cast<int>(args.Int(1024));
    } else if (args.Is("--min-ms")) {
      o.min_ms = args.Number();
    } else if (args.Is("--arm-factor")) {
      o.arm_factor = args.Number(100);
    } else {
      args.Unknown(Usage);
    }
  }
  if (o.quick) {
    o.visits = std::min(o.visits, 200);
    o.min_ms = 30;
  }
  return o;
}

// ---- Real sync bodies ----------------------------------------------------------

// `n` visits (notes 600..1800 bytes) committed to a fresh device store in
// `dir`, read back as the change log's pending changes: what a first push sends.
std::vector<FieldChange> GeneratedChanges(const std::string& dir, uint64_t seed, int n, bool with_setup) {
  StoreOptions so;
  so.path = dir + "/device-" + std::to_string(seed) + ".db";
  std::unique_ptr<Store> store = Check(Store::Open(DefaultEnv(), so), "opening a store");
  const Vocabulary vocab = MakeVocabulary();
  const Fixture fx = MakeFixture(seed, 200);
  Check(store->Commit(fx.setup_ops), "creating the workspace");
  VisitMaker maker(fx, vocab, seed * 7 + 1);
  for (int i = 0; i < n; ++i) Check(store->Commit({maker.Make(600, 1800)}), "saving a visit");
  std::vector<ChangeEntry> pending = Check(SyncReplica(store.get()).PendingChanges(1 << 30), "reading the change log");
  std::vector<FieldChange> out;
  for (const ChangeEntry& e : pending) {
    if (with_setup || e.type == ChangeType::kVisit) out.push_back(e);
  }
  return out;
}

std::string RequestBody(const std::vector<FieldChange>& changes, ServerVersion cursor) {
  sync::SyncRequest r;
  r.device_id = "5f0c6a2e-3d4b-4c8e-9a1f-0b2c3d4e5f60";
  r.cursor = cursor;
  r.device_time = "2026-11-26T16:40:00.000Z";
  r.changes = changes;
  return sync::ToJson(r).dump();
}

// The server's answer that hands `changes` to another device (a pull).
std::string PullBody(std::vector<FieldChange> changes, ServerVersion first_version) {
  sync::SyncResponse r;
  r.server_time = "2026-11-26T16:40:01.000Z";
  // One version per entry (its fields share it, as the server gives them):
  // a version per field breaks the entry rule and the codec writes an error.
  ServerVersion v = first_version;
  for (size_t b = 0, e = 0; b < changes.size(); b = e, ++v) {
    e = EntryEnd(changes, b);
    for (size_t i = b; i < e; ++i) {
      changes[i].version = v;
      changes[i].user = "3b9d1e55-7a0c-4f2a-8d61-2c4e6f8a0b1d";
    }
  }
  r.changes = std::move(changes);
  r.cursor = v - 1;
  r.workspaces = {{"9c1d2e3f-4a5b-4c6d-8e7f-a0b1c2d3e4f5", "field_staff", 0}};
  r.workspaces_known = true;
  const json j = sync::ToJson(r);
  if (!j.contains("protocol")) Die("the pull body could not be written: " + j.dump());
  return j.dump();
}

// Ten notes edited: about 100 characters of each replaced, on base versions.
std::vector<FieldChange> TenEdits(const std::vector<FieldChange>& all) {
  std::vector<FieldChange> out;
  for (const FieldChange& c : all) {
    if (c.field != "notes" || !c.value.is_string() || c.value.get<std::string>().size() < 400) continue;
    FieldChange e = c;
    std::string text = c.value.get<std::string>();
    // About 100 bytes from byte 200, moved to whole UTF-8 characters.
    auto boundary = [&](size_t i) {
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
      return i;
    };
    const size_t from = boundary(200), to = boundary(300);
    text.replace(from, to - from,
                 "checked again after the rain: the drain is still blocked near the market, water 20 cm");
    e.value = text;
    e.created = false;
    e.base = static_cast<ServerVersion>(out.size() + 1000);
    e.device_seq += 100000;
    out.push_back(std::move(e));
    if (out.size() == 10) break;
  }
  return out;
}

struct Body {
  std::string name;
  std::string json;
};

// ---- Timing ----------------------------------------------------------------------

// This thread's CPU time in ms: what the codec costs, whatever else runs on
// the machine (the wall time of a busy shared machine would add the waits).
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Median CPU ms of `f` over runs, repeated until min_ms of wall time have
// passed (at least 3 runs, at most 2000).
template <typename F>
double TimeMs(double min_ms, F f) {
  std::vector<double> runs;
  const Clock::time_point start = Clock::now();
  while (runs.size() < 3 || MsBetween(start, Clock::now()) < min_ms) {
    const double t0 = ThreadCpuMs();
    f();
    runs.push_back(ThreadCpuMs() - t0);
    if (runs.size() >= 2000) break;
  }
  return Median(runs);
}

double MbOf(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// This machine's clock in MHz (/proc/cpuinfo), 0 when unknown.
double ClockMhz() {
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return 0;
  char line[256];
  double mhz = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "cpu MHz : %lf", &mhz) == 1) break;
  }
  std::fclose(f);
  return mhz;
}

// A 1 GHz in-order ARM core (Cortex-A53 class, the low-end tablet): this
// machine's time × (its clock / 1 GHz) × arm_factor, the per-clock
// slowdown of a little core against a server core on these byte loops.
double EstimateArm(double ms, double mhz, double arm_factor) { return mhz > 0 ? ms * (mhz / 1000.0) * arm_factor : 0; }

struct Codec {
  const char* name;
  sync::BodyEncoding encoding;
  int level;
};

const Codec kCodecs[] = {
    {"gzip-6", sync::BodyEncoding::kGzip, 6},   {"gzip-9", sync::BodyEncoding::kGzip, 9},
    {"zstd-1", sync::BodyEncoding::kZstd, 1},   {"zstd-3", sync::BodyEncoding::kZstd, 3},
    {"zstd-6", sync::BodyEncoding::kZstd, 6},   {"zstd-9", sync::BodyEncoding::kZstd, 9},
    {"zstd-12", sync::BodyEncoding::kZstd, 12}, {"zstd-15", sync::BodyEncoding::kZstd, 15},
    {"zstd-19", sync::BodyEncoding::kZstd, 19},
};

// One line per codec for `body`: size, ratio to JSON and to gzip-6, ms/MB both ways.
void MeasureBody(const Body& body, const Options& opt, double mhz) {
  const size_t json_bytes = body.json.size();
  std::printf("\n%s: json=%zu B\n", body.name.c_str(), json_bytes);
  size_t gzip6 = 0;
  for (const Codec& c : kCodecs) {
    std::string packed = Check(sync::EncodeBody(c.encoding, body.json, c.level), c.name);
    if (gzip6 == 0) gzip6 = packed.size();
    const double enc_ms =
        TimeMs(opt.min_ms, [&] { packed = Check(sync::EncodeBody(c.encoding, body.json, c.level), c.name); });
    sync::DecodedBody back;
    const double dec_ms =
        TimeMs(opt.min_ms, [&] { back = Check(sync::DecodeBody(c.encoding, packed, json_bytes), c.name); });
    if (back.too_large || back.bytes != body.json) Die(std::string(c.name) + " did not round-trip " + body.name);
    const double mb = MbOf(json_bytes);
    std::printf(
        "  %-8s size=%8zu ratio_json=%.3f vs_gzip6=%.3f  compress=%8.2f ms/MB  decompress=%6.2f ms/MB  "
        "arm1ghz: compress=%8.1f ms/MB decompress=%6.1f ms/MB\n",
        c.name, packed.size(), Ratio(static_cast<double>(packed.size()), static_cast<double>(json_bytes)),
        Ratio(static_cast<double>(packed.size()), static_cast<double>(gzip6)), enc_ms / mb, dec_ms / mb,
        EstimateArm(enc_ms / mb, mhz, opt.arm_factor), EstimateArm(dec_ms / mb, mhz, opt.arm_factor));
    if (body.name != "noop_request" && body.name != "noop_answer") {
      Summary("%s, %s: %zu B (%.3f of gzip-6), compress %.1f ms/MB here, ~%.0f ms/MB on a 1 GHz ARM core",
              body.name.c_str(), c.name, packed.size(),
              Ratio(static_cast<double>(packed.size()), static_cast<double>(gzip6)), enc_ms / mb,
              EstimateArm(enc_ms / mb, mhz, opt.arm_factor));
    }
  }
}

// ---- Dictionary --------------------------------------------------------------------

// A dictionary trained on request and answer bodies of 1..20 changes made
// from visits of another seed (the bodies measured are not in the training set).
std::string TrainDictionary(const std::vector<FieldChange>& training, size_t capacity) {
  std::string samples;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < training.size();) {
    const size_t n = std::min<size_t>(1 + (i % 20), training.size() - i);
    std::vector<FieldChange> part(training.begin() + static_cast<std::ptrdiff_t>(i),
                                  training.begin() + static_cast<std::ptrdiff_t>(i + n));
    const std::string body = (i % 2 == 0) ? RequestBody(part, 1000) : PullBody(part, 2000);
    samples += body;
    sizes.push_back(body.size());
    i += n;
  }
  std::string dict(capacity, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) Die(std::string("training the dictionary: ") + ZDICT_getErrorName(n));
  dict.resize(n);
  return dict;
}

size_t DictSize(const std::string& dict, const std::string& in, int level) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c(ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::string out(ZSTD_compressBound(in.size()), '\0');
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 1);
  const size_t n =
      ZSTD_compress_usingDict(c.get(), out.data(), out.size(), in.data(), in.size(), dict.data(), dict.size(), level);
  if (ZSTD_isError(n)) Die(std::string("zstd with the dictionary: ") + ZSTD_getErrorName(n));
  return n;
}

void MeasureDictionary(const std::vector<Body>& bodies, const std::string& dict) {
  std::printf("\ndictionary: %zu B trained (ZDICT_trainFromBuffer), zstd-3 / zstd-19 with and without it:\n",
              dict.size());
  for (const Body& b : bodies) {
    const size_t plain3 = Check(sync::EncodeBody(sync::BodyEncoding::kZstd, b.json, 3), "zstd").size();
    const size_t plain19 = Check(sync::EncodeBody(sync::BodyEncoding::kZstd, b.json, 19), "zstd").size();
    const size_t gzip6 = Check(sync::EncodeBody(sync::BodyEncoding::kGzip, b.json, 6), "gzip").size();
    const size_t d3 = DictSize(dict, b.json, 3), d19 = DictSize(dict, b.json, 19);
    std::printf(
        "  %-12s json=%8zu gzip-6=%7zu zstd-3=%7zu dict-3=%7zu (%.2f, saves %lld B) zstd-19=%7zu dict-19=%7zu (%.2f)\n",
        b.name.c_str(), b.json.size(), gzip6, plain3, d3, Ratio(static_cast<double>(d3), static_cast<double>(plain3)),
        static_cast<long long>(plain3) - static_cast<long long>(d3), plain19, d19,
        Ratio(static_cast<double>(d19), static_cast<double>(plain19)));
    Summary("dictionary %s: zstd-3 %zu B -> %zu B with it (%.2f); gzip-6 %zu B", b.name.c_str(), plain3, d3,
            Ratio(static_cast<double>(d3), static_cast<double>(plain3)), gzip6);
  }
}

int Run(const Options& opt) {
  const std::string load_start = LoadAverage();
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(opt.dir, "ccfield-compression", opt.keep, &remove_dir);
  const double mhz = ClockMhz();
  std::printf("ccfield_compression_bench: %d visits, seed %llu, this machine's clock %.0f MHz, ARM factor %.1f\n",
              opt.visits, static_cast<unsigned long long>(opt.seed), mhz, opt.arm_factor);

  const std::vector<FieldChange> all = GeneratedChanges(dir, opt.seed, opt.visits, true);
  std::vector<FieldChange> visits;
  for (const FieldChange& c : all) {
    if (c.type == ChangeType::kVisit) visits.push_back(c);
  }
  std::vector<Body> bodies = {
      {"push_all", RequestBody(all, 0)},
      {"pull_visits", PullBody(visits, 1)},
      {"push_10_edits", RequestBody(TenEdits(all), 5000)},
      {"noop_request", RequestBody({}, 5000)},
      {"noop_answer", PullBody({}, 5001)},
  };
  std::printf("bodies: real sync JSON (sync::ToJson) of the change log of generated visits\n");
  for (const Body& b : bodies) MeasureBody(b, opt, mhz);

  const std::vector<FieldChange> training = GeneratedChanges(dir, opt.seed + 5000, std::min(opt.visits, 1000), false);
  const std::string dict = TrainDictionary(training, static_cast<size_t>(opt.dict_kb) * 1024);
  MeasureDictionary({bodies[2], bodies[3], bodies[4], bodies[1]}, dict);
  FinishRun(load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_compression_bench");
  return ccfield::bench::Run(ccfield::bench::ParseOptions(argc, argv));
}
