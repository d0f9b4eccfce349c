#include "serve_flags.h"

#include <CLI/CLI.hpp>
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

}  // namespace

void AddSyncPolicyFlags(CLI::App* app, SyncServiceOptions* o) {
  for (const Flag& f : kFlags) {
    app->add_option_function<std::string>(f.name, [&f, o](const std::string& value) {
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0 || n < f.min || n > INT64_MAX / f.scale) {
        throw CLI::ValidationError(std::string(f.name) + " must be a whole number" +
                                   (f.min < 0 ? " (-1: never)" : " (0: no limit)"));
      }
      *f.field(o) = static_cast<int64_t>(n) * f.scale;
    });
  }
}

void AddBlobFlags(CLI::App* app, BlobApiOptions* o) {
  app->add_option_function<std::string>("--blob-dir", [o](const std::string& dir) {
    if (dir.empty()) throw CLI::ValidationError("--blob-dir needs a directory");
    o->dir = dir;
  });
  struct Number {
    const char* name;
    int64_t min, max, scale;
    int64_t* field;
  };
  const Number numbers[] = {
      {"--blob-quota-mb", 0, int64_t{1} << 30, int64_t{1} << 20, &o->quota_bytes},
      {"--partial-max-age-hours", 1, 24 * 365, int64_t{3600} * 1000, &o->partial_max_age_ms},
  };
  for (const Number& n : numbers) {
    app->add_option_function<std::string>(n.name, [n](const std::string& value) {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0 || v < n.min || v > n.max) {
        throw CLI::ValidationError(std::string(n.name) + " must be a whole number from " + std::to_string(n.min) +
                                   " to " + std::to_string(n.max));
      }
      *n.field = static_cast<int64_t>(v) * n.scale;
    });
  }
}

const char* BlobUsage() {
  return "  --blob-dir DIR                       where photo blobs are kept (default: the database's path\n"
         "                                       + .blobs, DIR/server.db.blobs); back it up with the database\n"
         "  --blob-quota-mb N                    photo bytes one workspace may store (default 2048; 0: none)\n"
         "  --partial-max-age-hours N            photo uploads untouched this long are removed (default 72)\n";
}

void AddKeepAliveFlag(CLI::App* app, int* seconds) {
  app->add_option_function<std::string>("--keep-alive-seconds", [seconds](const std::string& value) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0 || v < 1 || v > 3600) {
      throw CLI::ValidationError("--keep-alive-seconds must be a whole number from 1 to 3600");
    }
    *seconds = static_cast<int>(v);
  });
}

const char* KeepAliveUsage() {
  return "  --keep-alive-seconds N               an idle connection stays open this long (default 2). Each\n"
         "                                       idle connection holds one of the 16 worker threads until\n"
         "                                       then, so a longer time serves fewer devices at once\n";
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
