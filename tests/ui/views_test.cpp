// The views driven like a person, headless: clicks and typing go through
// ImGui's input, the views emit commands, the App applies them to a real
// store. Each test asserts on the commands and on what the store then holds.
#include <doctest/doctest.h>

#include <filesystem>

#include "ccfield/core/store.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "text/i18n.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

TEST_CASE("views: create a visit through the form editor, fill a choice and a number, save") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  std::string site_id = StartVisit(fx, h).id;
  const FormDef& form = Drainage(fx.app.get());

  views::UiDriver d;
  d.Click(OptionLabel(form, "asset_type", "culvert"));
  d.Click(OptionLabel(form, "blockage_pct", "50_75"));
  d.Click("number:answers.depth_m");
  d.Type("0,8");  // a decimal comma is read as a point
  d.Click("Notes");
  d.Type("Culvert under the footbridge half full of sand");
  d.Click("Save");
  h.Run(d);

  auto news = CommandsOf<app::NewVisit>(h.applied());
  REQUIRE(news.size() == 1);
  CHECK(news[0].site_id == site_id);
  auto edits = CommandsOf<app::EditField>(h.applied());
  bool chose = false;
  for (const auto& e : edits) chose |= e.field == "answers.asset_type" && e.value == "culvert";
  CHECK(chose);
  CHECK(edits.back().field == "notes");
  CHECK(CommandsOf<app::SaveVisit>(h.applied()).size() == 1);

  const app::EditorState& ed = fx.app->state().editor;
  CHECK(ed.errors.empty());
  CHECK_FALSE(ed.dirty);
  Result<Record> saved = fx.app->store()->Get(RecordType::kVisit, ed.visit_id);
  REQUIRE(saved.ok());
  CHECK(saved->Get("answers")["asset_type"] == "culvert");
  CHECK(saved->Get("answers")["blockage_pct"] == "50_75");
  CHECK(saved->Get("answers")["depth_m"] == 0.8);
  CHECK(saved->Get("notes") == "Culvert under the footbridge half full of sand");
  CHECK(saved->Get("site_id") == site_id);
  // Saved means no draft is left behind.
  CHECK(fx.app->store()->drafts().List().value().empty());

  SUBCASE("and find it by search, with the match highlighted") {
    views::UiDriver s;
    s.Click("Visits");
    s.Click("Search visits");
    s.Type("footbridge");
    h.Run(s);
    const app::VisitsState& v = fx.app->state().visits;
    REQUIRE(v.searching);
    bool found = false;
    for (const app::VisitHit& hit : v.hits) {
      if (hit.row.id == ed.visit_id) {
        found = true;
        CHECK(hit.snippet.find("[footbridge]") != std::string::npos);
      }
    }
    CHECK(found);
    // And open it from the result list.
    views::UiDriver o;
    o.Click("row:" + fx.app->state().visits.hits.front().row.site_name);
    h.Run(o);
    CHECK(fx.app->state().screen == app::Screen::kEditor);
  }
}

TEST_CASE("views: validation messages sit next to the field and block completing") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  views::UiDriver d;
  d.Click("number:answers.width_m");
  d.Type("wide");
  d.Click("Save as complete");
  h.Run(d);
  const app::EditorState& ed = fx.app->state().editor;
  CHECK(ed.errors.count("answers.width_m") == 1);
  CHECK(ed.errors.count("answers.asset_type") == 1);  // required, unanswered
  CHECK(ed.dirty);
  // Nothing was written to the visit.
  CHECK_FALSE(fx.app->store()->Get(RecordType::kVisit, ed.visit_id).ok());
}

TEST_CASE("views: shown-when questions appear only when their condition holds") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  const FormDef& form = Drainage(fx.app.get());
  auto visible = [](const std::string& label) {
    for (const auto& item : views::LastFrameItems()) {
      if (item.label == label) return true;
    }
    return false;
  };
  h.Frame();
  CHECK_FALSE(visible("number:answers.diameter_mm"));
  views::UiDriver d;
  d.Click(OptionLabel(form, "asset_type", "culvert"));
  h.Run(d);
  CHECK(visible("number:answers.diameter_mm"));
}

TEST_CASE("views: typing is kept as a draft within 2 s and restored after a crash") {
  AppFixture fx;
  std::string visit_id;
  {
    HeadlessUi h(fx.app.get(), &fx.env);
    StartVisit(fx, h);
    visit_id = fx.app->state().editor.visit_id;
    views::UiDriver d;
    d.Click("Notes");
    d.Type("Water 40 cm deep at the inlet");
    h.Run(d);
    // 2 s after the last keystroke at the latest (frames advance the clock 16 ms each).
    for (int i = 0; i < 125; ++i) h.Frame();
  }
  auto drafts = fx.app->store()->drafts().List();
  REQUIRE(drafts.ok());
  REQUIRE(drafts->size() == 1);
  CHECK(drafts->front().body["values"]["notes"] == "Water 40 cm deep at the inlet");

  // A crash: only what reached the files counts. Copy the store (with its
  // write-ahead log) while the App is still running, as a power cut would
  // leave it, and start a new App on the copy. (tests/app kills the real
  // binary with SIGKILL.)
  testing::TempDir after_crash;
  for (const char* f : {"ccfield.db", "ccfield.db-wal"}) {
    std::error_code ec;
    std::filesystem::copy_file(fx.dir.File(f), after_crash.File(f), ec);
    REQUIRE_MESSAGE((!ec || std::string(f) == "ccfield.db-wal"), ec.message());
  }
  fx.app.reset();
  fx.Open(after_crash.path());
  const app::EditorState& ed = fx.app->state().editor;
  CHECK(fx.app->state().screen == app::Screen::kEditor);
  CHECK(ed.restored);
  CHECK(ed.visit_id == visit_id);
  CHECK(ed.values["notes"] == "Water 40 cm deep at the inlet");
}

TEST_CASE("views: resolve a conflict by keeping the other version") {
  AppFixture fx;
  Store* store = fx.app->store();
  // A visit this device wrote, and a conflict on its notes as a sync brings it.
  Record visit = testing::FirstRecord(store, RecordType::kVisit);
  FieldConflict c = testing::NotesConflict(visit, "c0ffee00-0000-4000-8000-000000000001",
                                          "Drain blocked by sand and plastic; cleared one metre", "amina", "joao");
  testing::ApplyConflict(store, c);

  HeadlessUi h(fx.app.get(), &fx.env);
  testing::ClickAndRun(h, "Conflicts");
  REQUIRE(fx.app->state().conflicts.open.size() == 1);
  CHECK(fx.app->state().conflicts.open[0].other_text == c.loser.get<std::string>());
  views::UiDriver k;
  k.Click("Keep other");
  h.Run(k);
  auto resolved = CommandsOf<app::ResolveConflict>(h.applied());
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].conflict_id == c.id);
  CHECK(fx.app->state().conflicts.open.empty());
  CHECK(store->Get(RecordType::kVisit, visit.id).value().Get("notes") == c.loser);
  // Resolving is an ordinary edit: it is in the history and waits to be synced.
  auto history = store->History(visit.id).value();
  CHECK(history.back().field == "notes");
  CHECK(history.back().value == c.loser);
}

// Issue 14: a conflict between two other people is kept on the device, out
// of Home's count and the Conflicts list, in a section a person can open.
TEST_CASE("views: other people's conflicts are not counted or listed, and open in their own section") {
  AppFixture fx;
  Store* store = fx.app->store();
  Record visit = testing::FirstRecord(store, RecordType::kVisit);
  const std::string ws = visit.Get("workspace_id").get<std::string>();
  SyncSettings me = testing::Unwrap(store->replica().GetSyncSettings());
  me.username = "carol";  // signed in here; field staff of the visit's workspace
  REQUIRE(store->replica().SaveSyncSettings(me).ok());
  REQUIRE(store->replica().SaveMemberships("carol", {{ws, "field_staff"}}).ok());
  FieldConflict c = testing::NotesConflict(visit, "c0ffee00-0000-4000-8000-000000000003", "Drain blocked by sand",
                                           "Bob", "Alice");
  c.workspace_id = ws;
  c.winner_user = "bob";
  c.loser_user = "alice";
  testing::ApplyConflict(store, c);

  HeadlessUi h(fx.app.get(), &fx.env);
  testing::ClickAndRun(h, "Home");
  CHECK(fx.app->state().home.open_conflicts == 0);
  testing::ClickAndRun(h, "Conflicts");
  CHECK(fx.app->state().conflicts.open.empty());
  REQUIRE(fx.app->state().conflicts.others.size() == 1);
  CHECK(fx.app->state().conflicts.others[0].other_who == "from alice's tablet");
  views::UiDriver d;
  d.Click("Other people's conflicts (1)");
  d.Click("Keep other");  // only drawn once the section is open
  h.Run(d);
  auto resolved = CommandsOf<app::ResolveConflict>(h.applied());
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].conflict_id == c.id);
  CHECK(store->Get(RecordType::kVisit, visit.id).value().Get("notes") == c.loser);
}

TEST_CASE("views: the history words the server's clock flag in the person's language") {
  AppFixture fx;
  Store* store = fx.app->store();
  testing::Seeded seeded = testing::SeedSite(store, &fx.env);
  // The server took every change but doubted the device's clock (ahead of its own).
  SyncBatch b;
  int64_t version = 0;
  const std::vector<ChangeEntry> pending = testing::Unwrap(store->replica().PendingChanges(1000));
  for (size_t i = 0; i < pending.size(); i = EntryEnd(pending, i)) {  // an ack per entry, for all its fields
    b.acks.push_back({pending[i].device_seq, ++version, ChangeOutcome::kApplied, ClockFlag::kFuture, ""});
  }
  REQUIRE_FALSE(b.acks.empty());
  REQUIRE(store->replica().ApplySyncBatch(b).ok());
  fx.app->Apply(app::SetLanguage{"fr"});
  fx.app->Apply(app::OpenHistory{seeded.site_id});
  const app::HistoryState& h = fx.app->state().history;
  REQUIRE(h.clock_notes.size() == h.changes.size());
  REQUIRE_FALSE(h.clock_notes.empty());
  CHECK(h.clock_notes.front().find("L’horloge de l’appareil était en avance") != std::string::npos);
  HeadlessUi ui(fx.app.get(), &fx.env);
  views::UiDriver d;
  ui.Run(d);  // the history screen draws with the notes
  fx.app->Apply(app::SetLanguage{"en"});
}

TEST_CASE("views: the visit list draws only the rows on screen") {
  AppFixture fx;
  Store* store = fx.app->store();
  std::string site = testing::FirstRecord(store, RecordType::kSite).id;
  std::vector<Op> ops;
  for (int i = 0; i < 3000; ++i) {
    ops.push_back(SetFields{RecordType::kVisit, NewUuid(&fx.env),
                            testing::VisitFields(site, {{"notes", "Routine check " + std::to_string(i)}})});
  }
  REQUIRE(store->Commit(ops).ok());
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Visits");
  h.Run(d);
  REQUIRE(fx.app->state().visits.rows.size() > 3000);
  int rows = 0;
  for (const auto& item : views::LastFrameItems()) rows += item.label.rfind("row:", 0) == 0;
  CHECK(rows > 5);
  CHECK(rows < 60);
  // Scrolling moves the window over the list without drawing more.
  views::UiDriver s;
  s.Wheel(views::LastFrameItems().back().label, -50);
  h.Run(s);
  int after = 0;
  for (const auto& item : views::LastFrameItems()) after += item.label.rfind("row:", 0) == 0;
  CHECK(after < 60);
}

TEST_CASE("views: filters narrow the visit list") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Visits");
  h.Run(d);
  size_t all = fx.app->state().visits.rows.size();
  REQUIRE(all > 3);
  views::UiDriver p;
  p.Click("P1");
  h.Run(p);
  const auto& rows = fx.app->state().visits.rows;
  CHECK(rows.size() < all);
  for (const VisitRow& r : rows) CHECK(r.follow_up_priority == "P1");
  views::UiDriver from;
  from.Click("From");
  from.Type("2026-11-01");
  h.Run(from);
  for (const VisitRow& r : fx.app->state().visits.rows) CHECK(r.started_at.substr(0, 10) >= "2026-11-01");
}

TEST_CASE("views: settings change the language, the text size and the theme") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Settings");
  d.Click("High contrast (sunlight)");
  d.Click("150 %");
  d.Click("Français");
  h.Run(d);
  CHECK(fx.app->settings().theme == app::Theme::kHighContrast);
  CHECK(fx.app->settings().text_scale == doctest::Approx(1.5));
  CHECK(fx.app->settings().language == "fr");
  // Kept for the next start.
  fx.app.reset();
  fx.Open();
  CHECK(fx.app->settings().language == "fr");
  CHECK(fx.app->settings().theme == app::Theme::kHighContrast);
  (void)ui::SetLanguage("en");
}

}  // namespace
}  // namespace ccfield::view_test
