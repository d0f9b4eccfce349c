// Catalogs against the code: every tr("...") / N_("...") literal in ui/views
// and ui/app, every plural trn("one", "other", n) there, and every Msg("...")
// message id that core, sync and media give the UI in a Status (issue 13) must
// be translated in fr, pt and ru, and no catalog may keep a msgid the code no
// longer uses. A plural entry must give every CLDR category its language
// uses. Reads the source tree, so it checks what the next build will ship.
#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "text/i18n.h"

namespace ccfield::ui {
namespace {

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Reads a C++ string literal starting at src[*pos] == '"', decoding escapes;
// advances past the closing quote.
std::string ReadLiteral(std::string_view src, size_t* pos) {
  std::string out;
  size_t i = *pos + 1;
  while (i < src.size() && src[i] != '"') {
    if (src[i] != '\\' || i + 1 >= src.size()) {
      out.push_back(src[i++]);
      continue;
    }
    const char e = src[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'x': {
        int v = 0;
        while (i < src.size() && std::isxdigit(static_cast<unsigned char>(src[i]))) {
          v = v * 16 + std::stoi(std::string(1, src[i++]), nullptr, 16);
        }
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int k = 0; k < 2 && i < src.size() && src[i] >= '0' && src[i] <= '7'; ++k) v = v * 8 + (src[i++] - '0');
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(e);  // \" \\ \' \?
        }
    }
  }
  *pos = i + 1;
  return out;
}

size_t SkipSpace(std::string_view src, size_t i) {
  while (i < src.size() && std::isspace(static_cast<unsigned char>(src[i]))) ++i;
  return i;
}

// Adjacent string literals starting at src[*pos] (after spaces), joined;
// nullopt if there is none. Advances past them and the spaces after.
std::optional<std::string> ReadLiterals(std::string_view src, size_t* pos) {
  size_t p = SkipSpace(src, *pos);
  std::string id;
  bool literal = false;
  while (p < src.size() && src[p] == '"') {
    id += ReadLiteral(src, &p);
    literal = true;
    p = SkipSpace(src, p);
  }
  *pos = p;
  if (!literal) return std::nullopt;
  return id;
}

// The msgids of tr("...") and N_("...") calls whose only argument is a string
// literal (adjacent literals are joined), of Msg("..." [, args]) and, marked
// in *plural (may be null), the "other" form of trn("one", "other", ...).
// Comments, strings and character literals are skipped, so "tr(" inside them
// does not count.
std::vector<std::string> ExtractMsgids(std::string_view src, std::set<std::string>* plural = nullptr) {
  std::vector<std::string> ids;
  size_t i = 0;
  while (i < src.size()) {
    const char c = src[i];
    if (src.substr(i, 2) == "//") {
      i = src.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (src.substr(i, 2) == "/*") {
      i = src.find("*/", i + 2);
      if (i == std::string_view::npos) break;
      i += 2;
    } else if (c == '"') {
      ReadLiteral(src, &i);
    } else if (c == '\'') {
      i += src.substr(i, 2) == "'\\" ? 3 : 2;
      i = src.find('\'', i);
      if (i == std::string_view::npos) break;
      ++i;
    } else if (IsIdentChar(c)) {
      size_t end = i;
      while (end < src.size() &&
             (IsIdentChar(src[end]) || (src[end] == '\'' && std::isdigit(static_cast<unsigned char>(src[i])))))
        ++end;
      const std::string_view word = src.substr(i, end - i);
      i = end;
      if (word.back() == 'R' && i < src.size() && src[i] == '"') {  // raw string: R"delim(...)delim"
        const size_t open = src.find('(', i);
        if (open == std::string_view::npos) break;
        const std::string close = ")" + std::string(src.substr(i + 1, open - i - 1)) + "\"";
        i = src.find(close, open);
        if (i == std::string_view::npos) break;
        i += close.size();
        continue;
      }
      if (word != "tr" && word != "N_" && word != "Msg" && word != "trn") continue;
      size_t p = SkipSpace(src, i);
      if (p >= src.size() || src[p] != '(') continue;
      ++p;
      std::optional<std::string> id = ReadLiterals(src, &p);
      if (!id || p >= src.size()) continue;
      if (word == "trn") {
        if (src[p] != ',') continue;
        ++p;
        std::optional<std::string> other = ReadLiterals(src, &p);
        if (!other || p >= src.size() || src[p] != ',') continue;
        ids.push_back(*other);
        if (plural) plural->insert(*other);
      } else if (src[p] == ')' || (word == "Msg" && src[p] == ',')) {
        ids.push_back(*id);
      }
    } else {
      ++i;
    }
  }
  return ids;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// msgids used by the UI sources (ui/views, ui/app) and the Status messages of
// core, sync and media; empty while those do not exist. *plural (may be null)
// receives the plural ones.
std::set<std::string> UsedMsgids(std::set<std::string>* plural = nullptr) {
  std::set<std::string> ids;
  for (const char* dir : {"ui/views", "ui/app", "core/src", "sync/src", "media/src"}) {
    const std::filesystem::path root = std::filesystem::path(CCFIELD_SOURCE_DIR) / dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
      for (std::string& id : ExtractMsgids(ReadFile(entry.path()), plural)) ids.insert(std::move(id));
    }
  }
  return ids;
}

nlohmann::json ShippedCatalog(const std::string& code) {
  const auto path = std::filesystem::path(CCFIELD_SOURCE_DIR) / "data/i18n" / (code + ".json");
  return nlohmann::json::parse(ReadFile(path), nullptr, false);
}

std::string List(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += "\n  " + nlohmann::json(id).dump();
  return out;
}

TEST_CASE("ui_text catalogs: the extractor finds literal tr() and N_() arguments") {
  const auto ids = ExtractMsgids(R"cpp(
    ImGui::Button(tr("Sync now"));
    Text(tr("Say \"hi\"\n"));
    tr("Joined "
       "literal");
    static const char* kLabels[] = {N_("Blocked drain"), N_("Illegal dump")};
    tr(row.label);            // not a literal: ignored
    tr(done ? "Yes" : "No");  // not a single literal: ignored
    std::string s = str("x");
    attr("y");  // other functions
    // tr("in a comment")
    /* tr("in a block comment") */
    const char* t = "tr(\"in a string\")";
    char q = '"';
    int n = 1'000;
    tr("after quote char");
    auto raw = R"x(tr("in a raw string"))x";
  )cpp");
  CHECK(ids == std::vector<std::string>{"Sync now", "Say \"hi\"\n", "Joined literal", "Blocked drain", "Illegal dump",
                                        "after quote char"});
}

TEST_CASE("ui_text catalogs: the extractor finds Msg ids and the other form of trn") {
  std::set<std::string> plural;
  const auto ids = ExtractMsgids(R"cpp(
                                   return Status::Invalid(Msg("answer {id}: must be a number"));
                                   Status::Denied(Msg("wrong {what}", {{"what", w}}));
                                   Msg(id, std::move(args));  // not a literal: ignored
                                   ui::trn("{count} photo attached.",
                                           "{count} photos "
                                           "attached.",
                                           n);
                                   trn("{count} one", other, n);  // not a literal: ignored
                                   tr("x", 2);                    // tr takes one argument: ignored
                                 )cpp",
                                 &plural);
  CHECK(ids == std::vector<std::string>{"answer {id}: must be a number", "wrong {what}", "{count} photos attached."});
  CHECK(plural == std::set<std::string>{"{count} photos attached."});
}

TEST_CASE("ui_text catalogs: every language but English has a catalog file that parses") {
  for (const LanguageInfo& l : Catalog::Languages()) {
    const std::string code = l.code;
    if (code == "en") continue;
    INFO("data/i18n/", code, ".json");
    const nlohmann::json doc = ShippedCatalog(code);
    CHECK(doc.is_object());
  }
}

// Whether `value` translates `id`: a non-empty string, or for a plural id an
// object with a non-empty form for every category of `code`.
bool Translated(const std::string& code, const nlohmann::json& value, bool plural) {
  if (!plural) return value.is_string() && !value.get<std::string>().empty();
  if (!value.is_object()) return false;
  for (PluralCategory c : PluralCategories(code)) {
    const auto form = value.find(PluralCategoryName(c));
    if (form == value.end() || !form->is_string() || form->get<std::string>().empty()) return false;
  }
  return true;
}

TEST_CASE("ui_text catalogs: fr, pt and ru translate every msgid the UI uses") {
  std::set<std::string> plural;
  const std::set<std::string> used = UsedMsgids(&plural);
  for (const std::string code : {"fr", "pt", "ru"}) {
    const nlohmann::json doc = ShippedCatalog(code);
    REQUIRE(doc.is_object());
    std::vector<std::string> missing;
    for (const std::string& id : used) {
      const auto it = doc.find(id);
      if (it == doc.end() || !Translated(code, *it, plural.contains(id))) missing.push_back(id);
    }
    CHECK_MESSAGE(missing.empty(), "data/i18n/", code, ".json lacks ", missing.size(), " msgid(s):", List(missing));
  }
}

TEST_CASE("ui_text catalogs: no catalog keeps a msgid the UI no longer uses") {
  const std::set<std::string> used = UsedMsgids();
  for (const LanguageInfo& l : Catalog::Languages()) {
    const std::string code = l.code;
    if (code == "en") continue;
    const nlohmann::json doc = ShippedCatalog(code);
    REQUIRE(doc.is_object());
    std::vector<std::string> stale;
    for (const auto& [id, value] : doc.items()) {
      if (!used.contains(id)) stale.push_back(id);
    }
    CHECK_MESSAGE(stale.empty(), "data/i18n/", code, ".json has ", stale.size(), " stale msgid(s):", List(stale));
  }
}

TEST_CASE("ui_text catalogs: a plural message is a plural entry with all its forms wherever it is translated") {
  std::set<std::string> plural;
  (void)UsedMsgids(&plural);
  REQUIRE_FALSE(plural.empty());
  for (const LanguageInfo& l : Catalog::Languages()) {
    const std::string code = l.code;
    if (code == "en") continue;
    const nlohmann::json doc = ShippedCatalog(code);
    REQUIRE(doc.is_object());
    std::vector<std::string> wrong;
    for (const std::string& id : plural) {
      const auto it = doc.find(id);
      if (it != doc.end() && !Translated(code, *it, true)) wrong.push_back(id);
    }
    CHECK_MESSAGE(wrong.empty(), "data/i18n/", code, ".json: plural entries without every form of ", code, ":",
                  List(wrong));
  }
}

TEST_CASE("ui_text catalogs: the Arabic catalog translates every msgid, plurals and error reasons included") {
  // Issue 13: municipalities work in Arabic; a reason must not stay English inside an Arabic sentence.
  std::set<std::string> plural;
  const std::set<std::string> used = UsedMsgids(&plural);
  const nlohmann::json doc = ShippedCatalog("ar");
  REQUIRE(doc.is_object());
  std::vector<std::string> missing;
  for (const std::string& id : used) {
    const auto it = doc.find(id);
    if (it == doc.end() || !Translated("ar", *it, plural.contains(id))) missing.push_back(id);
  }
  CHECK_MESSAGE(missing.empty(), "data/i18n/ar.json lacks ", missing.size(), " msgid(s):", List(missing));
}

}  // namespace
}  // namespace ccfield::ui
