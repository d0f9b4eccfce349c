#pragma once
// Helpers the bench programs (store, sync, ui) share: timing, the statistics
// they print, the final summary block, /proc and file sizes, and Check.
// Not thread-safe: call from the main thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield::bench {

// ---- Failing ------------------------------------------------------------------

// Prints "<program>: what" to stderr and exits with 2. Each bench program
// defines its own (its name, and the child processes it must not leave behind).
[[noreturn]] void Die(const std::string& what);

template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

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

// ---- Files ------------------------------------------------------------------------

// The file's size in bytes, 0 if it does not exist.
int64_t FileSize(const std::string& path);

}  // namespace ccfield::bench
