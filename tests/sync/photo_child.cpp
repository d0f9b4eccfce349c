// photo_child STORE_PATH
//
// The child process of the kill test in tests/sync/photo_queue_test.cpp: a
// device (already logged in) that syncs records and then photos until no
// photo upload waits, as `ccfield sync` does. Prints "done" and exits 0 when
// nothing waits; a failed sync is retried after 50 ms, 20 times at most in a
// row (the reason goes to stderr). The test kills it with SIGKILL mid-upload.
//
// Exit codes: 0 done, 1 opening or syncing failed, 2 bad arguments.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: photo_child STORE_PATH\n");
    return 2;
  }
  ccfield::Env* env = ccfield::DefaultEnv();
  ccfield::sync::SyncClientOptions options;
  options.link_metered = [] { return ccfield::sync::LinkMetered::kUnmetered; };
  auto client = ccfield::sync::SyncClient::Open(env, argv[1], options);
  if (!client.ok()) {
    std::fprintf(stderr, "photo_child: %s\n", client.status().ToString().c_str());
    return 1;
  }
  ccfield::StoreOptions store_options;
  store_options.path = argv[1];
  auto store = ccfield::Store::Open(env, store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "photo_child: %s\n", store.status().ToString().c_str());
    return 1;
  }
  int failures = 0;
  while (true) {
    ccfield::Result<ccfield::sync::SyncReport> report = (*client)->SyncNow();
    if (!report.ok()) {
      std::fprintf(stderr, "photo_child: sync failed: %s\n", report.status().ToString().c_str());
      if (++failures > 20) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    failures = 0;
    auto waiting = (*store)->photos().CountWaiting(ccfield::TransferDirection::kUp);
    if (waiting.ok() && *waiting == 0) break;
  }
  std::printf("done\n");
  std::fflush(stdout);
  return 0;
}
