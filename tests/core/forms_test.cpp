// Form definitions (docs/forms.md): parsing, answer validation, shown_when,
// and form versions kept side by side in a store.
#include "ccfield/core/forms.h"

#include <doctest/doctest.h>

#include <limits>
#include <set>

#include "ccfield/core/embedded.h"
#include "support/store_fixture.h"

namespace ccfield::store_test {
namespace {

json Text(const std::string& en) { return {{"en", en}, {"fr", en + " (fr)"}}; }

json Field(const std::string& id, const std::string& type, const json& extra = json::object()) {
  json f = {{"id", id}, {"type", type}, {"label", Text(id)}};
  f.update(extra);
  return f;
}

json Options(std::initializer_list<const char*> values) {
  json out = json::array();
  for (const char* v : values) out.push_back({{"value", v}, {"label", Text(std::string("option ") + v)}});
  return out;
}

json Form(const json& fields) {
  return {{"id", "test_form"}, {"version", "1.0"}, {"title", Text("Test")}, {"fields", fields}};
}

// One field of every type, with the optional constraints set.
FormDef AllTypesForm() {
  return Unwrap(ParseForm(Form(json::array({
      Field("count", "integer", {{"min", 0}, {"max", 10}, {"unit", "persons"}}),
      Field("width", "decimal", {{"min", 0}, {"max", 2.5}, {"unit", "m"}}),
      Field("kind", "single_choice", {{"options", Options({"a", "b", "c"})}}),
      Field("causes", "multi_choice", {{"options", Options({"a", "b", "c", "d"})}, {"max_selected", 2}}),
      Field("ok", "yes_no"),
      Field("when", "date"),
      Field("where", "position"),
      Field("ref", "text", {{"max_length", 5}}),
      Field("note", "long_text"),
  }))));
}

const FormField& F(const FormDef& form, const char* id) {
  const FormField* f = form.Find(id);
  REQUIRE_MESSAGE(f, id);
  return *f;
}

const FormDef& Builtin(const std::string& key) {
  for (const FormDef& f : BuiltinForms()) {
    if (f.key() == key) return f;
  }
  FAIL("no built-in form " << key);
  throw;  // not reached
}

Status ParseError(const json& definition) {
  Result<FormDef> r = ParseForm(definition);
  return r.ok() ? Status::Ok() : r.status();
}

TEST_CASE("every built-in form parses and follows the documented rules") {
  const std::vector<FormDef>& forms = BuiltinForms();
  std::set<std::string> ids;
  for (const FormDef& f : forms) ids.insert(f.key());
  CHECK(ids == std::set<std::string>{"drainage_flood@1.0", "solid_waste@1.0", "heat@1.0", "wash@1.0",
                                     "settlement@1.0"});
  size_t embedded = 0;
  for (const EmbeddedFile* e = kEmbeddedForms; !e->name.empty(); ++e) {
    INFO(e->name);
    REQUIRE_OK(ParseFormText(e->data));
    ++embedded;
  }
  CHECK(embedded == forms.size());
  for (const FormDef& form : forms) {
    INFO(form.key());
    CHECK(form.title.count("en"));
    CHECK(form.title.count("fr"));
    CHECK_FALSE(form.fields.empty());
    bool has_required = false;
    for (size_t i = 0; i < form.fields.size(); ++i) {
      const FormField& f = form.fields[i];
      INFO(f.id);
      has_required = has_required || f.required;
      if (f.shown_when) {
        // Points at an earlier field.
        bool earlier = false;
        for (size_t k = 0; k < i; ++k) earlier = earlier || form.fields[k].id == f.shown_when->field;
        CHECK(earlier);
      }
    }
    CHECK(has_required);
    // A complete visit with nothing answered is refused: the kind selector is required.
    CHECK_FALSE(ValidateAnswers(form, json::object(), true).ok());
    CHECK_OK(ValidateAnswers(form, json::object(), false));
  }
}

TEST_CASE("ParseForm rejects an unknown field type") {
  Status st = ParseError(Form(json::array({Field("x", "slider")})));
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("unknown type \"slider\"") != std::string::npos);
  CHECK(st.message().find("field x") != std::string::npos);
}

TEST_CASE("ParseForm rejects duplicate field ids") {
  Status st = ParseError(Form(json::array({Field("width", "decimal"), Field("width", "integer")})));
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("width is declared twice") != std::string::npos);
}

TEST_CASE("ParseForm rejects shown_when naming a later or unknown field") {
  json gate = Field("gate", "yes_no");
  json later = Field("detail", "text", {{"shown_when", {{"field", "gate"}, {"equals", true}}}});
  CHECK_OK(ParseForm(Form(json::array({gate, later}))));  // gate declared first: fine

  Status st = ParseError(Form(json::array({later, gate})));
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("shown_when must name an earlier field") != std::string::npos);

  json unknown = Field("detail", "text", {{"shown_when", {{"field", "nope"}, {"equals", true}}}});
  CHECK(ParseError(Form(json::array({gate, unknown}))).code() == Code::kInvalidArgument);
  json self = Field("detail", "yes_no", {{"shown_when", {{"field", "detail"}, {"equals", true}}}});
  CHECK(ParseError(Form(json::array({gate, self}))).code() == Code::kInvalidArgument);
}

TEST_CASE("ParseForm rejects shown_when values that do not fit and malformed conditions") {
  json kind = Field("kind", "single_choice", {{"options", Options({"a", "b"})}});
  auto with = [&](const json& cond) { return Form(json::array({kind, Field("d", "text", {{"shown_when", cond}})})); };
  CHECK_OK(ParseForm(with({{"field", "kind"}, {"in", {"a", "b"}}})));
  CHECK(ParseError(with({{"field", "kind"}, {"equals", "z"}})).code() == Code::kInvalidArgument);
  CHECK(ParseError(with({{"field", "kind"}})).code() == Code::kInvalidArgument);
  // docs/forms.md: "in" is a non-empty array, and exactly one of equals/in is present.
  CHECK(ParseError(with({{"field", "kind"}, {"in", json::array()}})).code() == Code::kInvalidArgument);
  CHECK(ParseError(with({{"field", "kind"}, {"in", "a"}})).code() == Code::kInvalidArgument);
  CHECK(ParseError(with({{"field", "kind"}, {"equals", "a"}, {"in", {"b"}}})).code() == Code::kInvalidArgument);
}

TEST_CASE("ParseForm rejects choices without options") {
  for (const char* type : {"single_choice", "multi_choice"}) {
    INFO(type);
    Status missing = ParseError(Form(json::array({Field("c", type)})));
    CHECK(missing.code() == Code::kInvalidArgument);
    CHECK(missing.message().find("a choice needs options") != std::string::npos);
    CHECK(ParseError(Form(json::array({Field("c", type, {{"options", json::array()}})}))).code() ==
          Code::kInvalidArgument);
    CHECK(ParseError(Form(json::array({Field("c", type, {{"options", Options({"a", "a"})}})}))).code() ==
          Code::kInvalidArgument);
  }
}

TEST_CASE("ParseForm requires English and French text") {
  json no_fr = Field("x", "text");
  no_fr["label"] = {{"en", "Width"}};
  CHECK(ParseError(Form(json::array({no_fr}))).code() == Code::kInvalidArgument);
  json no_en = Field("x", "text");
  no_en["label"] = {{"fr", "Largeur"}};
  CHECK(ParseError(Form(json::array({no_en}))).code() == Code::kInvalidArgument);
  json form = Form(json::array({Field("x", "text")}));
  form["title"] = {{"en", "Only English"}};
  CHECK(ParseError(form).code() == Code::kInvalidArgument);
}

TEST_CASE("ParseForm checks the form header and SDG targets") {
  json ok = Form(json::array({Field("x", "text")}));
  ok["sdg_targets"] = {"11.5", "6.b"};
  CHECK_OK(ParseForm(ok));

  json bad = ok;
  bad["sdg_targets"] = {"11.5", "99.1"};
  CHECK(ParseError(bad).code() == Code::kInvalidArgument);
  bad["sdg_targets"] = {"16.1"};  // shaped like a target, not in data/sdg.json
  CHECK(ParseError(bad).code() == Code::kInvalidArgument);

  for (const char* key : {"id", "version", "title", "fields"}) {
    INFO(key);
    json missing = ok;
    missing.erase(key);
    CHECK(ParseError(missing).code() == Code::kInvalidArgument);
  }
  json bad_version = ok;
  bad_version["version"] = "v1";
  CHECK(ParseError(bad_version).code() == Code::kInvalidArgument);
  json bad_id = ok;
  bad_id["id"] = "Drainage Flood";
  CHECK(ParseError(bad_id).code() == Code::kInvalidArgument);
  CHECK(ParseError(json::array()).code() == Code::kInvalidArgument);
  CHECK_FALSE(ParseFormText("{\"id\": ").ok());
}

TEST_CASE("ParseForm turns values of the wrong JSON type into errors") {
  CHECK(ParseError(Form(json::array({Field("n", "integer", {{"min", "zero"}})}))).code() == Code::kInvalidArgument);
  CHECK(ParseError(Form(json::array({json{{"id", 5}, {"type", "text"}}}))).code() == Code::kInvalidArgument);
  CHECK(ParseError(Form(json::array({Field("c", "single_choice", {{"options", {"a", "b"}}})}))).code() ==
        Code::kInvalidArgument);
  CHECK(ParseError(Form(json::array({"not an object"}))).code() == Code::kInvalidArgument);
}

TEST_CASE("ValidateAnswer tells integers from decimals") {
  FormDef form = AllTypesForm();
  const FormField& count = F(form, "count");
  CHECK_OK(ValidateAnswer(count, 3));
  CHECK_FALSE(ValidateAnswer(count, 3.5).ok());
  CHECK_FALSE(ValidateAnswer(count, 3.0).ok());  // a JSON float is not a whole number answer
  CHECK_FALSE(ValidateAnswer(count, "3").ok());
  CHECK_FALSE(ValidateAnswer(count, true).ok());

  const FormField& width = F(form, "width");
  CHECK_OK(ValidateAnswer(width, 1.25));
  CHECK_OK(ValidateAnswer(width, 2));  // an integer is a fine decimal
  CHECK_FALSE(ValidateAnswer(width, "1.25").ok());
  CHECK_FALSE(ValidateAnswer(width, json()).ok());
}

TEST_CASE("ValidateAnswer enforces inclusive min and max") {
  FormDef form = AllTypesForm();
  const FormField& count = F(form, "count");
  CHECK_OK(ValidateAnswer(count, 0));
  CHECK_OK(ValidateAnswer(count, 10));
  CHECK_FALSE(ValidateAnswer(count, -1).ok());
  Status over = ValidateAnswer(count, 11);
  CHECK(over.code() == Code::kInvalidArgument);
  CHECK(over.message().find("at most 10") != std::string::npos);
  const FormField& width = F(form, "width");
  CHECK_OK(ValidateAnswer(width, 2.5));
  CHECK_FALSE(ValidateAnswer(width, 2.5000001).ok());
  CHECK_FALSE(ValidateAnswer(width, -0.01).ok());
  CHECK_FALSE(ValidateAnswer(width, std::numeric_limits<double>::quiet_NaN()).ok());
  CHECK_FALSE(ValidateAnswer(width, std::numeric_limits<double>::infinity()).ok());
}

TEST_CASE("ValidateAnswer checks choices against the options") {
  FormDef form = AllTypesForm();
  const FormField& kind = F(form, "kind");
  CHECK_OK(ValidateAnswer(kind, "b"));
  Status unknown = ValidateAnswer(kind, "z");
  CHECK(unknown.code() == Code::kInvalidArgument);
  CHECK(unknown.message().find("\"z\" is not one of the choices") != std::string::npos);
  CHECK_FALSE(ValidateAnswer(kind, json::array({"a"})).ok());
  CHECK_FALSE(ValidateAnswer(kind, "option a").ok());  // labels are not values

  const FormField& causes = F(form, "causes");
  CHECK_OK(ValidateAnswer(causes, json::array()));
  CHECK_OK(ValidateAnswer(causes, {"b", "a"}));
  CHECK_FALSE(ValidateAnswer(causes, "a").ok());
  CHECK_FALSE(ValidateAnswer(causes, {"a", "z"}).ok());
  CHECK_FALSE(ValidateAnswer(causes, {"a", 1}).ok());
  Status twice = ValidateAnswer(causes, {"a", "a"});
  CHECK(twice.message().find("listed twice") != std::string::npos);
  Status too_many = ValidateAnswer(causes, {"a", "b", "c"});
  CHECK(too_many.code() == Code::kInvalidArgument);
  CHECK(too_many.message().find("at most 2") != std::string::npos);
}

TEST_CASE("ValidateAnswer checks yes_no date and position") {
  FormDef form = AllTypesForm();
  CHECK_OK(ValidateAnswer(F(form, "ok"), false));
  CHECK_FALSE(ValidateAnswer(F(form, "ok"), "yes").ok());
  CHECK_FALSE(ValidateAnswer(F(form, "ok"), 1).ok());

  CHECK_OK(ValidateAnswer(F(form, "when"), "2028-02-29"));
  CHECK_FALSE(ValidateAnswer(F(form, "when"), "2026-02-29").ok());
  CHECK_FALSE(ValidateAnswer(F(form, "when"), "2026-10-14T08:00:00Z").ok());
  CHECK_FALSE(ValidateAnswer(F(form, "when"), 20261014).ok());

  const FormField& where = F(form, "where");
  CHECK_OK(ValidateAnswer(where, {{"lat", -6.79}, {"lon", 39.25}}));
  CHECK_OK(ValidateAnswer(where, {{"lat", 90}, {"lon", -180}, {"accuracy_m", 4.5}}));
  CHECK_FALSE(ValidateAnswer(where, {{"lat", 91}, {"lon", 0}}).ok());
  CHECK_FALSE(ValidateAnswer(where, {{"lat", 0}, {"lon", 180.5}}).ok());
  CHECK_FALSE(ValidateAnswer(where, {{"lat", 0}}).ok());
  CHECK_FALSE(ValidateAnswer(where, {{"lat", "0"}, {"lon", 0}}).ok());
  CHECK_FALSE(ValidateAnswer(where, {{"lat", 0}, {"lon", 0}, {"accuracy_m", -1}}).ok());
  CHECK_FALSE(ValidateAnswer(where, {{"lat", 0}, {"lon", 0}, {"alt", 5}}).ok());
  CHECK_FALSE(ValidateAnswer(where, json::array({0, 0})).ok());
}

TEST_CASE("ValidateAnswer text max_length counts characters not bytes") {
  FormDef form = AllTypesForm();
  const FormField& ref = F(form, "ref");  // max_length 5
  CHECK_OK(ValidateAnswer(ref, "D-14a"));
  CHECK_FALSE(ValidateAnswer(ref, "D-14ab").ok());
  // docs/forms.md: max_length is in Unicode code points. Five Georgian letters
  // are 15 bytes and must fit; six must not.
  CHECK_OK(ValidateAnswer(ref, "ქუთაი"));
  CHECK_OK(ValidateAnswer(ref, "éééé\xF0\x9F\x8C\x8A"));
  CHECK_FALSE(ValidateAnswer(ref, "ქუთაის").ok());
  CHECK_FALSE(ValidateAnswer(ref, "caf\xC3").ok());  // invalid UTF-8
  CHECK_FALSE(ValidateAnswer(ref, 5).ok());
  CHECK_OK(ValidateAnswer(F(form, "note"), std::string(5000, 'x')));
  CHECK_FALSE(ValidateAnswer(F(form, "note"), std::string(200 * 1024, 'x')).ok());
}

// gate (required yes_no) -> kind (shown when gate) -> detail (required, shown when kind is x).
FormDef ChainForm() {
  return Unwrap(ParseForm(Form(json::array({
      Field("gate", "yes_no", {{"required", true}}),
      Field("kind", "single_choice",
            {{"options", Options({"x", "y"})}, {"shown_when", {{"field", "gate"}, {"equals", true}}}}),
      Field("detail", "text", {{"required", true}, {"shown_when", {{"field", "kind"}, {"in", {"x"}}}}}),
      Field("extra", "integer"),
  }))));
}

TEST_CASE("ValidateAnswers enforces required only when the visit is complete") {
  FormDef form = ChainForm();
  CHECK_OK(ValidateAnswers(form, json::object(), /*complete=*/false));
  Status st = ValidateAnswers(form, json::object(), /*complete=*/true);
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("gate") != std::string::npos);
  CHECK(st.message().find("required") != std::string::npos);
  CHECK_OK(ValidateAnswers(form, {{"gate", false}}, true));
  // Drafts still check every answer that is present.
  CHECK_FALSE(ValidateAnswers(form, {{"extra", "three"}}, false).ok());
  CHECK_FALSE(ValidateAnswers(form, {{"unknown_field", 1}}, false).ok());
  CHECK_FALSE(ValidateAnswers(form, json::array(), false).ok());
}

TEST_CASE("ValidateAnswers enforces required only for shown fields with chained conditions") {
  FormDef form = ChainForm();
  // detail's condition is met (kind == x) but kind itself is hidden (gate is
  // false), so detail is hidden too and not required.
  CHECK_OK(ValidateAnswers(form, {{"gate", false}, {"kind", "x"}}, true));
  CHECK_FALSE(IsShown(form, F(form, "detail"), {{"gate", false}, {"kind", "x"}}));
  // Shown and missing, or empty text: required.
  Status st = ValidateAnswers(form, {{"gate", true}, {"kind", "x"}}, true);
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message().find("detail") != std::string::npos);
  CHECK_FALSE(ValidateAnswers(form, {{"gate", true}, {"kind", "x"}, {"detail", ""}}, true).ok());
  CHECK_OK(ValidateAnswers(form, {{"gate", true}, {"kind", "x"}, {"detail", "blocked"}}, true));
  CHECK_OK(ValidateAnswers(form, {{"gate", true}, {"kind", "y"}}, true));
  // Answers to hidden fields are kept but still must be valid values.
  CHECK_FALSE(ValidateAnswers(form, {{"gate", false}, {"kind", "z"}}, false).ok());
}

TEST_CASE("IsShown follows the built-in wash chain") {
  const FormDef& wash = Builtin("wash@1.0");
  const FormField& pit_fill = F(wash, "pit_fill");  // facility_type <- sub_kind
  json answers = {{"sub_kind", "sanitation_facility"}, {"facility_type", "vip_latrine"}};
  CHECK(IsShown(wash, pit_fill, answers));
  answers["sub_kind"] = "water_point";
  CHECK_FALSE(IsShown(wash, pit_fill, answers));
  CHECK_FALSE(IsShown(wash, F(wash, "facility_type"), answers));
  CHECK(IsShown(wash, F(wash, "source_type"), answers));
  CHECK(IsShown(wash, F(wash, "sub_kind"), json::object()));
  CHECK_FALSE(IsShown(wash, F(wash, "source_type"), json::object()));
}

TEST_CASE("FormatAnswer shows labels units and yes or no") {
  FormDef form = AllTypesForm();
  CHECK(FormatAnswer(F(form, "kind"), "b", "en") == "option b");
  CHECK(FormatAnswer(F(form, "kind"), "b", "fr") == "option b (fr)");
  CHECK(FormatAnswer(F(form, "kind"), "b", "fr-MA") == "option b (fr)");
  CHECK(FormatAnswer(F(form, "kind"), "b", "sw") == "option b");  // falls back to English
  CHECK(FormatAnswer(F(form, "causes"), {"a", "c"}, "en") == "option a, option c");
  CHECK(FormatAnswer(F(form, "count"), 4, "en") == "4 persons");
  CHECK(FormatAnswer(F(form, "width"), 1.5, "en") == "1.5 m");
  CHECK(FormatAnswer(F(form, "ok"), true, "en") == "yes");
  CHECK(FormatAnswer(F(form, "ok"), false, "en") == "no");
  CHECK(FormatAnswer(F(form, "ref"), json(), "en") == "");
  const FormDef& drainage = Builtin("drainage_flood@1.0");
  CHECK(FormatAnswer(F(drainage, "asset_type"), "culvert", "fr") == "Dalot / buse");
}

// drainage_flood@2.0: asset_ref renamed asset_code, width_m limited to 10 m.
json DrainageV2() {
  json v2 = Builtin("drainage_flood@1.0").source;
  v2["version"] = "2.0";
  for (json& f : v2["fields"]) {
    if (f["id"] == "asset_ref") f["id"] = "asset_code";
    if (f["id"] == "width_m") f["max"] = 10;
  }
  return v2;
}

TEST_CASE("visits keep validating against their own form version") {
  StoreFixture fx;
  auto seeded = testing::SeedSite(fx.store(), &fx.env);
  const std::string old_visit = testing::AddVisit(
      fx.store(), &fx.env, seeded.site_id,
      {{"answers", {{"asset_type", "culvert"}, {"blockage_pct", "lt25"}, {"asset_ref", "D-14"}, {"width_m", 50}}}});

  REQUIRE_OK(fx->AddForm(Unwrap(ParseForm(DrainageV2()))));
  REQUIRE(fx->FindForm("drainage_flood@2.0") != nullptr);
  REQUIRE(fx->FindForm("drainage_flood@1.0") != nullptr);

  // New visits on 2.0 follow the new rules.
  json v2_answers = {{"asset_type", "culvert"}, {"blockage_pct", "lt25"}, {"asset_ref", "D-14"}};
  auto commit_v2 = [&](const json& answers) {
    return fx->Commit({SetFields{RecordType::kVisit, NewUuid(&fx.env),
                                 testing::VisitFields(seeded.site_id,
                                                      {{"form", "drainage_flood@2.0"}, {"answers", answers}})}});
  };
  CHECK(commit_v2(v2_answers).status().code() == Code::kInvalidArgument);  // asset_ref is gone in 2.0
  v2_answers.erase("asset_ref");
  v2_answers["width_m"] = 50;
  CHECK(commit_v2(v2_answers).status().code() == Code::kInvalidArgument);  // max is 10 in 2.0
  v2_answers["width_m"] = 5;
  v2_answers["asset_code"] = "D-15";
  CHECK_OK(commit_v2(v2_answers));

  // The 1.0 visit still reads, edits and completes under 1.0's rules.
  auto edit_old = [&](const json& fields) { return fx->Commit({SetFields{RecordType::kVisit, old_visit, fields}}); };
  CHECK_OK(edit_old({{"notes", "checked again"}, {"status", "complete"}}));
  CHECK_OK(edit_old({{"answers", {{"width_m", 60}}}}));
  CHECK(edit_old({{"answers", {{"asset_code", "D-14"}}}}).status().code() == Code::kInvalidArgument);

  fx.Reopen();
  REQUIRE(fx->FindForm("drainage_flood@2.0") != nullptr);
  Record r = Unwrap(fx->Get(RecordType::kVisit, old_visit));
  CHECK(r.Get("form") == "drainage_flood@1.0");
  CHECK(r.Get("answers.asset_ref") == "D-14");
  CHECK(r.Get("answers.width_m") == 60);
  CHECK_OK(ValidateAnswers(*fx->FindForm("drainage_flood@1.0"), r.Get("answers"), true));
  CHECK_FALSE(ValidateAnswers(*fx->FindForm("drainage_flood@2.0"), r.Get("answers"), true).ok());
  CHECK_OK(edit_old({{"notes", "after reopen"}}));
}

TEST_CASE("AddForm of an existing key with a different definition is a conflict") {
  StoreFixture fx;
  FormDef v2 = Unwrap(ParseForm(DrainageV2()));
  REQUIRE_OK(fx->AddForm(v2));
  CHECK_OK(fx->AddForm(v2));  // the identical definition again: nothing to do

  json changed = DrainageV2();
  changed["title"]["en"] = "Drainage (changed)";
  Status st = fx->AddForm(Unwrap(ParseForm(changed)));
  CHECK(st.code() == Code::kConflict);
  CHECK(st.message().find("drainage_flood@2.0") != std::string::npos);

  json builtin = Builtin("drainage_flood@1.0").source;
  builtin["fields"].erase(1);
  CHECK(fx->AddForm(Unwrap(ParseForm(builtin))).code() == Code::kConflict);

  fx.Reopen();  // the conflict survives a reopen: the stored 2.0 is the first one
  CHECK(fx->AddForm(Unwrap(ParseForm(changed))).code() == Code::kConflict);
  CHECK(fx->FindForm("drainage_flood@2.0")->title.at("en") == v2.title.at("en"));
}

TEST_CASE("AddForm refuses a FormDef whose definition does not match its key") {
  // The store keeps form.source; a FormDef edited after parsing would be
  // stored under one key and read back under another.
  StoreFixture fx;
  FormDef f = Unwrap(ParseForm(DrainageV2()));
  f.version = "3.0";
  CHECK(fx->AddForm(f).code() == Code::kInvalidArgument);
  CHECK(fx->FindForm("drainage_flood@3.0") == nullptr);
  FormDef empty;
  empty.id = "x";
  empty.version = "1.0";
  CHECK(fx->AddForm(empty).code() == Code::kInvalidArgument);
  fx.Reopen();
  CHECK(fx->forms().size() == BuiltinForms().size());
}

}  // namespace
}  // namespace ccfield::store_test
