// crash_writer STORE_PATH SEED
//
// The child process of tests/core/crash_test.cpp. Opens the store (DefaultEnv:
// the real clock and randomness), creates the test workspace and site if they
// are absent, then commits visits forever, one Commit each, with notes of a
// random length (10..5000 bytes, from SEED). After each Commit returns ok it
// prints the visit id and "\n" on stdout and flushes, so every id the test
// reads was committed before it was printed. The test kills it with SIGKILL.
//
// Exit codes: 1 when opening or a commit fails, 2 on bad arguments.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"

namespace {

using ccfield::RecordType;

constexpr const char* kWorkspaceId = "7c0f3b52-6d41-4a8e-9a3f-0d5e1c2b3a40";
constexpr const char* kSiteId = "7c0f3b52-6d41-4a8e-9a3f-0d5e1c2b3a41";

int Fail(const char* what, const ccfield::Status& st) {
  std::fprintf(stderr, "crash_writer: %s: %s\n", what, st.ToString().c_str());
  return 1;
}

std::string RandomNotes(std::mt19937_64& rng) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;\n";
  size_t len = std::uniform_int_distribution<size_t>(10, 5000)(rng);
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string notes;
  notes.reserve(len);
  for (size_t i = 0; i < len; ++i) notes.push_back(kAlphabet[pick(rng)]);
  return notes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_writer STORE_PATH SEED\n");
    return 2;
  }
  ccfield::Env* env = ccfield::DefaultEnv();
  ccfield::StoreOptions options;
  options.path = argv[1];
  auto opened = ccfield::Store::Open(env, options);
  if (!opened.ok()) return Fail("opening the store", opened.status());
  std::unique_ptr<ccfield::Store> store = std::move(opened).value();

  std::vector<ccfield::Op> setup;
  auto absent = [&](RecordType type, const char* id) {
    auto r = store->Get(type, id);
    return !r.ok() && r.status().code() == ccfield::Code::kNotFound;
  };
  if (absent(RecordType::kWorkspace, kWorkspaceId)) {
    setup.push_back(ccfield::SetFields{RecordType::kWorkspace, kWorkspaceId, {{"name", "Crash test"}}});
  }
  if (absent(RecordType::kSite, kSiteId)) {
    setup.push_back(ccfield::SetFields{
        RecordType::kSite, kSiteId, {{"workspace_id", kWorkspaceId}, {"name", "Crash site"}, {"kind", "drain"}}});
  }
  if (auto r = store->Commit(setup); !r.ok()) return Fail("creating the workspace and site", r.status());

  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  for (;;) {
    const std::string id = ccfield::NewUuid(env);
    nlohmann::json fields = {
        {"site_id", kSiteId},
        {"form", "drainage_flood@1.0"},
        {"status", "draft"},
        {"started_at", ccfield::FormatUtcMillis(env->WallMillis())},
        {"notes", RandomNotes(rng)},
        {"answers", {{"asset_type", "culvert"}, {"blockage_pct", "gt75"}}},
    };
    if (auto r = store->Commit({ccfield::SetFields{RecordType::kVisit, id, std::move(fields)}}); !r.ok()) {
      return Fail("committing a visit", r.status());
    }
    std::printf("%s\n", id.c_str());
    std::fflush(stdout);
  }
}
