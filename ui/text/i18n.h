#pragma once
// Message catalogs, gettext style: the English text is the message id. Views
// write tr("Sync now"); a catalog (data/i18n/<code>.json, compiled into the
// binary) maps that text to the translation. Whatever is missing or broken
// shows in English. docs/i18n.md is the translators' guide.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ccfield/core/status.h"
#include "text/plural.h"

namespace ccfield::ui {

struct LanguageInfo {
  const char* code;         // "fr"
  const char* native_name;  // "Français": how the language picker shows it
  bool rtl;                 // written right to left
};

class Catalog {
 public:
  // The UI languages, English first.
  static const std::vector<LanguageInfo>& Languages();
  // The language with this code, or null.
  static const LanguageInfo* FindLanguage(std::string_view code);

  // English: translates nothing.
  Catalog();

  // A catalog for `code` from a JSON object {msgid: translation}. A plural
  // entry's msgid is the English "other" form and its translation an object
  // of CLDR categories, {"one": "...", "few": "...", "other": "..."}: it
  // needs "other", and a category the language lacks is a problem. Entries that
  // are not non-empty strings, or whose {placeholders} differ from the
  // msgid's, are left out (their English msgid shows) and each is described
  // on its own line in *problems (may be null). Invalid JSON gives a catalog
  // with no entries and one problem. Never throws.
  static Catalog FromJson(std::string_view code, std::string_view json, std::string* problems);

  // The translation of msgid, or msgid itself. The pointer lives as long as
  // this catalog. Does not allocate. REQUIRES: msgid is NUL-terminated.
  const char* Translate(const char* msgid) const;

  // The form of a plural message for `count`: the catalog's form for the
  // language's category (its "other" form if that one is missing), or in
  // English `one` for 1 and `other` otherwise. `other` is the msgid.
  // Pointer lifetime as for Translate.
  const char* TranslatePlural(const char* one, const char* other, int64_t count) const;

  const std::string& code() const { return code_; }
  bool rtl() const { return rtl_; }
  size_t size() const { return entries_.size() + plurals_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void AddPlural(const std::string& msgid, const nlohmann::json& forms,
                 const std::function<void(const std::string&)>& problem);

  std::string code_;
  bool rtl_ = false;
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> entries_;
  // Plural entries: a form per PluralCategory, empty where not given.
  std::unordered_map<std::string, std::array<std::string, kPluralCategoryCount>, Hash, std::equal_to<>> plurals_;
};

// The process-wide current language. UI thread only, between frames. A
// catalog once installed is never freed, so a pointer from tr() stays valid
// for the life of the process (stale after a switch, never dangling).

// Makes `code` current with its compiled-in catalog; an unknown code selects
// English. Returns the problems found (empty if none) for the caller to log;
// the language is switched anyway, with the usable entries.
[[nodiscard]] std::string SetLanguage(std::string_view code);
// Makes `catalog` current (tests; previewing a translator's file).
void SetCatalog(Catalog catalog);
const Catalog& CurrentCatalog();

// The current language's translation of msgid (see Catalog::Translate).
const char* tr(const char* msgid);

// Marks a literal for the catalog checks without translating it: for tables
// of labels that are passed to tr() later, as tr(row.label).
constexpr const char* N_(const char* msgid) { return msgid; }

// Marks a plural message for the catalog checks: `one` and `other` are the
// English forms, both with {count}; the catalog key is `other`. Returns the
// current language's form for `count` with {count} and `args` filled in:
//   trn("{count} visit waiting", "{count} visits waiting", n)
std::string trn(const char* one, const char* other, int64_t count,
                std::initializer_list<std::pair<std::string_view, std::string>> args = {});

// pattern with each {name} replaced by its value from args; a {name} not in
// args stays as written. Use with tr(): Format(tr("{count} visits"), {{"count", "3"}}).
// When the pattern or a value holds right-to-left text, each value is
// wrapped in FIRST STRONG ISOLATE U+2068 ... POP DIRECTIONAL ISOLATE U+2069
// (Unicode bidi isolates), so a Latin name in an Arabic sentence, or an Arabic
// title in a French one, keeps its own direction and does not reorder the
// words around it. Text with no right-to-left character at all is left
// without isolates: they would change nothing there. A pattern already
// shaped into display order (right-to-left catalogs, see FromJson) gets them
// too: VisualLine lays each isolated value out where its placeholder stood.
std::string Format(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string>> args);
std::string Format(std::string_view pattern, const Msg::Args& args);

// A Status's message in the current language: each part (Status::parts())
// looked up by its id and its arguments filled in with Format, the parts
// joined with ": ". A part the catalog lacks shows in English.
std::string StatusText(const Status& status);

// The distinct {name} placeholders in text, sorted. A name is one or more of
// A-Z a-z 0-9 _; other braces are plain text.
std::vector<std::string> Placeholders(std::string_view text);

}  // namespace ccfield::ui
