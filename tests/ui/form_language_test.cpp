// Which language the window shows a form in (issue 13): the UI language when
// the form has it, else the default language of the visit's workspace
// (French in a Moroccan municipality), else English; driven headless on a
// real store with the demo data, whose four workspaces name sw, fr, pt and ka.
#include <doctest/doctest.h>

#include "ccfield/core/store.h"
#include "text/i18n.h"
#include "ui/app_fixture.h"
#include "ui/headless.h"
#include "views/widgets.h"

namespace ccfield::view_test {
namespace {

constexpr const char* kTetouan = "3acea7c4-2f9f-4726-9082-aecea9b9487b";    // MA, default language fr
constexpr const char* kKinondoni = "e2ed3dba-906b-4e8b-b491-c22cd94071ad";  // TZ, default language sw

bool Shown(const std::string& label) {
  for (const auto& item : views::LastFrameItems()) {
    if (item.label == label) return true;
  }
  return false;
}

// A site of workspace `workspace_id`.
std::string SiteIn(Store* store, const char* workspace_id) {
  ListQuery q;
  q.type = RecordType::kSite;
  q.workspace_id = workspace_id;
  const std::vector<Record> sites = Unwrap(store->List(q));
  REQUIRE_FALSE(sites.empty());
  return sites.front().id;
}

// Opens a new drainage visit at `site_id` and draws it.
void OpenDrainageVisit(AppFixture& fx, HeadlessUi& h, const std::string& site_id) {
  fx.app->Apply(app::NewVisit{site_id, "drainage_flood@1.0"});
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  h.Frame();
  h.Frame();
}

// The culvert choice of the drainage form's asset type: the editor draws choices as buttons.
const Labels& Culvert(AppFixture& fx) {
  return Drainage(fx.app.get()).Find("asset_type")->FindOption("culvert")->label;
}

TEST_CASE("form language: a Georgian UI shows a Moroccan workspace's visit in French, a Tanzanian one's in English") {
  AppFixture fx;
  fx.app->Apply(app::SetLanguage{"ka"});  // the forms have no Georgian
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenDrainageVisit(fx, h, SiteIn(fx.store(), kTetouan));
  CHECK(fx.app->state().editor.form_languages == "ka:fr");
  CHECK(Shown(Culvert(fx).at("fr")));
  CHECK_FALSE(Shown(Culvert(fx).at("en")));

  fx.app->Apply(app::CloseEditor{true});
  OpenDrainageVisit(fx, h, SiteIn(fx.store(), kKinondoni));
  CHECK(fx.app->state().editor.form_languages == "ka:sw");  // the forms have no Swahili either
  CHECK(Shown(Culvert(fx).at("en")));
  fx.app->Apply(app::SetLanguage{"en"});
}

TEST_CASE("form language: an Arabic UI shows the form's own Arabic, and follows a language switch") {
  AppFixture fx;
  fx.app->Apply(app::SetLanguage{"ar"});
  HeadlessUi h(fx.app.get(), &fx.env);
  OpenDrainageVisit(fx, h, SiteIn(fx.store(), kTetouan));
  CHECK(fx.app->state().editor.form_languages == "ar:fr");
  CHECK(Shown(views::DisplayLine(Culvert(fx).at("ar"))));  // drawn shaped, in display order
  CHECK_FALSE(Shown(Culvert(fx).at("fr")));
  fx.app->Apply(app::SetLanguage{"pt"});  // the drainage options have no Portuguese: the workspace's French
  h.Frame();
  h.Frame();
  CHECK(Shown(Culvert(fx).at("fr")));
  fx.app->Apply(app::SetLanguage{"en"});
}

TEST_CASE("form language: lists use the language the device's workspaces agree on, none when they differ") {
  AppFixture fx;
  fx.app->Apply(app::SetLanguage{"ka"});
  CHECK(fx.app->state().home.workspace_language.empty());  // sw, fr, pt and ka
  CHECK(fx.app->state().form_languages == "ka");
  std::vector<Op> ops;
  for (const char* ws :
       {kTetouan, kKinondoni, "8a4f4e97-293a-4782-bda6-ab54d40711a2", "4f16a15b-bc72-4951-a8f3-b7860610c15a"}) {
    ops.push_back(SetFields{RecordType::kWorkspace, ws, {{"default_language", "fr"}}});
  }
  REQUIRE(fx.store()->Commit(ops).ok());
  fx.app->Apply(app::SetLanguage{"ka"});
  CHECK(fx.app->state().home.workspace_language == "fr");
  CHECK(fx.app->state().form_languages == "ka:fr");
  fx.app->Apply(app::SetLanguage{"en"});
  CHECK(fx.app->state().form_languages == "en:fr");
}

}  // namespace
}  // namespace ccfield::view_test
