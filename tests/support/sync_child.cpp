// sync_child STORE_PATH [--login URL USER PASSWORD] [--pull-limit N] [--push-batch N]
//
// The child process of tests/sync/kill_test.cpp: a device that syncs until
// it is killed. Opens a SyncClient on the store (DefaultEnv: the real clock
// and randomness); with --login, logs in first unless the store is already
// logged in to URL as USER. Then calls SyncNow with one round trip per call
// until a call completes with nothing more to do. After every successful
// call it prints
//
//     page CURSOR RECEIVED
//
// and flushes: CURSOR (the store's committed sync cursor) and that call's
// received changes were committed before the line was printed, so every
// cursor the test reads must still be there after a SIGKILL. At the end it
// prints "done CURSOR". A failed call is retried after 50 ms, five times at
// most in a row; the reason goes to stderr.
//
// Exit codes: 0 done, 1 opening, logging in or syncing failed, 2 bad arguments.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: sync_child STORE_PATH [--login URL USER PASSWORD] [--pull-limit N] [--push-batch N]\n");
  return 2;
}

int Fail(const char* what, const ccfield::Status& st) {
  std::fprintf(stderr, "sync_child: %s: %s\n", what, st.ToString().c_str());
  return 1;
}

bool ParseCount(const char* text, int* out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 1 || v > 1'000'000) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string path = argv[1];
  std::string url, user, password;
  ccfield::sync::SyncClientOptions options;
  options.max_round_trips = 1;  // one page per SyncNow, so each is reported
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--login" && i + 3 < argc) {
      url = argv[++i];
      user = argv[++i];
      password = argv[++i];
    } else if (a == "--pull-limit" && i + 1 < argc) {
      if (!ParseCount(argv[++i], &options.pull_limit)) return Usage();
    } else if (a == "--push-batch" && i + 1 < argc) {
      if (!ParseCount(argv[++i], &options.push_batch)) return Usage();
    } else {
      return Usage();
    }
  }

  ccfield::Env* env = ccfield::DefaultEnv();
  auto opened = ccfield::sync::SyncClient::Open(env, path, options);
  if (!opened.ok()) return Fail("opening the store", opened.status());
  std::unique_ptr<ccfield::sync::SyncClient> client = std::move(opened).value();
  // A connection of our own to read the committed cursor.
  ccfield::StoreOptions store_options;
  store_options.path = path;
  auto store_opened = ccfield::Store::Open(env, store_options);
  if (!store_opened.ok()) return Fail("opening the store", store_opened.status());
  std::unique_ptr<ccfield::Store> store = std::move(store_opened).value();

  if (!url.empty()) {
    auto settings = store->replica().GetSyncSettings();
    if (!settings.ok()) return Fail("reading the sync settings", settings.status());
    if (settings->server_url != url || settings->username != user || settings->token.empty()) {
      auto login = client->Login(url, user, password, "sync_child");
      if (!login.ok()) return Fail("logging in", login.status());
    }
  }

  int failures = 0;
  while (true) {
    auto report = client->SyncNow();
    if (!report.ok()) {
      std::fprintf(stderr, "sync_child: sync failed: %s\n", report.status().ToString().c_str());
      if (++failures > 5) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    failures = 0;
    auto settings = store->replica().GetSyncSettings();
    if (!settings.ok()) return Fail("reading the sync settings", settings.status());
    std::printf("page %lld %lld\n", static_cast<long long>(settings->cursor),
                static_cast<long long>(report->received));
    std::fflush(stdout);
    if (report->complete) break;
  }
  auto settings = store->replica().GetSyncSettings();
  if (!settings.ok()) return Fail("reading the sync settings", settings.status());
  std::printf("done %lld\n", static_cast<long long>(settings->cursor));
  std::fflush(stdout);
  return 0;
}
