// The visit editor a field worker can trust (issue 9), headless: the form
// does not move under a finger, messages name the field, notes wrap while
// typing without gaining newlines, dates come from a calendar, positions read
// as degrees, and every touch target is finger-sized. The views are driven
// through ImGui's input (UiDriver); the App writes to a real store.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "app/display.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "text/i18n.h"
#include "text/scripts.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/fonts.h"
#include "views/theme.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

// The item drawn under `label` on the last frame, or nullptr.
const views::LoggedItem* Item(const std::string& label) {
  for (const views::LoggedItem& item : views::LastFrameItems()) {
    if (item.label == label) return &item;
  }
  return nullptr;
}

// Whether the item's centre is on screen inside its window (a finger can reach it).
bool OnScreen(const views::LoggedItem& item) {
  const float cy = (item.min.y + item.max.y) / 2;
  return item.visible && cy >= item.clip_min.y && cy <= item.clip_max.y;
}

// Adds to `d`: a click on the field drawn as `label`, then typing `text` into it.
void TypeInto(views::UiDriver& d, const std::string& label, const std::string& text) {
  d.Click(label);
  d.Type(text);
}

// Fonts and style as the window has them at 100 % text: 18 px DejaVu Sans.
void LikeTheWindow(float scale = 1.0f) {
  std::string error;
  REQUIRE_MESSAGE(views::BuildFonts(ui::kLatin, 18.0f * scale, &error), error);
  views::ApplyTheme(app::Theme::kLight, scale);
}

TEST_CASE("editor: a new visit opened and closed untouched leaves no draft") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  for (int i = 0; i < 120; ++i) h.Frame();  // longer than the draft delay
  CHECK(fx.app->store()->drafts().List().value().empty());
  views::UiDriver d;
  d.Click("Close");
  h.Run(d);
  CHECK_FALSE(fx.editor().open);
  CHECK(fx.app->store()->drafts().List().value().empty());
  CHECK(fx.app->state().home.unsaved_drafts.empty());
  CHECK(fx.app->state().message.empty());  // no "kept as a draft"
}

TEST_CASE("editor: status lines and notices never move the form") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  const FormDef& form = Drainage(fx.app.get());
  const std::string target = OptionLabel(form, "asset_type", "culvert");
  h.Frame();
  REQUIRE(Item(target));
  const float y0 = Item(target)->min.y;
  views::UiDriver d;
  TypeInto(d, "number:answers.width_m", "wide");  // an error: the status row says so, the notice bar too after saving
  d.Click("Save as complete");
  h.Run(d);
  REQUIRE(!fx.editor().errors.empty());
  for (int i = 0; i < 90; ++i) h.Frame();  // the draft is written: the status row changes text
  REQUIRE(!fx.editor().draft_saved_at.empty());
  views::UiDriver w;
  w.Wheel("number:answers.width_m", 3);  // back to the top
  h.Run(w);
  REQUIRE(Item(target));
  CHECK(Item(target)->min.y == doctest::Approx(y0));
  CHECK(Item("editor status"));
}

TEST_CASE("editor: a restored draft scrolls once to the field typed last, then never moves") {
  AppFixture fx;
  {
    HeadlessUi h(fx.app.get(), &fx.env);
    StartVisit(fx, h);
    views::UiDriver d;
    d.Click("Notes");
    d.Type("Water 40 cm deep at the inlet");
    h.Run(d);
  }
  fx.app.reset();  // writes the pending draft
  fx.Open();
  REQUIRE(fx.editor().restored);
  REQUIRE(fx.editor().last_field == "notes");
  REQUIRE(fx.app->state().message == "Your unsaved edits were restored.");
  HeadlessUi h(fx.app.get(), &fx.env);
  h.Frame();
  h.Frame();
  std::vector<float> ys;
  for (int i = 0; i < 40; ++i) {
    h.Frame();
    const views::LoggedItem* notes = Item("Notes");
    REQUIRE(notes);
    CHECK(OnScreen(*notes));
    ys.push_back(notes->min.y);
  }
  CHECK(std::all_of(ys.begin(), ys.end(), [&](float y) { return y == ys.front(); }));
  // Dismissing the notice and typing on do not move it either.
  views::UiDriver d;
  d.Click("Dismiss");
  d.Click("Notes");
  d.Type(", still rising");
  h.Run(d);
  CHECK(fx.app->state().message.empty());
  REQUIRE(Item("Notes"));
  CHECK(Item("Notes")->min.y == doctest::Approx(ys.front()));
  CHECK(fx.editor().values["notes"] == "Water 40 cm deep at the inlet, still rising");
}

TEST_CASE("editor: validation messages name the field in words") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  views::UiDriver d;
  TypeInto(d, "number:gps_lat", "95");
  TypeInto(d, "number:answers.width_m", "wide");
  TypeInto(d, "number:answers.depth_m", "30");
  h.Run(d);
  const auto& errors = fx.editor().errors;
  CHECK(errors.at("gps_lat") == "Latitude must be between \u221290 and 90.");
  CHECK(errors.at("answers.width_m") == "Width must be a number.");
  CHECK(errors.at("answers.depth_m") == "Depth must be between 0 m and 20 m.");
  for (const auto& [field, message] : errors) {
    CAPTURE(message);
    CHECK(message.find("answer ") == std::string::npos);  // never the core's codes
    CHECK(message.find(field) == std::string::npos);
  }
  // In French, with the French labels.
  REQUIRE(ui::SetLanguage("fr").empty());
  CHECK(app::VisitValueProblem(&Drainage(fx.app.get()), "gps_lat", 95.0, "fr") ==
        "Latitude : saisissez une valeur entre \u221290 et 90.");
  (void)ui::SetLanguage("en");
}

TEST_CASE("editor: Go to first problem scrolls to and focuses the first field with an error") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  views::UiDriver d = testing::RequiredAnswers(fx.app.get());
  TypeInto(d, "number:answers.sediment_depth_cm", "deep");
  TypeInto(d, "number:gps_lat", "-95");
  d.Click("Save as complete");
  d.Wheel("number:gps_lat", -40);  // to the end of the form: the first problem is out of sight
  h.Run(d);
  REQUIRE(fx.editor().errors.size() == 3);  // and "enter both" under the longitude
  REQUIRE(fx.editor().errors.count("gps_lon") == 1);
  REQUIRE(Item("number:answers.sediment_depth_cm"));
  REQUIRE_FALSE(OnScreen(*Item("number:answers.sediment_depth_cm")));
  views::UiDriver go;
  go.Click("Go to first problem");
  h.Run(go);
  const views::LoggedItem* problem = Item("number:answers.sediment_depth_cm");
  REQUIRE(problem);
  CHECK(OnScreen(*problem));
  CHECK(problem->active);  // the keyboard is in it: typing fixes it
  views::UiDriver fix;
  fix.Type("12");
  h.Run(fix);
  CHECK(fx.editor().values["answers"]["sediment_depth_cm"] == 12);
  CHECK(fx.editor().errors.count("answers.sediment_depth_cm") == 0);
}

TEST_CASE("editor: a follow-up marked Yes needs priority, due date and action before Save as complete") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  views::UiDriver d = testing::RequiredAnswers(fx.app.get());
  d.Click("yes:follow_up_needed");
  d.Click("Save as complete");
  h.Run(d);
  const std::string needed = "Needed to complete a visit with a follow-up.";
  for (const char* k : {"follow_up_priority", "follow_up_due", "follow_up_action"}) {
    CAPTURE(k);
    CHECK(fx.editor().errors.count(k) == 1);
    if (fx.editor().errors.count(k)) CHECK(fx.editor().errors.at(k) == needed);
  }
  CHECK_FALSE(fx.app->store()->Get(RecordType::kVisit, fx.editor().visit_id).ok());
  // The messages sit under their fields.
  for (const views::LoggedItem& item : views::LastFrameItems()) CHECK(item.label != needed);

  // A plain save keeps an unfinished follow-up.
  views::UiDriver s;
  s.Click("Save");
  h.Run(s);
  CHECK(fx.editor().errors.empty());
  Result<Record> saved = fx.app->store()->Get(RecordType::kVisit, fx.editor().visit_id);
  REQUIRE(saved.ok());
  CHECK(saved->Get("status") == "draft");

  views::UiDriver fill;
  fill.Click("P1");
  fill.Click("Due");
  fill.Type("2026-12-01");
  fill.Click("Follow-up action");
  fill.Type("Desilt the culvert before the rains");
  fill.Click("Save as complete");
  h.Run(fill);
  CHECK(fx.editor().errors.empty());
  saved = fx.app->store()->Get(RecordType::kVisit, fx.editor().visit_id);
  REQUIRE(saved.ok());
  CHECK(saved->Get("status") == "complete");
  CHECK(saved->Get("follow_up_priority") == "P1");
  CHECK(saved->Get("follow_up_due") == "2026-12-01");
  // Changing the answer to No drops what was asked for it.
  views::UiDriver no;
  no.Click("yes:follow_up_needed");
  no.Click("Save as complete");
  no.Click("no:follow_up_needed");
  h.Run(no);
  CHECK(fx.editor().errors.empty());
}

TEST_CASE("editor: notes wrap while typing, the stored notes get no extra line breaks") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  const std::string sentence =
      "Culvert under the footbridge is half blocked with plastic bottles and silt; water backs up into the lane "
      "after ten minutes of rain and the residents say it has been like this since the March floods. The outlet "
      "apron is cracked and the headwall leans towards the channel. Two gully grates upstream are missing and "
      "children play near the open inlet; the ward office was told in October.";
  views::UiDriver d;
  d.Click("Notes");
  d.Type(sentence);
  h.Run(d, 2000);
  CHECK(fx.editor().values["notes"] == sentence);
  const std::string shown = views::EditedBoxDisplay();
  CHECK(std::count(shown.begin(), shown.end(), '\n') >= 2);  // wrapped on screen
  // Every soft break sits after a space that is still there.
  CHECK(shown.find(" \n") != std::string::npos);
  CHECK(shown.find("\n ") == std::string::npos);
  // Enter is the person's own line break, kept once; Backspace removes it.
  views::UiDriver more;
  more.Key("enter");
  more.Type("Second visit needed.");
  h.Run(more);
  CHECK(fx.editor().values["notes"] == sentence + "\nSecond visit needed.");
  views::UiDriver back;
  for (int i = 0; i < 21; ++i) back.Key("backspace");
  h.Run(back);
  CHECK(fx.editor().values["notes"] == sentence);
  // The box is still on screen while typing.
  REQUIRE(Item("Notes"));
  CHECK(OnScreen(*Item("Notes")));
}

TEST_CASE("editor: the follow-up date comes from a calendar or is typed") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  StartVisit(fx, h);
  const std::string today = fx.editor().today;
  REQUIRE(today.size() == 10);
  int y = std::stoi(today.substr(0, 4)), m = std::stoi(today.substr(5, 2));
  m = m == 12 ? 1 : m + 1;
  y = m == 1 ? y + 1 : y;
  char next_month_15[16];
  std::snprintf(next_month_15, sizeof next_month_15, "%04d-%02d-15", y % 10000, m % 100);
  views::UiDriver d;
  d.Click("yes:follow_up_needed");
  d.Click("calendar:Due");
  d.Click("Next month");
  d.Click(std::string("day:") + next_month_15);
  h.Run(d);
  CHECK(fx.editor().values["follow_up_due"] == next_month_15);
  views::UiDriver t;
  t.Click("calendar:Due");
  t.Click("Today");
  h.Run(t);
  CHECK(fx.editor().values["follow_up_due"] == today);
  views::UiDriver c;
  c.Click("calendar:Due");
  c.Click("Clear");
  h.Run(c);
  CHECK(fx.editor().values["follow_up_due"].is_null());
  views::UiDriver typed;
  typed.Click("Due");
  typed.Type("2026-02-30");
  h.Run(typed);
  CHECK(fx.editor().errors.at("follow_up_due") == "Follow-up due must be a real date, written YYYY-MM-DD.");
}

TEST_CASE("editor: positions read as degrees, a visit far from its site warns without blocking") {
  CHECK(app::PositionText(-6.79591, 39.24693, 5) == "6.7959\u00b0 S, 39.2469\u00b0 E \u00b7 \u00b15 m");
  CHECK(app::PositionText(48.1, -1.5) == "48.1000\u00b0 N, 1.5000\u00b0 W");
  CHECK(app::FarFromSiteText(999).empty());
  CHECK(app::FarFromSiteText(1400) == "1.4 km from the site's position \u2014 is this the right site?");

  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  const app::SiteItem site = StartVisit(fx, h);
  REQUIRE(site.has_position);
  REQUIRE(fx.editor().site_has_position);
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return std::string(buf);
  };
  views::UiDriver d;
  TypeInto(d, "number:gps_lat", number(site.lat + 0.0126));  // ~1.4 km north
  TypeInto(d, "number:gps_lon", number(site.lon));
  h.Run(d);
  CHECK(fx.editor().far_from_site == "1.4 km from the site's position \u2014 is this the right site?");
  CHECK(Item("far from site"));
  // Near the site: no warning.
  views::UiDriver near;
  TypeInto(near, "number:gps_lat", number(site.lat + 0.001));
  h.Run(near);
  CHECK(fx.editor().far_from_site.empty());
  CHECK_FALSE(Item("far from site"));
  // Far again, and saving is not blocked.
  views::UiDriver far;
  TypeInto(far, "number:gps_lat", number(site.lat + 0.0126));
  far.Click("Save");
  h.Run(far);
  CHECK(fx.editor().errors.empty());
  CHECK(fx.app->store()->Get(RecordType::kVisit, fx.editor().visit_id).ok());
  CHECK_FALSE(fx.editor().far_from_site.empty());
}

TEST_CASE("views: touch targets are at least 44 px high at 100 % text") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  LikeTheWindow();
  auto check_height = [](const std::string& prefix) {
    int n = 0;
    for (const views::LoggedItem& item : views::LastFrameItems()) {
      if (item.label.rfind(prefix, 0) != 0) continue;
      ++n;
      CAPTURE(item.label);
      CHECK(item.max.y - item.min.y >= 44.0f - 0.01f);
    }
    CHECK_MESSAGE(n > 0, "no item labelled ", prefix);
  };
  // A notice with its Dismiss button: Sync without a server says so.
  views::UiDriver d;
  d.Click("Sync");
  d.Click("Sync now");
  h.Run(d);
  REQUIRE(!fx.app->state().message.empty());
  check_height("Dismiss");
  for (const char* nav : {"Home", "Sites", "Visits", "Settings"}) check_height(nav);
  // List rows and drop-down items.
  views::UiDriver v;
  v.Click("Visits");
  v.Click("Site");  // opens the site drop-down
  h.Run(v);
  check_height("row:");
  check_height("any");
  const std::string first_site = fx.app->state().visits.sites.front().second;
  check_height(first_site);
  views::UiDriver s;
  s.Click("any");
  s.Click("Sites");
  h.Run(s);
  check_height(fx.app->state().sites.all.front().name);
  // Editor inputs.
  const app::SiteItem& site = fx.app->state().sites.all.front();
  views::UiDriver e;
  e.Click(site.name);
  e.Click(PickLabel(Drainage(fx.app.get()).title, "en"));
  e.Click("yes:follow_up_needed");
  h.Run(e);
  check_height("number:gps_lat");
  check_height("Due");
  check_height("calendar:Due");
  check_height("Save as complete");
}

TEST_CASE("views: a quick tap (press and release within a frame) on a list row opens it") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env);
  views::UiDriver d;
  d.Click("Visits");  // the pointer stays over the navigation button
  h.Run(d);
  const std::string label = [] {
    for (const views::LoggedItem& item : views::LastFrameItems()) {
      if (item.label.rfind("row:", 0) == 0) return item.label;
    }
    return std::string();
  }();
  REQUIRE(!label.empty());
  views::UiDriver t;
  t.Tap(label);  // a finger: lands and lifts without hovering first
  h.Run(t);
  CHECK(fx.app->state().screen == app::Screen::kEditor);
  // And on Home and Sites, whose rows are the same widget.
  views::UiDriver s;
  s.Click("Close");
  s.Click("Sites");
  h.Run(s);
  views::UiDriver ts;
  ts.Tap(fx.app->state().sites.all[1].name);
  h.Run(ts);
  CHECK(fx.app->state().sites.selected_id == fx.app->state().sites.all[1].id);
}

TEST_CASE("views: at 200 % text the navigation wraps and Settings stays reachable") {
  AppFixture fx;
  HeadlessUi h(fx.app.get(), &fx.env, ImVec2(1024, 700));
  LikeTheWindow(2.0f);
  h.Frame();
  h.Frame();
  const views::LoggedItem* settings = Item("Settings");
  REQUIRE(settings);
  CHECK(settings->max.x <= 1024);
  CHECK(settings->min.y > Item("Home")->min.y);  // on a second row
  views::UiDriver d;
  d.Click("Settings");
  h.Run(d);
  CHECK(fx.app->state().screen == app::Screen::kSettings);
}

TEST_CASE("display: history and conflicts speak of people, devices and titles, never codes") {
  AppFixture fx;
  Store* store = fx.app->store();
  Record visit = testing::FirstRecord(store, RecordType::kVisit);
  FieldConflict c =
      testing::NotesConflict(visit, "c0ffee00-0000-4000-8000-000000000002", "Drain blocked by sand", "local", "joao");
  c.winner_device = store->device_id();
  c.loser_device = "5d2b2f64-5f43-4a3c-9a55-7e1c8f0d1e22";
  testing::ApplyConflict(store, c);

  HeadlessUi h(fx.app.get(), &fx.env);
  testing::ClickAndRun(h, "Conflicts");
  REQUIRE(fx.app->state().conflicts.open.size() == 1);
  const app::ConflictItem& item = fx.app->state().conflicts.open[0];
  CHECK(item.record_title.find('@') == std::string::npos);  // not "drainage_flood@1.0"
  CHECK(item.record_title == app::RecordTitle(store, visit, "en"));
  CHECK(item.current_who == "on this device");
  CHECK(item.other_who == "from joao's tablet");
  CHECK(item.field_label == "Notes");

  views::UiDriver o;
  o.Click("Visits");
  o.Click("row:");
  o.Click("History");
  h.Run(o);
  const app::HistoryState& hist = fx.app->state().history;
  REQUIRE(!hist.changes.empty());
  REQUIRE(hist.who_texts.size() == hist.changes.size());
  CHECK(hist.title.find('@') == std::string::npos);
  for (size_t i = 0; i < hist.changes.size(); ++i) {
    CAPTURE(hist.who_texts[i]);
    CAPTURE(hist.field_labels[i]);
    CHECK(hist.who_texts[i].find("local") == std::string::npos);
    CHECK(hist.who_texts[i].find(hist.changes[i].device_id) == std::string::npos);
    CHECK(hist.field_labels[i].find('_') == std::string::npos);
    CHECK(!IsUuid(hist.value_texts[i]));
  }
  CHECK(app::AuthorName(store, "local") == "you");
  CHECK(app::DeviceText(store, store->device_id(), "local") == "this device");
  CHECK(app::DeviceText(store, "server", "amina") == "the platform");
  // Received changes: the user the server vouches for, and a typed name only when it says something else.
  CHECK(app::VerifiedAuthorName(store, "Mallory", "bob") == "bob, signed as Mallory");
  CHECK(app::VerifiedAuthorName(store, "Bob", "bob") == "bob");
  CHECK(app::VerifiedAuthorName(store, "local", "bob") == "bob");
  CHECK(app::VerifiedAuthorName(store, "joao", "") == "joao");
}

TEST_CASE("display: library values in words") {
  CHECK(app::TopicText("solid_waste") == "Solid waste");
  CHECK(app::TopicText("street_lighting") == "Street lighting");
  CHECK(app::CountryName("TZ") == "Tanzania");
  CHECK(app::CountryName("XX") == "XX");
  CHECK(app::LanguageName("pt-MZ") == "Portugu\u00eas (Mozambique)");
  CHECK(app::LanguageName("sw") == "Kiswahili");
  CHECK(app::ProjectStatusText("active") == "active");
  REQUIRE(ui::SetLanguage("fr").empty());
  CHECK(app::CountryName("ZA") == "Afrique du Sud");
  CHECK(app::TopicText("drainage") == "Drainage et inondations");
  (void)ui::SetLanguage("en");
}

}  // namespace
}  // namespace ccfield::view_test
