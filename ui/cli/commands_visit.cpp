// `ccfield visit add|edit|delete|restore`: recording site visits.
#include <ctime>

#include "ccfield/core/files.h"
#include "ccfield/core/geo.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/records.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

namespace {

constexpr const char* kVisitHelp = R"(Usage:
  ccfield visit add --site ID --form FORM [options]
  ccfield visit edit ID [options]
  ccfield visit delete ID        (can be undone with restore)
  ccfield visit restore ID
  ccfield visit attach ID FILE... [--caption TEXT]   attach photos (JPEG, PNG)

Options for add and edit:
  --site ID             the site visited (ID or first 6+ characters)
  --form FORM           form id (newest version) or id@version, see `ccfield forms`
  --project ID          project the visit belongs to
  --started TIME        ISO 8601 with offset (default: now, local time with offset)
  --ended TIME          ISO 8601 with offset
  --status S            complete (default for add) or draft (required answers may wait)
  --notes TEXT          free-text notes; --notes-file FILE reads them from a file
  --language L          language of the notes (fr, pt-MZ, ru, ...)
  --answer FIELD=VALUE  a form answer; repeat for more. Lists: a,b,c; yes/no;
                        positions: lat,lon[,accuracy]
  --answers-json JSON   several answers as a JSON object
  --gps LAT,LON[,ACC]   position in WGS84 degrees, accuracy in metres
  --gps-source S        gps, network, map_pick, site_default or typed
  --weather W           dry, light_rain, heavy_rain, after_rain_24h, hot_sunny, windy_dusty
  --condition C         0 good, 1 minor issues, 2 needs repair, 3 critical,
                        na not applicable, ni not inspected
  --follow-up P         follow-up needed with priority P1, P2 or P3 (--no-follow-up clears)
  --due DATE            follow-up due date YYYY-MM-DD
  --action TEXT         follow-up action
  --inspector ID        member who made the visit
  --sdg LIST            SDG targets, e.g. 11.5,13.1
  --clear FIELD         clear a field or answer (answers.FIELD); repeatable
)";

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    size_t b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
  }
  return out;
}

// A position typed as "LAT,LON[,ACCURACY]" (--gps, and position answers).
struct TypedPosition {
  double lat = 0, lon = 0;
  std::optional<double> accuracy_m;
};
// `wrong_shape` is the error when the text does not have two or three parts.
Result<TypedPosition> ParsePosition(const std::string& text, const std::string& wrong_shape) {
  std::vector<std::string> parts = SplitComma(text);
  if (parts.size() < 2 || parts.size() > 3) return Status::Invalid(wrong_shape);
  TypedPosition p;
  CCF_ASSIGN_OR_RETURN(p.lat, ParseNumber(parts[0], "latitude"));
  CCF_ASSIGN_OR_RETURN(p.lon, ParseNumber(parts[1], "longitude"));
  if (parts.size() == 3) {
    CCF_ASSIGN_OR_RETURN(p.accuracy_m, ParseNumber(parts[2], "accuracy"));
  }
  return p;
}

// Turns the text typed after --answer FIELD= into the JSON the form expects.
Result<json> ParseAnswer(const FormField& f, const std::string& text) {
  switch (f.type) {
    case AnswerType::kInteger: {
      try {
        size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return json(v);
      } catch (const std::exception&) {
        return Status::Invalid("answer " + f.id + ": \"" + text + "\" is not a whole number");
      }
    }
    case AnswerType::kDecimal: {
      CCF_ASSIGN_OR_RETURN(double v, ParseNumber(text, "answer " + f.id));
      return json(v);
    }
    case AnswerType::kYesNo:
      if (text == "yes" || text == "true" || text == "oui" || text == "1") return json(true);
      if (text == "no" || text == "false" || text == "non" || text == "0") return json(false);
      return Status::Invalid("answer " + f.id + ": say yes or no");
    case AnswerType::kMultiChoice: return json(SplitComma(text));
    case AnswerType::kPosition: {
      CCF_ASSIGN_OR_RETURN(TypedPosition p, ParsePosition(text, "answer " + f.id + ": give lat,lon[,accuracy]"));
      json pos = {{"lat", p.lat}, {"lon", p.lon}};
      if (p.accuracy_m) pos["accuracy_m"] = *p.accuracy_m;
      return pos;
    }
    default: return json(text);
  }
}

// Builds the field changes for add/edit from the options.
Result<json> BuildFields(Context& ctx, Store* store, const Args& a, const FormDef* form) {
  json f = json::object();
  auto ref = [&](const char* opt, const char* field, RecordType t) -> Status {
    if (auto v = a.Get(opt)) {
      CCF_ASSIGN_OR_RETURN(Record r, FindTyped(store, *v, t));
      f[field] = r.id;
    }
    return Status::Ok();
  };
  CCF_RETURN_IF_ERROR(ref("site", "site_id", RecordType::kSite));
  CCF_RETURN_IF_ERROR(ref("project", "project_id", RecordType::kProject));
  CCF_RETURN_IF_ERROR(ref("inspector", "inspector_id", RecordType::kMember));
  for (auto [opt, field] : {std::pair{"started", "started_at"}, {"ended", "ended_at"}, {"status", "status"},
                            {"language", "language"}, {"gps-source", "gps_source"}, {"weather", "weather"},
                            {"condition", "condition_rating"}, {"due", "follow_up_due"}, {"action", "follow_up_action"}}) {
    if (auto v = a.Get(opt)) f[field] = *v;
  }
  if (auto v = a.Get("notes")) f["notes"] = *v;
  if (auto file = a.Get("notes-file")) {
    if (a.Has("notes")) return Status::Invalid("give --notes or --notes-file, not both");
    // The notes limit of the visit form: a bigger file is refused before it is read.
    CCF_ASSIGN_OR_RETURN(std::string notes, ReadFileAtMost(*file, kMaxLongTextBytes, "notes file"));
    f["notes"] = std::move(notes);
  }
  if (auto v = a.Get("gps")) {
    CCF_ASSIGN_OR_RETURN(TypedPosition p, ParsePosition(*v, "--gps takes LAT,LON[,ACCURACY]"));
    f["gps_lat"] = p.lat;
    f["gps_lon"] = p.lon;
    if (p.accuracy_m) f["gps_accuracy_m"] = *p.accuracy_m;
    if (!a.Has("gps-source")) f["gps_source"] = "gps";
  }
  if (auto v = a.Get("follow-up")) {
    f["follow_up_needed"] = true;
    f["follow_up_priority"] = *v;
  }
  if (a.Has("no-follow-up")) {
    f["follow_up_needed"] = false;
    f["follow_up_priority"] = nullptr;
    f["follow_up_due"] = nullptr;
  }
  if (auto v = a.Get("sdg")) f["sdg_targets"] = SplitComma(*v);
  if (auto v = a.Get("answers-json")) {
    json answers = json::parse(*v, nullptr, false);
    if (!answers.is_object()) return Status::Invalid("--answers-json must be a JSON object");
    for (const auto& [k, val] : answers.items()) f[std::string(kAnswersPrefix) + k] = val;
  }
  for (const std::string& kv : a.All("answer")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return Status::Invalid("--answer takes FIELD=VALUE, not \"" + kv + "\"");
    std::string id = kv.substr(0, eq);
    const FormField* field = form ? form->Find(id) : nullptr;
    if (!field) return Status::Invalid("form " + (form ? form->key() : std::string("?")) + " has no field \"" + id + "\"");
    CCF_ASSIGN_OR_RETURN(json value, ParseAnswer(*field, kv.substr(eq + 1)));
    f[std::string(kAnswersPrefix) + id] = value;
  }
  for (const std::string& c : a.All("clear")) f[c] = nullptr;
  (void)ctx;
  return f;
}

// "1.4 km from the site's position — is this the right site?" when the
// visit's GPS position is further than kVisitFarFromSiteMeters from its
// site's; "" otherwise. A warning: the visit is saved all the same.
std::string FarFromSiteWarning(Store* store, const Record& visit) {
  const json &lat = visit.Get("gps_lat"), &lon = visit.Get("gps_lon");
  if (!lat.is_number() || !lon.is_number()) return "";
  Result<Record> site = store->Get(RecordType::kSite, PlainValue(visit.Get("site_id")));
  if (!site.ok() || !site->Get("lat").is_number() || !site->Get("lon").is_number()) return "";
  const double d = DistanceMeters({lat.get<double>(), lon.get<double>()},
                                  {site->Get("lat").get<double>(), site->Get("lon").get<double>()});
  return FarFromSiteWords(d);
}

int Print(Context& ctx, Store* store, const std::string& id, const char* verb, bool check_position = false) {
  Result<Record> r = store->Get(RecordType::kVisit, id);
  if (!r.ok()) return Fail(ctx, r.status());
  Result<RecordStatus> st = store->screens().RecordStateOf(RecordType::kVisit, id);
  if (!st.ok()) return Fail(ctx, st.status());
  const std::string far = check_position ? FarFromSiteWarning(store, *r) : "";
  if (ctx.json) {
    json j = RecordJson(*r);
    AddStateJson(&j, *st);
    j["warnings"] = far.empty() ? json::array() : json::array({far});
    ctx.out << JsonForOutput(j) << "\n";
  } else {
    ctx.out << verb << " visit " << r->id << "\n  " << RecordLine(store, *r, ctx.lang, &*st) << "\n";
    if (!far.empty()) ctx.out << "Warning: the GPS position is " << far << "\n";
  }
  return kExitOk;
}

}  // namespace

int CmdVisit(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{
      kVisitHelp,
      {{"site", true},          {"form", true},         {"project", true},      {"started", true},
       {"ended", true},         {"status", true},       {"notes", true},        {"notes-file", true},
       {"language", true},      {"answer", true, true}, {"answers-json", true}, {"gps", true},
       {"gps-source", true},    {"weather", true},      {"condition", true},    {"follow-up", true},
       {"no-follow-up", false}, {"due", true},          {"action", true},       {"inspector", true},
       {"sdg", true},           {"clear", true, true},  {"caption", true}},
      {1, SIZE_MAX, "say add, edit, delete, restore or attach"}};
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, kSpec, &code);
  if (!a) return code;
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  const auto& pos = a->positional();
  const std::string& verb = pos[0];

  if (verb == "add") {
    if (pos.size() != 1) return Usage(ctx, "visit add takes options only", kVisitHelp);
    if (!a->Has("site") || !a->Has("form")) return Usage(ctx, "visit add needs --site and --form", kVisitHelp);
    std::string key = *a->Get("form");
    if (key.find('@') == std::string::npos) {
      for (const FormDef& f : store->forms()) {
        if (f.id == key) key = f.key();  // forms are ordered; the last is the newest
      }
    }
    const FormDef* form = store->FindForm(key);
    if (!form) return Fail(ctx, Status::NotFound("unknown form \"" + *a->Get("form") + "\"; see `ccfield forms`"));
    Result<json> fields = BuildFields(ctx, store, *a, form);
    if (!fields.ok()) return Fail(ctx, fields.status());
    (*fields)["form"] = form->key();
    if (!fields->contains("started_at")) (*fields)["started_at"] = FormatLocalWithOffset(ctx.env->WallMillis());
    if (!fields->contains("status")) (*fields)["status"] = "complete";
    std::string id = NewUuid(ctx.env);
    Result<CommitResult> r = store->Commit({SetFields{RecordType::kVisit, id, *fields}});
    if (!r.ok()) return Fail(ctx, r.status().WithContext("visit not saved"));
    return Print(ctx, store, id, "Saved", true);
  }
  if (pos.size() < 2 || (pos.size() != 2 && verb != "attach")) {
    return Usage(ctx, "visit " + verb + " needs the visit id", kVisitHelp);
  }
  Result<Record> visit = FindTyped(store, pos[1], RecordType::kVisit);
  if (!visit.ok()) return Fail(ctx, visit.status());
  const std::string& id = visit->id;
  if (verb == "edit") {
    if (a->Has("form")) return Fail(ctx, Status::Invalid("a visit's form cannot change; add a new visit instead"));
    Result<Record> current = store->Get(RecordType::kVisit, id);
    if (!current.ok()) return Fail(ctx, current.status());
    const FormDef* form = store->FindForm(PlainValue(current->Get("form")));
    Result<json> fields = BuildFields(ctx, store, *a, form);
    if (!fields.ok()) return Fail(ctx, fields.status());
    if (fields->empty()) return Usage(ctx, "say what to change", kVisitHelp);
    Result<CommitResult> r = store->Commit({SetFields{RecordType::kVisit, id, *fields}});
    if (!r.ok()) return Fail(ctx, r.status().WithContext("visit not changed"));
    return Print(ctx, store, id, r->changed_fields ? "Changed" : "No change to",
                 fields->contains("gps_lat") || fields->contains("site_id"));
  }
  if (verb == "attach") {
    if (pos.size() < 3) return Usage(ctx, "visit attach needs the visit id and one or more photo files", kVisitHelp);
    return AttachPhotos(ctx, store, RecordType::kVisit, id, {pos.begin() + 2, pos.end()},
                        a->Get("caption").value_or(""));
  }
  if (verb == "delete" || verb == "restore") {
    Op op = verb == "delete" ? Op(DeleteRecord{RecordType::kVisit, id}) : Op(RestoreRecord{RecordType::kVisit, id});
    Result<CommitResult> r = store->Commit({op});
    if (!r.ok()) return Fail(ctx, r.status());
    return Print(ctx, store, id, verb == "delete" ? "Deleted" : "Restored");
  }
  return Usage(ctx, "unknown visit command \"" + verb + "\"", kVisitHelp);
}

}  // namespace ccfield::cli
