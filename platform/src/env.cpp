#include "ccfield/platform/env.h"

#include <ctime>
#include <cstdlib>
#include <cstdio>

namespace ccfield {

std::string FormatLocalWithOffset(int64_t wall_millis) {
  std::time_t t = static_cast<std::time_t>(wall_millis / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  long off = tm.tm_gmtoff / 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', std::labs(off) / 60,
                std::labs(off) % 60);
  return buf;
}

std::string FormatUtcMillis(int64_t wall_millis) {
  int64_t secs = wall_millis / 1000;
  int64_t millis = wall_millis % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

}  // namespace ccfield
