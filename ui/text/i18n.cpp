#include "text/i18n.h"

#include "text/bidi.h"

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "ccfield/core/embedded.h"

namespace ccfield {
extern const EmbeddedFile kEmbeddedCatalogs[];  // data/i18n/*.json, see ui/text/CMakeLists.txt
}

namespace ccfield::ui {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the placeholder name starting at text[pos] == '{' (up to the
// closing brace), or 0 if there is no placeholder there.
size_t PlaceholderNameLength(std::string_view text, size_t pos) {
  size_t end = pos + 1;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  if (end == pos + 1 || end >= text.size() || text[end] != '}') return 0;
  return end - pos - 1;
}

// "\u2068" value "\u2069": see Format in i18n.h.
constexpr std::string_view kFirstStrongIsolate = "\xE2\x81\xA8";
constexpr std::string_view kPopDirectionalIsolate = "\xE2\x81\xA9";

template <typename Args>
std::string FormatWith(std::string_view pattern, const Args& args) {
  bool isolate = HasRtl(pattern);
  for (const auto& a : args) isolate = isolate || HasRtl(a.second);
  // A catalog sentence already shaped into display order gets them too: the
  // bidi pass (VisualLine) lays each isolated value out on its own where its
  // placeholder stood; text drawn without that pass shows the marks as
  // nothing (fonts.cpp gives them empty glyphs).
  std::string out;
  out.reserve(pattern.size() + 16);
  size_t pos = 0;
  while (pos < pattern.size()) {
    const size_t len = pattern[pos] == '{' ? PlaceholderNameLength(pattern, pos) : 0;
    if (len > 0) {
      const std::string_view name = pattern.substr(pos + 1, len);
      const auto arg = std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == name; });
      if (arg != args.end()) {
        if (isolate) out += kFirstStrongIsolate;
        out += arg->second;
        if (isolate) out += kPopDirectionalIsolate;
        pos += len + 2;
        continue;
      }
    }
    out.push_back(pattern[pos++]);
  }
  return out;
}

std::string_view EmbeddedCatalog(std::string_view code) {
  const std::string name = std::string(code) + ".json";
  for (const EmbeddedFile* f = kEmbeddedCatalogs; !f->name.empty(); ++f) {
    if (f->name == name) return f->data;
  }
  return {};
}

struct State {
  State() {
    auto& en = by_code["en"];
    en = std::make_unique<Catalog>();
    current = en.get();
  }
  std::map<std::string, std::unique_ptr<Catalog>, std::less<>> by_code;  // loaded by SetLanguage
  std::vector<std::unique_ptr<Catalog>> installed;                       // from SetCatalog
  const Catalog* current;
};

State& GlobalState() {
  static State state;
  return state;
}

}  // namespace

const std::vector<LanguageInfo>& Catalog::Languages() {
  static const std::vector<LanguageInfo> kLanguages = {
      {"en", "English", false}, {"fr", "Français", false}, {"pt", "Português", false}, {"ru", "Русский", false},
      {"ka", "ქართული", false}, {"hy", "Հայերեն", false},  {"am", "አማርኛ", false},      {"ar", "العربية", true},
  };
  return kLanguages;
}

const LanguageInfo* Catalog::FindLanguage(std::string_view code) {
  for (const LanguageInfo& l : Languages()) {
    if (code == l.code) return &l;
  }
  return nullptr;
}

Catalog::Catalog() : code_("en") {}

Catalog Catalog::FromJson(std::string_view code, std::string_view json, std::string* problems) {
  Catalog catalog;
  catalog.code_ = std::string(code);
  const LanguageInfo* info = FindLanguage(code);
  catalog.rtl_ = info != nullptr && info->rtl;
  std::string found;
  const auto problem = [&](const std::string& line) { found += line + "\n"; };

  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    problem("catalog " + catalog.code_ + ": not a JSON object of msgid to translation; showing English");
  } else {
    for (const auto& [msgid, value] : doc.items()) {
      if (value.is_object()) {
        catalog.AddPlural(msgid, value, problem);
        continue;
      }
      if (!value.is_string()) {
        problem("catalog " + catalog.code_ + ": \"" + msgid + "\": translation is not a string");
        continue;
      }
      const auto& text = value.get_ref<const std::string&>();
      if (text.empty()) continue;  // not translated yet
      if (Placeholders(text) != Placeholders(msgid)) {
        problem("catalog " + catalog.code_ + ": \"" + msgid + "\": placeholders differ from the English text");
        continue;
      }
      // ImGui draws left to right without shaping: right-to-left catalogs are
      // kept shaped and in display order, so every tr() is ready to draw.
      catalog.entries_.emplace(msgid, catalog.rtl_ ? VisualLine(text) : text);
    }
  }
  if (!found.empty()) found.pop_back();
  if (problems) *problems = std::move(found);
  return catalog;
}

void Catalog::AddPlural(const std::string& msgid, const nlohmann::json& forms,
                        const std::function<void(const std::string&)>& problem) {
  const std::string where = "catalog " + code_ + ": \"" + msgid + "\": ";
  const std::vector<PluralCategory> used = PluralCategories(code_);
  const std::vector<std::string> want = Placeholders(msgid);
  std::vector<std::string> want_but_count = want;
  std::erase(want_but_count, "count");
  std::array<std::string, kPluralCategoryCount> out;
  for (const auto& [name, value] : forms.items()) {
    const std::optional<PluralCategory> c = PluralCategoryFromName(name);
    if (!c || std::find(used.begin(), used.end(), *c) == used.end()) {
      return problem(where + "\"" + name + "\" is not a plural category of this language");
    }
    if (!value.is_string()) return problem(where + "plural form \"" + name + "\" is not a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty()) continue;
    // A form may leave out {count} ("one visit", Arabic's "زيارتان" for two), nothing else.
    if (const auto got = Placeholders(text); got != want && got != want_but_count) {
      return problem(where + "plural form \"" + name + "\": placeholders differ from the English text");
    }
    out[static_cast<size_t>(*c)] = rtl_ ? VisualLine(text) : text;
  }
  if (out[static_cast<size_t>(PluralCategory::kOther)].empty()) {
    if (std::all_of(out.begin(), out.end(), [](const std::string& f) { return f.empty(); })) return;  // not done yet
    return problem(where + "a plural entry needs its \"other\" form");
  }
  plurals_.emplace(msgid, std::move(out));
}

const char* Catalog::TranslatePlural(const char* one, const char* other, int64_t count) const {
  if (const auto it = plurals_.find(std::string_view(other)); it != plurals_.end()) {
    const std::string& form = it->second[static_cast<size_t>(PluralOf(code_, count))];
    return form.empty() ? it->second[static_cast<size_t>(PluralCategory::kOther)].c_str() : form.c_str();
  }
  if (const auto it = entries_.find(std::string_view(other)); it != entries_.end()) return it->second.c_str();
  return PluralOf("en", count) == PluralCategory::kOne ? one : other;
}

const char* Catalog::Translate(const char* msgid) const {
  if (entries_.empty()) return msgid;
  const auto it = entries_.find(std::string_view(msgid));
  return it == entries_.end() ? msgid : it->second.c_str();
}

std::string SetLanguage(std::string_view code) {
  State& state = GlobalState();
  const LanguageInfo* info = Catalog::FindLanguage(code);
  const std::string key = info ? info->code : "en";
  std::string problems;
  if (info == nullptr) problems = "unknown language \"" + std::string(code) + "\"; showing English";
  auto it = state.by_code.find(key);
  if (it == state.by_code.end()) {
    const std::string_view json = EmbeddedCatalog(key);
    if (json.data() == nullptr) {
      problems = "no catalog compiled in for " + key + "; showing English";
      it = state.by_code.emplace(key, std::make_unique<Catalog>()).first;
    } else {
      it = state.by_code.emplace(key, std::make_unique<Catalog>(Catalog::FromJson(key, json, &problems))).first;
    }
  }
  state.current = it->second.get();
  return problems;
}

void SetCatalog(Catalog catalog) {
  State& state = GlobalState();
  state.installed.push_back(std::make_unique<Catalog>(std::move(catalog)));
  state.current = state.installed.back().get();
}

const Catalog& CurrentCatalog() { return *GlobalState().current; }

const char* tr(const char* msgid) { return GlobalState().current->Translate(msgid); }

std::string trn(const char* one, const char* other, int64_t count,
                std::initializer_list<std::pair<std::string_view, std::string>> args) {
  Msg::Args all{{"count", std::to_string(count)}};
  for (const auto& [name, value] : args) all.emplace_back(name, value);
  return Format(CurrentCatalog().TranslatePlural(one, other, count), all);
}

std::string Format(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string>> args) {
  return FormatWith(pattern, args);
}

std::string Format(std::string_view pattern, const Msg::Args& args) { return FormatWith(pattern, args); }

std::string StatusText(const Status& status) {
  std::string out;
  for (const Msg& part : status.parts()) {
    if (!out.empty()) out += ": ";
    out += Format(tr(part.id.c_str()), part.args);
  }
  return out;
}

std::vector<std::string> Placeholders(std::string_view text) {
  std::vector<std::string> names;
  for (size_t pos = text.find('{'); pos != std::string_view::npos; pos = text.find('{', pos + 1)) {
    if (const size_t len = PlaceholderNameLength(text, pos)) names.emplace_back(text.substr(pos + 1, len));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace ccfield::ui
