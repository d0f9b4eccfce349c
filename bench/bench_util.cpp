#include "bench_util.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace ccfield::bench {
namespace {

std::vector<std::pair<int, std::string>> g_summary;
int g_section = 0;

}  // namespace

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[static_cast<size_t>(std::max(0.0, std::ceil(p * v.size()) - 1))]; };
  s.n = v.size();
  s.p50 = at(0.50);
  s.p95 = at(0.95);
  s.min = v.front();
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

std::string LoadAverage() {
  std::string s;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    char buf[128];
    if (std::fgets(buf, sizeof buf, f)) s = buf;
    std::fclose(f);
  }
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.empty() ? "unknown" : s;
}

void Summary(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  g_summary.emplace_back(g_section, buf);
}

void SetSummarySection(int section) { g_section = section; }

void PrintSummary() {
  std::stable_sort(g_summary.begin(), g_summary.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [section, line] : g_summary) std::printf("%s\n", line.c_str());
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace ccfield::bench
