#pragma once
// Shared helpers for tests that use a Store: a store on a real SQLite file in
// a fresh temporary directory with a FakeEnv, a few records to hang visits
// on, and REQUIRE-style checks that print the Status when something fails.
//
// Only for use inside doctest test cases (the helpers REQUIRE).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"
#include "support/status_checks.h"
#include "support/temp_dir.h"

namespace ccfield::testing {

// A store at <fresh temp dir>/store.db opened with a FakeEnv.
class StoreFixture {
 public:
  // `options.path` is ignored (the fixture chooses it); the rest is used for
  // every open. Opens the store; REQUIREs success.
  explicit StoreFixture(StoreOptions options = {});
  ~StoreFixture();

  Store* store() { return store_.get(); }
  Store* operator->() { return store_.get(); }
  // Closes the store (a no-op when closed) and opens it again.
  void Reopen();
  void Close() { store_.reset(); }

  TempDir dir;
  FakeEnv env;
  const std::string path;
  StoreOptions options;

 private:
  std::unique_ptr<Store> store_;
};

// Opens a store at `path`; REQUIREs success.
std::unique_ptr<Store> OpenStore(Env* env, const std::string& path, StoreOptions options = {});

// Creates a workspace and returns its id.
std::string AddWorkspace(Store* store, Env* env, const std::string& name = "Test municipality");
// Creates a site in `workspace_id` and returns its id; `extra` fields are added.
std::string AddSite(Store* store, Env* env, const std::string& workspace_id, const std::string& name = "Drain D-14",
                    const nlohmann::json& extra = nlohmann::json::object());

struct Seeded {
  std::string workspace_id;
  std::string site_id;
};
// A workspace with one site.
Seeded SeedSite(Store* store, Env* env);

// The fields of a valid draft drainage_flood@1.0 visit at `site_id`
// (workspace taken from the site); top-level keys of `extra` replace them.
nlohmann::json VisitFields(const std::string& site_id, const nlohmann::json& extra = nlohmann::json::object());
// Commits a new visit (VisitFields) and returns its id.
std::string AddVisit(Store* store, Env* env, const std::string& site_id,
                     const nlohmann::json& extra = nlohmann::json::object());

// A search for `text`, optionally of one record type.
inline SearchQuery TextQuery(std::string text, std::optional<RecordType> type = std::nullopt, int limit = 20) {
  SearchQuery q;
  q.text = std::move(text);
  q.type = type;
  q.limit = limit;
  return q;
}

// Number of field changes in the store's change log: the ChangeEntry values
// ChangesAfter gives, one per field of each entry (since schema 11 an entry,
// a row, holds every field one commit changed in one record).
int64_t ChangeLogCount(Store* store);

}  // namespace ccfield::testing

// The names the store tests use. Those tests live in namespace
// ccfield::store_test (each in an anonymous namespace of its own inside it),
// so that these need no using lines in every file.
namespace ccfield::store_test {
using nlohmann::json;
using testing::AddVisit;
using testing::ChangeLogCount;
using testing::StoreFixture;
using testing::Unwrap;
}  // namespace ccfield::store_test
