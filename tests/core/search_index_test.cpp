// Full-text search: case- and accent-insensitive, ranked, with snippets, kept
// in step with every write (edit, delete, restore, site rename). Since schema
// 12 a write queues the record and the index catches up before each search.
#include <doctest/doctest.h>

#include <algorithm>

#include "ccfield/core/store.h"
#include "support/raw_db.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

struct SearchFixture {
  StoreFixture fx;
  testing::Seeded seeded = testing::SeedSite(fx.store(), &fx.env);

  std::vector<SearchHit> Search(const std::string& text, std::optional<RecordType> type = std::nullopt) {
    INFO("query: ", text);
    return Unwrap(fx->search().Find(testing::TextQuery(text, type)));
  }
  bool Finds(const std::string& text, const std::string& id) {
    auto hits = Search(text);
    return std::any_of(hits.begin(), hits.end(), [&](const SearchHit& h) { return h.id == id; });
  }
  std::string AddPractice(const json& fields) {
    std::string id = NewUuid(&fx.env);
    REQUIRE_OK(fx->Commit({SetFields{RecordType::kPractice, id, fields}}));
    return id;
  }
  std::string AddVisit(const json& extra) { return testing::AddVisit(fx.store(), &fx.env, seeded.site_id, extra); }
};

TEST_CASE("search ignores case and accents in Latin script") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Inondation du carrefour après l'orage"}});
  const std::string practice = s.AddPractice({{"title", "Compteurs prépayés"}, {"problem", "Coupures d'électricité"}});
  const struct {
    const char* words;
    const std::string& record;
  } finds[] = {
      {"inondation", visit},
      {"INONDATION", visit},
      {"apres", visit},
      {"electricite", practice},
      {"Électricité", practice},
      {"prepayes compteurs", practice},  // every word, any order
      {"inond", visit},                  // the last word is a prefix
  };
  for (const auto& f : finds) {
    CAPTURE(f.words);
    CHECK(s.Finds(f.words, f.record));
  }
  CHECK_FALSE(s.Finds("inondation electricite", visit));
}

TEST_CASE("search ignores case in Cyrillic") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Засорён водосток у рынка"}, {"language", "ru"}});
  for (const char* words : {"засорён", "ЗАСОРЁН", "Водосток", "рын"}) {
    CAPTURE(words);
    CHECK(s.Finds(words, visit));
  }
  CHECK_FALSE(s.Finds("рынок", visit));
}

TEST_CASE("search snippets mark the hit with brackets") {
  SearchFixture s;
  s.AddVisit({{"notes", "Après la pluie : Inondation du carrefour, 40 cm d'eau."}});
  auto hits = s.Search("inondation");
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].snippet.find("[Inondation]") != std::string::npos);
  CHECK(hits[0].title.find("Drain D-14") != std::string::npos);  // visit titles name the site
  CHECK(hits[0].type == RecordType::kVisit);
}

TEST_CASE("search ranks a title hit before a body-only hit") {
  SearchFixture s;
  const std::string body_only = s.AddPractice(
      {{"title", "Community kitchens"},
       {"solution", "Kitchens share cooking space; residents also maintain rainwater cisterns on the roof."}});
  const std::string title_hit =
      s.AddPractice({{"title", "Rainwater cisterns for schools"}, {"solution", "Tanks collect roof runoff."}});
  auto hits = s.Search("cisterns");
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].id == title_hit);
  CHECK(hits[1].id == body_only);
  CHECK(hits[0].rank <= hits[1].rank);  // bm25: lower is better
}

TEST_CASE("a choice answer is searchable by its English and French label") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"answers", {{"asset_type", "culvert"}, {"blockage_cause", {"vegetation"}}}}});
  const std::string other = s.AddVisit({{"answers", {{"asset_type", "manhole"}}}});
  CHECK(s.Finds("culvert", visit));
  CHECK(s.Finds("dalot", visit));  // fr: "Dalot / buse"
  CHECK(s.Finds("buse", visit));
  CHECK_FALSE(s.Finds("culvert", other));
  CHECK(s.Finds("regard", other));  // fr label of manhole
  CHECK(s.Finds("vegetation", visit));
}

TEST_CASE("deleted records leave the results and come back on restore") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Dépôt sauvage près du marché"}});
  const std::string practice = s.AddPractice({{"title", "Marché propre"}});
  CHECK(s.Search("marche").size() == 2);
  REQUIRE_OK(s.fx->Commit({DeleteRecord{RecordType::kVisit, visit}, DeleteRecord{RecordType::kPractice, practice}}));
  CHECK(s.Search("marche").empty());
  REQUIRE_OK(s.fx->Commit({RestoreRecord{RecordType::kVisit, visit}}));
  CHECK(s.Finds("marche", visit));
  CHECK_FALSE(s.Finds("marche", practice));
  REQUIRE_OK(s.fx->Commit({RestoreRecord{RecordType::kPractice, practice}}));
  CHECK(s.Search("marche").size() == 2);
}

TEST_CASE("edits update the search index") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Grille cassée"}});
  CHECK(s.Finds("grille", visit));
  REQUIRE_OK(s.fx->Commit({SetFields{RecordType::kVisit, visit, {{"notes", "Couvercle manquant"}}}}));
  CHECK_FALSE(s.Finds("grille", visit));
  CHECK(s.Finds("couvercle", visit));
  REQUIRE_OK(s.fx->Commit({SetFields{RecordType::kVisit, visit, {{"answers.asset_type", "manhole"}}}}));
  CHECK(s.Finds("manhole", visit));
  CHECK_FALSE(s.Finds("culvert", visit));
  // One document per record however often it changes.
  CHECK(s.Search("couvercle").size() == 1);
  s.fx.Reopen();
  CHECK(s.Finds("couvercle", visit));
}

TEST_CASE("site rename updates the titles of its visits") {
  SearchFixture s;
  const std::string visit = s.AddVisit({});
  CHECK(s.Finds("D-14", visit));
  REQUIRE_OK(s.fx->Commit({SetFields{RecordType::kSite, s.seeded.site_id, {{"name", "Uzuri footbridge"}}}}));
  auto hits = s.Search("uzuri", RecordType::kVisit);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].id == visit);
  CHECK(hits[0].title.find("Uzuri footbridge") != std::string::npos);
  CHECK(s.Search("D-14", RecordType::kVisit).empty());
  CHECK(s.Search("uzuri", RecordType::kSite).size() == 1);
}

int64_t Queued(const std::string& path) {
  auto db = testing::OpenRawDb(path);
  auto q = Unwrap(db->Prepare("SELECT count(*) FROM search_pending"));
  REQUIRE(Unwrap(q.Step()));
  return q.Int(0);
}

TEST_CASE("a save queues its record and the next search finds it") {
  SearchFixture s;
  s.Search("anything");  // the seeded workspace and site are indexed
  CHECK(Queued(s.fx.path) == 0);
  const std::string a = s.AddVisit({{"notes", "Caniveau bouche par le sable"}});
  const std::string b = s.AddVisit({{"notes", "Caniveau propre"}});
  const std::string c = s.AddVisit({{"notes", "Caniveau casse"}});
  CHECK(Queued(s.fx.path) == 3);           // the saves did not index
  CHECK(Unwrap(s.fx->search().IndexPending(0)) == 3);  // 0: only counts
  CHECK(Unwrap(s.fx->search().IndexPending(1)) == 2);  // one indexed, two left
  CHECK(s.Finds("caniveau sable", a));    // the search indexes the rest first, in one go
  CHECK(Queued(s.fx.path) == 0);
  CHECK(s.Finds("propre", b));
  CHECK(s.Finds("casse", c));
}

TEST_CASE("the search queue is saved with the record and survives a restart") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Tas d'ordures au marche"}});
  s.fx.Reopen();  // as after the app was killed right after the save
  CHECK(Queued(s.fx.path) > 0);
  CHECK(s.Finds("ordures", visit));
}

TEST_CASE("a queued record is indexed as it is when the queue is read") {
  SearchFixture s;
  const std::string edited = s.AddVisit({{"notes", "premier texte"}});
  const std::string gone = s.AddVisit({{"notes", "bientot efface"}});
  CHECK(s.Finds("premier", edited));
  // Edited and deleted between two searches: neither the old text nor the
  // deleted record may be found; the new text is.
  REQUIRE_OK(s.fx->Commit({SetFields{RecordType::kVisit, edited, {{"notes", "second texte"}}}}));
  REQUIRE_OK(s.fx->Commit({SetFields{RecordType::kVisit, gone, {{"notes", "efface quand meme"}}}}));
  REQUIRE_OK(s.fx->Commit({DeleteRecord{RecordType::kVisit, gone}}));
  CHECK(s.Search("premier").empty());
  CHECK(s.Finds("second", edited));
  CHECK(s.Search("efface").empty());
  REQUIRE_OK(s.fx->Commit({RestoreRecord{RecordType::kVisit, gone}}));
  CHECK(s.Finds("quand meme", gone));
}

TEST_CASE("a site renamed by another device re-titles its visits here") {
  SearchFixture s;
  const std::string visit = s.AddVisit({});
  CHECK(s.Finds("D-14", visit));
  // Everything here is sent and taken first (an unsent local name would win).
  auto pending = Unwrap(s.fx->replica().PendingChanges(1000));
  REQUIRE_OK(s.fx->replica().MarkSent(pending.front().device_seq, pending.back().device_seq));
  SyncBatch sent;
  ServerVersion v = 0;
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) {
    sent.acks.push_back({pending[i].device_seq, ++v, ChangeOutcome::kApplied, ClockFlag::kNone, ""});
  }
  sent.cursor = v;
  REQUIRE_OK(s.fx->replica().ApplySyncBatch(sent));
  FieldChange c;
  c.type = ChangeType::kSite;
  c.record_id = s.seeded.site_id;
  c.workspace_id = s.seeded.workspace_id;
  c.field = "name";
  c.value = "Msimbazi outfall";
  c.device_id = "tablet-b";
  c.device_seq = 1;
  c.time = "2026-12-01T09:00:00.000Z";
  c.author = "Bakari";
  c.version = v + 1;
  SyncBatch b;
  b.changes.push_back(c);
  b.cursor = v + 1;
  REQUIRE_OK(s.fx->replica().ApplySyncBatch(b));
  auto hits = s.Search("msimbazi", RecordType::kVisit);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].id == visit);
  CHECK(s.Search("D-14", RecordType::kVisit).empty());
}

TEST_CASE("the idle indexer does not wait while another connection writes") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Bouche d'egout cassee"}});
  auto sync = testing::OpenRawDb(s.fx.path);  // as the sync client's connection
  REQUIRE_OK(sync->Exec("BEGIN IMMEDIATE"));
  Result<int64_t> step = s.fx->search().IndexPending(32, /*wait_for_lock=*/false);
  CHECK(step.status().code() == Code::kBusy);
  CHECK(Unwrap(s.fx->search().IndexPending(0)) > 0);  // counting needs no lock: nothing lost
  REQUIRE_OK(sync->Exec("COMMIT"));
  CHECK(Unwrap(s.fx->search().IndexPending(32, /*wait_for_lock=*/false)) == 0);
  CHECK(s.Finds("egout", visit));
}

TEST_CASE("a visit of a form another process added is indexed with that form") {
  SearchFixture s;
  s.Search("anything");
  // The sync client writes through a Store of its own: the form and a visit
  // of it arrive there, and this Store indexes the visit.
  auto other = testing::OpenStore(&s.fx.env, s.fx.path);
  json v2 = other->FindForm("drainage_flood@1.0")->source;
  v2["version"] = "1.1";
  v2["title"] = {{"en", "Stormwater inspection"}, {"fr", "Inspection pluviale"}};
  REQUIRE_OK(other->AddForm(Unwrap(ParseForm(v2))));
  const std::string visit = testing::AddVisit(other.get(), &s.fx.env, s.seeded.site_id,
                                              {{"form", "drainage_flood@1.1"}, {"notes", "x"}});
  other.reset();
  CHECK(s.fx->FindForm("drainage_flood@1.1") == nullptr);  // not read here yet
  auto hits = s.Search("stormwater", RecordType::kVisit);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].id == visit);
}

TEST_CASE("FTS syntax in a query never causes an error") {
  SearchFixture s;
  const std::string visit = s.AddVisit({{"notes", "Inondation near the market OR the school"}});
  for (const char* q : {"\"", "\"\"", "*", "OR", "AND", "NOT", "NEAR(", "NEAR(a b", "-", "--", "(", ")", "^", ":",
                        "title:inondation", "inondation OR", "OR inondation", "\"inondation", "inondation*",
                        "-inondation", "inondation NOT", "{title body}: x", "a + b", "'", "\\", "%", "_",
                        "–", "«»", "…", "\xC2\xA0", "\xFF\xFE", "\xE2\x80", "🌊", "NEAR(inondation school, 5)"}) {
    INFO("query: ", q);
    Result<std::vector<SearchHit>> r = s.fx->search().Find(testing::TextQuery(q));
    CHECK_MESSAGE(r.ok(), r.status().ToString());
  }
  CHECK(s.Finds("\"inondation", visit));
  CHECK(s.Finds("-inondation", visit));
  CHECK(s.Finds("inondation OR", visit));  // OR is a word here, and the notes contain it
  CHECK(s.Search("").empty());
  CHECK(s.Search("  !!! ").empty());
}

TEST_CASE("search filters by record type and honours the limit") {
  SearchFixture s;
  for (int i = 0; i < 5; ++i) s.AddVisit({{"notes", "caniveau " + std::to_string(i)}});
  const std::string practice = s.AddPractice({{"title", "Curage des caniveaux"}});
  CHECK(s.Search("caniveau").size() == 6);
  CHECK(s.Search("caniveau", RecordType::kVisit).size() == 5);
  auto practices = s.Search("caniveau", RecordType::kPractice);
  REQUIRE(practices.size() == 1);
  CHECK(practices[0].id == practice);
  CHECK(Unwrap(s.fx->search().Find(testing::TextQuery("caniveau", std::nullopt, 2))).size() == 2);
  CHECK(s.Search("caniveau", RecordType::kContact).empty());
}

}  // namespace
}  // namespace ccfield::store_test

namespace ccfield::store_test {
namespace {

// Visits are ranked among their newest 2,000 matches (bm25 over every match
// of a common word is too slow at 100k visits). Older visits, and every other
// record type, must still be found.
TEST_CASE("a common word over many visits still finds practices and the best newest visits") {
  SearchFixture s;
  const std::string practice = s.AddPractice({{"title", "Drain cleaning cooperatives"}});
  const std::string old_title_hit = s.AddVisit({{"notes", "zebracrossing drain"}});
  std::vector<Op> ops;
  for (int i = 0; i < 2100; ++i) {
    ops.push_back(SetFields{RecordType::kVisit, NewUuid(&s.fx.env),
                            testing::VisitFields(s.seeded.site_id, {{"notes", "drain silt " + std::to_string(i)}})});
  }
  REQUIRE_OK(s.fx->Commit(ops));
  auto hits = s.Search("drain");
  REQUIRE(hits.size() == 20);
  CHECK(std::any_of(hits.begin(), hits.end(), [&](const SearchHit& h) { return h.id == practice; }));
  CHECK(s.Search("drain", RecordType::kPractice).size() == 1);
  CHECK(s.Finds("zebracrossing", old_title_hit));  // a rare word reaches the oldest visit
}

}  // namespace
}  // namespace ccfield::store_test
