// Fuzz target: form definitions and answers (core/forms.h). Every input is
// read as a form definition (ParseFormText) and, when it is a JSON object, as
// the answers of a visit to each built-in form (ValidateAnswers, IsShown,
// FormatAnswer), as a form shared by sync or answers typed on a device are.
// Checks: no crash and no exception; errors have a message; a definition that
// parses parses again from its kept source to the same form.
#include <cstdint>
#include <string>

#include "ccfield/core/forms.h"
#include "ccfield/core/json_text.h"
#include "fuzz_check.h"

using ccfield::fuzz::CheckError;

namespace {

void UseForm(const ccfield::FormDef& form, const nlohmann::json& answers) {
  ccfield::Status partial = ccfield::ValidateAnswers(form, answers, false);
  if (!partial.ok()) CheckError(partial);
  ccfield::Status complete = ccfield::ValidateAnswers(form, answers, true);
  if (!complete.ok()) CheckError(complete);
  for (const ccfield::FormField& field : form.fields) {
    (void)ccfield::IsShown(form, field, answers);
    auto it = answers.find(field.id);
    if (it == answers.end()) continue;
    if (ccfield::ValidateAnswer(field, *it).ok()) {
      for (const char* lang : {"en", "fr", "pt-MZ", ""}) (void)ccfield::FormatAnswer(field, *it, lang);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = ccfield::fuzz::AsText(data, size);
  ccfield::Result<ccfield::FormDef> form = ccfield::ParseFormText(text);
  if (!form.ok()) {
    CheckError(form.status());
  } else {
    ccfield::Result<ccfield::FormDef> again = ccfield::ParseForm(form->source);
    FUZZ_CHECK(again.ok(), again.status().message());
    FUZZ_CHECK(again->key() == form->key() && again->fields.size() == form->fields.size(),
               "the kept source parses to another form");
    for (const ccfield::FormField& f : form->fields) {
      for (const char* lang : {"en", "fr", "sw"}) (void)ccfield::PickLabel(f.label, lang);
    }
  }
  ccfield::Result<nlohmann::json> answers = ccfield::ParseUntrustedJson(text, "answers");
  if (answers.ok() && answers->is_object()) {
    for (const ccfield::FormDef& builtin : ccfield::BuiltinForms()) UseForm(builtin, *answers);
    if (form.ok()) UseForm(*form, *answers);
  }
  return 0;
}
