#include "text/plural.h"

#include <array>

namespace ccfield::ui {
namespace {

constexpr std::array<const char*, kPluralCategoryCount> kNames = {"zero", "one", "two", "few", "many", "other"};

// fr and pt: CLDR 38+ use "many" for whole millions ("1 000 000 de visites").
bool WholeMillions(uint64_t n) { return n != 0 && n % 1000000 == 0; }

PluralCategory Russian(uint64_t n) {
  const uint64_t d = n % 10, h = n % 100;
  if (d == 1 && h != 11) return PluralCategory::kOne;
  if (d >= 2 && d <= 4 && !(h >= 12 && h <= 14)) return PluralCategory::kFew;
  return PluralCategory::kMany;  // 0, 5-9, 11-14 (CLDR's "other" is for fractions only)
}

PluralCategory Arabic(uint64_t n) {
  const uint64_t h = n % 100;
  if (n == 0) return PluralCategory::kZero;
  if (n == 1) return PluralCategory::kOne;
  if (n == 2) return PluralCategory::kTwo;
  if (h >= 3 && h <= 10) return PluralCategory::kFew;
  if (h >= 11) return PluralCategory::kMany;
  return PluralCategory::kOther;  // 100-102, 200-202, ...
}

}  // namespace

const char* PluralCategoryName(PluralCategory c) { return kNames[static_cast<size_t>(c)]; }

std::optional<PluralCategory> PluralCategoryFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<PluralCategory>(i);
  }
  return std::nullopt;
}

PluralCategory PluralOf(std::string_view code, int64_t count) {
  const std::string_view lang = code.substr(0, code.find('-'));
  const uint64_t n = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  const auto one_if = [](bool one) { return one ? PluralCategory::kOne : PluralCategory::kOther; };
  if (lang == "ar") return Arabic(n);
  if (lang == "ru") return Russian(n);
  if (lang == "fr" || lang == "pt")
    return n <= 1 ? PluralCategory::kOne : WholeMillions(n) ? PluralCategory::kMany : PluralCategory::kOther;
  if (lang == "hy" || lang == "am") return one_if(n <= 1);  // "i = 0,1" and "i = 0 or n = 1"
  return one_if(n == 1);                                    // en, ka and unknown languages
}

std::vector<PluralCategory> PluralCategories(std::string_view code) {
  using P = PluralCategory;
  const std::string_view lang = code.substr(0, code.find('-'));
  if (lang == "ar") return {P::kZero, P::kOne, P::kTwo, P::kFew, P::kMany, P::kOther};
  if (lang == "ru") return {P::kOne, P::kFew, P::kMany, P::kOther};
  if (lang == "fr" || lang == "pt") return {P::kOne, P::kMany, P::kOther};
  return {P::kOne, P::kOther};
}

}  // namespace ccfield::ui
