// `ccfield site add|edit|delete|restore|show|kinds`: the places visits are made at.
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "ccfield/core/geo.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/site_kinds.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

namespace {

constexpr const char* kSiteHelp = R"(Usage:
  ccfield site add --name NAME [options]
  ccfield site edit ID [options]
  ccfield site delete ID        (can be undone with restore)
  ccfield site restore ID
  ccfield site show ID
  ccfield site attach ID FILE... [--caption TEXT]   attach photos of the place itself
  ccfield site kinds            the kinds of site, with their labels in --lang

Options for add and edit:
  --name NAME                 what people call the place (required for add)
  --kind CODE                 drain, culvert, dumpsite, ... (`ccfield site kinds`)
  --ward WARD                 the ward or neighbourhood
  --address TEXT              street address or directions
  --position LAT,LON          WGS84 degrees (south and west negative); or --lat X --lon Y
  --near-visit VISIT_ID       take the position of that visit's GPS fix
  --position-from-last-visit  take the position of the newest visit with a GPS fix
                              (when editing: the newest visit of this site)
  --workspace WS              the workspace (id or its first 6+ characters); needed
                              only when this device has several of its own
  --clear FIELD               edit: clear kind, ward, address or position; repeatable

Before saving, sites that may be the same place are listed ("Is it one of
these?"): the same kind within 50 m, or the same name. Saving goes ahead anyway.
)";

std::optional<LatLon> VisitPosition(const Record& v) {
  if (!v.Get("gps_lat").is_number() || !v.Get("gps_lon").is_number()) return std::nullopt;
  return LatLon{v.Get("gps_lat").get<double>(), v.Get("gps_lon").get<double>()};
}

// The position the options ask for, if any.
Result<std::optional<LatLon>> PositionFromOptions(Store* store, const Args& a, const std::string& site_id) {
  int ways = (a.Has("position") ? 1 : 0) + (a.Has("lat") || a.Has("lon") ? 1 : 0) + (a.Has("near-visit") ? 1 : 0) +
             (a.Has("position-from-last-visit") ? 1 : 0);
  if (ways > 1) {
    return Status::Invalid(
        "give the position one way: --position, --lat/--lon, --near-visit or "
        "--position-from-last-visit");
  }
  if (auto p = a.Get("position")) {
    const size_t comma = p->find(',');
    if (comma == std::string::npos) return Status::Invalid("--position takes LAT,LON, e.g. -6.7959,39.2469");
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    CCF_ASSIGN_OR_RETURN(double lat, ParseNumber(trim(p->substr(0, comma)), "latitude"));
    CCF_ASSIGN_OR_RETURN(double lon, ParseNumber(trim(p->substr(comma + 1)), "longitude"));
    return std::optional<LatLon>(LatLon{lat, lon});
  }
  if (a.Has("lat") || a.Has("lon")) {
    if (!a.Has("lat") || !a.Has("lon")) return Status::Invalid("give both --lat and --lon");
    CCF_ASSIGN_OR_RETURN(double lat, ParseNumber(*a.Get("lat"), "latitude"));
    CCF_ASSIGN_OR_RETURN(double lon, ParseNumber(*a.Get("lon"), "longitude"));
    return std::optional<LatLon>(LatLon{lat, lon});
  }
  if (auto v = a.Get("near-visit")) {
    CCF_ASSIGN_OR_RETURN(Record visit, FindTyped(store, *v, RecordType::kVisit));
    std::optional<LatLon> p = VisitPosition(visit);
    if (!p) return Status::Invalid("visit " + ShortId(visit.id) + " has no GPS position; give --position LAT,LON");
    return p;
  }
  if (a.Has("position-from-last-visit")) {
    ListQuery q;
    q.type = RecordType::kVisit;
    if (!site_id.empty()) q.site_id = site_id;
    q.limit = 500;
    CCF_ASSIGN_OR_RETURN(std::vector<Record> visits, store->List(q));  // newest first
    for (const Record& v : visits) {
      if (std::optional<LatLon> p = VisitPosition(v)) return p;
    }
    return Status::Invalid(std::string(site_id.empty() ? "no visit on this device" : "no visit of this site") +
                           " has a GPS position; give --position LAT,LON");
  }
  return std::optional<LatLon>();
}

// The workspace of a new site: --workspace, else the device's only workspace
// of its own. A demo workspace only when there is nothing else (*demo_note
// then says the site stays on this device).
Result<Record> SiteWorkspace(Store* store, const std::optional<std::string>& given, std::string* demo_note) {
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> demo, store->DemoWorkspaceIds());
  auto is_demo = [&](const std::string& id) { return std::find(demo.begin(), demo.end(), id) != demo.end(); };
  if (given) {
    CCF_ASSIGN_OR_RETURN(Record r, FindWorkspace(store, *given));
    if (is_demo(r.id)) *demo_note = "This is a demo workspace: the site stays on this device and is never sent.";
    return r;
  }
  ListQuery q;
  q.type = RecordType::kWorkspace;
  q.limit = 1000;
  CCF_ASSIGN_OR_RETURN(std::vector<Record> all, store->List(q));
  std::vector<Record> real, demos;
  for (Record& w : all) (is_demo(w.id) ? demos : real).push_back(std::move(w));
  if (real.size() == 1) return real[0];
  if (real.size() > 1) {
    std::string list;
    for (const Record& w : real) list += "\n  " + ShortId(w.id) + "  " + w.Title();
    return Status::Invalid("this device has several workspaces; say which with --workspace WS:" + list);
  }
  if (demos.size() == 1) {
    *demo_note = "This device has only the demo workspace (" + demos[0].Title() +
                 "): the site stays on this device and is never sent. Log in and sync to get your own.";
    return demos[0];
  }
  if (demos.empty()) {
    return Status::Invalid("this device has no workspace yet: log in and sync first (ccfield login URL --user NAME)");
  }
  std::string list;
  for (const Record& w : demos) list += "\n  " + ShortId(w.id) + "  " + w.Title() + " (demo)";
  return Status::Invalid(
      "this device has several demo workspaces and none of its own; say which with --workspace WS "
      "(the site then stays on this device), or log in and sync to get your own:" +
      list);
}

json SimilarJson(const SimilarSite& s, const std::string& lang) {
  json j = {{"id", s.id},
            {"name", s.name},
            {"kind", s.kind},
            {"kind_label", SiteKindLabel(s.kind, lang)},
            {"same_name", s.same_name},
            {"near_same_kind", s.near_same_kind}};
  j["distance_m"] = s.distance_m ? json(*s.distance_m) : json(nullptr);
  return j;
}

// "Is it one of these?": a warning, never a rule.
void PrintSimilar(Context& ctx, const std::vector<SimilarSite>& similar) {
  if (similar.empty() || ctx.json) return;
  ctx.out << "Is it one of these? (saved anyway; `ccfield site delete ID` if it is the same place)\n";
  for (const SimilarSite& s : similar) {
    ctx.out << "  " << ShortId(s.id) << "  " << s.name;
    if (!s.kind.empty()) ctx.out << " · " << SiteKindLabel(s.kind, ctx.lang);
    if (s.distance_m) ctx.out << " · " << FormatDistance(*s.distance_m) << " away";
    if (s.same_name) ctx.out << " · same name";
    ctx.out << "\n";
  }
}

int PrintSite(Context& ctx, Store* store, const std::string& id, const char* verb,
              const std::vector<SimilarSite>& similar, const std::string& note) {
  Result<Record> r = store->Get(RecordType::kSite, id);
  if (!r.ok()) return Fail(ctx, r.status());
  Result<RecordStatus> st = store->screens().RecordStateOf(RecordType::kSite, id);
  if (!st.ok()) return Fail(ctx, st.status());
  if (ctx.json) {
    json j = RecordJson(*r);
    AddStateJson(&j, *st);
    json sim = json::array();
    for (const SimilarSite& s : similar) sim.push_back(SimilarJson(s, ctx.lang));
    j["similar"] = sim;
    return PrintJson(ctx, j);
  }
  PrintSimilar(ctx, similar);
  ctx.out << verb << " site " << r->id << "\n  " << RecordLine(store, *r, ctx.lang, &*st) << "\n";
  if (r->Get("lat").is_number() && r->Get("lon").is_number()) {
    ctx.out << "  at " << FormatLatLon({r->Get("lat").get<double>(), r->Get("lon").get<double>()}) << "\n";
  }
  if (!note.empty()) ctx.out << note << "\n";
  return kExitOk;
}

int ListKinds(Context& ctx) {
  json items = json::array();
  for (const SiteKind& k : SiteKinds()) {
    const std::string label = SiteKindLabel(k.code, ctx.lang);
    if (ctx.json) {
      items.push_back({{"code", k.code}, {"label", label}});
    } else {
      ctx.out << std::left << std::setw(22) << k.code << label << "\n";
    }
  }
  if (ctx.json) return PrintJson(ctx, ItemsJson(items));
  return kExitOk;
}

}  // namespace

int CmdSite(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{kSiteHelp,
                                 {{"name", true},
                                  {"kind", true},
                                  {"ward", true},
                                  {"address", true},
                                  {"position", true},
                                  {"lat", true},
                                  {"lon", true},
                                  {"near-visit", true},
                                  {"position-from-last-visit", false},
                                  {"workspace", true},
                                  {"clear", true, true},
                                  {"caption", true}},
                                 {1, SIZE_MAX, "say add, edit, delete, restore, show, attach or kinds"}};
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, kSpec, &code);
  if (!a) return code;
  const auto& pos = a->positional();
  const std::string& verb = pos[0];
  if (verb == "kinds") {
    if (pos.size() != 1) return Usage(ctx, "site kinds takes no arguments", kSiteHelp);
    return ListKinds(ctx);
  }
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;

  const bool is_add = verb == "add";
  if (is_add || verb == "edit") {
    if (is_add && pos.size() != 1) return Usage(ctx, "site add takes options only", kSiteHelp);
    if (!is_add && pos.size() != 2) return Usage(ctx, "site edit needs the site id", kSiteHelp);
    if (is_add && (!a->Has("name") || a->Get("name")->empty())) {
      return Usage(ctx, "site add needs --name", kSiteHelp);
    }
    if (!is_add && a->Has("workspace")) {
      return Fail(ctx, Status::Invalid("a site's workspace does not change with edit; for a site the server "
                                       "refused, use `ccfield refused move ID --workspace WS`"));
    }
    if (is_add && a->Has("clear")) return Usage(ctx, "--clear is for site edit", kSiteHelp);
    Record current;
    if (!is_add) {
      Result<Record> r = FindTyped(store, pos[1], RecordType::kSite);
      if (!r.ok()) return Fail(ctx, r.status());
      current = std::move(*r);
    }
    if (auto k = a->Get("kind"); k && !IsSiteKind(*k)) {
      return Fail(ctx, Status::Invalid("unknown kind \"" + *k + "\"; see `ccfield site kinds`"));
    }
    Result<std::optional<LatLon>> position = PositionFromOptions(store, *a, current.id);
    if (!position.ok()) return Fail(ctx, position.status());
    json f = json::object();
    for (const char* field : {"name", "kind", "ward", "address"}) {
      if (auto v = a->Get(field)) f[field] = *v;
    }
    if (*position) {
      f["lat"] = (*position)->lat;
      f["lon"] = (*position)->lon;
    }
    for (const std::string& c : a->All("clear")) {
      if (c == "position") {
        f["lat"] = nullptr;
        f["lon"] = nullptr;
      } else if (c == "kind" || c == "ward" || c == "address") {
        f[c] = nullptr;
      } else {
        return Fail(ctx, Status::Invalid("--clear takes kind, ward, address or position, not \"" + c + "\""));
      }
    }
    if (!is_add && f.empty()) return Usage(ctx, "say what to change", kSiteHelp);
    std::string note;
    std::string workspace_id = PlainValue(current.Get("workspace_id"));
    if (is_add) {
      Result<Record> ws = SiteWorkspace(store, a->Get("workspace"), &note);
      if (!ws.ok() && ws.status().message().rfind("this device has several", 0) == 0) {
        return Usage(ctx, ws.status().message(), kSiteHelp);
      }
      if (!ws.ok()) return Fail(ctx, ws.status().WithContext("site not saved"));
      workspace_id = ws->id;
      f["workspace_id"] = workspace_id;
    }
    // Near-duplicates, when what makes a place the same changed.
    std::vector<SimilarSite> similar;
    if (is_add || f.contains("name") || f.contains("kind") || f.contains("lat")) {
      auto value = [&](const char* field) -> json { return f.contains(field) ? f[field] : current.Get(field); };
      SiteCandidate c;
      c.name = PlainValue(value("name"));
      c.kind = PlainValue(value("kind"));
      if (value("lat").is_number() && value("lon").is_number()) {
        c.lat = value("lat").get<double>();
        c.lon = value("lon").get<double>();
      }
      c.workspace_id = workspace_id;
      c.exclude_id = current.id;
      Result<std::vector<SimilarSite>> found = store->screens().SimilarSites(c);
      if (!found.ok()) return Fail(ctx, found.status());
      similar = std::move(*found);
    }
    const std::string id = is_add ? NewUuid(ctx.env) : current.id;
    Result<CommitResult> r = store->Commit({SetFields{RecordType::kSite, id, f}});
    if (!r.ok()) return Fail(ctx, r.status().WithContext(is_add ? "site not saved" : "site not changed"));
    return PrintSite(ctx, store, id, is_add ? "Saved" : (r->changed_fields ? "Changed" : "No change to"), similar,
                     note);
  }
  if (pos.size() < 2 || (pos.size() != 2 && verb != "attach")) {
    return Usage(ctx, "site " + verb + " needs the site id", kSiteHelp);
  }
  Result<Record> site = FindTyped(store, pos[1], RecordType::kSite);
  if (!site.ok()) return Fail(ctx, site.status());
  if (verb == "attach") {
    if (pos.size() < 3) return Usage(ctx, "site attach needs the site id and one or more photo files", kSiteHelp);
    return AttachPhotos(ctx, store, RecordType::kSite, site->id, {pos.begin() + 2, pos.end()},
                        a->Get("caption").value_or(""));
  }
  if (verb == "show") return CmdShow(ctx, {site->id});
  if (verb == "delete" || verb == "restore") {
    Op op = verb == "delete" ? Op(DeleteRecord{RecordType::kSite, site->id})
                             : Op(RestoreRecord{RecordType::kSite, site->id});
    Result<CommitResult> r = store->Commit({op});
    if (!r.ok()) return Fail(ctx, r.status());
    return PrintSite(ctx, store, site->id, verb == "delete" ? "Deleted" : "Restored", {}, "");
  }
  return Usage(ctx, "unknown site command \"" + verb + "\"", kSiteHelp);
}

}  // namespace ccfield::cli
