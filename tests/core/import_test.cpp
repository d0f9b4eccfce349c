// Importing records (ccfield-records@1): the demo data set and practices.
#include "ccfield/core/import.h"

#include <doctest/doctest.h>

#include <set>

#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

TEST_CASE("LoadDemoData fills a fresh store") {
  StoreFixture fx;
  REQUIRE(Unwrap(fx->IsEmpty()));
  ImportSummary summary = Unwrap(LoadDemoData(fx.store(), &fx.env));
  CHECK(summary.updated.empty());
  CHECK(summary.created.at("visit") >= 12);
  CHECK(Unwrap(fx->Count(RecordType::kWorkspace)) >= 3);
  CHECK(Unwrap(fx->Count(RecordType::kVisit)) >= 12);
  CHECK(Unwrap(fx->Count(RecordType::kPractice)) >= 12);
  CHECK(Unwrap(fx->Count(RecordType::kSite)) >= 1);
  CHECK(Unwrap(fx->Count(RecordType::kContact)) >= 1);
  CHECK_FALSE(Unwrap(fx->IsEmpty()));

  ListQuery q;
  q.limit = 1000;
  std::set<std::string> forms;
  for (const Record& v : Unwrap(fx->List(q))) {
    forms.insert(v.Get("form").get<std::string>());
    // Every demo visit is valid against its own form, as a complete visit.
    const FormDef* form = fx->FindForm(v.Get("form").get<std::string>());
    REQUIRE(form);
    INFO(v.id);
    CHECK_OK(ValidateAnswers(*form, v.Get("answers"), v.Get("status") == "complete"));
  }
  CHECK(forms == std::set<std::string>{"drainage_flood@1.0", "solid_waste@1.0", "heat@1.0", "wash@1.0",
                                       "settlement@1.0"});
  CHECK_OK(fx->CheckIntegrity());
  CHECK_FALSE(Unwrap(fx->search().Find(testing::TextQuery("inondation"))).empty());
}

TEST_CASE("loading the demo data twice changes nothing") {
  StoreFixture fx;
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  const int64_t changes = ChangeLogCount(fx.store());
  const int64_t visits = Unwrap(fx->Count(RecordType::kVisit));
  fx.env.Advance(3'600'000);
  ImportSummary again = Unwrap(LoadDemoData(fx.store(), &fx.env));
  CHECK(again.created.empty());
  CHECK(again.updated.empty());
  CHECK(again.unchanged.at("visit") == visits);
  CHECK(ChangeLogCount(fx.store()) == changes);
  fx.Reopen();  // values read back from the file compare equal too
  REQUIRE_OK(LoadDemoData(fx.store(), &fx.env));
  CHECK(ChangeLogCount(fx.store()) == changes);
}

TEST_CASE("importing practices rejects bad files and writes nothing") {
  StoreFixture fx;
  ImportOptions only_practices;
  only_practices.only = {RecordType::kPractice};
  const json practice = {{"title", "Community desilting days"}, {"city", "Maputo"}, {"country", "MZ"}};
  const int64_t before = ChangeLogCount(fx.store());

  auto expect_rejected = [&](std::string_view text, std::string_view phrase) {
    INFO("import text: ", std::string(text.substr(0, 80)));
    Result<ImportSummary> r = ImportRecordsText(fx.store(), &fx.env, text, only_practices);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_MESSAGE(r.status().message().find(phrase) != std::string::npos, r.status().message());
    CHECK(ChangeLogCount(fx.store()) == before);
    CHECK(Unwrap(fx->Count(RecordType::kPractice, true)) == 0);
  };
  SUBCASE("malformed JSON") {
    expect_rejected(R"({"practice": [{"title": "x"},]})", "not valid JSON");
    expect_rejected("", "not valid JSON");
    expect_rejected(R"({"practice": [{"title": "x"})", "not valid JSON");
  }
  SUBCASE("invalid UTF-8") {
    std::string text = json{{"practice", {practice}}}.dump();
    text.insert(text.find("Maputo"), "\xC3\x28");
    expect_rejected(text, "UTF-8");
  }
  SUBCASE("wrong record type") {
    json doc = {{"practice", {practice}}, {"site", {{{"name", "x"}}}}};
    expect_rejected(doc.dump(), "takes no \"site\" records");
    expect_rejected(json{{"contacts", {{{"name", "Rachid"}}}}}.dump(), "contact");
    expect_rejected(json{{"practice", {practice}}, {"gadgets", json::array()}}.dump(), "gadgets");
  }
  SUBCASE("a bad record among good ones") {
    json bad = practice;
    bad["country"] = "Mozambique";
    expect_rejected(json{{"practice", {practice, bad}}}.dump(), "country");
    expect_rejected(json{{"practice", {practice, {{"id", "p-2"}, {"title", "x"}}}}}.dump(), "UUID");
    expect_rejected(json{{"practice", "all of them"}}.dump(), "must be an array");
    expect_rejected(json::array({practice, 5}).dump(), "must be an object");
    expect_rejected("42", "JSON object");
  }
}

TEST_CASE("importing practices accepts a document or a bare array") {
  StoreFixture fx;
  ImportOptions only_practices;
  only_practices.only = {RecordType::kPractice};
  const std::string id = "0b9c3a54-8f7e-4d6a-9c1b-2e3f4a5b6c7d";
  json items = json::array({{{"id", id}, {"title", "Tree wells"}, {"topics", {"heat"}}},
                            {{"title", "Cool roofs"}, {"sdg_targets", {"11.7"}}}});
  ImportSummary s = Unwrap(ImportRecordsText(fx.store(), &fx.env, items.dump(), only_practices));
  CHECK(s.created.at("practice") == 2);
  CHECK(Unwrap(fx->Get(RecordType::kPractice, id)).Title() == "Tree wells");

  // Importing the same item again with one change updates that field only.
  const int64_t before = ChangeLogCount(fx.store());
  json doc = {{"format", "ccfield-records@1"}, {"practices", {{{"id", id}, {"title", "Tree wells"}, {"city", "Rabat"}}}}};
  s = Unwrap(ImportRecordsText(fx.store(), &fx.env, doc.dump(), only_practices));
  CHECK(s.updated.at("practice") == 1);
  CHECK(ChangeLogCount(fx.store()) == before + 1);
  CHECK(Unwrap(fx->Get(RecordType::kPractice, id)).Get("topics") == json{"heat"});
}

}  // namespace
}  // namespace ccfield::store_test
