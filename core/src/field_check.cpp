// Checks of one field value against its declaration (records.h). Used by the
// store's writer and by the server for pushed changes.
#include <cctype>
#include <cmath>
#include <set>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/records.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/status.h"
#include "ccfield/core/text.h"

namespace ccfield {

using nlohmann::json;

namespace {

bool IsLanguageField(std::string_view name) { return name == "language" || name == "default_language"; }

// The field a value is checked for, and how a refusal is worded.
struct FieldContext {
  RecordType type;
  const FieldSpec& spec;
  std::string name;
  std::string where;  // "<type> <field>", the start of every message

  Status Bad(const std::string& what) const { return Status::Invalid(where + ": " + what); }

  // Valid UTF-8 of at most `limit` bytes.
  Status CheckTextBytes(const std::string& s, size_t limit) const {
    if (auto pos = FindInvalidUtf8(s)) return Bad("text is not valid UTF-8 (byte " + std::to_string(*pos) + ")");
    if (s.size() > limit) {
      return Bad("text is too long (" + std::to_string(s.size()) + " bytes; the limit is " + std::to_string(limit) +
                 ")");
    }
    return Status::Ok();
  }
};

// kText and kLongText: size, allowed values, and the fields whose text has a
// shape (site kind, language tag, country code).
Result<json> CheckText(const FieldContext& c, const json& v) {
  const FieldSpec& f = c.spec;
  if (!v.is_string()) return c.Bad("must be text");
  const std::string& s = v.get_ref<const std::string&>();
  size_t limit = f.max_bytes ? f.max_bytes : (f.kind == FieldKind::kText ? kMaxTextBytes : kMaxLongTextBytes);
  CCF_RETURN_IF_ERROR(c.CheckTextBytes(s, limit));
  if (f.required && s.empty()) return c.Bad("is required");
  if (!f.allowed.empty()) {
    bool ok = false;
    std::string list;
    for (std::string_view a : f.allowed) {
      ok = ok || a == s;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!ok) return c.Bad("\"" + s + "\" is not one of: " + list);
  }
  if (c.type == RecordType::kSite && c.name == "kind" && !s.empty() && !IsSiteKind(s)) {
    return c.Bad("\"" + s + "\" is not a site kind of the catalogue (`ccfield site kinds` lists them)");
  }
  if (IsLanguageField(c.name) && !IsLanguageTag(s)) {
    return c.Bad("\"" + s + "\" is not a language tag like fr or pt-MZ");
  }
  if (c.name == "country" && (s.size() != 2 || !std::isupper(static_cast<unsigned char>(s[0])) ||
                              !std::isupper(static_cast<unsigned char>(s[1])))) {
    return c.Bad("must be a two-letter country code like TZ");
  }
  return v;
}

// kReal: a finite number, within [min, max] when the spec sets a range.
Result<json> CheckReal(const FieldContext& c, const json& v) {
  const FieldSpec& f = c.spec;
  if (!v.is_number()) return c.Bad("must be a number");
  double x = v.get<double>();
  if (!std::isfinite(x)) return c.Bad("must be a finite number");
  if (f.min < f.max && (x < f.min || x > f.max)) {
    return c.Bad("must be between " + std::to_string(f.min) + " and " + std::to_string(f.max));
  }
  return json(x);
}

// kStringList: at most 50 distinct short texts (SDG targets, language tags).
Result<json> CheckStringList(const FieldContext& c, const json& v) {
  if (!v.is_array()) return c.Bad("must be a list of text");
  if (v.size() > 50) return c.Bad("has more than 50 items");
  std::set<std::string> seen;
  for (const json& x : v) {
    if (!x.is_string()) return c.Bad("must be a list of text");
    const std::string& s = x.get_ref<const std::string&>();
    CCF_RETURN_IF_ERROR(c.CheckTextBytes(s, 100));
    if (c.name == "sdg_targets" && !IsSdgTarget(s)) return c.Bad("\"" + s + "\" is not an SDG target like 11.5");
    if (c.name == "languages" && !IsLanguageTag(s)) return c.Bad("\"" + s + "\" is not a language tag");
    if (!seen.insert(s).second) return c.Bad("\"" + s + "\" is listed twice");
  }
  return v;
}

}  // namespace

Result<json> CheckFieldValue(RecordType type, std::string_view field, const json& v) {
  const FieldSpec* spec = FindField(type, field);
  if (!spec) return Status::Invalid(std::string(TypeName(type)) + " has no field \"" + std::string(field) + "\"");
  const std::string name(field);
  const FieldContext c{type, *spec, name, std::string(TypeName(type)) + " " + name};
  if (v.is_null()) {
    if (spec->required) return c.Bad("is required and cannot be cleared");
    return json();
  }
  switch (spec->kind) {
    case FieldKind::kText:
    case FieldKind::kLongText:
      return CheckText(c, v);
    case FieldKind::kInteger:
      if (!v.is_number_integer()) return c.Bad("must be a whole number");
      if (spec->min < spec->max && (v.get<double>() < spec->min || v.get<double>() > spec->max)) {
        return c.Bad("must be between " + std::to_string(static_cast<int64_t>(spec->min)) + " and " +
                     std::to_string(static_cast<int64_t>(spec->max)));
      }
      return v;
    case FieldKind::kReal:
      return CheckReal(c, v);
    case FieldKind::kBool:
      if (!v.is_boolean()) return c.Bad("must be true or false");
      return v;
    case FieldKind::kStringList:
      return CheckStringList(c, v);
    case FieldKind::kTimestamp:
      if (!v.is_string() || !ParseTimestamp(v.get<std::string>())) {
        return c.Bad("must be a time with its UTC offset, like 2026-10-14T08:05:00+03:00");
      }
      return v;
    case FieldKind::kDate:
      if (!v.is_string() || !IsValidDate(v.get<std::string>())) return c.Bad("must be a date YYYY-MM-DD");
      return v;
    case FieldKind::kRef:
      if (!v.is_string() || !IsUuid(v.get<std::string>())) return c.Bad("must be a record id (UUID)");
      return v;
    case FieldKind::kAnswer:
      return v;  // checked against the visit's form in CheckRecord
    case FieldKind::kBlobHash:
      if (!v.is_string() || !IsBlobHash(v.get_ref<const std::string&>())) {
        return c.Bad("must be a SHA-256 in 64 lowercase hex digits");
      }
      return v;
  }
  return c.Bad("unknown field kind");
}

}  // namespace ccfield
