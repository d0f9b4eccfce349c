// A small AFL-style driver for the fuzz targets, for builds without libFuzzer
// (g++, CI, the ASan build). It links with one target's
// LLVMFuzzerTestOneInput, runs every file of the seed corpus, then mutates
// corpus entries (bit flips, byte inserts/deletes, interesting values,
// splices, dictionary tokens) with a fixed seed for a bounded number of runs
// or seconds. There is no coverage feedback: what it finds comes from the
// seeds and the dictionary, which is why both are written for the decoders.
//
// A crash is a signal (SIGSEGV, SIGABRT from a failed property or an
// uncaught exception, ...) or a sanitizer report: the input is written to
// <crash-dir>/crash-<target>-<run> before the process dies, and its path is
// printed. Usage:
//   fuzz_X [--runs N] [--seconds S] [--seed S] [--max-len N] [--dict FILE]
//          [--crash-dir DIR] CORPUS_DIR_OR_FILE...
// Files given directly (not directories) are also how a saved crash is
// replayed: `fuzz_X --runs 0 crash-...`.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash handlers (async-signal-safe writes only).
const uint8_t* g_input = nullptr;
size_t g_input_size = 0;
char g_crash_path[4096] = "";

void WriteCrashInput() {
  if (g_crash_path[0] == '\0') return;
  int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    size_t done = 0;
    while (done < g_input_size) {
      ssize_t n = write(fd, g_input + done, g_input_size - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  }
  const char msg[] = "\nfuzz: CRASH; input saved to ";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_crash_path, strlen(g_crash_path));
  (void)!write(2, "\n", 1);
}

void OnSignal(int sig) {
  WriteCrashInput();
  signal(sig, SIG_DFL);
  raise(sig);
}

void InstallHandlers() {
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS}) signal(sig, OnSignal);
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_set_death_callback(WriteCrashInput);
#endif
}

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// libFuzzer dictionary format: one `name="value"` or `"value"` per line,
// with \\, \" and \xNN escapes; # starts a comment.
std::vector<std::string> ReadDict(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t q = line.find('"');
    if (line.empty() || line[0] == '#' || q == std::string::npos) continue;
    std::string v;
    for (size_t i = q + 1; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        char e = line[++i];
        if (e == 'x' && i + 2 < line.size()) {
          v.push_back(static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          v.push_back(e);
        }
      } else {
        v.push_back(line[i]);
      }
    }
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

class Mutator {
 public:
  Mutator(uint64_t seed, std::vector<std::string> dict, size_t max_len)
      : rng_(seed), dict_(std::move(dict)), max_len_(max_len) {}

  size_t Below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // One to four stacked mutations of `s`; `other` is a splice partner.
  void Mutate(std::string* s, const std::string& other) {
    const size_t count = 1 + Below(4);
    for (size_t k = 0; k < count; ++k) MutateOnce(s, other);
    if (s->size() > max_len_) s->resize(max_len_);
  }

 private:
  void MutateOnce(std::string* s, const std::string& other) {
    static const char* const kNumbers[] = {"0", "-1", "1", "2147483648", "-2147483649", "4294967296",
                                          "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                                          "18446744073709551616", "1e400", "-1e400", "1e-400", "0.1", "-0",
                                          "NaN", "Infinity", "1E+2", "5000", "5001", "64", "65"};
    static const uint8_t kBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
                                     0xfe, 0xff, '"', '\\', '[', ']', '{', '}', ',', ':', ';', '\n', '\r', '\t'};
    const size_t n = s->size();
    switch (Below(11)) {
      case 0:  // flip a bit
        if (n) (*s)[Below(n)] ^= static_cast<char>(1u << Below(8));
        break;
      case 1:  // set an interesting byte
        if (n) (*s)[Below(n)] = static_cast<char>(kBytes[Below(sizeof kBytes)]);
        break;
      case 2:  // insert interesting bytes
        s->insert(Below(n + 1), 1 + Below(3), static_cast<char>(kBytes[Below(sizeof kBytes)]));
        break;
      case 3:  // insert a random byte
        s->insert(s->begin() + static_cast<std::ptrdiff_t>(Below(n + 1)), static_cast<char>(Below(256)));
        break;
      case 4:  // delete a range
        if (n) {
          size_t at = Below(n);
          s->erase(at, 1 + Below(std::min<size_t>(16, n - at)));
        }
        break;
      case 5:  // duplicate a range (repeats an element of a list, a level of nesting)
        if (n) {
          size_t at = Below(n), len = 1 + Below(std::min<size_t>(64, n - at));
          const std::string piece = s->substr(at, len);
          for (size_t r = 1 + Below(4); r > 0; --r) s->insert(at, piece);
        }
        break;
      case 6:  // splice: our head, the other's tail
        if (!other.empty()) *s = s->substr(0, Below(n + 1)) + other.substr(Below(other.size()));
        break;
      case 7:
      case 8:  // insert or overwrite with a dictionary token
        if (!dict_.empty()) {
          const std::string& t = dict_[Below(dict_.size())];
          size_t at = Below(n + 1);
          if (Below(2) && at + t.size() <= n) s->replace(at, t.size(), t);
          else s->insert(at, t);
        }
        break;
      case 9: {  // replace a run of digits with an interesting number
        size_t at = n ? Below(n) : 0;
        size_t b = at;
        while (b < n && !std::isdigit(static_cast<unsigned char>((*s)[b]))) ++b;
        size_t e = b;
        while (e < n && (std::isdigit(static_cast<unsigned char>((*s)[e])) || (*s)[e] == '.')) ++e;
        s->replace(b, e - b, kNumbers[Below(sizeof kNumbers / sizeof *kNumbers)]);
        break;
      }
      case 10:  // deep nesting at a random place
        s->insert(Below(n + 1), 1 + Below(100), Below(2) ? '[' : '{');
        break;
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> dict_;
  size_t max_len_;
};

void Run(const std::string& input) {
  g_input = reinterpret_cast<const uint8_t*>(input.data());
  g_input_size = input.size();
  LLVMFuzzerTestOneInput(g_input, g_input_size);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t runs = 20000, seed = 1, max_len = 64 * 1024;
  double seconds = 0;
  std::string dict_path, crash_dir = ".";
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "fuzz: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--runs") runs = std::stoull(next());
    else if (a == "--seconds") seconds = std::stod(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--max-len") max_len = std::stoull(next());
    else if (a == "--dict") dict_path = next();
    else if (a == "--crash-dir") crash_dir = next();
    else paths.push_back(a);
  }
  const std::string target = fs::path(argv[0]).filename().string();

  std::vector<std::string> corpus;
  for (const std::string& p : paths) {
    std::vector<fs::path> files;
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());  // the same order everywhere: runs repeat
    } else {
      files.push_back(p);
    }
    for (const fs::path& f : files) {
      std::string data;
      if (!ReadFile(f, &data)) {
        std::fprintf(stderr, "fuzz: cannot read %s\n", f.c_str());
        return 2;
      }
      corpus.push_back(std::move(data));
    }
  }
  if (corpus.empty()) corpus.push_back("");

  InstallHandlers();
  std::snprintf(g_crash_path, sizeof g_crash_path, "%s/crash-%s-seed", crash_dir.c_str(), target.c_str());
  const auto start = std::chrono::steady_clock::now();
  uint64_t executed = 0;
  for (const std::string& input : corpus) {
    Run(input);
    ++executed;
  }
  const uint64_t seeds = executed;

  Mutator mutator(seed, dict_path.empty() ? std::vector<std::string>{} : ReadDict(dict_path), max_len);
  // Mutants that ran are sometimes kept (bounded) so mutations stack up over time.
  std::vector<std::string> pool = corpus;
  const size_t kPoolMax = corpus.size() + 256;
  for (uint64_t r = 0; r < runs; ++r) {
    if (seconds > 0 && (r & 63) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds) {
      break;
    }
    std::string input = pool[mutator.Below(pool.size())];
    mutator.Mutate(&input, pool[mutator.Below(pool.size())]);
    std::snprintf(g_crash_path, sizeof g_crash_path, "%s/crash-%s-%llu", crash_dir.c_str(), target.c_str(),
                  static_cast<unsigned long long>(r));
    Run(input);
    ++executed;
    if (mutator.Below(16) == 0) {
      if (pool.size() < kPoolMax) pool.push_back(std::move(input));
      else pool[corpus.size() + mutator.Below(kPoolMax - corpus.size())] = std::move(input);
    }
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("fuzz %s: %llu executions (%llu seed inputs) in %.1f s, seed %llu, 0 crashes\n", target.c_str(),
              static_cast<unsigned long long>(executed), static_cast<unsigned long long>(seeds), took,
              static_cast<unsigned long long>(seed));
  return 0;
}
