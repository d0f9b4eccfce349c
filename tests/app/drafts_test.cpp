// Unsaved typing in the visit editor survives the app's end, however it ends:
// killed (kill -9) mid-sentence, quit without saving, or closed by the system
// (SIGTERM, which SDL turns into a window close). The real binary types into
// the Notes field through a UI script while this test reads the drafts from
// the same SQLite file with its own Store (another process, as supported).
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app_process.h"
#include "app_test_util.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/env.h"

namespace ccfield::testing {
namespace {

using std::chrono::milliseconds;

// Reaches a new visit's editor (Sites -> a site -> a form) and puts the text
// cursor in Notes.
const std::vector<std::string> kNewVisitNotes = {
    "click Sites", "click Mto Ng'ombe channel", "click Drainage & flood hotspot inspection", "expect Save as complete",
    "click Notes",
};

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The visit drafts in the store (the app keeps them under "visit:<id>").
std::vector<Draft> VisitDrafts(Store* store) {
  Result<std::vector<Draft>> all = store->drafts().List();
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  std::vector<Draft> out;
  for (Draft& d : *all) {
    if (d.key.rfind("visit:", 0) == 0) out.push_back(std::move(d));
  }
  return out;
}

// The notes of a draft's visit; "" when it has none yet.
std::string Notes(const Draft& d) {
  // (const operator[] on a missing key is undefined behaviour: use find.)
  auto values = d.body.find("values");
  if (values == d.body.end() || !values->is_object()) return "";
  auto notes = values->find("notes");
  return notes != values->end() && notes->is_string() ? notes->get<std::string>() : "";
}

// The single visit draft's notes; fails the test unless there is exactly one.
std::string OnlyDraftNotes(Store* store) {
  std::vector<Draft> drafts = VisitDrafts(store);
  REQUIRE(drafts.size() == 1);
  return Notes(drafts[0]);
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

TEST_CASE("app window: a note being typed when the app is killed is restored on restart") {
  const std::string sentence =
      "Culvert under the footbridge is half blocked with plastic bottles and silt; water backs up into the lane "
      "after ten minutes of rain and the residents say it has been like this since the March floods.";
  TempDir dir;
  const std::string data = dir.File("data");

  std::string last_seen;  // the newest notes this test saw in the store before the kill
  {
    // One character every 40 ms, and no quit: the app is still typing when killed.
    const std::vector<std::string> script =
        Concat(kNewVisitNotes, {"shot " + dir.File("typing.png"), "type_slow 40 " + sentence});
    AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "type.txt", script)), dir.File("typing"));
    // The screenshot marks the editor as open (and the app's start-up, with
    // its store migration and demo import, as finished): only then does this
    // test open the store.
    REQUIRE_MESSAGE(
        WaitUntil([&] { return std::filesystem::exists(dir.File("typing.png")) || !app.Running(); }, kAppTimeout),
        "the editor never opened");
    REQUIRE_MESSAGE(app.Running(), app.Describe());
    std::unique_ptr<Store> store = OpenAppStore(data);

    // Wait for a draft with some of the note, then for a later draft with
    // more of it (so the app saves repeatedly while typing), then kill.
    std::string first;
    bool grew = WaitUntil(
        [&] {
          std::vector<Draft> drafts = VisitDrafts(store.get());
          if (drafts.size() != 1) return false;
          std::string notes = Notes(drafts[0]);
          REQUIRE_MESSAGE(StartsWith(sentence, notes), "draft notes are not what was typed: \"", notes, "\"");
          if (notes.empty()) return false;
          last_seen = notes;
          if (first.empty()) first = notes;
          return notes.size() > first.size();
        },
        kAppTimeout, milliseconds(10));
    REQUIRE_MESSAGE(app.Running(), "the app ended before it was killed: ", app.Describe());
    app.Signal(SIGKILL);
    ExitStatus killed = app.Wait(kAppTimeout);
    REQUIRE_MESSAGE(grew, "no growing draft of the notes; saw \"", last_seen, "\"; ", app.Describe());
    CHECK(killed.signal == SIGKILL);
    MESSAGE("drafts seen before the kill: \"", first, "\" then \"", last_seen, "\"");
    CHECK_MESSAGE(last_seen.size() < sentence.size(), "the whole sentence was typed before the kill");
  }

  // What the killed app left: the newest draft, whole.
  std::string at_kill;
  {
    std::unique_ptr<Store> store = OpenAppStore(data);
    at_kill = OnlyDraftNotes(store.get());
  }
  CHECK(StartsWith(sentence, at_kill));
  // Nothing saved before the kill was lost (a save may have landed between
  // the last look and the kill, so the store may hold more than was seen).
  CHECK(StartsWith(at_kill, last_seen));
  CHECK(at_kill.size() >= 8);

  {
    // On restart the editor reopens on the draft: "Discard changes" shows
    // only while the editor holds unsaved edits.
    AppProcess app(kAppBinary,
                   WindowArgs(data, "software",
                              WriteScript(dir, "restart.txt",
                                          {"expect Discard changes", "shot " + dir.File("restored.png"), "quit"})),
                   dir.File("restart"));
    ExitStatus exit = app.Wait(kAppTimeout);
    REQUIRE_MESSAGE(exit.ok(), app.Describe());
    CHECK(LoadPng(dir.File("restored.png")));
  }
  std::unique_ptr<Store> store = OpenAppStore(data);
  CHECK(OnlyDraftNotes(store.get()) == at_kill);
}

TEST_CASE("app window: quitting without saving keeps the unsaved typing as a draft") {
  TempDir dir;
  const std::string data = dir.File("data");
  // `quit` comes right after the typing, well within the 1 s before the app
  // would save a draft on its own: the draft is written on the way out.
  const std::vector<std::string> script = Concat(kNewVisitNotes, {"type Silt to the brim", "quit"});
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "quit.txt", script)), dir.File("app"));
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  std::unique_ptr<Store> store = OpenAppStore(data);
  CHECK(OnlyDraftNotes(store.get()) == "Silt to the brim");
}

TEST_CASE("app window: closing the window (SIGTERM) keeps the unsaved typing as a draft") {
  TempDir dir;
  const std::string data = dir.File("data");
  const std::vector<std::string> script =
      Concat(kNewVisitNotes, {"type Gully grate missing", "shot " + dir.File("typed.png")});
  AppProcess app(kAppBinary, WindowArgs(data, "software", WriteScript(dir, "close.txt", script)), dir.File("app"));
  REQUIRE_MESSAGE(
      WaitUntil([&] { return std::filesystem::exists(dir.File("typed.png")) || !app.Running(); }, kAppTimeout),
      "the typing never finished");
  REQUIRE_MESSAGE(app.Running(), app.Describe());
  // SDL turns SIGTERM into a quit event, as when the window's close button
  // is pressed or the session ends.
  app.Signal(SIGTERM);
  ExitStatus exit = app.Wait(kAppTimeout);
  REQUIRE_MESSAGE(exit.ok(), app.Describe());
  std::unique_ptr<Store> store = OpenAppStore(data);
  CHECK(OnlyDraftNotes(store.get()) == "Gully grate missing");
}

}  // namespace ccfield::testing
