// CLDR plural categories (ui/text/plural.h) against ICU's icu::PluralRules,
// the reference implementation of CLDR's rules: the app's small table must
// give the same category as ICU for every count a person will see.
#include "text/plural.h"

#include <doctest/doctest.h>
#include <unicode/bytestream.h>
#include <unicode/locid.h>
#include <unicode/plurrule.h>
#include <unicode/unistr.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "text/i18n.h"

namespace ccfield::ui {
namespace {

std::string IcuCategory(const icu::PluralRules& rules, int32_t n) {
  std::string out;
  rules.select(n).toUTF8String(out);
  return out;
}

std::unique_ptr<icu::PluralRules> IcuRules(const char* code) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<icu::PluralRules> rules(icu::PluralRules::forLocale(icu::Locale(code), err));
  REQUIRE(U_SUCCESS(err));
  return rules;
}

std::vector<int32_t> Counts() {
  std::vector<int32_t> out;
  for (int32_t n = 0; n <= 20000; ++n) out.push_back(n);
  for (int32_t n : {100000, 100001, 1000000, 1000001, 2000000, 5000000, 10000000, 21000000, 1000000000})
    out.push_back(n);
  return out;
}

TEST_CASE("ui_text plural: the table gives ICU's category for every UI language") {
  for (const LanguageInfo& l : Catalog::Languages()) {
    INFO("language ", l.code);
    const auto rules = IcuRules(l.code);
    int wrong = 0;
    for (int32_t n : Counts()) {
      const std::string icu = IcuCategory(*rules, n);
      const std::string ours = PluralCategoryName(PluralOf(l.code, n));
      if (icu != ours && ++wrong <= 5) CHECK_MESSAGE(false, n, ": ICU says ", icu, ", the table ", ours);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("ui_text plural: PluralCategories lists what whole numbers take, plus other") {
  for (const LanguageInfo& l : Catalog::Languages()) {
    INFO("language ", l.code);
    const auto rules = IcuRules(l.code);
    std::set<std::string> icu = {"other"};
    for (int32_t n : Counts()) icu.insert(IcuCategory(*rules, n));
    std::set<std::string> ours;
    for (PluralCategory c : PluralCategories(l.code)) ours.insert(PluralCategoryName(c));
    CHECK(ours == icu);
  }
}

TEST_CASE("ui_text plural: Arabic has six forms and Russian one, few and many") {
  CHECK(PluralOf("ar", 0) == PluralCategory::kZero);
  CHECK(PluralOf("ar", 1) == PluralCategory::kOne);
  CHECK(PluralOf("ar", 2) == PluralCategory::kTwo);
  CHECK(PluralOf("ar", 3) == PluralCategory::kFew);
  CHECK(PluralOf("ar", 11) == PluralCategory::kMany);
  CHECK(PluralOf("ar", 100) == PluralCategory::kOther);
  CHECK(PluralOf("ru", 21) == PluralCategory::kOne);
  CHECK(PluralOf("ru", 22) == PluralCategory::kFew);
  CHECK(PluralOf("ru", 12) == PluralCategory::kMany);
  CHECK(PluralOf("fr", 0) == PluralCategory::kOne);
  CHECK(PluralOf("en", 0) == PluralCategory::kOther);
  CHECK(PluralOf("pt-BR", 1) == PluralCategory::kOne);  // the base language decides
  CHECK(PluralOf("sw", 1) == PluralCategory::kOne);     // unknown: as English
  CHECK(PluralOf("ru", -21) == PluralCategory::kOne);   // magnitude
  CHECK(PluralCategoryFromName("few") == PluralCategory::kFew);
  CHECK_FALSE(PluralCategoryFromName("several").has_value());
}

}  // namespace
}  // namespace ccfield::ui
