#pragma once
// What every bench program (store, sync, ui, attack) shares: failing, options,
// child processes, the work directory, timing, the statistics they print, the
// verdicts, the load average and the final summary block.
// Not thread-safe: call from the main thread.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield::bench {

// ---- Failing ------------------------------------------------------------------

// The name Die prints ("ccfield_store_bench"); set it first thing in main.
void SetProgramName(const char* name);

// Flushes stdout, kills (SIGKILL) and reaps every child process Spawn started
// that has not been reaped yet (std::exit runs no destructors, and a bench
// must not leave a server or a window behind), prints "<program>: what" to
// stderr and exits with 2.
[[noreturn]] void Die(const std::string& what);

template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

// ---- Options --------------------------------------------------------------------

// The options every bench with a work directory takes (a bench's Options
// derives from it).
struct CommonOptions {
  bool quick = false;  // --quick: a smoke run at smaller sizes
  bool keep = false;   // --keep: keep the default temporary directory
  std::string dir;     // --dir DIR: where the files go; "": a fresh one under /tmp
  uint64_t seed = 1;   // --seed N: seed of the synthetic data
};

// Walks the command line one option at a time; a value that is missing or
// not a number is a Die with the option's name:
//   for (ArgReader args(argc, argv); args.Next();) {
//     if (args.Is("--visits")) o.visits = args.Int(); else ...
//   }
class ArgReader {
 public:
  ArgReader(int argc, char** argv) : argc_(argc), argv_(argv) {}

  // Moves to the next option; false after the last.
  bool Next();
  const std::string& option() const { return option_; }
  bool Is(const char* name) const { return option_ == name; }

  // The argument after the option (consumed).
  std::string Value();
  // The value as a whole non-negative number, at most `max`.
  int64_t Int(int64_t max = std::numeric_limits<int64_t>::max());
  // The value as a non-negative decimal number, at most `max`.
  double Number(double max = 1e7);

  // Takes the option if it is one of CommonOptions or --help/-h (prints
  // `usage` and exits 0); false if it is the bench's own.
  bool Common(CommonOptions* o, void (*usage)());
  // Prints `usage` and dies with "unknown option X".
  [[noreturn]] void Unknown(void (*usage)());

 private:
  int argc_;
  char** argv_;
  int i_ = 0;
  std::string option_;
};

// ---- Child processes ------------------------------------------------------------

struct Spawned {
  pid_t pid = 0;
  int out_fd = -1;  // read end of the child's standard output (close-on-exec)
};

struct SpawnOptions {
  // Standard error is appended to this file; "" leaves it to the bench's own.
  std::string stderr_path;
  // The environment ("NAME=value" entries); empty: the bench's own.
  std::vector<std::string> env;
  // The file to execute when it is not args[0] (e.g. "/proc/self/exe").
  std::string exe;
};

// Starts `args` with standard input from /dev/null and standard output into
// a pipe. The child is killed by Die until Reap or Stop reaps it. Dies when
// it cannot start.
Spawned Spawn(const std::vector<std::string>& args, const SpawnOptions& options = {});

// Reads `fd` to its end (or, with `until_newline`, until the first line is
// complete), waiting at most `timeout_s` in all, then closes it.
std::string ReadOutput(int fd, double timeout_s, bool until_newline = false);

// Waits for the child; its exit code, or -1 if a signal ended it.
int Reap(pid_t pid);

// Sends `signal`, waits at most `grace_s` for the child to exit, then
// SIGKILLs and reaps it (it may be waiting for idle connections to close).
void Stop(pid_t pid, int signal, double grace_s);

// Runs `args` to completion: its exit code (-1 if killed) and standard output.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& args, const SpawnOptions& options = {});

// `s` without trailing spaces and line ends.
std::string TrimRight(std::string s);

// ---- Files ------------------------------------------------------------------------

// The file's size in bytes, 0 if it does not exist.
int64_t FileSize(const std::string& path);

// Where a bench puts its files: `given` (created if missing), or a fresh
// /tmp/<prefix>.XXXXXX that *remove (set unless `keep`) says to delete at the end.
std::string MakeWorkDir(const std::string& given, const char* prefix, bool keep, bool* remove);

// ---- Time -----------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

double MsBetween(Clock::time_point a, Clock::time_point b);

// ---- Statistics and output ------------------------------------------------------

struct Stats {
  double p50 = 0, p95 = 0, max = 0, min = 0, mean = 0;
  size_t n = 0;
};

// Percentiles by nearest rank (the smallest value with at least p of them at or below it).
Stats Summarize(std::vector<double> v);

// The middle value; of an even count the upper of the two middle ones (unlike
// Stats::p50, which is the lower). 0 for no values.
double Median(std::vector<double> v);

// a / b, or 0 when b is not positive.
double Ratio(double a, double b);

const char* Verdict(bool met);

// /proc/loadavg without its newline ("unknown" if unreadable): every figure
// includes wall time on a possibly shared machine.
std::string LoadAverage();

// The final summary block: lines are collected while the bench runs and
// printed at the end, in section order, in the order written within a
// section. A bench without sections leaves the section at 0.
void Summary(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void SetSummarySection(int section);
void PrintSummary();

// "machine: N cpus, loadavg at start/end: A / B (figures are noisier on a busy machine)".
std::string MachineLine(const std::string& load_start);

// The end of a run: adds MachineLine to the summary, prints "== summary ==" and the block, then "files: DIR" and
// removes DIR when `remove_dir`.
void FinishRun(const std::string& load_start, const std::string& dir, bool remove_dir);

}  // namespace ccfield::bench
