#pragma once
// Visit forms are data, not code: a JSON definition (docs/forms.md) versioned
// as "id@version". Answers are validated against the exact version they were
// made with, so old answers stay readable after a form changes.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccfield/core/status.h"

namespace ccfield {

// Text in several languages: {"en": "...", "fr": "..."}.
using Labels = std::map<std::string, std::string, std::less<>>;

// The one rule for which language a form text shows in. `langs` is a
// preference list, best first, written as GNU gettext's LANGUAGE variable:
// "ar:fr" (the UI language, then the workspace's default language). For each
// entry its exact text is taken, else its base language ("pt-MZ" -> "pt");
// then English; then any text the labels have. A single code ("fr") is a
// list of one.
const std::string& PickLabel(const Labels& labels, std::string_view langs);

// The preference list PickLabel takes: the UI language, then the
// workspace's default language (empty, or the same: left out). English, the
// last resort, is implied. LabelLanguages("ar", "fr") == "ar:fr".
std::string LabelLanguages(std::string_view ui_language, std::string_view workspace_language);

enum class AnswerType {
  kText, kLongText, kInteger, kDecimal, kSingleChoice, kMultiChoice, kYesNo, kDate, kPosition
};
const char* AnswerTypeName(AnswerType type);

struct FormOption {
  std::string value;
  Labels label;
};

// Field shown only when an earlier answer equals one of `values`.
struct ShownWhen {
  std::string field;
  std::vector<nlohmann::json> values;
};

struct FormField {
  std::string id;
  AnswerType type = AnswerType::kText;
  Labels label;
  Labels help;
  bool required = false;
  std::string unit;
  std::optional<double> min, max;
  std::vector<FormOption> options;
  std::optional<size_t> max_selected;
  std::optional<size_t> max_length;
  std::optional<ShownWhen> shown_when;

  const FormOption* FindOption(std::string_view value) const;
};

struct FormDef {
  std::string id;
  std::string version;
  Labels title;
  Labels description;
  std::vector<std::string> sdg_targets;
  std::vector<FormField> fields;
  nlohmann::json source;  // the definition as parsed, kept for export/sync

  std::string key() const { return id + "@" + version; }
  const FormField* Find(std::string_view field_id) const;
};

// Parses and checks a definition (docs/forms.md): known types, unique ids,
// options for choices, shown_when pointing at an earlier field, texts in
// English and French, SDG targets from the catalogue. Errors name the field.
Result<FormDef> ParseForm(const nlohmann::json& definition);
Result<FormDef> ParseFormText(std::string_view json_text);

// Splits "drainage_flood@1.0"; false when the key is malformed.
bool SplitFormKey(std::string_view key, std::string* id, std::string* version);

// Checks one answer's JSON value against its field (type, range, options).
Status ValidateAnswer(const FormField& field, const nlohmann::json& value);

// Checks a visit's answers: every id is a field of the form, every value fits.
// When `complete`, every required field that is shown must be answered.
Status ValidateAnswers(const FormDef& form, const nlohmann::json& answers, bool complete);

// Whether `field` is shown given the other answers. Conditions chain: a field
// whose condition names a hidden field is hidden too.
bool IsShown(const FormDef& form, const FormField& field, const nlohmann::json& answers);

// The answer as a person reads it: option labels, "yes"/"no", "12.5 m".
// `lang` is a preference list as PickLabel takes.
std::string FormatAnswer(const FormField& field, const nlohmann::json& value, std::string_view lang);

// The forms shipped with the app (data/forms/*.json, compiled in).
const std::vector<FormDef>& BuiltinForms();

}  // namespace ccfield
