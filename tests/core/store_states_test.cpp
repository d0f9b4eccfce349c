// Demo data stays on the device; every record shows one state (sent,
// waiting, draft, refused, conflict, demo); refused changes can be retried,
// moved or discarded.
#include <doctest/doctest.h>

#include "ccfield/core/import.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "support/store_fixture.h"
#include "testing_hooks.h"

namespace ccfield::store_test {
namespace {

// The demo's first Tanzanian workspace and one of its sites (data/demo/demo.json).
constexpr const char* kDemoWorkspace = "e2ed3dba-906b-4e8b-b491-c22cd94071ad";
constexpr const char* kDemoSite = "9dddf2b0-a060-48fa-aabc-4522d9c3ac0e";

int64_t CountPending(Store* s) { return static_cast<int64_t>(Unwrap(s->replica().PendingChanges(100000)).size()); }

TEST_CASE("demo data is never pending, and neither is a visit made on a demo site") {
  StoreFixture fx;
  CHECK(Unwrap(fx->ShouldLoadDemo()));
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  CHECK(Unwrap(fx->HasDemoData()));
  CHECK(Unwrap(fx->IsDemo(kDemoWorkspace)));
  CHECK(Unwrap(fx->IsDemo(kDemoSite)));
  CHECK(CountPending(fx.store()) == 0);
  CHECK(Unwrap(fx->replica().CountChangeStates()).demo >= 70);  // an entry per demo record (70)

  std::string v = AddVisit(fx.store(), &fx.env, kDemoSite);
  CHECK(Unwrap(fx->IsDemo(v)));
  CHECK(CountPending(fx.store()) == 0);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, v)).state == RecordState::kDemo);
  std::vector<VisitRow> rows = Unwrap(fx->screens().VisitRows({}));
  for (const VisitRow& r : rows) CHECK_MESSAGE(r.sync.state == RecordState::kDemo, r.id);

  // A real workspace's records are sent as usual, next to the demo.
  auto real = testing::SeedSite(fx.store(), &fx.env);
  std::string rv = AddVisit(fx.store(), &fx.env, real.site_id, {{"status", "complete"}});
  CHECK_FALSE(Unwrap(fx->IsDemo(rv)));
  CHECK(CountPending(fx.store()) > 0);
  for (const ChangeEntry& c : Unwrap(fx->replica().PendingChanges(1000))) {
    CHECK(c.workspace_id == real.workspace_id);
  }
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, rv)).state == RecordState::kWaiting);

  // Records never move between demo and real workspaces.
  Result<CommitResult> into_demo =
      fx->Commit({SetFields{RecordType::kSite, real.site_id, {{"workspace_id", kDemoWorkspace}}}});
  CHECK(into_demo.status().code() == Code::kInvalidArgument);
  Result<CommitResult> out_of_demo =
      fx->Commit({SetFields{RecordType::kSite, kDemoSite, {{"workspace_id", real.workspace_id}}}});
  CHECK(out_of_demo.status().code() == Code::kInvalidArgument);
}

TEST_CASE("removing the demo keeps every real record and does not load it again") {
  StoreFixture fx;
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  auto real = testing::SeedSite(fx.store(), &fx.env);
  std::string rv = AddVisit(fx.store(), &fx.env, real.site_id, {{"notes", "Culvert blocked near the school"}});
  std::string dv = AddVisit(fx.store(), &fx.env, kDemoSite, {{"notes", "demo culvert typing"}});
  REQUIRE_OK(fx->drafts().Save("visit:" + dv, {{"values", {{"notes", "unsaved"}}}}));
  REQUIRE_OK(fx->drafts().Save("visit:" + rv, {{"values", {{"notes", "unsaved real"}}}}));
  const int64_t pending_before = CountPending(fx.store());

  DemoRemoval removed = Unwrap(fx->RemoveDemoData());
  CHECK(removed.removed["workspace"] == 4);
  CHECK(removed.removed["visit"] == 15);  // 14 in the data set and the one made here
  CHECK(removed.drafts == 1);
  CHECK_FALSE(Unwrap(fx->HasDemoData()));
  CHECK(Unwrap(fx->Count(RecordType::kWorkspace)) == 1);
  CHECK(Unwrap(fx->Count(RecordType::kVisit)) == 1);
  CHECK(Unwrap(fx->Count(RecordType::kPractice)) == 0);
  CHECK(Unwrap(fx->Get(RecordType::kVisit, rv)).Get("notes") == "Culvert blocked near the school");
  CHECK(CountPending(fx.store()) == pending_before);
  CHECK(Unwrap(fx->drafts().List()).size() == 1);
  CHECK(Unwrap(fx->search().Find(testing::TextQuery("culvert"))).size() == 1);
  REQUIRE_OK(fx->CheckIntegrity());

  // An empty store after removal stays empty on the next start.
  StoreFixture fresh;
  REQUIRE_OK(LoadDemoData(fresh.store(), &fresh.env));
  REQUIRE_OK(fresh->RemoveDemoData());
  CHECK(Unwrap(fresh->IsEmpty()));
  CHECK_FALSE(Unwrap(fresh->ShouldLoadDemo()));
  fresh.Reopen();
  CHECK_FALSE(Unwrap(fresh->ShouldLoadDemo()));
}

TEST_CASE("a declined demo is not loaded") {
  StoreFixture fx;
  REQUIRE_OK(fx->DeclineDemo());
  CHECK_FALSE(Unwrap(fx->ShouldLoadDemo()));
}

// Applies a round trip in which the server refused every pending change.
void RefuseAll(Store* s, const std::string& reason) {
  SyncBatch b;
  for (const ChangeEntry& c : Unwrap(s->replica().PendingChanges(100000))) {
    b.rejects.push_back({c.device_seq, RejectCode::kForbidden, reason});
  }
  REQUIRE_OK(s->replica().ApplySyncBatch(b));
}

// Applies a round trip in which the server accepted every pending change
// (with `clock` as its doubt about the device time of each).
void AcceptAll(Store* s, int64_t* version, ClockFlag clock = ClockFlag::kNone) {
  SyncBatch b;
  const std::vector<ChangeEntry> pending = Unwrap(s->replica().PendingChanges(100000));
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) {  // an ack per entry
    b.acks.push_back({pending[i].device_seq, ++*version, ChangeOutcome::kApplied, clock, ""});
  }
  REQUIRE_OK(s->replica().ApplySyncBatch(b));
}

TEST_CASE("states: the server's clock flag is kept as a code with the change and read back by History") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  AcceptAll(fx.store(), &version, ClockFlag::kFuture);
  std::vector<ChangeEntry> h = Unwrap(fx->History(seeded.site_id));
  REQUIRE_FALSE(h.empty());
  for (const ChangeEntry& e : h) CHECK(e.clock == ClockFlag::kFuture);
  // A later edit the server had no doubt about carries no flag; the older ones keep theirs.
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kSite, seeded.site_id, {{"ward", "Ward 4"}}}}).status());
  AcceptAll(fx.store(), &version, ClockFlag::kNone);
  h = Unwrap(fx->History(seeded.site_id));
  CHECK(h.back().field == "ward");
  CHECK(h.back().clock == ClockFlag::kNone);
  CHECK(h.front().clock == ClockFlag::kFuture);
  // A refused change's reason is never read as a clock flag.
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kSite, seeded.site_id, {{"ward", "Ward 5"}}}}).status());
  RefuseAll(fx.store(), "future");
  CHECK(Unwrap(fx->History(seeded.site_id)).back().clock == ClockFlag::kNone);
}

TEST_CASE("states: draft, waiting, sent, refused with the reason, and the counts Home shows") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  std::string sent = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"status", "complete"}});
  AcceptAll(fx.store(), &version);
  std::string draft = AddVisit(fx.store(), &fx.env, seeded.site_id);
  std::string waiting = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"status", "complete"}});
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, sent)).state == RecordState::kSent);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, draft)).state == RecordState::kDraft);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, waiting)).state == RecordState::kWaiting);
  RefuseAll(fx.store(), "you are not a member of this workspace");
  RecordStatus refused = Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, waiting));
  CHECK(refused.state == RecordState::kRefused);
  CHECK(refused.reason == "you are not a member of this workspace");
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, draft)).state == RecordState::kRefused);

  RecordStateCounts n = Unwrap(fx->screens().CountRecordStates(RecordType::kVisit));
  CHECK(n.sent == 1);
  CHECK(n.refused == 2);
  CHECK(n.draft == 0);
  CHECK(n.waiting == 0);
  VisitFilter only_refused;
  only_refused.state = RecordState::kRefused;
  CHECK(Unwrap(fx->screens().VisitRows(only_refused)).size() == 2);
  CHECK(Unwrap(fx->screens().RefusedRecords(10)).size() == 2);
  // Refused changes are never counted as waiting or sent.
  CHECK(CountPending(fx.store()) == 0);
  CHECK(Unwrap(fx->replica().CountChangeStates()).rejected > 0);
}

TEST_CASE("retrying a refused record sends all of it again under new sequence numbers") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  AcceptAll(fx.store(), &version);  // the workspace and site are on the server
  std::string v = AddVisit(fx.store(), &fx.env, seeded.site_id, {{"notes", "first"}, {"answers", {{"depth_m", 0.4}}}});
  const auto sent_first = Unwrap(fx->replica().PendingChanges(1000));
  RefuseAll(fx.store(), "not allowed");
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kVisit, v, {{"notes", "fixed"}}}}));
  // The new edit alone is pending; the refused creation is not resent by itself.
  CHECK(Unwrap(fx->replica().PendingChanges(1000)).size() == 1);
  REQUIRE_OK(fx->RetryRefused(RecordType::kVisit, v));
  auto again = Unwrap(fx->replica().PendingChanges(1000));
  CHECK(again.size() > sent_first.size());
  bool has_answer = false, all_new = true;
  for (const ChangeEntry& c : again) {
    has_answer = has_answer || c.field == "answers.depth_m";
    for (const ChangeEntry& old : sent_first) all_new = all_new && old.device_seq != c.device_seq;
  }
  CHECK(has_answer);
  CHECK(all_new);
  // Answers come after the visit's form in the resend.
  size_t form_at = 0, answer_at = 0;
  for (size_t i = 0; i < again.size(); ++i) {
    if (again[i].field == "form") form_at = i;
    if (again[i].field == "answers.depth_m") answer_at = i;
  }
  CHECK(form_at < answer_at);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, v)).state == RecordState::kDraft);
  CHECK(Unwrap(fx->replica().CountChangeStates()).rejected == 0);
}

TEST_CASE("moving a refused site takes its visits along and sends them again") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  std::string other_ws = testing::AddWorkspace(fx.store(), &fx.env, "Unit I can write to");
  int64_t version = 0;
  AcceptAll(fx.store(), &version);
  std::string site = testing::AddSite(fx.store(), &fx.env, seeded.workspace_id, "New dump by the market");
  std::string v = AddVisit(fx.store(), &fx.env, site, {{"status", "complete"}});
  RefuseAll(fx.store(), "you left this workspace");
  REQUIRE_OK(fx->MoveToWorkspace(RecordType::kSite, site, other_ws));
  CHECK(Unwrap(fx->Get(RecordType::kVisit, v)).Get("workspace_id") == other_ws);
  CHECK(Unwrap(fx->screens().RefusedRecords(10)).empty());
  for (const ChangeEntry& c : Unwrap(fx->replica().PendingChanges(1000))) CHECK(c.workspace_id == other_ws);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kSite, site)).state == RecordState::kWaiting);
}

TEST_CASE("discarding a refused record: removed when the server never had it, reverted when it did") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  int64_t version = 0;
  AcceptAll(fx.store(), &version);
  // Known to the server: a refused rename goes back to the server's name.
  REQUIRE_OK(fx->Commit({SetFields{RecordType::kSite, seeded.site_id, {{"name", "Renamed without right"}}}}));
  std::string site = testing::AddSite(fx.store(), &fx.env, seeded.workspace_id, "Never accepted");
  std::string v = AddVisit(fx.store(), &fx.env, site);
  RefuseAll(fx.store(), "observer");
  REQUIRE_OK(fx->DiscardRefused(RecordType::kSite, seeded.site_id));
  CHECK(Unwrap(fx->Get(RecordType::kSite, seeded.site_id)).Get("name") == "Drain D-14");
  REQUIRE_OK(fx->DiscardRefused(RecordType::kSite, site));
  CHECK(fx->Get(RecordType::kSite, site).status().code() == Code::kNotFound);
  CHECK(fx->Get(RecordType::kVisit, v).status().code() == Code::kNotFound);
  CHECK(Unwrap(fx->screens().RefusedRecords(10)).empty());
  CHECK(CountPending(fx.store()) == 0);
  CHECK(fx->DiscardRefused(RecordType::kSite, seeded.site_id).code() == Code::kNotFound);
  REQUIRE_OK(fx->CheckIntegrity());
}

TEST_CASE("site kinds: every kind has a label in every UI language, and unknown kinds are refused") {
  REQUIRE(SiteKinds().size() >= 10);
  for (const SiteKind& k : SiteKinds()) {
    for (const char* lang : {"en", "fr", "pt", "ru", "ar", "ka", "hy", "am"}) {
      const std::string what = k.code + " has no " + std::string(lang) + " label";
      CHECK_MESSAGE(k.label.count(lang) == 1, what);
    }
  }
  CHECK(SiteKindLabel("cooling_space", "fr") == "Salle de rafraîchissement");
  CHECK(SiteKindLabel("cooling_space", "xx") == "Cooling space");
  StoreFixture fx;
  std::string ws = testing::AddWorkspace(fx.store(), &fx.env);
  Result<CommitResult> bad = fx->Commit(
      {SetFields{RecordType::kSite, NewUuid(&fx.env), {{"workspace_id", ws}, {"name", "X"}, {"kind", "spaceport"}}}});
  CHECK(bad.status().code() == Code::kInvalidArgument);
  // Every kind the demo uses is in the catalogue.
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
}

}  // namespace
}  // namespace ccfield::store_test

namespace ccfield::store_test {
namespace {

TEST_CASE("similar sites: same kind within 50 m, or the same name ignoring case and accents") {
  CHECK(FoldForMatch("  Marché  Central – Nord ") == "marche central nord");
  CHECK(FoldForMatch("MARCHE-CENTRAL nord") == "marche central nord");
  CHECK(FoldForMatch("Рынок Ёлка") == "рынок елка");
  testing::StoreFixture fx;
  std::string ws = testing::AddWorkspace(fx.store(), &fx.env);
  std::string market = testing::AddSite(fx.store(), &fx.env, ws, "Marché Central",
                                        {{"kind", "market"}, {"lat", -6.8000}, {"lon", 39.2500}});
  std::string drain = testing::AddSite(fx.store(), &fx.env, ws, "Drain by the market",
                                       {{"kind", "drain"}, {"lat", -6.8001}, {"lon", 39.2501}});
  SiteCandidate c;
  c.name = "marche central";
  auto by_name = testing::Unwrap(fx->screens().SimilarSites(c));
  REQUIRE(by_name.size() == 1);
  CHECK(by_name[0].id == market);
  CHECK(by_name[0].same_name);

  c.name = "New drain";
  c.kind = "drain";
  c.lat = -6.8003;  // about 25 m from the drain
  c.lon = 39.2502;
  auto near = testing::Unwrap(fx->screens().SimilarSites(c));
  REQUIRE(near.size() == 1);
  CHECK(near[0].id == drain);
  CHECK(near[0].near_same_kind);
  CHECK(*near[0].distance_m < 50);
  c.lat = -6.8010;  // about 100 m: not near
  CHECK(testing::Unwrap(fx->screens().SimilarSites(c)).empty());
  c.exclude_id = drain;
  c.lat = -6.8001;
  CHECK(testing::Unwrap(fx->screens().SimilarSites(c)).empty());
}

}  // namespace
}  // namespace ccfield::store_test

namespace ccfield::store_test {
namespace {

// record_state is kept by triggers: after any mix of writes, acks, refusals,
// retries and deletes it must equal a recount from the change log.
TEST_CASE("record_state always equals a recount of the change log") {
  testing::StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  std::vector<std::string> visits;
  for (int i = 0; i < 6; ++i) visits.push_back(AddVisit(fx.store(), &fx.env, seeded.site_id));
  auto pending = Unwrap(fx->replica().PendingChanges(1000));
  REQUIRE_OK(fx->replica().MarkSent(pending.front().device_seq, pending.back().device_seq));
  SyncBatch b;
  int64_t v = 0;
  int n = 0;
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i), ++n) {
    if (pending[i].record_id == visits[1]) {
      b.rejects.push_back({pending[i].device_seq, RejectCode::kForbidden, "no"});
    } else if (n % 3 != 0) {
      b.acks.push_back({pending[i].device_seq, ++v, ChangeOutcome::kApplied, ClockFlag::kNone, ""});
    }
  }
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));
  REQUIRE_OK(fx->replica().ApplySyncBatch(b));  // a repeated answer changes nothing
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  REQUIRE_OK(fx->Commit({DeleteRecord{RecordType::kVisit, visits[2]}}));
  REQUIRE_OK(fx->RetryRefused(RecordType::kVisit, visits[1]));
  REQUIRE_OK(fx->RemoveDemoData());

  auto kept = Unwrap(fx->screens().RecordStates(RecordType::kVisit));
  // Recount from the log, the slow way.
  std::map<std::string, std::pair<int, int>> recount;  // id -> (unsent, refused)
  for (const ChangeEntry& c : Unwrap(fx->replica().PendingChanges(100000))) {
    if (c.type == ChangeType::kVisit) ++recount[c.record_id].first;
  }
  for (const auto& [e, why] : Unwrap(fx->replica().ChangesInState(ChangeState::kRejected, 1000))) {
    if (e.type == ChangeType::kVisit) ++recount[e.record_id].second;
  }
  for (const auto& [id, n] : recount) {
    REQUIRE(kept.count(id) == 1);
    CHECK(kept[id].state == (n.second > 0 ? RecordState::kRefused : RecordState::kWaiting));
  }
  for (const auto& [id, s] : kept) CHECK_MESSAGE(recount.count(id) == 1, id);
}

}  // namespace
}  // namespace ccfield::store_test

namespace ccfield::store_test {
namespace {

TEST_CASE("upgrading a schema 5 store marks its demo data and keeps real changes pending") {
  testing_hooks::ScopedSchemaVersionLimit limit(5);
  testing::StoreFixture fx;
  REQUIRE(fx->schema_version() == 5);
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  std::string demo_visit = AddVisit(fx.store(), &fx.env, kDemoSite);
  auto real = testing::SeedSite(fx.store(), &fx.env);
  std::string real_visit = AddVisit(fx.store(), &fx.env, real.site_id);
  const int64_t before = CountPending(fx.store());
  REQUIRE(before > 700);  // schema 5 would have pushed the demo

  limit.Set(0);
  fx.Reopen();
  REQUIRE(fx->schema_version() == kSchemaVersion);
  CHECK(Unwrap(fx->IsDemo(demo_visit)));
  CHECK_FALSE(Unwrap(fx->IsDemo(real_visit)));
  for (const ChangeEntry& c : Unwrap(fx->replica().PendingChanges(100000))) CHECK(c.workspace_id == real.workspace_id);
  CHECK(CountPending(fx.store()) > 0);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, demo_visit)).state == RecordState::kDemo);
  CHECK(Unwrap(fx->screens().RecordStateOf(RecordType::kVisit, real_visit)).state == RecordState::kDraft);
  RecordStateCounts n = Unwrap(fx->screens().CountRecordStates(RecordType::kVisit));
  CHECK(n.demo == 15);
  CHECK(n.draft == 1);
  CHECK_FALSE(Unwrap(fx->ShouldLoadDemo()));
}

}  // namespace
}  // namespace ccfield::store_test
