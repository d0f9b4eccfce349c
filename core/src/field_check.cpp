// Checks of one field value against its declaration (records.h). Used by the
// store's writer and by the server for pushed changes.
#include <cctype>
#include <cmath>
#include <set>

#include "ccfield/core/records.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/status.h"
#include "ccfield/core/text.h"

namespace ccfield {

using nlohmann::json;

namespace {

bool IsLanguageField(std::string_view name) { return name == "language" || name == "default_language"; }

// Checks one field value against its spec; returns the value to store.
}  // namespace

Result<json> CheckFieldValue(RecordType type, std::string_view field, const json& v) {
  const FieldSpec* spec = FindField(type, field);
  if (!spec) return Status::Invalid(std::string(TypeName(type)) + " has no field \"" + std::string(field) + "\"");
  const FieldSpec& f = *spec;
  const std::string name(field);
  const std::string where = std::string(TypeName(type)) + " " + name;
  auto bad = [&](const std::string& what) { return Status::Invalid(where + ": " + what); };
  if (v.is_null()) {
    if (f.required) return bad("is required and cannot be cleared");
    return json();
  }
  auto check_text = [&](const std::string& s, size_t limit) -> Status {
    if (auto pos = FindInvalidUtf8(s)) return bad("text is not valid UTF-8 (byte " + std::to_string(*pos) + ")");
    if (s.size() > limit) {
      return bad("text is too long (" + std::to_string(s.size()) + " bytes; the limit is " +
                 std::to_string(limit) + ")");
    }
    return Status::Ok();
  };
  switch (f.kind) {
    case FieldKind::kText:
    case FieldKind::kLongText: {
      if (!v.is_string()) return bad("must be text");
      const std::string& s = v.get_ref<const std::string&>();
      size_t limit = f.max_bytes ? f.max_bytes : (f.kind == FieldKind::kText ? kMaxTextBytes : kMaxLongTextBytes);
      CCF_RETURN_IF_ERROR(check_text(s, limit));
      if (f.required && s.empty()) return bad("is required");
      if (!f.allowed.empty()) {
        bool ok = false;
        std::string list;
        for (std::string_view a : f.allowed) {
          ok = ok || a == s;
          list += (list.empty() ? "" : ", ") + std::string(a);
        }
        if (!ok) return bad("\"" + s + "\" is not one of: " + list);
      }
      if (type == RecordType::kSite && name == "kind" && !s.empty() && !IsSiteKind(s)) {
        return bad("\"" + s + "\" is not a site kind of the catalogue (`ccfield site kinds` lists them)");
      }
      if (IsLanguageField(name) && !IsLanguageTag(s)) return bad("\"" + s + "\" is not a language tag like fr or pt-MZ");
      if (name == "country" && (s.size() != 2 || !std::isupper(static_cast<unsigned char>(s[0])) ||
                                !std::isupper(static_cast<unsigned char>(s[1])))) {
        return bad("must be a two-letter country code like TZ");
      }
      return v;
    }
    case FieldKind::kInteger:
      if (!v.is_number_integer()) return bad("must be a whole number");
      return v;
    case FieldKind::kReal: {
      if (!v.is_number()) return bad("must be a number");
      double x = v.get<double>();
      if (!std::isfinite(x)) return bad("must be a finite number");
      if (f.min < f.max && (x < f.min || x > f.max)) {
        return bad("must be between " + std::to_string(f.min) + " and " + std::to_string(f.max));
      }
      return json(x);
    }
    case FieldKind::kBool:
      if (!v.is_boolean()) return bad("must be true or false");
      return v;
    case FieldKind::kStringList: {
      if (!v.is_array()) return bad("must be a list of text");
      if (v.size() > 50) return bad("has more than 50 items");
      std::set<std::string> seen;
      for (const json& x : v) {
        if (!x.is_string()) return bad("must be a list of text");
        const std::string& s = x.get_ref<const std::string&>();
        CCF_RETURN_IF_ERROR(check_text(s, 100));
        if (name == "sdg_targets" && !IsSdgTarget(s)) return bad("\"" + s + "\" is not an SDG target like 11.5");
        if (name == "languages" && !IsLanguageTag(s)) return bad("\"" + s + "\" is not a language tag");
        if (!seen.insert(s).second) return bad("\"" + s + "\" is listed twice");
      }
      return v;
    }
    case FieldKind::kTimestamp:
      if (!v.is_string() || !ParseTimestamp(v.get<std::string>())) {
        return bad("must be a time with its UTC offset, like 2026-10-14T08:05:00+03:00");
      }
      return v;
    case FieldKind::kDate:
      if (!v.is_string() || !IsValidDate(v.get<std::string>())) return bad("must be a date YYYY-MM-DD");
      return v;
    case FieldKind::kRef:
      if (!v.is_string() || !IsUuid(v.get<std::string>())) return bad("must be a record id (UUID)");
      return v;
    case FieldKind::kAnswer:
      return v;  // checked against the visit's form in CheckRecord
  }
  return bad("unknown field kind");
}


}  // namespace ccfield
