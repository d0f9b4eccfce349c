#pragma once
// The App on a real store for the headless view tests: a fresh temporary
// data folder with a FakeEnv, English, no background sync; and the pieces
// the tests build on (the drainage form, the first record of a type, a
// conflict on a visit's notes as a sync brings it). Only for use inside
// doctest test cases (the helpers REQUIRE).
//
// The view tests live in namespace ccfield::view_test (each in an anonymous
// namespace of its own inside it), so that the names they share (at the end
// of this file) need no using lines in every file.
#include <memory>
#include <string>

#include "app/app.h"
#include "ccfield/core/store.h"
#include "support/store_fixture.h"
#include "support/temp_dir.h"
#include "ui/headless.h"

namespace ccfield::testing {

struct AppFixture {
  TempDir dir;
  FakeEnv env{dir.path()};
  std::unique_ptr<app::App> app;

  // Opens the App; the demo data is loaded on first start unless `demo` is false.
  explicit AppFixture(bool demo = true) : demo_(demo) { Open(); }
  // Opens the App (again) on `data_dir`, on `dir` when empty; REQUIREs success.
  void Open(const std::string& data_dir = "");

  Store* store() { return app->store(); }
  const app::EditorState& editor() const { return app->state().editor; }

 private:
  bool demo_;
};

// The drainage_flood@1.0 form of the App's store; REQUIREs it.
const FormDef& Drainage(app::App* a);
// The English label of choice `value` of `field` in `form`.
std::string OptionLabel(const FormDef& form, const char* field, const char* value);

// Goes to Sites, picks the first site and starts a new drainage visit there;
// REQUIREs that the editor opens. The site picked.
const app::SiteItem& StartVisit(AppFixture& fx, HeadlessUi& h);

// A driver that gives the answers every drainage visit needs: the asset (a
// culvert) and how blocked it is (50-75 %). More steps may follow.
views::UiDriver RequiredAnswers(app::App* a);
// Clicks `label` and runs the frames until done.
void ClickAndRun(HeadlessUi& h, const std::string& label);

// The first record of `type` the store lists.
Record FirstRecord(Store* store, RecordType type);

// A conflict (version 7) on the notes of `visit`, as a sync brings it: the
// base "Drain blocked", the device's notes kept (winner_version 6), `loser`
// the other version, written by `loser_author` (the device's by `winner_author`).
FieldConflict NotesConflict(const Record& visit, const std::string& id, const std::string& loser,
                            const std::string& winner_author, const std::string& loser_author);
// Applies a sync batch that brings `c` with cursor 7; REQUIREs success.
void ApplyConflict(Store* store, const FieldConflict& c);

}  // namespace ccfield::testing

namespace ccfield::view_test {
using nlohmann::json;
using testing::AppFixture;
using testing::CommandsOf;
using testing::Drainage;
using testing::HeadlessUi;
using testing::OptionLabel;
using testing::StartVisit;
using testing::Unwrap;
}  // namespace ccfield::view_test
