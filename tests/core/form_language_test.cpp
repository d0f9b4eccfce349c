// Which language a form text shows in (issue 13): the UI language, then the
// workspace's default language, then English; and the shipped forms speak
// Arabic everywhere a person reads them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "ccfield/core/forms.h"

namespace ccfield {
namespace {

const Labels kEnFr = {{"en", "Drain"}, {"fr", "Caniveau"}};

TEST_CASE("form language: the UI language's text when the form has it") {
  const Labels l = {{"en", "Drain"}, {"fr", "Caniveau"}, {"ar", "قناة"}};
  CHECK(PickLabel(l, "ar") == "قناة");
  CHECK(PickLabel(l, "ar:fr") == "قناة");
  CHECK(PickLabel(l, "ar-MA:fr") == "قناة");  // regional tag: its base language
  CHECK(PickLabel(l, "fr:ar") == "Caniveau");
}

TEST_CASE("form language: a form without the UI language falls back to the workspace's, then English") {
  CHECK(PickLabel(kEnFr, "ar:fr") == "Caniveau");  // Arabic UI in a Moroccan (French) workspace
  CHECK(PickLabel(kEnFr, "ar-MA:fr-MA") == "Caniveau");
  CHECK(PickLabel(kEnFr, "ar") == "Drain");     // no workspace language: English
  CHECK(PickLabel(kEnFr, "ar:sw") == "Drain");  // neither: English
  CHECK(PickLabel(kEnFr, "") == "Drain");
  CHECK(PickLabel(kEnFr, "::") == "Drain");
  CHECK(PickLabel(Labels{{"pt", "Vala"}}, "ar:fr") == "Vala");  // no English either: what there is
  CHECK(PickLabel(Labels{}, "ar:fr").empty());
}

TEST_CASE("form language: LabelLanguages puts the UI language first and leaves out repeats") {
  CHECK(LabelLanguages("ar", "fr") == "ar:fr");
  CHECK(LabelLanguages("fr", "fr") == "fr");
  CHECK(LabelLanguages("ar", "") == "ar");
  CHECK(LabelLanguages("", "fr") == "fr");
  CHECK(PickLabel(kEnFr, LabelLanguages("ar", "fr")) == "Caniveau");
}

TEST_CASE("form language: answers are written with the same fallback") {
  const FormDef* drainage = nullptr;
  for (const FormDef& f : BuiltinForms()) {
    if (f.id == "drainage_flood") drainage = &f;
  }
  REQUIRE(drainage != nullptr);
  const FormField* asset = drainage->Find("asset_type");
  REQUIRE(asset != nullptr);
  CHECK(FormatAnswer(*asset, "culvert", "sw:fr") == "Dalot / buse");
  CHECK(FormatAnswer(*asset, "culvert", "ar:fr") != "Dalot / buse");  // the form has Arabic now
}

// Every text a person reads in a shipped form: title, description, labels,
// help and option labels.
void ForEachText(const FormDef& form, const std::function<void(const std::string&, const Labels&)>& fn) {
  fn(form.key() + " title", form.title);
  if (!form.description.empty()) fn(form.key() + " description", form.description);
  for (const FormField& f : form.fields) {
    fn(form.key() + " " + f.id, f.label);
    if (!f.help.empty()) fn(form.key() + " " + f.id + " help", f.help);
    for (const FormOption& o : f.options) fn(form.key() + " " + f.id + "=" + o.value, o.label);
  }
}

TEST_CASE("form language: the five shipped forms have Arabic for every text") {
  REQUIRE(BuiltinForms().size() == 5);
  std::vector<std::string> missing;
  for (const FormDef& form : BuiltinForms()) {
    ForEachText(form, [&](const std::string& where, const Labels& l) {
      const auto ar = l.find("ar");
      if (ar == l.end() || ar->second.empty()) missing.push_back(where);
    });
  }
  std::string list;
  for (const std::string& m : missing) list += "\n  " + m;
  CHECK_MESSAGE(missing.empty(), missing.size(), " text(s) without Arabic:", list);
}

TEST_CASE("form language: Arabic form texts are Arabic script, not a copy of another language") {
  for (const FormDef& form : BuiltinForms()) {
    ForEachText(form, [&](const std::string& where, const Labels& l) {
      const auto ar = l.find("ar");
      if (ar == l.end()) return;
      const std::string& en = l.at("en");
      // "25–50 %", "< 20 m" aside: a text with no letter reads the same in every language.
      if (std::none_of(en.begin(), en.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        return;
      }
      INFO(where);
      CHECK(ar->second != l.at("en"));
      CHECK(ar->second != l.at("fr"));
      // U+0600..U+06FF is encoded with lead bytes 0xD8..0xDB.
      const bool arabic = ar->second.find_first_of("\xD8\xD9\xDA\xDB") != std::string::npos;
      CHECK(arabic);
    });
  }
}

}  // namespace
}  // namespace ccfield
