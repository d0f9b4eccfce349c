// Sites in the window (issue 9), driven like a person, headless: a new place
// and its visit written in one commit, the near-duplicate question, state
// badges in words, and the ways out of a refused record.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>

#include "ccfield/core/site_kinds.h"
#include "ccfield/core/store.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "text/i18n.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

bool Shown(const std::string& label) {
  for (const auto& item : views::LastFrameItems()) {
    if (item.label == label) return true;
  }
  return false;
}

int64_t LastSeq(Store* store) {
  auto all = Unwrap(store->ChangesAfter(0, std::numeric_limits<int>::max()));
  return all.empty() ? 0 : all.back().seq;
}

std::string DrainageTitle(Store* store) { return PickLabel(store->FindForm("drainage_flood@1.0")->title, "en"); }

TEST_CASE("search index: the window indexes what was saved once nothing happens for a moment") {
  AppFixture fx(false);
  auto queued = [&] { return Unwrap(fx.store()->search().IndexPending(0)); };
  const auto seeded = testing::SeedSite(fx.store(), &fx.env);
  for (int i = 0; i < 40; ++i) testing::AddVisit(fx.store(), &fx.env, seeded.site_id);
  fx.app->Apply(app::DismissMessage{});  // any command: the quiet period starts again
  REQUIRE(queued() > 32);                // more than one step's worth
  fx.app->Tick();
  const int64_t before = queued();
  CHECK(before > 0);  // not during the quiet period
  fx.env.Advance(1600);
  CHECK(fx.app->MillisUntilDue() == 0);
  fx.app->Tick();
  CHECK(queued() == before - 32);  // one step at a time
  for (int i = 0; i < 10000 && queued() > 0; ++i) fx.app->Tick();
  CHECK(queued() == 0);
  CHECK(fx.app->MillisUntilDue() != 0);  // nothing left to do: the loop may sleep
}

TEST_CASE("sites: a place not in the list and its visit are written in one commit at the visit's first save") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const int64_t sites_before = Unwrap(fx.store()->Count(RecordType::kSite));
  const int64_t seq_before = LastSeq(fx.store());
  const std::string kind_label = SiteKindLabel(SiteKinds().front().code, "en");

  views::UiDriver d;
  d.Click("New visit");
  d.Click("A place not in the list");
  d.Click("Site name");
  d.Type("Pump house behind the clinic");
  d.Click("Kind");
  d.Click(kind_label);
  d.Click("Latitude");
  d.Type("-6,7712");  // a decimal comma is fine
  d.Click("Longitude");
  d.Type("39.1999");
  d.Click("Next: choose the form");
  h.Run(d);
  REQUIRE_FALSE(fx.app->state().site_form.asking);
  REQUIRE(fx.app->state().new_visit.site_id == app::kPendingSite);
  views::UiDriver form;
  form.Click(DrainageTitle(fx.store()));
  h.Run(form);
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  CHECK(fx.app->state().editor.site_name == "Pump house behind the clinic");
  // Until the visit is saved, nothing is written (a draft at most).
  CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == sites_before);
  CHECK(LastSeq(fx.store()) == seq_before);
  CHECK(Shown("badge:Draft"));  // the editor's header

  views::UiDriver save;
  save.Click("Notes");
  save.Type("Pump house door forced; the drain beside it is clear");
  save.Click("Save");
  h.Run(save);
  const app::EditorState& ed = fx.app->state().editor;
  REQUIRE_MESSAGE(ed.message == "Saved.", ed.message);
  CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == sites_before + 1);
  Record visit = Unwrap(fx.store()->Get(RecordType::kVisit, ed.visit_id));
  const std::string site_id = visit.Get("site_id").get<std::string>();
  Record site = Unwrap(fx.store()->Get(RecordType::kSite, site_id));
  CHECK(site.Get("name") == "Pump house behind the clinic");
  CHECK(site.Get("kind") == SiteKinds().front().code);
  CHECK(site.Get("lat").get<double>() == doctest::Approx(-6.7712));
  CHECK(visit.Get("workspace_id") == site.Get("workspace_id"));
  // One commit: every change-log entry since, the site's and the visit's (an
  // entry per record, each read as one change per field), in one unbroken
  // run written at one device time, the site's first.
  auto changes = Unwrap(fx.store()->ChangesAfter(seq_before, 10000));
  REQUIRE(!changes.empty());
  int64_t site_last = 0, visit_first = std::numeric_limits<int64_t>::max();
  for (const ChangeEntry& c : changes) {
    CHECK((c.record_id == site_id || c.record_id == visit.id));
    CHECK(c.time == changes.front().time);
    if (c.record_id == site_id) site_last = std::max(site_last, c.seq);
    if (c.record_id == visit.id) visit_first = std::min(visit_first, c.seq);
  }
  CHECK(site_last < visit_first);
  int64_t entries = 0;
  for (size_t i = 0; i < changes.size(); i = EntryEnd(changes, i)) ++entries;
  CHECK(entries == 2);
  CHECK(changes.back().seq - changes.front().seq + 1 == entries);
  CHECK(fx.store()->drafts().List().value().empty());
}

TEST_CASE("sites: on a device with no workspace yet, saving a site says how to get one and keeps what was typed") {
  AppFixture fx(/*demo=*/false);
  HeadlessUi h(fx.app.get(), &fx.env);
  REQUIRE(fx.app->state().site_form.workspaces.empty());
  views::UiDriver d;
  d.Click("Sites");
  d.Click("New site");
  d.Click("Site name");
  d.Type("Drain by the market");
  d.Click("Save site");
  h.Run(d);
  const app::SiteFormState& f = fx.app->state().site_form;
  CHECK(f.open);
  CHECK(f.name == "Drain by the market");
  REQUIRE(f.errors.count("workspace_id") == 1);
  CHECK(f.errors.at("workspace_id").find("sign in on the Sync screen") != std::string::npos);
  CHECK(Shown("error:workspace_id"));  // on screen, not only in the state
  CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == 0);
}

TEST_CASE("sites: the new-visit picker lists the nearest sites first and starts the visit at the one picked") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("New visit");
  h.Run(d);
  const app::NewVisitState& n = fx.app->state().new_visit;
  REQUIRE(n.open);
  REQUIRE(n.choices.size() > 5);
  // The demo's visits have positions: the first rows carry distances, nearest first.
  REQUIRE(n.has_position);
  CHECK(!n.choices.front().distance.empty());
  const std::string first = n.choices.front().site_id;
  views::UiDriver p;
  p.Click(n.choices.front().name);
  p.Click(DrainageTitle(fx.store()));
  h.Run(p);
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  CHECK(fx.app->state().editor.values["site_id"] == first);
  CHECK_FALSE(fx.app->state().new_visit.open);
}

TEST_CASE("sites: saving a site like an existing one asks \"Is it one of these?\", Use this site keeps the old one") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  testing::ClickAndRun(h, "Sites");
  const app::SiteItem existing = fx.app->state().sites.all.front();
  const int64_t sites_before = Unwrap(fx.store()->Count(RecordType::kSite));
  views::UiDriver n;
  n.Click("New site");
  n.Click("Site name");
  n.Type(existing.name);
  n.Click("Save site");
  h.Run(n);
  const app::SiteFormState& f = fx.app->state().site_form;
  REQUIRE(f.asking);
  bool listed = false;
  for (const auto& s : f.similar) listed |= s.id == existing.id;
  CHECK(listed);
  CHECK(Shown("No, save as new"));
  CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == sites_before);  // never written while asking

  SUBCASE("Use this site") {
    views::UiDriver u;
    u.Click("Use this site");
    h.Run(u);
    CHECK_FALSE(fx.app->state().site_form.open);
    CHECK(CommandsOf<app::UseSimilarSite>(h.applied()).size() == 1);
    CHECK(fx.app->state().sites.selected_id == CommandsOf<app::UseSimilarSite>(h.applied()).front().site_id);
    CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == sites_before);
  }
  SUBCASE("No, save as new: never blocked") {
    views::UiDriver s;
    s.Click("No, save as new");
    h.Run(s);
    CHECK_FALSE(fx.app->state().site_form.open);
    CHECK(Unwrap(fx.store()->Count(RecordType::kSite)) == sites_before + 1);
  }
}

TEST_CASE("sites: in the new-visit flow, a typed place like an existing site offers that site instead") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  testing::ClickAndRun(h, "Sites");
  const app::SiteItem existing = fx.app->state().sites.all.front();
  const int64_t seq_before = LastSeq(fx.store());
  views::UiDriver n;
  n.Click("Home");
  n.Click("New visit");
  n.Click("A place not in the list");
  n.Click("Site name");
  n.Type(existing.name);
  n.Click("Next: choose the form");
  h.Run(n);
  REQUIRE(fx.app->state().site_form.asking);
  views::UiDriver u;
  u.Click("Use this site");
  h.Run(u);
  const auto used = CommandsOf<app::UseSimilarSite>(h.applied());
  REQUIRE(used.size() == 1);
  CHECK(fx.app->state().new_visit.site_id == used.front().site_id);
  CHECK(fx.app->state().new_visit.site_id != app::kPendingSite);
  CHECK(LastSeq(fx.store()) == seq_before);  // nothing written
  views::UiDriver form;
  form.Click(DrainageTitle(fx.store()));
  h.Run(form);
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  CHECK(fx.app->state().editor.values["site_id"] == used.front().site_id);
  CHECK(fx.app->state().editor.new_site_id.empty());
}

TEST_CASE("sites: the site list and details show kind labels, never codes, edit, delete and restore") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Sites");
  h.Run(d);
  const auto& all = fx.app->state().sites.all;
  REQUIRE(!all.empty());
  for (const app::SiteItem& s : all) {
    if (s.kind.empty()) continue;
    CAPTURE(s.kind);
    CHECK(s.kind_label == SiteKindLabel(s.kind, "en"));
    for (const auto& item : views::LastFrameItems()) {
      if (item.label.rfind(s.name, 0) == 0 && IsSiteKind(s.kind) && s.kind.find('_') != std::string::npos) {
        CHECK(item.label.find(s.kind) == std::string::npos);
      }
    }
  }
  const app::SiteItem site = all.front();
  views::UiDriver e;
  e.Click(site.name);
  e.Click("Edit site");
  e.Click("Ward");
  e.Type(" Nord");
  e.Click("Save site");
  h.Run(e);
  const std::string ward = site.ward.empty() ? "Nord" : site.ward + " Nord";
  CHECK(Unwrap(fx.store()->Get(RecordType::kSite, site.id)).Get("ward") == ward);

  views::UiDriver del;
  del.Click("Delete site");
  del.Click("Yes, delete it");
  h.Run(del);
  CHECK(Unwrap(fx.store()->Get(RecordType::kSite, site.id)).deleted);
  const auto& deleted = fx.app->state().sites.deleted;
  REQUIRE(deleted.size() == 1);
  views::UiDriver r;
  r.Click("Restore");
  h.Run(r);
  CHECK_FALSE(Unwrap(fx.store()->Get(RecordType::kSite, site.id)).deleted);
}

// A real workspace next to the demo: a draft visit, one waiting, one refused.
struct Refused {
  std::string ws, other_ws, site, draft, waiting, refused;
};
Refused MakeRefused(AppFixture& fx) {
  Refused r;
  r.ws = testing::AddWorkspace(fx.store(), &fx.env, "Ward office");
  r.other_ws = testing::AddWorkspace(fx.store(), &fx.env, "Drainage unit");
  r.site = testing::AddSite(fx.store(), &fx.env, r.ws, "Culvert C-7");
  r.refused = testing::AddVisit(fx.store(), &fx.env, r.site, {{"status", "complete"}, {"notes", "refused one"}});
  SyncBatch b;
  for (const ChangeEntry& c : Unwrap(fx.store()->replica().PendingChanges(100000))) {
    if (c.record_id == r.refused) b.rejects.push_back({c.device_seq, RejectCode::kForbidden, "you are an observer in Ward office"});
  }
  REQUIRE_OK(fx.store()->replica().ApplySyncBatch(b));
  r.draft = testing::AddVisit(fx.store(), &fx.env, r.site, {{"started_at", "2026-10-15T08:05:00+03:00"}});
  r.waiting = testing::AddVisit(fx.store(), &fx.env, r.site,
                                {{"status", "complete"}, {"started_at", "2026-10-16T08:05:00+03:00"}});
  return r;
}

TEST_CASE("sites: visit rows, site rows and Home show state badges in words") {
  AppFixture fx;
  MakeRefused(fx);
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Visits");
  h.Run(d);
  for (const char* word : {"badge:Draft", "badge:Waiting to send", "badge:Refused", "badge:Demo"}) {
    CHECK_MESSAGE(Shown(word), word);
  }
  views::UiDriver home;
  home.Click("Home");
  h.Run(home);
  const app::HomeState& hs = fx.app->state().home;
  CHECK(hs.visit_states.refused == 1);
  CHECK(hs.visit_states.waiting >= 1);
  CHECK(hs.refused_sentence == "Visits the server refused: 1.");
  CHECK(Shown("refused-sentence"));
  CHECK(Shown("badge:Demo"));  // the demo workspaces
  // "Drafts (n)" opens the Visits screen with only the drafts.
  views::UiDriver drafts;
  drafts.Click("Drafts (");
  h.Run(drafts);
  CHECK(fx.app->state().screen == app::Screen::kVisits);
  REQUIRE(!fx.app->state().visits.rows.empty());
  for (const VisitRow& r : fx.app->state().visits.rows) CHECK(r.sync.state == RecordState::kDraft);
}

TEST_CASE("sites: a refused visit is moved to another workspace, or discarded after a confirmation") {
  AppFixture fx;
  Refused r = MakeRefused(fx);
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Sync");
  h.Run(d);
  const auto& refused = fx.app->state().sync.refused;
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].reason == "you are an observer in Ward office");
  // A visit moves with its site: the button says so.
  CHECK(Shown("Move Culvert C-7 and its visits to Drainage unit"));
  CHECK_FALSE(Shown("Move Culvert C-7 and its visits to Ward office"));  // where it already is

  SUBCASE("move") {
    views::UiDriver m;
    m.Click("Move Culvert C-7 and its visits to Drainage unit");
    h.Run(m);
    CHECK(Unwrap(fx.store()->Get(RecordType::kVisit, r.refused)).Get("workspace_id") == r.other_ws);
    CHECK(Unwrap(fx.store()->Get(RecordType::kSite, r.site)).Get("workspace_id") == r.other_ws);
    CHECK(fx.app->state().sync.refused.empty());
    CHECK(Unwrap(fx.store()->screens().RecordStateOf(RecordType::kVisit, r.refused)).state == RecordState::kWaiting);
  }
  SUBCASE("discard") {
    views::UiDriver x;
    x.Click("Discard");
    h.Run(x);
    CHECK(Shown("Yes, discard it"));
    CHECK(fx.store()->Get(RecordType::kVisit, r.refused).ok());  // not before the confirmation
    views::UiDriver y;
    y.Click("Yes, discard it");
    h.Run(y);
    CHECK(fx.store()->Get(RecordType::kVisit, r.refused).status().code() == Code::kNotFound);
    CHECK(fx.app->state().sync.refused.empty());
    CHECK(fx.app->state().home.refused_sentence.empty());
  }
  SUBCASE("edit, then send again") {
    views::UiDriver e;
    e.Click("Edit");
    h.Run(e);
    CHECK(fx.app->state().screen == app::Screen::kEditor);
    CHECK(Shown("badge:Refused"));
    fx.app->Apply(app::RetryRefusedRecord{RecordType::kVisit, r.refused});
    CHECK(Unwrap(fx.store()->screens().RecordStateOf(RecordType::kVisit, r.refused)).state == RecordState::kWaiting);
  }
}

TEST_CASE("sites: Home marks follow-ups due before today as Overdue and lists them first") {
  AppFixture fx(/*demo=*/false);
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string today = FormatLocalWithOffset(fx.env.WallMillis()).substr(0, 10);
  auto follow_up = [&](const std::string& due, const char* notes) {
    json extra = {{"status", "complete"}, {"notes", notes}, {"follow_up_needed", true},
                  {"follow_up_priority", "P2"}, {"follow_up_action", "Clear the inlet"}};
    if (!due.empty()) extra["follow_up_due"] = due;
    return testing::AddVisit(fx.store(), &fx.env, seeded.site_id, extra);
  };
  const std::string later = follow_up("2999-01-01", "later");
  const std::string undated = follow_up("", "undated");
  const std::string overdue = follow_up("2000-01-01", "overdue");
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Sites");
  d.Click("Home");
  h.Run(d);
  const auto& rows = fx.app->state().home.follow_ups;
  REQUIRE(rows.size() == 3);
  CHECK(rows.front().id == overdue);
  CHECK(fx.app->state().home.today == today);
  int overdue_badges = 0;
  for (const auto& item : views::LastFrameItems()) overdue_badges += item.label == "badge:Overdue";
  CHECK(overdue_badges == 1);
  CHECK(Shown("badge:Waiting to send"));
  (void)later;
  (void)undated;
}

}  // namespace
}  // namespace ccfield::view_test
