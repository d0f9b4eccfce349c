// Store and change capture: every write goes through Commit, which writes the
// records and one change-log entry per changed field in one transaction.
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"

#include <doctest/doctest.h>

#include <set>

#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

std::vector<ChangeEntry> History(Store* store, const std::string& id) { return Unwrap(store->History(id)); }

std::set<std::string> Fields(const std::vector<ChangeEntry>& entries) {
  std::set<std::string> out;
  for (const ChangeEntry& e : entries) out.insert(e.field);
  return out;
}

std::vector<ChangeEntry> AllChanges(Store* store) { return Unwrap(store->ChangesAfter(0, 1 << 30)); }

TEST_CASE("Commit creates a record and logs one entry with every set field") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const int64_t before = ChangeLogCount(fx.store());
  const int64_t last_device_seq = AllChanges(fx.store()).back().device_seq;
  fx->SetAuthor("amina");
  fx.env.SetWallMillis(1'791'954'300'123);
  const std::string id = NewUuid(&fx.env);
  json fields = testing::VisitFields(seeded.site_id, {{"notes", "Culvert half blocked"}});
  CommitResult r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, fields}}));

  // site_id, form, status, started_at, notes, two answers, and workspace_id
  // filled in from the site.
  const std::set<std::string> expected = {"site_id", "form", "status", "started_at", "notes",
                                          "answers.asset_type", "answers.blockage_pct", "workspace_id"};
  CHECK(r.changed_fields == 8);
  CHECK(r.last_seq == r.first_seq);  // one entry (schema 11)
  CHECK(ChangeLogCount(fx.store()) == before + 8);

  std::vector<ChangeEntry> h = History(fx.store(), id);
  REQUIRE(h.size() == 8);
  CHECK(Fields(h) == expected);
  for (const ChangeEntry& e : h) {
    INFO(e.field);
    CHECK(e.device_id == fx->device_id());
    CHECK(e.device_seq == last_device_seq + 1);  // the entry's number, the next one, no gap
    CHECK(e.time == "2026-10-14T05:05:00.123Z");
    CHECK(e.author == "amina");
    CHECK(e.type == ChangeType::kVisit);
    CHECK(e.record_id == id);
    CHECK(e.created);
    CHECK(e.seq >= r.first_seq);
    CHECK(e.seq <= r.last_seq);
    if (e.field == "notes") CHECK(e.value == "Culvert half blocked");
    if (e.field == "answers.asset_type") CHECK(e.value == "culvert");
    if (e.field == "workspace_id") CHECK(e.value == seeded.workspace_id);
  }

  Record rec = Unwrap(fx->Get(RecordType::kVisit, id));
  CHECK(rec.Get("notes") == "Culvert half blocked");
  CHECK(rec.Get("answers.blockage_pct") == "lt25");
  CHECK(rec.Get("workspace_id") == seeded.workspace_id);
  CHECK(rec.created_at == "2026-10-14T05:05:00.123Z");
  CHECK(rec.updated_at == rec.created_at);
  CHECK_FALSE(rec.deleted);
  CHECK(Unwrap(fx->ChangesAfter(r.first_seq - 1, 100)).size() == 8);
}

TEST_CASE("every record type stores and reads back its fields") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string member = NewUuid(&fx.env), project = NewUuid(&fx.env), practice = NewUuid(&fx.env),
                    contact = NewUuid(&fx.env), visit = NewUuid(&fx.env);
  const json member_f = {{"workspace_id", seeded.workspace_id}, {"name", "Baraka"}, {"role", "field_staff"}};
  const json project_f = {{"workspace_id", seeded.workspace_id}, {"title", "Desilting"}, {"summary", "Line 1\nLine 2"},
                          {"sdg_targets", {"11.5", "6.b"}}, {"status", "active"}};
  const json practice_f = {{"title", "Stream cooperatives"}, {"country", "ZA"}, {"topics", {"drainage"}},
                           {"language", "en"}};
  const json contact_f = {{"name", "Rachid"}, {"languages", {"fr", "ar"}}};
  const json visit_f = testing::VisitFields(
      seeded.site_id, {{"project_id", project}, {"inspector_id", member}, {"status", "complete"},
                       {"ended_at", "2026-10-14T09:00:00+03:00"}, {"gps_lat", -6.79574}, {"gps_lon", 39.246851},
                       {"gps_accuracy_m", 5}, {"gps_source", "gps"}, {"weather", "heavy_rain"},
                       {"condition_rating", "3"}, {"follow_up_needed", true}, {"follow_up_priority", "P1"},
                       {"follow_up_due", "2026-10-21"}, {"language", "sw"}, {"sdg_targets", {"11.5"}}});
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kMember, member, member_f},
                         SetFields{RecordType::kProject, project, project_f},
                         SetFields{RecordType::kPractice, practice, practice_f},
                         SetFields{RecordType::kContact, contact, contact_f},
                         SetFields{RecordType::kVisit, visit, visit_f}}));
  fx.Reopen();
  auto check = [&](RecordType type, const std::string& id, const json& fields) {
    Record r = Unwrap(fx->Get(type, id));
    for (const auto& [k, v] : fields.items()) {
      INFO(TypeName(type), ".", k);
      CHECK(r.fields.at(k) == v);
    }
  };
  check(RecordType::kMember, member, member_f);
  check(RecordType::kProject, project, project_f);
  check(RecordType::kPractice, practice, practice_f);
  check(RecordType::kContact, contact, contact_f);
  check(RecordType::kVisit, visit, visit_f);
  CHECK(Unwrap(fx->Get(RecordType::kVisit, visit)).Get("follow_up_needed").is_boolean());
  CHECK(Unwrap(fx->Get(RecordType::kProject, project)).Title() == "Desilting");
  CHECK(fx->Get(RecordType::kSite, visit).status().code() == Code::kNotFound);
}

TEST_CASE("an edit logs only the changed fields") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string id = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "first"}});
  const std::string created_at = Unwrap(fx->Get(RecordType::kVisit, id)).created_at;
  const int64_t before = ChangeLogCount(fx.store());

  fx.env.Advance(60'000);
  CommitResult r = Unwrap(fx->Commit(
      {SetFields{RecordType::kVisit, id, {{"notes", "second"}, {"status", "draft"}, {"form", "drainage_flood@1.0"}}}}));
  CHECK(r.changed_fields == 1);
  CHECK(ChangeLogCount(fx.store()) == before + 1);
  ChangeEntry last = History(fx.store(), id).back();
  CHECK(last.field == "notes");
  CHECK(last.value == "second");
  CHECK_FALSE(last.created);
  CHECK(last.time == FormatUtcMillis(fx.env.WallMillis()));
  Record rec = Unwrap(fx->Get(RecordType::kVisit, id));
  CHECK(rec.created_at == created_at);
  CHECK(rec.updated_at == FormatUtcMillis(fx.env.WallMillis()));

  // One answer added, the others untouched.
  r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, {{"answers", {{"asset_type", "culvert"}, {"width_m", 1.2}}}}}}));
  CHECK(r.changed_fields == 1);
  CHECK(History(fx.store(), id).back().field == "answers.width_m");
  CHECK(Unwrap(fx->Get(RecordType::kVisit, id)).Get("answers.blockage_pct") == "lt25");

  // null clears an optional field and is logged as null.
  r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, {{"notes", nullptr}, {"answers.width_m", nullptr}}}}));
  CHECK(r.changed_fields == 2);
  std::vector<ChangeEntry> h = History(fx.store(), id);
  CHECK(h[h.size() - 2].value.is_null());
  CHECK(h.back().value.is_null());
  rec = Unwrap(fx->Get(RecordType::kVisit, id));
  CHECK_FALSE(rec.fields.contains("notes"));
  CHECK_FALSE(rec.fields["answers"].contains("width_m"));
  // Required fields cannot be cleared.
  CHECK(fx->Commit({SetFields{RecordType::kVisit, id, {{"site_id", nullptr}}}}).status().code() ==
        Code::kInvalidArgument);
}

TEST_CASE("editing with the same values logs nothing") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const json extra = {{"notes", "same"}, {"gps_lat", -6.5}, {"gps_lon", 39}, {"sdg_targets", {"11.5", "13.1"}},
                      {"follow_up_needed", false}};
  const std::string id = AddVisit(fx.store(), &fx.env, seeded.site_id, extra);
  const Record before = Unwrap(fx->Get(RecordType::kVisit, id));
  const int64_t count = ChangeLogCount(fx.store());
  fx.env.Advance(1000);

  CommitResult r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, testing::VisitFields(seeded.site_id, extra)}}));
  CHECK(r.changed_fields == 0);
  // An integer that equals the stored real is the same value.
  r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, {{"gps_lon", 39.0}, {"answers.asset_type", "culvert"}}}}));
  CHECK(r.changed_fields == 0);
  // Clearing what is not set is no change either.
  r = Unwrap(fx->Commit({SetFields{RecordType::kVisit, id, {{"ended_at", nullptr}}}}));
  CHECK(r.changed_fields == 0);
  CHECK(ChangeLogCount(fx.store()) == count);
  CHECK(Unwrap(fx->Get(RecordType::kVisit, id)).updated_at == before.updated_at);
}

TEST_CASE("delete and restore are logged as _deleted") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string id = AddVisit(fx.store(), &fx.env, seeded.site_id);

  CommitResult r = Unwrap(fx->Commit({DeleteRecord{RecordType::kVisit, id}}));
  CHECK(r.changed_fields == 1);
  ChangeEntry e = History(fx.store(), id).back();
  CHECK(e.field == "_deleted");
  CHECK(e.value == true);
  CHECK(e.device_id == fx->device_id());
  CHECK(Unwrap(fx->Get(RecordType::kVisit, id)).deleted);
  CHECK(Unwrap(fx->Count(RecordType::kVisit)) == 0);
  CHECK(Unwrap(fx->Count(RecordType::kVisit, true)) == 1);

  // Deleting twice changes nothing.
  CHECK(Unwrap(fx->Commit({DeleteRecord{RecordType::kVisit, id}})).changed_fields == 0);

  r = Unwrap(fx->Commit({RestoreRecord{RecordType::kVisit, id}}));
  CHECK(r.changed_fields == 1);
  e = History(fx.store(), id).back();
  CHECK(e.field == "_deleted");
  CHECK(e.value == false);
  CHECK_FALSE(Unwrap(fx->Get(RecordType::kVisit, id)).deleted);

  CHECK(fx->Commit({DeleteRecord{RecordType::kVisit, NewUuid(&fx.env)}}).status().code() == Code::kNotFound);
  CHECK(fx->Commit({RestoreRecord{RecordType::kSite, id}}).status().code() == Code::kNotFound);
}

TEST_CASE("editing a deleted record is a conflict") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string id = AddVisit(fx.store(), &fx.env, seeded.site_id);
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, id}}));
  const int64_t count = ChangeLogCount(fx.store());
  Status st = fx->Commit({SetFields{RecordType::kVisit, id, {{"notes", "too late"}}}}).status();
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("restore") != std::string::npos);
  CHECK(ChangeLogCount(fx.store()) == count);
  // After a restore the edit goes through.
  REQUIRE_OK(fx->Commit({RestoreRecord{RecordType::kVisit, id}}));
  CHECK_OK(fx->Commit({SetFields{RecordType::kVisit, id, {{"notes", "in time"}}}}));
}

TEST_CASE("History returns every change of one record oldest first") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string id = AddVisit(fx.store(), &fx.env, seeded.site_id);
  const std::string other = AddVisit(fx.store(), &fx.env, seeded.site_id);
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, id, {{"notes", "one"}}}}));
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, other, {{"notes", "other"}}}}));
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, id, {{"notes", "two"}}}}));
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, id}}));
  REQUIRE_OK(fx->Commit({RestoreRecord{RecordType::kVisit, id}}));

  std::vector<ChangeEntry> h = History(fx.store(), id);
  REQUIRE(h.size() == 7 + 4);  // created with 7 fields (one entry), then 4 changes
  for (size_t i = 1; i < h.size(); ++i) {
    const bool same_entry = i < 7;
    CHECK(h[i].seq >= h[i - 1].seq);
    CHECK((h[i].seq > h[i - 1].seq) != same_entry);
    CHECK((h[i].device_seq > h[i - 1].device_seq) != same_entry);
  }
  for (const ChangeEntry& e : h) CHECK(e.record_id == id);
  CHECK(h[7].value == "one");
  CHECK(h[8].value == "two");
  CHECK(h[9].field == "_deleted");
  CHECK(h[10].value == false);
  CHECK(Unwrap(fx->History(NewUuid(&fx.env))).empty());
}

TEST_CASE("a failed op in a multi-op Commit writes nothing") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const int64_t count = ChangeLogCount(fx.store());
  const int64_t last_device_seq = AllChanges(fx.store()).back().device_seq;
  const std::string ws = NewUuid(&fx.env), site = NewUuid(&fx.env), good = NewUuid(&fx.env), bad = NewUuid(&fx.env);

  Status st = fx->Commit({
                             SetFields{RecordType::kWorkspace, ws, {{"name", "Quelimane"}}},
                             SetFields{RecordType::kSite, site, {{"workspace_id", ws}, {"name", "Xiphamanine"}}},
                             SetFields{RecordType::kVisit, good, testing::VisitFields(site)},
                             SetFields{RecordType::kVisit, bad,
                                       testing::VisitFields(site, {{"answers", {{"asset_type", "volcano"}}}})},
                         })
                  .status();
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(ChangeLogCount(fx.store()) == count);
  CHECK(fx->Get(RecordType::kWorkspace, ws).status().code() == Code::kNotFound);
  CHECK(fx->Get(RecordType::kSite, site).status().code() == Code::kNotFound);
  CHECK(fx->Get(RecordType::kVisit, good).status().code() == Code::kNotFound);
  CHECK(Unwrap(fx->Count(RecordType::kWorkspace, true)) == 1);
  CHECK(Unwrap(fx->search().Find(testing::TextQuery("Xiphamanine"))).empty());
  CHECK(Unwrap(fx->search().Find(testing::TextQuery("Quelimane"))).empty());

  // The failed commit used no device_seq: the next one follows on.
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kSite, seeded.site_id, {{"ward", "Tandale"}}}}));
  CHECK(AllChanges(fx.store()).back().device_seq == last_device_seq + 1);
}

TEST_CASE("device_seq continues after reopen and device_id is stable") {
  StoreFixture fx;
  const std::string device = fx->device_id();
  CHECK(IsUuid(device));
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  AddVisit(fx.store(), &fx.env, seeded.site_id);
  const int64_t last = AllChanges(fx.store()).back().device_seq;

  for (int round = 0; round < 3; ++round) {
    fx.Reopen();
    CHECK(fx->device_id() == device);
    REQUIRE_OK(fx->Commit({SetFields{RecordType::kSite, seeded.site_id, {{"ward", "ward " + std::to_string(round)}}}}));
  }
  std::vector<ChangeEntry> all = AllChanges(fx.store());
  CHECK(all.back().device_seq == last + 3);
  std::set<int64_t> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].device_id == device);
    // The fields of an entry share its number; entries follow on without gaps.
    if (i > 0 && all[i].seq == all[i - 1].seq) {
      CHECK(all[i].device_seq == all[i - 1].device_seq);
      continue;
    }
    CHECK(seen.insert(all[i].device_seq).second);
    if (i > 0) CHECK(all[i].device_seq == all[i - 1].device_seq + 1);
  }

  // Another file is another device (its own randomness, as on another tablet).
  testing::TempDir other_dir;
  FakeEnv other_env(other_dir.path(), /*seed=*/7);
  CHECK(testing::OpenStore(&other_env, other_dir.File("other.db"))->device_id() != device);
}

TEST_CASE("a new record needs its required fields") {
  StoreFixture fx;
  const std::string id = NewUuid(&fx.env);
  // Empty fields must not silently succeed without creating anything.
  Status empty = fx->Commit({SetFields{RecordType::kWorkspace, id, json::object()}}).status();
  CHECK(empty.code() == Code::kInvalidArgument);
  Status no_name = fx->Commit({SetFields{RecordType::kWorkspace, id, {{"country", "TZ"}}}}).status();
  CHECK(no_name.code() == Code::kInvalidArgument);
  CHECK(no_name.message().find("name") != std::string::npos);
  CHECK(fx->Commit({SetFields{RecordType::kWorkspace, id, {{"name", ""}}}}).status().code() ==
        Code::kInvalidArgument);
  CHECK(fx->Commit({SetFields{RecordType::kWorkspace, id, {{"name", "x"}, {"colour", "red"}}}}).status().code() ==
        Code::kInvalidArgument);
  CHECK(fx->Commit({SetFields{RecordType::kWorkspace, id, {{"name", "x"}, {"country", "tz"}}}}).status().code() ==
        Code::kInvalidArgument);
  CHECK(fx->Commit({SetFields{RecordType::kWorkspace, id, {{"name", "x"}, {"default_language", "French"}}}})
            .status()
            .code() == Code::kInvalidArgument);
  CHECK(fx->Get(RecordType::kWorkspace, id).status().code() == Code::kNotFound);
  CHECK(ChangeLogCount(fx.store()) == 0);
  CHECK(Unwrap(fx->IsEmpty()));
}

TEST_CASE("List filters and orders records and FindAny finds by id prefix") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string other_site = testing::AddSite(fx.store(), &fx.env, seeded.workspace_id, "another drain");
  const std::string early = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"started_at", "2026-10-14T08:00:00+03:00"}});
  // Later in UTC although its local time reads earlier.
  const std::string late = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"started_at", "2026-10-14T07:00:00-01:00"}});
  const std::string heat = AddVisit(fx.store(), &fx.env, other_site,
                                    {{"form", "heat@1.0"}, {"answers", {{"sub_kind", "cooling_space"}}}});
  const std::string gone = AddVisit(fx.store(), &fx.env, other_site);
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, gone}}));

  auto ids = [&](ListQuery q) {
    std::vector<std::string> out;
    for (const Record& r : Unwrap(fx->List(q))) out.push_back(r.id);
    return out;
  };
  ListQuery q;
  q.site_id = seeded.site_id;
  CHECK(ids(q) == std::vector<std::string>{late, early});  // newest first
  q = {};
  q.form_id = "heat";
  CHECK(ids(q) == std::vector<std::string>{heat});
  q = {};
  q.only_deleted = true;
  CHECK(ids(q) == std::vector<std::string>{gone});
  q = {};
  q.include_deleted = true;
  CHECK(ids(q).size() == 4);
  q = {};
  q.limit = 1;
  q.offset = 1;
  CHECK(ids(q).size() == 1);
  q = {};
  q.type = RecordType::kSite;
  q.workspace_id = seeded.workspace_id;
  CHECK(ids(q) == std::vector<std::string>{other_site, seeded.site_id});  // by name, case-insensitive

  CHECK(Unwrap(fx->FindAny(heat)).id == heat);
  CHECK(Unwrap(fx->FindAny(heat.substr(0, 8))).id == heat);
  CHECK(Unwrap(fx->FindAny(seeded.workspace_id.substr(0, 6))).type == RecordType::kWorkspace);
  CHECK(fx->FindAny("abc").status().code() == Code::kInvalidArgument);
  CHECK(fx->FindAny("ffffffff").status().code() == Code::kNotFound);
  CHECK_FALSE(Unwrap(fx->IsEmpty()));
}

}  // namespace
}  // namespace ccfield::store_test
