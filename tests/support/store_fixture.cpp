#include "support/store_fixture.h"

#include <limits>

namespace ccfield::testing {

using nlohmann::json;

StoreFixture::StoreFixture(StoreOptions opts) : env(dir.path()), path(dir.File("store.db")), options(std::move(opts)) {
  options.path = path;
  Reopen();
}

StoreFixture::~StoreFixture() = default;

void StoreFixture::Reopen() {
  store_.reset();
  store_ = OpenStore(&env, path, options);
}

std::unique_ptr<Store> OpenStore(Env* env, const std::string& path, StoreOptions options) {
  options.path = path;
  return Unwrap(Store::Open(env, options));
}

std::string AddWorkspace(Store* store, Env* env, const std::string& name) {
  std::string id = NewUuid(env);
  REQUIRE_OK(store->Commit({SetFields{RecordType::kWorkspace, id, {{"name", name}, {"country", "TZ"}}}}));
  return id;
}

std::string AddSite(Store* store, Env* env, const std::string& workspace_id, const std::string& name,
                    const json& extra) {
  std::string id = NewUuid(env);
  json fields = {{"workspace_id", workspace_id}, {"name", name}, {"kind", "drain"}};
  if (!extra.is_null()) fields.update(extra);
  REQUIRE_OK(store->Commit({SetFields{RecordType::kSite, id, fields}}));
  return id;
}

Seeded SeedSite(Store* store, Env* env) {
  Seeded s;
  s.workspace_id = AddWorkspace(store, env);
  s.site_id = AddSite(store, env, s.workspace_id);
  return s;
}

json VisitFields(const std::string& site_id, const json& extra) {
  json fields = {
      {"site_id", site_id},
      {"form", "drainage_flood@1.0"},
      {"status", "draft"},
      {"started_at", "2026-10-14T08:05:00+03:00"},
      {"answers", {{"asset_type", "culvert"}, {"blockage_pct", "lt25"}}},
  };
  if (!extra.is_null()) fields.update(extra);  // `{}` at a call site is null, not an empty object
  return fields;
}

std::string AddVisit(Store* store, Env* env, const std::string& site_id, const json& extra) {
  std::string id = NewUuid(env);
  REQUIRE_OK(store->Commit({SetFields{RecordType::kVisit, id, VisitFields(site_id, extra)}}));
  return id;
}

int64_t ChangeLogCount(Store* store) {
  auto all = Unwrap(store->ChangesAfter(0, std::numeric_limits<int>::max()));
  return static_cast<int64_t>(all.size());
}

}  // namespace ccfield::testing
