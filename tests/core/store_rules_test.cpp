// The rules Commit enforces before writing: field types and sizes, UTF-8,
// references between records, visit times, positions and form answers. A
// rejected write leaves no trace: no record, no change-log entry.
#include <doctest/doctest.h>

#include "ccfield/core/store.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

// A store with a workspace and a site, and a way to try one new visit.
struct RulesFixture {
  StoreFixture fx;
  testing::Seeded seeded = testing::SeedSite(fx.store(), &fx.env);

  // Commits a new visit with VisitFields(site, extra); on failure checks that
  // nothing was written and returns the error.
  Status TryVisit(const json& extra, const std::string& site_id = "") {
    const int64_t before = ChangeLogCount(fx.store());
    const int64_t visits = Unwrap(fx->Count(RecordType::kVisit, true));
    const std::string id = NewUuid(&fx.env);
    Status st =
        fx->Commit({SetFields{RecordType::kVisit, id, testing::VisitFields(site_id.empty() ? seeded.site_id : site_id, extra)}})
            .status();
    if (!st.ok()) {
      CHECK(ChangeLogCount(fx.store()) == before);
      CHECK(Unwrap(fx->Count(RecordType::kVisit, true)) == visits);
      CHECK(fx->Get(RecordType::kVisit, id).status().code() == Code::kNotFound);
      CHECK_FALSE(st.message().empty());
    }
    return st;
  }
};

TEST_CASE("a visit with an unknown form is rejected") {
  RulesFixture r;
  Status st = r.TryVisit({{"form", "drainage_flood@9.9"}});
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message().find("drainage_flood@9.9") != std::string::npos);
  CHECK(r.TryVisit({{"form", "not a key"}}).code() == Code::kNotFound);
  CHECK(r.TryVisit({{"form", 7}}).code() == Code::kInvalidArgument);
  CHECK_OK(r.TryVisit({}));
}

TEST_CASE("a visit for a missing site is not found") {
  RulesFixture r;
  const std::string missing = NewUuid(&r.fx.env);
  // With and without an explicit workspace: the missing site is the error.
  Status st = r.TryVisit({}, missing);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message().find("site") != std::string::npos);
  st = r.TryVisit({{"workspace_id", r.seeded.workspace_id}}, missing);
  CHECK(st.code() == Code::kNotFound);
  CHECK(st.message().find("site") != std::string::npos);
}

TEST_CASE("a visit for a deleted site is a conflict") {
  RulesFixture r;
  REQUIRE_OK(r.fx->Commit({DeleteRecord{RecordType::kSite, r.seeded.site_id}}));
  Status st = r.TryVisit({});
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("deleted") != std::string::npos);
  REQUIRE_OK(r.fx->Commit({RestoreRecord{RecordType::kSite, r.seeded.site_id}}));
  CHECK_OK(r.TryVisit({}));
}

TEST_CASE("a visit for a site in another workspace is a conflict") {
  RulesFixture r;
  const std::string other_ws = testing::AddWorkspace(r.fx.store(), &r.fx.env, "Tétouan");
  Status st = r.TryVisit({{"workspace_id", other_ws}});
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("another workspace") != std::string::npos);
  // The same holds for the inspector and the project.
  const std::string member = NewUuid(&r.fx.env), project = NewUuid(&r.fx.env);
  REQUIRE_OK(r.fx->Commit({SetFields{RecordType::kMember, member, {{"workspace_id", other_ws}, {"name", "Hamza"}}},
                           SetFields{RecordType::kProject, project, {{"workspace_id", other_ws}, {"title", "Plan"}}}}));
  CHECK(r.TryVisit({{"inspector_id", member}}).code() == Code::kConflict);
  CHECK(r.TryVisit({{"project_id", project}}).code() == Code::kConflict);
  CHECK(r.TryVisit({{"inspector_id", NewUuid(&r.fx.env)}}).code() == Code::kNotFound);
}

TEST_CASE("a visit cannot end before it started") {
  RulesFixture r;
  Status st = r.TryVisit({{"started_at", "2026-10-14T08:05:00+03:00"}, {"ended_at", "2026-10-14T08:00:00+03:00"}});
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("before") != std::string::npos);
  // Compared as instants: 06:00Z is after 08:05+03:00 (05:05Z).
  CHECK_OK(r.TryVisit({{"started_at", "2026-10-14T08:05:00+03:00"}, {"ended_at", "2026-10-14T06:00:00Z"}}));
  CHECK_OK(r.TryVisit({{"started_at", "2026-10-14T08:05:00+03:00"}, {"ended_at", "2026-10-14T08:05:00+03:00"}}));
}

TEST_CASE("a visit time without UTC offset is rejected") {
  RulesFixture r;
  Status st = r.TryVisit({{"started_at", "2026-10-14T08:05:00"}});
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("offset") != std::string::npos);
  for (const json& extra : {json{{"ended_at", "2026-10-14T09:00:00"}}, json{{"started_at", "yesterday"}},
                            json{{"started_at", nullptr}}, json{{"follow_up_due", "2026-02-30"}}}) {
    INFO(extra.dump());
    CHECK(r.TryVisit(extra).code() == Code::kInvalidArgument);
  }
}

TEST_CASE("a visit position needs both gps_lat and gps_lon in range") {
  RulesFixture r;
  Status st = r.TryVisit({{"gps_lat", -6.79}});
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("gps_lon") != std::string::npos);
  CHECK(r.TryVisit({{"gps_lon", 39.2}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"gps_lat", 91}, {"gps_lon", 39.2}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"gps_lat", -6.79}, {"gps_lon", -181}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"gps_lat", "-6.79"}, {"gps_lon", 39.2}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"gps_lat", -6.79}, {"gps_lon", 39.2}, {"gps_accuracy_m", -1}}).code() ==
        Code::kInvalidArgument);
  CHECK_OK(r.TryVisit({{"gps_lat", -6.79}, {"gps_lon", 39.2}}));
}

TEST_CASE("visit pick lists are closed") {
  RulesFixture r;
  for (const char* p : {"P0", "P4", "p1", "high", ""}) {
    INFO(p);
    Status st = r.TryVisit({{"follow_up_priority", p}});
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.message().find("P1, P2, P3") != std::string::npos);
  }
  CHECK_OK(r.TryVisit({{"follow_up_priority", "P3"}}));
  CHECK(r.TryVisit({{"status", "done"}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"weather", "snow"}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"condition_rating", 3}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"follow_up_needed", "yes"}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"sdg_targets", {"11.5", "11.5"}}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"sdg_targets", {"eleven"}}}).code() == Code::kInvalidArgument);
  CHECK(r.TryVisit({{"language", "Swahili"}}).code() == Code::kInvalidArgument);
}

TEST_CASE("record ids and references must be UUIDs") {
  RulesFixture r;
  for (const char* id : {"visit-1", "", "E2ED3DBA-906B-4E8B-B491-C22CD94071AD", "e2ed3dba906b4e8bb491c22cd94071ad"}) {
    INFO(id);
    Status st = r.fx->Commit({SetFields{RecordType::kVisit, id, testing::VisitFields(r.seeded.site_id)}}).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.message().find("UUID") != std::string::npos);
  }
  CHECK(r.TryVisit({}, "site-1").code() == Code::kInvalidArgument);
  CHECK(ChangeLogCount(r.fx.store()) == 5);  // only the seeded workspace and site
}

TEST_CASE("required answers are enforced only when the visit is complete and only when shown") {
  RulesFixture r;
  // A draft may miss required answers.
  const json none = {{"answers", json::object()}};
  CHECK_OK(r.TryVisit(none));
  json complete = {{"status", "complete"}, {"answers", json::object()}};
  Status st = r.TryVisit(complete);
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("asset_type") != std::string::npos);
  complete["answers"] = {{"asset_type", "culvert"}, {"blockage_pct", "0"}};
  CHECK_OK(r.TryVisit(complete));
  // max_depth_ref is required only in event mode.
  complete["answers"]["event_mode"] = true;
  st = r.TryVisit(complete);
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("max_depth_ref") != std::string::npos);

  // Completing an existing draft checks the answers it has.
  const std::string id = testing::AddVisit(r.fx.store(), &r.fx.env, r.seeded.site_id, none);
  CHECK(r.fx->Commit({SetFields{RecordType::kVisit, id, {{"status", "complete"}}}}).status().code() ==
        Code::kInvalidArgument);
  CHECK(Unwrap(r.fx->Get(RecordType::kVisit, id)).Get("status") == "draft");
  CHECK_OK(r.fx->Commit({SetFields{RecordType::kVisit, id,
                                   {{"status", "complete"}, {"answers", {{"asset_type", "manhole"}, {"blockage_pct", "full"}}}}}}));
}

// Item 10 of the test plan: bad input gets a clear error and nothing is written.
TEST_CASE("bad input is rejected with a clear error and nothing is written") {
  RulesFixture r;
  SUBCASE("invalid UTF-8 in notes") {
    Status st = r.TryVisit({{"notes", "caf\xC3 au lait"}});
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.message().find("UTF-8") != std::string::npos);
    CHECK(r.TryVisit({{"answers", {{"asset_type", "culvert"}, {"asset_ref", "\xED\xA0\x80"}}}}).code() ==
          Code::kInvalidArgument);
  }
  SUBCASE("a 1 MB note") {
    Status st = r.TryVisit({{"notes", std::string(1 << 20, 'a')}});
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.message().find("too long") != std::string::npos);
    CHECK_OK(r.TryVisit({{"notes", std::string(100 * 1024, 'a')}}));  // the limit itself is fine
  }
  SUBCASE("answers of the wrong type") {
    for (const json& answers : {json{{"width_m", "wide"}}, json{{"asset_type", 3}}, json{{"hotspot_known", "yes"}},
                                json{{"blockage_cause", "plastics"}}, json{{"event_date", "14/10/2026"}},
                                json{{"households_affected_est", 2.5}}, json{{"no_such_field", 1}}}) {
      INFO(answers.dump());
      Status st = r.TryVisit({{"answers", answers}});
      CHECK(st.code() == Code::kInvalidArgument);
    }
    CHECK(r.TryVisit({{"answers", "culvert"}}).code() == Code::kInvalidArgument);
  }
  SUBCASE("an unknown form") {
    CHECK(r.TryVisit({{"form", "roads@1.0"}}).code() == Code::kNotFound);
  }
  SUBCASE("a missing site") {
    CHECK(r.TryVisit({}, NewUuid(&r.fx.env)).code() == Code::kNotFound);
  }
  SUBCASE("fields that are not objects or do not exist") {
    Status st = r.fx->Commit({SetFields{RecordType::kVisit, NewUuid(&r.fx.env), json::array()}}).status();
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(r.TryVisit({{"colour", "red"}}).code() == Code::kInvalidArgument);
  }
  CHECK(Unwrap(r.fx->Count(RecordType::kVisit, true)) <= 1);
}

}  // namespace
}  // namespace ccfield::store_test
