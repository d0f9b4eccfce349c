#pragma once
// CLDR plural categories of whole-number counts for the UI languages, so a
// catalog can give "1 visit", "2 visits" and Arabic's six forms.
//
// Why a small table and not ICU at run time: the app only ever counts whole
// things, the eight languages need a dozen lines of rules, and the app must
// also run where ICU's 30 MB of data is not on the device (Android, Windows,
// later). The table is CLDR's "plurals.xml" integer rules (CLDR 42) written
// out by hand; tests/ui_text/plural_test.cpp checks it against ICU's
// icu::PluralRules (Debian libicu-dev, a test-only dependency) for every
// count up to 20000 and for large round numbers, so a wrong rule fails there.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ccfield::ui {

enum class PluralCategory { kZero, kOne, kTwo, kFew, kMany, kOther };
inline constexpr int kPluralCategoryCount = 6;

// "zero", "one", "two", "few", "many", "other": CLDR's keywords, as catalogs write them.
const char* PluralCategoryName(PluralCategory c);
std::optional<PluralCategory> PluralCategoryFromName(std::string_view name);

// The category of the whole number `count` in language `code` ("fr",
// "pt-BR": the part before '-' is used). A negative count is taken as its
// magnitude. An unknown language follows English.
PluralCategory PluralOf(std::string_view code, int64_t count);

// The categories whole numbers take in `code`, plus kOther (CLDR's fallback,
// which every plural entry must give), in enum order.
std::vector<PluralCategory> PluralCategories(std::string_view code);

}  // namespace ccfield::ui
