#include "app/display.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "ccfield/core/geo.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/text.h"
#include "ccfield/sync/protocol.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

namespace {

// {code, label not yet translated} (the label marked with ui::N_).
using CodeLabel = std::pair<const char*, const char*>;

// The translated label of `code` in `table`; nullopt when the table lacks it.
template <size_t N>
std::optional<std::string> TranslatedLabel(const CodeLabel (&table)[N], const std::string& code) {
  for (const auto& [c, label] : table) {
    if (code == c) return std::string(tr(label));
  }
  return std::nullopt;
}

// The label of a record field that is not a form answer; the field name itself when unknown.
std::string PlainFieldLabel(const std::string& field) {
  static const CodeLabel kLabels[] = {
      {"notes", ui::N_("Notes")},
      {"status", ui::N_("Status")},
      {"started_at", ui::N_("Started")},
      {"ended_at", ui::N_("Ended")},
      {"site_id", ui::N_("Site")},
      {"project_id", ui::N_("Project")},
      {"condition_rating", ui::N_("Condition")},
      {"weather", ui::N_("Weather")},
      {"follow_up_needed", ui::N_("Follow-up needed")},
      {"follow_up_action", ui::N_("Follow-up action")},
      {"follow_up_priority", ui::N_("Follow-up priority")},
      {"follow_up_due", ui::N_("Follow-up due")},
      {"sdg_targets", ui::N_("SDG targets")},
      {"gps_lat", ui::N_("Latitude")},
      {"gps_lon", ui::N_("Longitude")},
      {"gps_accuracy_m", ui::N_("Accuracy (m)")},
      {"gps_source", ui::N_("Position source")},
      {"name", ui::N_("Name")},
      {"title", ui::N_("Title")},
      {"summary", ui::N_("Summary")},
      {"_deleted", ui::N_("Deleted")},
      {"workspace_id", ui::N_("Workspace")},
      {"inspector_id", ui::N_("Inspector")},
      {"form", ui::N_("Form")},
      {"language", ui::N_("Language")},
      {"kind", ui::N_("Kind")},
      {"ward", ui::N_("Ward")},
      {"address", ui::N_("Address")},
      {"lat", ui::N_("Latitude")},
      {"lon", ui::N_("Longitude")},
      {"topic", ui::N_("Topic")},
      {"topics", ui::N_("Topics")},
      {"city", ui::N_("City")},
      {"country", ui::N_("Country")},
      {"problem", ui::N_("Problem")},
      {"solution", ui::N_("Solution")},
      {"results", ui::N_("Results")},
      {"contact_role", ui::N_("Contact")},
      {"role", ui::N_("Role")},
      {"organisation", ui::N_("Organisation")},
      {"expertise", ui::N_("Expertise")},
      {"languages", ui::N_("Languages")},
      {"default_language", ui::N_("Language")},
  };
  if (std::optional<std::string> label = TranslatedLabel(kLabels, field)) return *label;
  // A field this table does not know yet: its name spelled out, never "snake_case".
  std::string out = field;
  for (char& ch : out) {
    if (ch == '_') ch = ' ';
  }
  return out;
}

// A number as people write it: no trailing zeros, a real minus sign (U+2212).
std::string NumberWords(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::fabs(v));
  return (v < 0 ? "\u2212" : "") + std::string(buf);
}

std::string WithUnit(double v, const std::string& unit) { return NumberWords(v) + (unit.empty() ? "" : " " + unit); }

std::string RangeProblem(const std::string& label, std::optional<double> min, std::optional<double> max,
                         const std::string& unit) {
  if (min && max) {
    return ui::Format(tr("{field} must be between {min} and {max}."),
                      {{"field", label}, {"min", WithUnit(*min, unit)}, {"max", WithUnit(*max, unit)}});
  }
  if (min) return ui::Format(tr("{field} must be at least {min}."), {{"field", label}, {"min", WithUnit(*min, unit)}});
  return ui::Format(tr("{field} must be at most {max}."), {{"field", label}, {"max", WithUnit(*max, unit)}});
}

std::string AnswerProblem(const FormField& f, const json& v, const std::string& label) {
  auto say = [&label](const char* message) { return ui::Format(message, {{"field", label}}); };
  auto range = [&](double x) -> std::string {
    if ((f.min && x < *f.min) || (f.max && x > *f.max)) return RangeProblem(label, f.min, f.max, f.unit);
    return "";
  };
  switch (f.type) {
    case AnswerType::kText:
    case AnswerType::kLongText:
      if (f.max_length && v.is_string()) {
        return ui::Format(tr("{field} is too long: at most {n} characters."),
                          {{"field", label}, {"n", std::to_string(*f.max_length)}});
      }
      return say(tr("{field} is too long."));
    case AnswerType::kInteger:
      if (!v.is_number_integer()) return say(tr("{field} must be a whole number."));
      if (std::string r = range(v.get<double>()); !r.empty()) return r;
      break;
    case AnswerType::kDecimal:
      if (!v.is_number()) return say(tr("{field} must be a number."));
      if (std::string r = range(v.get<double>()); !r.empty()) return r;
      break;
    case AnswerType::kSingleChoice:
    case AnswerType::kMultiChoice:
    case AnswerType::kYesNo:
      return say(tr("{field}: choose one of the listed options."));
    case AnswerType::kDate:
      return say(tr("{field} must be a real date, written YYYY-MM-DD."));
    case AnswerType::kPosition: {
      if (!v.is_object() || !v.contains("lat") || !v.contains("lon")) {
        return say(tr("{field}: enter both latitude and longitude."));
      }
      struct Part {
        const char* key;
        const char* label;
        std::optional<double> min, max;
      };
      const Part parts[] = {{"lat", ui::N_("Latitude"), -90.0, 90.0},
                            {"lon", ui::N_("Longitude"), -180.0, 180.0},
                            {"accuracy_m", ui::N_("Accuracy (m)"), 0.0, std::nullopt}};
      for (const Part& part : parts) {
        if (!v.contains(part.key)) continue;
        const json& x = v[part.key];
        if (!x.is_number()) return ui::Format(tr("{field} must be a number."), {{"field", tr(part.label)}});
        const double d = x.get<double>();
        if (d < *part.min || (part.max && d > *part.max)) return RangeProblem(tr(part.label), part.min, part.max, "");
      }
      break;
    }
  }
  return say(tr("{field} has a value that cannot be saved."));
}

// A text value of a record field in words: references become the record's
// title, codes their words; free text stays as written.
std::string CodeText(Store* store, const std::string& field, const std::string& v) {
  if (field == "condition_rating") return ConditionText(v);
  if (field == "kind") return SiteKindLabel(v, ui::CurrentCatalog().code());
  if (field == "site_id" || field == "project_id" || field == "inspector_id" || field == "workspace_id") {
    if (!IsUuid(v)) return v;
    Result<Record> r = store->FindAny(v);
    return r.ok() ? r->Title() : tr("a record not on this device");
  }
  if (field == "topic" || field == "topics") return TopicText(v);
  if (field == "country") return CountryName(v);
  if (field == "language" || field == "languages" || field == "default_language") return LanguageName(v);
  if (field == "gps_source") {
    if (v == "gps") return tr("GPS");
    if (v == "network") return tr("Network");
    if (v == "map_pick") return tr("Picked on map");
    if (v == "site_default") return tr("Site's position");
    if (v == "typed") return tr("Typed");
  }
  if (field == "status") {
    if (v == "draft") return tr("in progress");
    if (v == "complete") return tr("complete");
    return ProjectStatusText(v);
  }
  if (field == "weather") {
    static const CodeLabel kWeather[] = {
        {"dry", ui::N_("dry")},
        {"light_rain", ui::N_("light rain")},
        {"heavy_rain", ui::N_("heavy rain")},
        {"after_rain_24h", ui::N_("within 24 hours after rain")},
        {"hot_sunny", ui::N_("hot and sunny")},
        {"windy_dusty", ui::N_("windy and dusty")},
    };
    if (std::optional<std::string> label = TranslatedLabel(kWeather, v)) return *label;
  }
  return v;
}

}  // namespace

std::string FieldLabel(Store* store, const Record* record, const std::string& field, const std::string& lang) {
  if (field.rfind(kAnswersPrefix, 0) == 0 && record) {
    const nlohmann::json& key = record->Get("form");
    const FormDef* form = key.is_string() ? store->FindForm(key.get<std::string>()) : nullptr;
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (f) return PickLabel(f->label, lang);
  }
  return PlainFieldLabel(field);
}

std::string VisitFieldLabel(const FormDef* form, const std::string& field, const std::string& lang) {
  if (field.rfind(kAnswersPrefix, 0) == 0 && form) {
    if (const FormField* f = form->Find(field.substr(kAnswersPrefix.size()))) return PickLabel(f->label, lang);
  }
  return PlainFieldLabel(field);
}

std::string VisitValueProblem(const FormDef* form, const std::string& field, const json& value,
                              const std::string& lang) {
  const std::string label = VisitFieldLabel(form, field, lang);
  if (field.rfind(kAnswersPrefix, 0) == 0) {
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (!f) return tr("This form has no such question.");
    if (value.is_null() || ValidateAnswer(*f, value).ok()) return "";
    return AnswerProblem(*f, value, label);
  }
  if (CheckFieldValue(RecordType::kVisit, field, value).ok()) return "";
  auto say = [&label](const char* message) { return ui::Format(message, {{"field", label}}); };
  const FieldSpec* spec = FindField(RecordType::kVisit, field);
  if (!spec) return say(tr("{field} has a value that cannot be saved."));
  switch (spec->kind) {
    case FieldKind::kReal:
    case FieldKind::kInteger:
      if (!value.is_number()) {
        return say(spec->kind == FieldKind::kInteger ? tr("{field} must be a whole number.")
                                                     : tr("{field} must be a number."));
      }
      if (spec->min < spec->max) return RangeProblem(label, spec->min, spec->max, "");
      break;
    case FieldKind::kDate:
      return say(tr("{field} must be a real date, written YYYY-MM-DD."));
    case FieldKind::kText:
    case FieldKind::kLongText:
      if (!spec->allowed.empty()) return say(tr("{field}: choose one of the listed options."));
      if (value.is_string()) return say(tr("{field} is too long."));
      break;
    default:
      break;
  }
  return say(tr("{field} has a value that cannot be saved."));
}

std::string PositionText(double lat, double lon, const json& accuracy_m) {
  std::string out = FormatLatLon({lat, lon});
  if (accuracy_m.is_number()) out += " · ±" + NumberWords(accuracy_m.get<double>()) + " m";
  return out;
}

std::string FarFromSiteText(double meters) {
  if (!(meters > kVisitFarFromSiteMeters)) return "";
  return ui::Format(tr("{distance} from the site's position — is this the right site?"),
                    {{"distance", FormatDistance(meters)}});
}

std::string RecordTitle(Store* store, const Record& record, const std::string& lang) {
  if (record.type != RecordType::kVisit) return record.Title();
  std::string site;
  if (const json& s = record.Get("site_id"); s.is_string()) {
    Result<Record> r = store->Get(RecordType::kSite, s.get<std::string>());
    if (r.ok()) site = r->Title();
  }
  std::string form;
  if (const json& k = record.Get("form"); k.is_string()) {
    const FormDef* f = store->FindForm(k.get<std::string>());
    form = f ? PickLabel(f->title, lang) : "";
  }
  std::string when;
  if (const json& t = record.Get("started_at"); t.is_string()) when = t.get<std::string>().substr(0, 10);
  std::string out;
  for (const std::string& part : {site, form, when}) {
    if (!part.empty()) out += (out.empty() ? "" : " · ") + part;
  }
  return out.empty() ? tr("Visit") : out;
}

std::string AuthorName(Store* store, const std::string& author) {
  if (author.empty() || author == "local") return tr("you");
  if (IsUuid(author)) {
    Result<Record> m = store->Get(RecordType::kMember, author);
    if (m.ok()) return m->Title();
  }
  return author;
}

std::string VerifiedAuthorName(Store* store, const std::string& author, const std::string& pushed_by) {
  if (pushed_by.empty()) return AuthorName(store, author);
  const std::string typed = AuthorName(store, author);
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // User names are case-insensitive; "local" and "" are the device's own unnamed writes.
  if (author.empty() || author == "local" || lower(typed) == lower(pushed_by) || lower(author) == lower(pushed_by)) {
    return pushed_by;
  }
  return ui::Format(tr("{user}, signed as {author}"), {{"user", pushed_by}, {"author", typed}});
}

std::string ClockFlagText(ClockFlag flag) {
  switch (flag) {
    case ClockFlag::kNone: return "";
    case ClockFlag::kFuture: return tr("The device clock was ahead of the server's: this time may be wrong.");
    case ClockFlag::kBeforeLastSync: return tr("The device clock was behind its previous sync: this time may be wrong.");
  }
  return "";
}

std::string DeviceText(Store* store, const std::string& device_id, const std::string& author) {
  if (device_id == store->device_id()) return tr("this device");
  if (device_id == sync::kServerDeviceId) return tr("the platform");
  if (author.empty() || author == "local") return tr("another device");
  return ui::Format(tr("{name}'s tablet"), {{"name", AuthorName(store, author)}});
}

std::string TopicText(const std::string& code) {
  static const CodeLabel kTopics[] = {
      {"drainage", ui::N_("Drainage and floods")}, {"solid_waste", ui::N_("Solid waste")},
      {"heat", ui::N_("Urban heat")},              {"wash", ui::N_("Water, sanitation and hygiene")},
      {"settlement", ui::N_("Informal settlements")}, {"green_space", ui::N_("Green spaces")},
      {"health", ui::N_("Health")},                {"recycling", ui::N_("Recycling")},
      {"markets", ui::N_("Markets")},              {"community", ui::N_("Community work")},
      {"schools", ui::N_("Schools")},              {"mapping", ui::N_("Mapping")},
  };
  if (std::optional<std::string> label = TranslatedLabel(kTopics, code)) return *label;
  std::string out = code;  // an unknown code, spelled out: "street_lighting" -> "Street lighting"
  for (char& ch : out) {
    if (ch == '_') ch = ' ';
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string CountryName(const std::string& code) {
  static const CodeLabel kCountries[] = {
      {"TZ", ui::N_("Tanzania")},     {"KE", ui::N_("Kenya")},        {"UG", ui::N_("Uganda")},
      {"MZ", ui::N_("Mozambique")},   {"ZA", ui::N_("South Africa")}, {"CD", ui::N_("DR Congo")},
      {"SL", ui::N_("Sierra Leone")}, {"MA", ui::N_("Morocco")},      {"IN", ui::N_("India")},
      {"AM", ui::N_("Armenia")},      {"GE", ui::N_("Georgia")},      {"ET", ui::N_("Ethiopia")},
      {"SN", ui::N_("Senegal")},      {"GH", ui::N_("Ghana")},        {"NG", ui::N_("Nigeria")},
      {"DE", ui::N_("Germany")},
  };
  return TranslatedLabel(kCountries, code).value_or(code);
}

std::string LanguageName(const std::string& tag) {
  // Each language in its own name: the reader may not share the UI language.
  static const std::pair<const char*, const char*> kNames[] = {
      {"en", "English"},  {"fr", "Français"}, {"pt", "Português"}, {"ru", "Русский"},  {"ar", "العربية"},
      {"sw", "Kiswahili"}, {"lg", "Luganda"},  {"zu", "isiZulu"},   {"xh", "isiXhosa"}, {"hy", "Հայերեն"},
      {"ka", "ქართული"},  {"am", "አማርኛ"},     {"es", "Español"},   {"de", "Deutsch"},  {"rw", "Kinyarwanda"},
      {"ln", "Lingála"},  {"wo", "Wolof"},    {"ha", "Hausa"},     {"yo", "Yorùbá"},   {"so", "Soomaali"},
  };
  const std::string base = tag.substr(0, tag.find('-'));
  std::string name = tag;
  for (const auto& [c, n] : kNames) {
    if (base == c) name = n;
  }
  if (name != tag && base.size() < tag.size()) name += " (" + CountryName(tag.substr(base.size() + 1)) + ")";
  return name;
}

std::string ProjectStatusText(const std::string& code) {
  if (code == "planned") return tr("planned");
  if (code == "active") return tr("active");
  if (code == "paused") return tr("paused");
  if (code == "completed") return tr("completed");
  return code;
}

std::string ValueText(Store* store, const Record* record, const std::string& field, const nlohmann::json& value,
                      const std::string& lang) {
  if (value.is_null()) return tr("(empty)");
  if (field.rfind(kAnswersPrefix, 0) == 0 && record) {
    const nlohmann::json& key = record->Get("form");
    const FormDef* form = key.is_string() ? store->FindForm(key.get<std::string>()) : nullptr;
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (f) return FormatAnswer(*f, value, lang);
  }
  if (value.is_string()) return CodeText(store, field, value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? tr("yes") : tr("no");
  if ((field == "gps_lat" || field == "gps_lon" || field == "lat" || field == "lon") && value.is_number()) {
    return FormatCoordinate(value.get<double>(), field.find("lat") != std::string::npos);
  }
  if (value.is_array()) {
    std::string out;
    for (const auto& v : value) {
      if (!out.empty()) out += ", ";
      out += v.is_string() ? CodeText(store, field, v.get<std::string>()) : JsonForOutput(v);
    }
    return out;
  }
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return NumberWords(value.get<double>());
  return JsonForOutput(value);
}

std::string ConditionText(const std::string& rating) {
  if (rating == "0") return tr("0 · good");
  if (rating == "1") return tr("1 · minor issues");
  if (rating == "2") return tr("2 · needs repair");
  if (rating == "3") return tr("3 · critical");
  if (rating == "na") return tr("not applicable");
  if (rating == "ni") return tr("not inspected");
  return rating;
}

std::string VisitRowTitle(const VisitRow& row) {
  std::string when = row.started_at.substr(0, 16);
  if (when.size() > 10) when[10] = ' ';
  return row.site_name + " · " + when;
}

std::string SyncSentence(const sync::SyncStatus& s) {
  if (!s.logged_in) return tr("Sync is not set up: everything is kept on this device. Add a server in Settings.");
  std::string out;
  if (s.running) {
    out = tr("Syncing now…");
  } else if (s.waiting == 0) {
    out = tr("Everything is sent.");
  } else {
    out = ui::trn("{count} change waiting to be sent.", "{count} changes waiting to be sent.", s.waiting);
  }
  out += " ";
  if (s.last_ok.empty()) {
    out += tr("Never synced yet.");
  } else {
    out += ui::Format(tr("Last successful sync: {time}."), {{"time", sync::FormatSyncTime(s.last_ok)}});
  }
  if (!s.blocked_by.empty()) {
    out += " ";
    // Translated when this process saw the failure; the words saved by another process stay as written.
    const bool seen = !s.blocked_status.ok() && s.blocked_status.message() == s.blocked_by;
    out +=
        ui::Format(tr("Sync blocked: {reason}."), {{"reason", seen ? ui::StatusText(s.blocked_status) : s.blocked_by}});
  }
  if (s.rejected > 0) {
    out += " ";
    out += ui::trn("{count} change refused by the server.", "{count} changes refused by the server.", s.rejected);
  }
  return out;
}

}  // namespace ccfield::app
