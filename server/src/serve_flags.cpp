#include "serve_flags.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace ccfield::server {

namespace {

struct Flag {
  const char* name;
  int64_t min;  // smallest accepted value
  int64_t scale;  // value * scale is stored
  int64_t* (*field)(SyncServiceOptions*);
};

const Flag kFlags[] = {
    {"--quota-user-changes-per-min", 0, 1, [](SyncServiceOptions* o) { return &o->quota.user_changes_per_min; }},
    {"--quota-workspace-changes-per-min", 0, 1,
     [](SyncServiceOptions* o) { return &o->quota.workspace_changes_per_min; }},
    {"--quota-user-bytes-per-day", 0, 1, [](SyncServiceOptions* o) { return &o->quota.user_bytes_per_day; }},
    {"--quota-workspace-bytes-per-day", 0, 1,
     [](SyncServiceOptions* o) { return &o->quota.workspace_bytes_per_day; }},
    {"--retention-min-age-s", 0, 1000, [](SyncServiceOptions* o) { return &o->retention.min_age_ms; }},
    {"--expire-every-s", -1, 1000, [](SyncServiceOptions* o) { return &o->retention.every_ms; }},
};

const Flag* Find(std::string_view name) {
  for (const Flag& f : kFlags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

}  // namespace

bool IsSyncPolicyFlag(std::string_view flag) { return Find(flag) != nullptr; }

bool ParseSyncPolicyFlag(std::string_view flag, const std::string& value, SyncServiceOptions* o, std::string* error) {
  const Flag* f = Find(flag);
  if (!f) {
    *error = "unknown argument \"" + std::string(flag) + "\"";
    return false;
  }
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || n < f->min || n > INT64_MAX / f->scale) {
    *error = std::string(flag) + " must be a whole number" + (f->min < 0 ? " (-1: never)" : " (0: no limit)");
    return false;
  }
  *f->field(o) = static_cast<int64_t>(n) * f->scale;
  return true;
}

const char* SyncPolicyUsage() {
  return "  --quota-user-changes-per-min N       changes one account may push per minute (default 600; 0: none)\n"
         "  --quota-workspace-changes-per-min N  ... one workspace, all members together (default 3000)\n"
         "  --quota-user-bytes-per-day N         bytes of values one account may push per day (default 50 MiB)\n"
         "  --quota-workspace-bytes-per-day N    ... one workspace (default 200 MiB)\n"
         "  --retention-min-age-s N              history younger than this is never expired (default 30 days)\n"
         "  --expire-every-s N                   expire history after a sync at most this often (default 600;\n"
         "                                       -1: only by `admin expire`); see docs/retention.md\n";
}

}  // namespace ccfield::server
