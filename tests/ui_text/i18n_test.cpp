// Message catalogs: lookup, fallback to English, placeholder checks, Format.
#include "text/i18n.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

namespace ccfield::ui {
namespace {

// Leaves the process-wide language as English whatever the test did.
struct EnglishAfter {
  ~EnglishAfter() { (void)SetLanguage("en"); }
};

TEST_CASE("ui_text i18n: language list has the eight UI languages, English first") {
  const auto& langs = Catalog::Languages();
  REQUIRE(langs.size() == 8);
  CHECK(std::string(langs[0].code) == "en");
  std::set<std::string> codes;
  for (const LanguageInfo& l : langs) {
    codes.insert(l.code);
    CHECK(l.rtl == (std::string(l.code) == "ar"));
  }
  CHECK(codes == std::set<std::string>{"en", "fr", "pt", "ru", "ka", "hy", "am", "ar"});
  CHECK(std::string(Catalog::FindLanguage("fr")->native_name) == "Français");
  CHECK(std::string(Catalog::FindLanguage("ka")->native_name) == "ქართული");
  CHECK(std::string(Catalog::FindLanguage("hy")->native_name) == "Հայերեն");
  CHECK(std::string(Catalog::FindLanguage("am")->native_name) == "አማርኛ");
  CHECK(std::string(Catalog::FindLanguage("ar")->native_name) == "العربية");
  CHECK(Catalog::FindLanguage("xx") == nullptr);
}

TEST_CASE("ui_text i18n: a missing message falls back to the English msgid itself") {
  std::string problems;
  const Catalog fr = Catalog::FromJson("fr", R"({"Sync now": "Synchroniser", "Untranslated": ""})", &problems);
  CHECK(problems.empty());
  CHECK(fr.code() == "fr");
  CHECK(fr.size() == 1);
  CHECK(std::string(fr.Translate("Sync now")) == "Synchroniser");
  const char* msgid = "Save visit";
  CHECK(fr.Translate(msgid) == msgid);  // same pointer: no copy
  const char* empty = "Untranslated";
  CHECK(fr.Translate(empty) == empty);  // an empty translation means not done yet
  CHECK(fr.Translate("Sync now") == fr.Translate("Sync now"));
}

TEST_CASE("ui_text i18n: a translation whose placeholders differ is rejected") {
  std::string problems;
  const Catalog ru = Catalog::FromJson("ru", R"({
    "{count} visits": "{cnt} визитов",
    "Due {date}": "Срок",
    "{done} of {total} sent": "{total}: отправлено {done}"
  })",
                                       &problems);
  CHECK(std::string(ru.Translate("{count} visits")) == "{count} visits");
  CHECK(std::string(ru.Translate("Due {date}")) == "Due {date}");
  CHECK(std::string(ru.Translate("{done} of {total} sent")) == "{total}: отправлено {done}");  // reordered is fine
  CHECK(problems.find("\"{count} visits\": placeholders differ") != std::string::npos);
  CHECK(problems.find("\"Due {date}\"") != std::string::npos);
  CHECK(problems.find("of {total}") == std::string::npos);
}

TEST_CASE("ui_text i18n: invalid JSON or a non-string entry gives English and a problem") {
  std::string problems;
  const Catalog broken = Catalog::FromJson("pt", R"({"Sync now": "Sincronizar",)", &problems);
  CHECK(broken.size() == 0);
  CHECK(problems.find("not a JSON object") != std::string::npos);
  CHECK(std::string(broken.Translate("Sync now")) == "Sync now");

  const Catalog array = Catalog::FromJson("pt", R"(["Sync now"])", &problems);
  CHECK(array.size() == 0);
  CHECK_FALSE(problems.empty());

  const Catalog mixed = Catalog::FromJson("pt", R"({"Sync now": 3, "Save": "Guardar"})", &problems);
  CHECK(mixed.size() == 1);
  CHECK(problems.find("\"Sync now\": translation is not a string") != std::string::npos);

  const Catalog bad_utf8 = Catalog::FromJson("pt", "{\"Save\": \"Guard\xFF\"}", nullptr);
  CHECK(bad_utf8.size() == 0);
}

TEST_CASE("ui_text i18n: tr follows the current language and its pointers outlive a switch") {
  EnglishAfter restore;
  CHECK(std::string(tr("Sync now")) == "Sync now");
  SetCatalog(Catalog::FromJson("fr", R"({"Sync now": "Synchroniser"})", nullptr));
  const char* fr = tr("Sync now");
  CHECK(std::string(fr) == "Synchroniser");
  CHECK(CurrentCatalog().code() == "fr");
  CHECK(SetLanguage("en").empty());
  CHECK(std::string(tr("Sync now")) == "Sync now");
  CHECK(std::string(fr) == "Synchroniser");  // still readable: catalogs are never freed
}

TEST_CASE("ui_text i18n: an unknown language selects English and says so") {
  EnglishAfter restore;
  const std::string problems = SetLanguage("tlh");
  CHECK(problems.find("unknown language") != std::string::npos);
  CHECK(CurrentCatalog().code() == "en");
  CHECK_FALSE(CurrentCatalog().rtl());
}

TEST_CASE("ui_text i18n: every shipped catalog loads without problems") {
  EnglishAfter restore;
  for (const LanguageInfo& l : Catalog::Languages()) {
    INFO("language ", std::string(l.code));
    CHECK(SetLanguage(l.code) == "");
    CHECK(CurrentCatalog().code() == l.code);
    CHECK(CurrentCatalog().rtl() == l.rtl);
  }
}

TEST_CASE("ui_text i18n: Format fills named placeholders") {
  CHECK(Format("{count} visits", {{"count", "12"}}) == "12 visits");
  CHECK(Format("{done} of {total}, {done} new", {{"total", "9"}, {"done", "3"}}) == "3 of 9, 3 new");
  CHECK(Format("Due {date}", {}) == "Due {date}");  // unknown name stays visible
  CHECK(Format("{} {not a name} {x", {{"x", "1"}}) == "{} {not a name} {x");
  CHECK(Format("{a}{b}", {{"a", "{b}"}, {"b", "2"}}) == "{b}2");  // values are not re-scanned
  CHECK(Format("", {{"a", "1"}}) == "");
}

TEST_CASE("ui_text i18n: Placeholders lists distinct names sorted") {
  CHECK(Placeholders("{b} and {a} and {b}") == std::vector<std::string>{"a", "b"});
  CHECK(Placeholders("no {place holder} {}").empty());
  CHECK(Placeholders("{n_1}{N2}") == std::vector<std::string>{"N2", "n_1"});
}

}  // namespace
}  // namespace ccfield::ui
