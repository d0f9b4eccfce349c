// Issue 13's catalog features: plural entries chosen by CLDR category,
// Status messages translated from their message ids, and placeholders
// isolated for bidi so a title keeps its own direction in a sentence.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "ccfield/core/status.h"
#include "text/bidi.h"
#include "text/i18n.h"

namespace ccfield::ui {
namespace {

struct EnglishAfter {
  ~EnglishAfter() { (void)SetLanguage("en"); }
};

constexpr const char* kOne = "{count} visit waiting";
constexpr const char* kOther = "{count} visits waiting";
const std::string kFsi = "\u2068", kPdi = "\u2069";

TEST_CASE("ui_text plural: English picks one or other by the count") {
  const Catalog en;
  CHECK(std::string(en.TranslatePlural(kOne, kOther, 1)) == kOne);
  CHECK(std::string(en.TranslatePlural(kOne, kOther, 0)) == kOther);
  CHECK(std::string(en.TranslatePlural(kOne, kOther, 2)) == kOther);
  EnglishAfter restore;
  CHECK(SetLanguage("en").empty());
  CHECK(trn(kOne, kOther, 1) == "1 visit waiting");
  CHECK(trn(kOne, kOther, 7) == "7 visits waiting");
  CHECK(trn("{count} visit at {site}", "{count} visits at {site}", 2, {{"site", "Market"}}) == "2 visits at Market");
}

TEST_CASE("ui_text plural: a catalog's plural entry gives the language's form for each count") {
  std::string problems;
  const Catalog ru = Catalog::FromJson("ru", R"json({"{count} visits waiting": {
      "one": "{count} осмотр ждёт", "few": "{count} осмотра ждут", "many": "{count} осмотров ждут",
      "other": "{count} осмотра ждут"}})json",
                                       &problems);
  CHECK(problems.empty());
  CHECK(ru.size() == 1);
  CHECK(std::string(ru.TranslatePlural(kOne, kOther, 1)) == "{count} осмотр ждёт");
  CHECK(std::string(ru.TranslatePlural(kOne, kOther, 21)) == "{count} осмотр ждёт");
  CHECK(std::string(ru.TranslatePlural(kOne, kOther, 3)) == "{count} осмотра ждут");
  CHECK(std::string(ru.TranslatePlural(kOne, kOther, 11)) == "{count} осмотров ждут");
  CHECK(std::string(ru.TranslatePlural(kOne, kOther, 0)) == "{count} осмотров ждут");
  CHECK(std::string(ru.TranslatePlural("{count} site", "{count} sites", 1)) == "{count} site");  // not in it
}

TEST_CASE("ui_text plural: a missing category uses other, a plain string serves every count") {
  const Catalog ar =
      Catalog::FromJson("ar", R"json({"{count} visits waiting": {"one": "زيارة واحدة", "other": "{count} زيارة"},
                                               "{count} sites": "المواقع: {count}"})json",
                        nullptr);
  CHECK(std::string(ar.TranslatePlural(kOne, kOther, 1)) == VisualLine("زيارة واحدة"));
  CHECK(std::string(ar.TranslatePlural(kOne, kOther, 2)) == VisualLine("{count} زيارة"));  // no "two": other
  CHECK(std::string(ar.TranslatePlural("{count} site", "{count} sites", 1)) == VisualLine("المواقع: {count}"));
}

TEST_CASE("ui_text plural: broken plural entries are refused with a problem each") {
  std::string problems;
  const Catalog fr = Catalog::FromJson("fr", R"json({
    "{count} a": {"one": "{count} a", "few": "{count} a"},
    "{count} b": {"one": "{count} b"},
    "{count} c": {"one": "{n} c", "other": "{count} c"},
    "{count} d": {"one": 1, "other": "{count} d"},
    "{count} e": {"one": "", "other": ""},
    "{count} f": {"one": "{count} f (fr)", "many": "{count} f (fr, millions)", "other": "{count} f (fr)"}})json",
                                       &problems);
  CHECK(fr.size() == 1);  // only f
  CHECK(problems.find("\"{count} a\": \"few\" is not a plural category of this language") != std::string::npos);
  CHECK(problems.find("\"{count} b\": a plural entry needs its \"other\" form") != std::string::npos);
  CHECK(problems.find("\"{count} c\": plural form \"one\": placeholders differ") != std::string::npos);
  CHECK(problems.find("\"{count} d\": plural form \"one\" is not a string") != std::string::npos);
  CHECK(problems.find("{count} e") == std::string::npos);  // empty: not translated yet, no problem
  CHECK(std::string(fr.TranslatePlural("{count} f", "{count} f", 1000000)) == "{count} f (fr, millions)");
}

TEST_CASE("ui_text plural: the shipped catalogs give Arabic six forms and Russian three") {
  EnglishAfter restore;
  const char* one = "{count} change waiting to be sent.";
  const char* other = "{count} changes waiting to be sent.";
  REQUIRE(SetLanguage("ru").empty());
  CHECK(trn(one, other, 1) == "1 изменение ждёт отправки.");
  CHECK(trn(one, other, 21) == "21 изменение ждёт отправки.");
  CHECK(trn(one, other, 3) == "3 изменения ждут отправки.");
  CHECK(trn(one, other, 5) == "5 изменений ждут отправки.");
  CHECK(trn(one, other, 12) == "12 изменений ждут отправки.");
  REQUIRE(SetLanguage("fr").empty());
  CHECK(trn(one, other, 0) == "0 modification en attente d'envoi.");
  CHECK(trn(one, other, 2) == "2 modifications en attente d'envoi.");
  REQUIRE(SetLanguage("ar").empty());
  std::set<std::string> forms;
  for (int n : {0, 1, 2, 3, 11, 100}) forms.insert(CurrentCatalog().TranslatePlural(one, other, n));
  CHECK(forms.size() == 6);
  CHECK(trn(one, other, 2) == VisualLine("تغييران بانتظار الإرسال."));
  CHECK(trn(one, other, 7) == Format(VisualLine("{count} تغييرات بانتظار الإرسال."), {{"count", "7"}}));
}

TEST_CASE("ui_text i18n: StatusText translates each part of a Status and fills in its arguments") {
  EnglishAfter restore;
  SetCatalog(Catalog::FromJson("fr", R"json({
    "answer {id}: must be at most {max}": "réponse {id} : au plus {max}",
    "wrong user name or password": "nom d'utilisateur ou mot de passe incorrect"})json",
                               nullptr));
  const Status st = Status::Invalid(Msg("answer {id}: must be at most {max}", {{"id", "depth"}, {"max", "3m"}}));
  CHECK(StatusText(st) == "réponse depth : au plus 3m");
  CHECK(StatusText(st.WithContext("saving visit")) ==
        "saving visit: réponse depth : au plus 3m");  // plain context: English
  CHECK(StatusText(Status::Denied(Msg("wrong user name or password"))) ==
        "nom d'utilisateur ou mot de passe incorrect");
  CHECK(StatusText(Status::Busy("the file is in use")) == "the file is in use");  // not in the catalog: English
  CHECK(StatusText(Status::Ok()).empty());
  (void)SetLanguage("en");
  CHECK(StatusText(st) == st.message());
}

TEST_CASE("ui_text i18n: History of {title} isolates the title when either side is right to left") {
  EnglishAfter restore;
  SetCatalog(Catalog::FromJson("fr", R"json({"History of {title}": "Historique de {title}"})json", nullptr));
  const std::string arabic_title = "قناة 2";
  const std::string fr = Format(tr("History of {title}"), {{"title", arabic_title}});
  CHECK(fr == "Historique de " + kFsi + arabic_title + kPdi);
  // The isolated title is one unit: its digit stays with it, and the French
  // words around it are not pulled into its right-to-left run.
  const std::string with_count = fr + " : 3 visites";
  CHECK(VisualLine(with_count) == "Historique de " + VisualLine(arabic_title) + " : 3 visites");
  CHECK(VisualLine("Historique de " + arabic_title + " : 3 visites") != VisualLine(with_count));  // without: reordered
  // All left to right: isolates would change nothing, so none are added.
  CHECK(Format(tr("History of {title}"), {{"title", "Market drain"}}) == "Historique de Market drain");

  // An Arabic sentence in reading order isolates a Latin name in it.
  CHECK(Format("سجل {title}", {{"title", "Market drain 2"}}) == "سجل " + kFsi + "Market drain 2" + kPdi);
  // A sentence already shaped into display order (the Arabic catalog) isolates
  // its values too, and VisualLine lays each out once where its placeholder
  // stood: an Arabic title comes out shaped, a Latin one as written.
  REQUIRE(SetLanguage("ar").empty());
  const std::string shaped = Format(tr("History of {title}"), {{"title", "Market drain 2"}});
  CHECK(shaped.find(kFsi + "Market drain 2" + kPdi) != std::string::npos);
  CHECK(VisualLine(shaped).find("Market drain 2") != std::string::npos);
  CHECK(VisualLine(shaped).find(kFsi) == std::string::npos);
  const std::string with_arabic = Format(tr("History of {title}"), {{"title", arabic_title}});
  CHECK(VisualLine(with_arabic).find(VisualLine(arabic_title)) != std::string::npos);
  CHECK(VisualLine(with_arabic).find(arabic_title) == std::string::npos);  // never left in typing order
}

}  // namespace
}  // namespace ccfield::ui
