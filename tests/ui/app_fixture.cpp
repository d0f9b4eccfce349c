#include "ui/app_fixture.h"

#include <doctest/doctest.h>

#include <utility>

#include "text/i18n.h"

namespace ccfield::testing {

void AppFixture::Open(const std::string& data_dir) {
  (void)ui::SetLanguage("en");
  app::AppOptions o;
  o.env = &env;
  o.data_dir = data_dir.empty() ? dir.path() : data_dir;
  o.background_sync = false;
  o.load_demo_on_first_start = demo_;
  auto r = app::App::Open(std::move(o));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  app = std::move(*r);
}

const FormDef& Drainage(app::App* a) {
  const FormDef* f = a->store()->FindForm("drainage_flood@1.0");
  REQUIRE(f);
  return *f;
}

std::string OptionLabel(const FormDef& form, const char* field, const char* value) {
  return PickLabel(form.Find(field)->FindOption(value)->label, "en");
}

const app::SiteItem& StartVisit(AppFixture& fx, HeadlessUi& h) {
  views::UiDriver d;
  d.Click("Sites");
  h.Run(d);
  REQUIRE(!fx.app->state().sites.all.empty());
  const app::SiteItem& site = fx.app->state().sites.all.front();
  d.Click(site.name);
  d.Click(PickLabel(Drainage(fx.app.get()).title, "en"));
  h.Run(d);
  REQUIRE(fx.app->state().screen == app::Screen::kEditor);
  return site;
}

views::UiDriver RequiredAnswers(app::App* a) {
  const FormDef& form = Drainage(a);
  views::UiDriver d;
  d.Click(OptionLabel(form, "asset_type", "culvert"));
  d.Click(OptionLabel(form, "blockage_pct", "50_75"));
  return d;
}

void ClickAndRun(HeadlessUi& h, const std::string& label) {
  views::UiDriver d;
  d.Click(label);
  h.Run(d);
}

Record FirstRecord(Store* store, RecordType type) {
  ListQuery q;
  q.type = type;
  q.limit = 1;
  return store->List(q).value().front();
}

FieldConflict NotesConflict(const Record& visit, const std::string& id, const std::string& loser,
                            const std::string& winner_author, const std::string& loser_author) {
  FieldConflict c;
  c.id = id;
  c.version = 7;
  c.type = ChangeType::kVisit;
  c.record_id = visit.id;
  c.field = "notes";
  c.base = "Drain blocked";
  c.winner = visit.Get("notes");
  c.loser = loser;
  c.winner_version = 6;
  c.winner_author = winner_author;
  c.loser_author = loser_author;
  return c;
}

void ApplyConflict(Store* store, const FieldConflict& c) {
  SyncBatch batch;
  batch.conflicts.push_back(c);
  batch.cursor = 7;
  REQUIRE(store->replica().ApplySyncBatch(batch).ok());
}

}  // namespace ccfield::testing
