// Read models for the screens (visit rows, site conditions) and editor
// drafts, which live outside the change log.
#include <doctest/doctest.h>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

TEST_CASE("VisitRows lists newest first and applies every filter") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  std::string other_site = testing::AddSite(fx.store(), &fx.env, seeded.workspace_id, "Market dump");
  std::string a = AddVisit(fx.store(), &fx.env, seeded.site_id,
                           {{"started_at", "2026-10-01T09:00:00+03:00"}, {"notes", "Culvert blocked\nsecond line"}});
  std::string b = AddVisit(fx.store(), &fx.env, other_site,
                           {{"started_at", "2026-10-05T09:00:00+03:00"},
                            {"follow_up_needed", true},
                            {"follow_up_priority", "P1"},
                            {"follow_up_due", "2026-10-10"},
                            {"condition_rating", "3"}});
  std::string c = AddVisit(fx.store(), &fx.env, seeded.site_id,
                           {{"started_at", "2026-10-09T23:30:00-01:00"}, {"condition_rating", "1"}});

  std::vector<VisitRow> all = Unwrap(fx->screens().VisitRows({}));
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == c);
  CHECK(all[2].id == a);
  CHECK(all[2].notes_head == "Culvert blocked");
  CHECK(all[1].site_name == "Market dump");
  CHECK(all[1].follow_up_needed);

  VisitFilter by_site;
  by_site.site_id = seeded.site_id;
  CHECK(Unwrap(fx->screens().VisitRows(by_site)).size() == 2);

  VisitFilter by_priority;
  by_priority.follow_up_priority = "P1";
  auto p1 = Unwrap(fx->screens().VisitRows(by_priority));
  REQUIRE(p1.size() == 1);
  CHECK(p1[0].id == b);

  // The local day counts: 23:30 at -01:00 is still the 9th where it was written.
  VisitFilter days;
  days.from_date = "2026-10-05";
  days.to_date = "2026-10-09";
  CHECK(Unwrap(fx->screens().VisitRows(days)).size() == 2);

  VisitFilter by_form;
  by_form.form_id = "solid_waste";
  CHECK(Unwrap(fx->screens().VisitRows(by_form)).empty());
  by_form.form_id = "drainage_flood";
  CHECK(Unwrap(fx->screens().VisitRows(by_form)).size() == 3);

  auto conditions = Unwrap(fx->screens().LatestSiteConditions());
  std::map<std::string, std::string> by(conditions.begin(), conditions.end());
  CHECK(by[seeded.site_id] == "1");
  CHECK(by[other_site] == "3");
}

TEST_CASE("Drafts survive a reopen, are replaced by key and are not synced") {
  StoreFixture fx;
  int64_t changes = testing::ChangeLogCount(fx.store());
  REQUIRE_OK(fx->drafts().Save("visit:1", {{"notes", "Blocked dra"}}));
  REQUIRE_OK(fx->drafts().Save("visit:1", {{"notes", "Blocked drain — مسدود"}}));
  REQUIRE_OK(fx->drafts().Save("visit:2", {{"notes", "x"}}));
  CHECK(testing::ChangeLogCount(fx.store()) == changes);
  fx.Reopen();
  auto drafts = Unwrap(fx->drafts().List());
  REQUIRE(drafts.size() == 2);
  std::map<std::string, json> by;
  for (auto& d : drafts) by[d.key] = d.body;
  CHECK(by["visit:1"]["notes"] == "Blocked drain — مسدود");
  REQUIRE_OK(fx->drafts().Delete("visit:1"));
  CHECK(Unwrap(fx->drafts().List()).size() == 1);
}

TEST_CASE("Utf8Prefix never cuts a character") {
  CHECK(Utf8Prefix("abc", 10) == "abc");
  CHECK(Utf8Prefix("caf\xC3\xA9", 4) == "caf");
  CHECK(Utf8Prefix("\xE1\x88\x80\xE1\x88\x80", 4) == "\xE1\x88\x80");
  CHECK(Utf8Prefix("abcdef", 3) == "abc");
}

}  // namespace
}  // namespace ccfield::store_test
