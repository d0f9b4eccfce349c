#include "ccfield/core/forms.h"

#include "ccfield/core/json_text.h"

#include <cmath>
#include <mutex>
#include <set>

#include "ccfield/core/embedded.h"
#include "ccfield/core/sdg.h"
#include "ccfield/core/text.h"

namespace ccfield {

using nlohmann::json;

namespace {

struct TypeName {
  AnswerType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {AnswerType::kText, "text"},           {AnswerType::kLongText, "long_text"},
    {AnswerType::kInteger, "integer"},     {AnswerType::kDecimal, "decimal"},
    {AnswerType::kSingleChoice, "single_choice"}, {AnswerType::kMultiChoice, "multi_choice"},
    {AnswerType::kYesNo, "yes_no"},        {AnswerType::kDate, "date"},
    {AnswerType::kPosition, "position"},
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Status ParseLabels(const json& j, const std::string& where, bool required, Labels* out) {
  if (j.is_null() && !required) return Status::Ok();
  if (!j.is_object() || j.empty()) return Status::Invalid(where + " must be an object of language -> text");
  for (const auto& [lang, text] : j.items()) {
    if (!text.is_string()) return Status::Invalid(where + "." + lang + " must be text");
    (*out)[lang] = text.get<std::string>();
  }
  if (!out->count("en") || !out->count("fr")) {
    return Status::Invalid(where + " needs an English (\"en\") and a French (\"fr\") text");
  }
  return Status::Ok();
}

Status ParseField(const json& j, const FormDef& form, FormField* f) {
  if (!j.is_object()) return Status::Invalid("each field must be an object");
  f->id = j.value("id", "");
  if (!IsIdentifier(f->id)) return Status::Invalid("field id \"" + f->id + "\" must be [a-z0-9_]+");
  const std::string where = "field " + f->id;
  std::string type = j.value("type", "");
  bool known = false;
  for (const auto& t : kTypeNames) {
    if (type == t.name) {
      f->type = t.type;
      known = true;
    }
  }
  if (!known) return Status::Invalid(where + ": unknown type \"" + type + "\"");
  CCF_RETURN_IF_ERROR(ParseLabels(j.value("label", json()), where + ".label", true, &f->label));
  CCF_RETURN_IF_ERROR(ParseLabels(j.value("help", json()), where + ".help", false, &f->help));
  f->required = j.value("required", false);
  f->unit = j.value("unit", "");
  if (j.contains("min")) f->min = j["min"].get<double>();
  if (j.contains("max")) f->max = j["max"].get<double>();
  if (j.contains("max_selected")) f->max_selected = j["max_selected"].get<size_t>();
  if (j.contains("max_length")) f->max_length = j["max_length"].get<size_t>();
  bool is_choice = f->type == AnswerType::kSingleChoice || f->type == AnswerType::kMultiChoice;
  if (is_choice) {
    const json& opts = j.value("options", json::array());
    if (!opts.is_array() || opts.empty()) return Status::Invalid(where + ": a choice needs options");
    std::set<std::string> seen;
    for (const json& o : opts) {
      FormOption opt;
      opt.value = o.value("value", "");
      if (opt.value.empty() || !seen.insert(opt.value).second) {
        return Status::Invalid(where + ": option values must be unique and not empty");
      }
      CCF_RETURN_IF_ERROR(ParseLabels(o.value("label", json()), where + " option " + opt.value, true, &opt.label));
      f->options.push_back(std::move(opt));
    }
  }
  if (j.contains("shown_when")) {
    const json& sw = j["shown_when"];
    ShownWhen cond;
    cond.field = sw.value("field", "");
    const FormField* dep = form.Find(cond.field);
    if (!dep) return Status::Invalid(where + ": shown_when must name an earlier field, not \"" + cond.field + "\"");
    if (sw.contains("equals") == sw.contains("in")) {
      return Status::Invalid(where + ": shown_when needs exactly one of \"equals\" and \"in\"");
    }
    if (sw.contains("equals")) {
      cond.values.push_back(sw["equals"]);
    } else if (sw["in"].is_array() && !sw["in"].empty()) {
      for (const json& v : sw["in"]) cond.values.push_back(v);
    } else {
      return Status::Invalid(where + ": shown_when \"in\" must be a non-empty list of answers");
    }
    for (const json& v : cond.values) {
      if (Status st = ValidateAnswer(*dep, v); !st.ok()) {
        return Status::Invalid(where + ": shown_when value does not fit field " + dep->id + ": " + st.message());
      }
    }
    f->shown_when = std::move(cond);
  }
  return Status::Ok();
}

// Code points in valid UTF-8: every byte that is not a continuation byte.
size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string NumberText(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

const char* AnswerTypeName(AnswerType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "?";
}

const std::string& PickLabel(const Labels& labels, std::string_view langs) {
  static const std::string kEmpty;
  if (labels.empty()) return kEmpty;
  for (std::string_view rest = langs; !rest.empty();) {
    const size_t colon = rest.find(':');
    const std::string_view lang = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (lang.empty()) continue;
    if (auto it = labels.find(lang); it != labels.end()) return it->second;
    if (auto dash = lang.find('-'); dash != std::string_view::npos) {
      if (auto it = labels.find(lang.substr(0, dash)); it != labels.end()) return it->second;
    }
  }
  if (auto it = labels.find("en"); it != labels.end()) return it->second;
  return labels.begin()->second;
}

std::string LabelLanguages(std::string_view ui_language, std::string_view workspace_language) {
  std::string out(ui_language);
  if (!workspace_language.empty() && workspace_language != ui_language) {
    out += (out.empty() ? "" : ":") + std::string(workspace_language);
  }
  return out;
}

const FormOption* FormField::FindOption(std::string_view value) const {
  for (const FormOption& o : options) {
    if (o.value == value) return &o;
  }
  return nullptr;
}

const FormField* FormDef::Find(std::string_view field_id) const {
  for (const FormField& f : fields) {
    if (f.id == field_id) return &f;
  }
  return nullptr;
}

bool SplitFormKey(std::string_view key, std::string* id, std::string* version) {
  size_t at = key.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= key.size()) return false;
  std::string_view i = key.substr(0, at), v = key.substr(at + 1);
  if (!IsIdentifier(i) || v.size() > 16) return false;
  for (char c : v) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  *id = std::string(i);
  *version = std::string(v);
  return true;
}

Result<FormDef> ParseForm(const json& j) {
  try {
    if (!j.is_object()) return Status::Invalid("a form definition must be a JSON object");
    FormDef form;
    form.id = j.value("id", "");
    form.version = j.value("version", "");
    std::string id, version;
    if (!SplitFormKey(form.id + "@" + form.version, &id, &version)) {
      return Status::Invalid("form needs an id ([a-z0-9_]+) and a version like \"1.0\"");
    }
    const std::string where = "form " + form.key();
    CCF_RETURN_IF_ERROR(ParseLabels(j.value("title", json()), where + " title", true, &form.title));
    CCF_RETURN_IF_ERROR(ParseLabels(j.value("description", json()), where + " description", false, &form.description));
    for (const json& t : j.value("sdg_targets", json::array())) {
      std::string code = t.get<std::string>();
      if (!IsSdgTarget(code) || !FindSdgTarget(code)) {
        return Status::Invalid(where + ": \"" + code + "\" is not an SDG target of the catalogue (data/sdg.json)");
      }
      form.sdg_targets.push_back(code);
    }
    // "gps_accuracy_m" (issue 13): the accuracy "Use my position" waits for
    // (FormGpsAccuracyMeters, core/position_taker.h); kept in `source`.
    if (j.contains("gps_accuracy_m")) {
      const json& acc = j["gps_accuracy_m"];
      if (!acc.is_number() || !(acc.get<double>() > 0 && acc.get<double>() <= 1000)) {
        return Status::Invalid(where + ": gps_accuracy_m must be a number of metres above 0 and at most 1000");
      }
    }
    const json& fields = j.value("fields", json::array());
    if (!fields.is_array() || fields.empty()) return Status::Invalid(where + " has no fields");
    for (const json& fj : fields) {
      FormField f;
      if (Status st = ParseField(fj, form, &f); !st.ok()) return st.WithContext(where);
      if (form.Find(f.id)) return Status::Invalid(where + ": field " + f.id + " is declared twice");
      form.fields.push_back(std::move(f));
    }
    form.source = j;
    return form;
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("form definition has a value of the wrong type: ") + e.what());
  }
}

Result<FormDef> ParseFormText(std::string_view text) {
  CCF_ASSIGN_OR_RETURN(json j, ParseUntrustedJson(text, "form definition"));
  return ParseForm(j);
}

Status ValidateAnswer(const FormField& f, const json& v) {
  // Translatable (Msg): the UI shows these when a save is refused.
  auto bad = [&](Msg m) {
    m.args.emplace_back("id", f.id);
    return Status::Invalid(std::move(m));
  };
  auto check_range = [&](double x) -> Status {
    if (!std::isfinite(x)) return bad(Msg("answer {id}: must be a finite number"));
    if (f.min && x < *f.min)
      return bad(Msg("answer {id}: must be at least {min}", {{"min", NumberText(*f.min) + f.unit}}));
    if (f.max && x > *f.max)
      return bad(Msg("answer {id}: must be at most {max}", {{"max", NumberText(*f.max) + f.unit}}));
    return Status::Ok();
  };
  switch (f.type) {
    case AnswerType::kText:
    case AnswerType::kLongText: {
      if (!v.is_string()) return bad(Msg("answer {id}: must be text"));
      const std::string& s = v.get_ref<const std::string&>();
      if (auto pos = FindInvalidUtf8(s)) {
        return Status::Invalid("answer " + f.id + ": text is not valid UTF-8 (byte " + std::to_string(*pos) + ")");
      }
      if (f.max_length) {
        // max_length counts characters (docs/forms.md), not bytes: a Georgian
        // or Amharic letter takes three bytes.
        if (CountCodePoints(s) > *f.max_length) {
          return bad(
              Msg("answer {id}: text is longer than {max} characters", {{"max", std::to_string(*f.max_length)}}));
        }
        return Status::Ok();
      }
      size_t limit = f.type == AnswerType::kText ? 2000 : 100 * 1024;
      if (s.size() > limit)
        return bad(Msg("answer {id}: text is longer than {max} bytes", {{"max", std::to_string(limit)}}));
      return Status::Ok();
    }
    case AnswerType::kInteger:
      if (!v.is_number_integer()) return bad(Msg("answer {id}: must be a whole number"));
      return check_range(v.get<double>());
    case AnswerType::kDecimal:
      if (!v.is_number()) return bad(Msg("answer {id}: must be a number"));
      return check_range(v.get<double>());
    case AnswerType::kSingleChoice:
      if (!v.is_string()) return bad(Msg("answer {id}: must be one of the listed choices"));
      if (!f.FindOption(v.get<std::string>()))
        return bad(Msg("answer {id}: \"{value}\" is not one of the choices", {{"value", v.get<std::string>()}}));
      return Status::Ok();
    case AnswerType::kMultiChoice: {
      if (!v.is_array()) return bad(Msg("answer {id}: must be a list of choices"));
      std::set<std::string> seen;
      for (const json& x : v) {
        if (!x.is_string() || !f.FindOption(x.get<std::string>())) {
          return bad(Msg("answer {id}: {value} is not one of the choices", {{"value", x.dump()}}));
        }
        if (!seen.insert(x.get<std::string>()).second) return bad(Msg("answer {id}: a choice is listed twice"));
      }
      if (f.max_selected && v.size() > *f.max_selected) {
        return bad(Msg("answer {id}: at most {max} choices", {{"max", std::to_string(*f.max_selected)}}));
      }
      return Status::Ok();
    }
    case AnswerType::kYesNo:
      if (!v.is_boolean()) return bad(Msg("answer {id}: must be yes or no (true/false)"));
      return Status::Ok();
    case AnswerType::kDate:
      if (!v.is_string() || !IsValidDate(v.get<std::string>()))
        return bad(Msg("answer {id}: must be a date YYYY-MM-DD"));
      return Status::Ok();
    case AnswerType::kPosition: {
      if (!v.is_object() || !v.contains("lat") || !v.contains("lon") || !v["lat"].is_number() ||
          !v["lon"].is_number()) {
        return Status::Invalid("answer " + f.id + ": must be a position {\"lat\": .., \"lon\": ..}");
      }
      double lat = v["lat"].get<double>(), lon = v["lon"].get<double>();
      if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return bad(Msg("answer {id}: position is outside WGS84 range"));
      for (const auto& [key, val] : v.items()) {
        if (key == "lat" || key == "lon") continue;
        if (key != "accuracy_m" || !val.is_number() || val.get<double>() < 0) {
          return Status::Invalid("answer " + f.id + ": position may only add a non-negative \"accuracy_m\"");
        }
      }
      return Status::Ok();
    }
  }
  return bad(Msg("answer {id}: unknown type"));
}

bool IsShown(const FormDef& form, const FormField& field, const json& answers) {
  if (!field.shown_when) return true;
  if (!answers.is_object()) return false;
  const FormField* dep = form.Find(field.shown_when->field);
  if (!dep || !IsShown(form, *dep, answers)) return false;  // dep is earlier: no cycles
  auto it = answers.find(field.shown_when->field);
  if (it == answers.end()) return false;
  for (const json& v : field.shown_when->values) {
    if (*it == v) return true;
    // A multi-choice dependency is satisfied when any chosen value matches.
    if (it->is_array()) {
      for (const json& x : *it) {
        if (x == v) return true;
      }
    }
  }
  return false;
}

Status ValidateAnswers(const FormDef& form, const json& answers, bool complete) {
  if (!answers.is_object()) return Status::Invalid("answers must be an object of field id -> value");
  for (const auto& [id, value] : answers.items()) {
    const FormField* f = form.Find(id);
    if (!f) return Status::Invalid("form " + form.key() + " has no field \"" + id + "\"");
    if (value.is_null()) continue;  // cleared answer
    CCF_RETURN_IF_ERROR(ValidateAnswer(*f, value));
  }
  if (complete) {
    for (const FormField& f : form.fields) {
      if (!f.required || !IsShown(form, f, answers)) continue;
      auto it = answers.find(f.id);
      if (it == answers.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
        return Status::Invalid(
            Msg("answer {id} ({field}) is required", {{"id", f.id}, {"field", PickLabel(f.label, "en")}}));
      }
    }
  }
  return Status::Ok();
}

std::string FormatAnswer(const FormField& f, const json& v, std::string_view lang) {
  if (v.is_null()) return "";
  switch (f.type) {
    case AnswerType::kSingleChoice:
      if (const FormOption* o = f.FindOption(v.get<std::string>())) return PickLabel(o->label, lang);
      return v.get<std::string>();
    case AnswerType::kMultiChoice: {
      std::string out;
      for (const json& x : v) {
        if (!out.empty()) out += ", ";
        const FormOption* o = x.is_string() ? f.FindOption(x.get<std::string>()) : nullptr;
        out += o ? PickLabel(o->label, lang) : x.dump();
      }
      return out;
    }
    case AnswerType::kYesNo:
      return v.is_boolean() && v.get<bool>() ? "yes" : "no";
    case AnswerType::kInteger:
    case AnswerType::kDecimal:
      return (v.is_number_integer() ? std::to_string(v.get<int64_t>()) : NumberText(v.get<double>())) +
             (f.unit.empty() ? "" : " " + f.unit);
    case AnswerType::kPosition:
      return NumberText(v.value("lat", 0.0)) + ", " + NumberText(v.value("lon", 0.0));
    default:
      return v.is_string() ? v.get<std::string>() : v.dump();
  }
}

const std::vector<FormDef>& BuiltinForms() {
  static const std::vector<FormDef>* forms = [] {
    auto* out = new std::vector<FormDef>;
    for (const EmbeddedFile* f = kEmbeddedForms; !f->name.empty(); ++f) {
      Result<FormDef> form = ParseFormText(f->data);
      if (!form.ok()) {
        // Shipped forms are checked by tests; a broken one is a build defect.
        std::fprintf(stderr, "ccfield: built-in form %.*s is invalid: %s\n",
                     static_cast<int>(f->name.size()), f->name.data(), form.status().message().c_str());
        std::abort();
      }
      out->push_back(std::move(form).value());
    }
    return out;
  }();
  return *forms;
}

std::string_view FindEmbedded(const EmbeddedFile* table, std::string_view name) {
  for (const EmbeddedFile* f = table; !f->name.empty(); ++f) {
    if (f->name == name) return f->data;
  }
  return {};
}

}  // namespace ccfield
