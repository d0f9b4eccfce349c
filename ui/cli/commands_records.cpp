// Read-only commands: home, forms, list, show, search, history.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "ccfield/core/geo.h"
#include "ccfield/core/import.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/sdg.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/platform/env.h"
#include "ccfield/sync/client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

constexpr const char* kHomeHelp = R"(Usage: ccfield [home]

Shows the workspaces and what needs attention: overdue follow-ups first, visits
by state (drafts, ready to send, sent, refused, in conflict). On first start (an empty
store not made by `ccfield init`, demo not removed) it loads the demo data set.
)";

int CmdHome(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<CommandStart> cmd = BeginCommand(ctx, args, {kHomeHelp}, &code);
  if (!cmd) return code;
  Store* store = cmd->store;
  Result<bool> should_load = store->ShouldLoadDemo();
  if (!should_load.ok()) return Fail(ctx, should_load.status());
  bool loaded_demo = false;
  if (*should_load) {
    Result<ImportSummary> r = LoadDemoData(store, ctx.env);
    if (!r.ok()) return Fail(ctx, r.status().WithContext("loading the demo data"));
    InstallDemoMap(ctx);
    loaded_demo = true;
  }
  ListQuery wq;
  wq.type = RecordType::kWorkspace;
  Result<std::vector<Record>> workspaces = store->List(wq);
  Result<AttentionList> attention = store->screens().Attention(30);
  if (!workspaces.ok()) return Fail(ctx, workspaces.status());
  if (!attention.ok()) return Fail(ctx, attention.status());
  json counts = json::object();
  for (RecordType t : {RecordType::kSite, RecordType::kVisit, RecordType::kProject, RecordType::kPractice}) {
    Result<int64_t> n = store->Count(t);
    if (!n.ok()) return Fail(ctx, n.status());
    counts[std::string(Spec(t).table)] = *n;
  }
  Result<std::vector<std::string>> demo_ids = store->DemoWorkspaceIds();
  if (!demo_ids.ok()) return Fail(ctx, demo_ids.status());
  auto is_demo = [&](const std::string& id) {
    return std::find(demo_ids->begin(), demo_ids->end(), id) != demo_ids->end();
  };
  Result<RecordStateCounts> states = store->screens().CountRecordStates(RecordType::kVisit);
  if (!states.ok()) return Fail(ctx, states.status());
  // Overdue follow-ups (due before today, local calendar) first.
  const std::string today = FormatLocalWithOffset(ctx.env->WallMillis()).substr(0, 10);
  auto overdue = [&](const Record& v) {
    const json& due = v.Get("follow_up_due");
    return due.is_string() && due.get<std::string>() < today;
  };
  std::stable_partition(attention->follow_ups.begin(), attention->follow_ups.end(), overdue);
  const auto n_overdue = std::count_if(attention->follow_ups.begin(), attention->follow_ups.end(), overdue);
  Result<sync::SyncStatus> sync_status = sync::ReadSyncStatus(store);
  if (!sync_status.ok()) return Fail(ctx, sync_status.status());
  const std::string sync_line = sync_status->logged_in
                                    ? sync::StatusSentence(*sync_status)
                                    : "not set up — everything is kept on this device (`ccfield login URL --user NAME`)";
  if (ctx.json) {
    json ws = json::array(), fu = json::array(), drafts = json::array();
    for (const Record& w : *workspaces) {
      json j = RecordJson(w);
      j["demo"] = is_demo(w.id);
      ws.push_back(std::move(j));
    }
    for (const Record& v : attention->follow_ups) {
      json j = RecordJson(v);
      j["overdue"] = overdue(v);
      fu.push_back(std::move(j));
    }
    for (const Record& v : attention->drafts) drafts.push_back(RecordJson(v));
    const json visit_states = {{"draft", states->draft},       {"waiting", states->waiting},
                               {"sent", states->sent},         {"refused", states->refused},
                               {"conflict", states->conflict}, {"demo", states->demo}};
    return PrintJson(ctx, json{{"data_dir", ctx.data_dir},
                               {"device_id", store->device_id()},
                               {"demo_loaded", loaded_demo},
                               {"workspaces", ws},
                               {"counts", counts},
                               {"follow_ups", fu},
                               {"drafts", drafts},
                               {"sync", sync_line},
                               {"visit_states", visit_states},
                               {"overdue", n_overdue}});
  }
  if (loaded_demo) ctx.out << "First start: loaded the demo data set into " << ctx.StorePath() << "\n\n";
  ctx.out << "ccfield — offline field notebook\n";
  for (const Record& w : *workspaces) {
    ctx.out << "  Workspace: " << w.Title() << " (" << PlainValue(w.Get("country")) << ")"
            << (is_demo(w.id) ? " (demo)" : "") << "\n";
  }
  if (workspaces->empty()) ctx.out << "  No workspace yet: ccfield login URL --user NAME, then ccfield sync\n";
  ctx.out << "  " << counts["sites"] << " sites, " << counts["visits"] << " visits, " << counts["projects"]
          << " projects, " << counts["practices"] << " good practices\n";
  ctx.out << "  Visits: Drafts " << states->draft << " · Ready to send " << states->waiting << " · Sent "
          << states->sent << " · Refused " << states->refused << " · In conflict " << states->conflict;
  if (states->demo > 0) ctx.out << " · Demo (never sent) " << states->demo;
  ctx.out << "\n";
  if (states->refused > 0) ctx.out << "  " << RefusedSentence(states->refused, RecordType::kVisit) << "\n";
  if (!demo_ids->empty()) ctx.out << "  Demo data is loaded (never sent): `ccfield demo remove` takes it away.\n";
  ctx.out << "\nFollow-ups due (" << attention->follow_ups.size();
  if (n_overdue > 0) ctx.out << ", " << n_overdue << " overdue";
  ctx.out << "):\n";
  for (const Record& v : attention->follow_ups) {
    ctx.out << "  " << (overdue(v) ? "overdue  " : "") << RecordLine(store, v, ctx.lang) << "\n";
  }
  ctx.out << "Visits in progress (" << attention->drafts.size() << "):\n";
  for (const Record& v : attention->drafts) ctx.out << "  " << RecordLine(store, v, ctx.lang) << "\n";
  ctx.out << "Sync: " << sync_line << "\n\n"
          << "Try: ccfield list visits · ccfield search inondation · ccfield show ID · ccfield --help\n";
  return kExitOk;
}

constexpr const char* kFormsHelp = R"(Usage: ccfield forms [FORM@VERSION]

Lists the visit forms, or shows the fields of one form
(labels in --lang).
)";

int CmdForms(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<CommandStart> cmd = BeginCommand(ctx, args, {kFormsHelp}, &code);
  if (!cmd) return code;
  const std::vector<std::string>& pos = cmd->args.positional();
  Store* store = cmd->store;
  if (pos.empty()) {
    json list = json::array();
    for (const FormDef& f : store->forms()) {
      if (ctx.json) {
        list.push_back({{"key", f.key()}, {"id", f.id}, {"version", f.version}, {"title", f.title},
                        {"sdg_targets", f.sdg_targets}, {"fields", f.fields.size()}});
      } else {
        ctx.out << std::left << std::setw(22) << f.key() << PickLabel(f.title, ctx.lang) << "  (" << f.fields.size()
                << " fields; SDG " << PlainValue(json(f.sdg_targets)) << ")\n";
      }
    }
    if (ctx.json) return PrintJson(ctx, ItemsJson(list));
    return kExitOk;
  }
  if (pos.size() > 1) return Usage(ctx, "give one form key", kFormsHelp);
  std::string key = pos[0];
  if (key.find('@') == std::string::npos) {
    // Newest version of that id.
    for (const FormDef& f : store->forms()) {
      if (f.id == key) key = f.key();
    }
  }
  const FormDef* form = store->FindForm(key);
  if (!form) return Fail(ctx, Status::NotFound("no form \"" + pos[0] + "\"; see `ccfield forms`"));
  if (ctx.json) {
    return PrintJson(ctx, form->source);
  }
  ctx.out << form->key() << " — " << PickLabel(form->title, ctx.lang) << "\n";
  if (!form->description.empty()) ctx.out << PickLabel(form->description, ctx.lang) << "\n";
  for (const FormField& f : form->fields) {
    ctx.out << "  " << f.id << " (" << AnswerTypeName(f.type) << (f.unit.empty() ? "" : ", " + f.unit)
            << (f.required ? ", required" : "") << "): " << PickLabel(f.label, ctx.lang);
    if (f.shown_when) ctx.out << "  [when " << f.shown_when->field << " = " << JsonForOutput(json(f.shown_when->values)) << "]";
    ctx.out << "\n";
    for (const FormOption& o : f.options) ctx.out << "      " << o.value << " = " << PickLabel(o.label, ctx.lang) << "\n";
  }
  return kExitOk;
}

constexpr const char* kListHelp =
    R"(Usage: ccfield list visits|sites|projects|practices|workspaces|members|contacts [options]

Options:
  --site ID        visits of one site
  --project ID     visits of one project
  --form FORM      visits made with one form (id, e.g. drainage_flood)
  --workspace ID   records of one workspace
  --deleted        only deleted records (to restore them)
  --limit N        at most N records (default 200)
  --offset N       skip the first N records
)";

int CmdList(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{kListHelp,
                                 {{"site", true},
                                  {"project", true},
                                  {"form", true},
                                  {"workspace", true},
                                  {"deleted", false},
                                  {"limit", true},
                                  {"offset", true}},
                                 {1, 1, "say what to list"}};
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, kSpec, &code);
  if (!a) return code;
  std::optional<RecordType> type = ParseRecordType(a->positional()[0]);
  if (!type) return Usage(ctx, "cannot list \"" + a->positional()[0] + "\"", kListHelp);
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  ListQuery q;
  q.type = *type;
  auto resolve = [&](const char* opt, RecordType t, std::optional<std::string>* dest) -> Status {
    if (auto v = a->Get(opt)) {
      CCF_ASSIGN_OR_RETURN(Record r, FindTyped(store, *v, t));
      *dest = r.id;
    }
    return Status::Ok();
  };
  for (auto [opt, t, dest] : {std::tuple{"site", RecordType::kSite, &q.site_id},
                              std::tuple{"project", RecordType::kProject, &q.project_id},
                              std::tuple{"workspace", RecordType::kWorkspace, &q.workspace_id}}) {
    if (Status st = resolve(opt, t, dest); !st.ok()) return Fail(ctx, st);
  }
  if (auto f = a->Get("form")) q.form_id = f->substr(0, f->find('@'));
  q.only_deleted = a->Has("deleted");
  try {
    if (auto l = a->Get("limit")) q.limit = std::stoi(*l);
    if (auto o = a->Get("offset")) q.offset = std::stoi(*o);
  } catch (const std::exception&) {
    return Usage(ctx, "--limit and --offset take whole numbers", kListHelp);
  }
  if (q.limit < 1 || q.limit > 100000 || q.offset < 0) return Usage(ctx, "--limit must be 1..100000", kListHelp);
  Result<std::vector<Record>> rows = store->List(q);
  if (!rows.ok()) return Fail(ctx, rows.status());
  // Visits and sites carry their state: draft, ready to send, sent, refused, in conflict, demo.
  const bool with_state = *type == RecordType::kVisit || *type == RecordType::kSite;
  std::map<std::string, RecordStatus> states;
  if (with_state) {
    Result<std::map<std::string, RecordStatus>> m = store->screens().RecordStates(*type);
    if (!m.ok()) return Fail(ctx, m.status());
    states = std::move(*m);
  }
  if (ctx.json) {
    json items = json::array();
    for (const Record& r : *rows) {
      json j = RecordJson(r);
      if (with_state) AddStateJson(&j, StateOf(states, r));
      items.push_back(std::move(j));
    }
    return PrintJson(ctx, ItemsJson(items));
  }
  for (const Record& r : *rows) {
    if (with_state) {
      const RecordStatus st = StateOf(states, r);
      ctx.out << RecordLine(store, r, ctx.lang, &st) << "\n";
    } else {
      ctx.out << RecordLine(store, r, ctx.lang) << "\n";
    }
  }
  if (rows->empty()) ctx.out << "(none)\n";
  return kExitOk;
}

namespace {

void ShowVisitText(Context& ctx, Store* store, const Record& r) {
  const FormDef* form = store->FindForm(PlainValue(r.Get("form")));
  for (const FieldSpec& f : Spec(r.type).fields) {
    const json& v = r.Get(f.name);
    if (v.is_null()) continue;
    std::string text = PlainValue(v);
    if (f.kind == FieldKind::kRef) {
      if (Result<Record> ref = store->Get(f.ref_type, text); ref.ok()) text = ref->Title() + " (" + ShortId(text) + ")";
    }
    if (f.name == "form" && form) text += " — " + PickLabel(form->title, ctx.lang);
    if (f.name == "condition_rating") text = ConditionWords(text);
    if (f.name == "notes") {
      ctx.out << "  notes:\n";
      size_t start = 0;
      while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        ctx.out << "    " << text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      continue;
    }
    ctx.out << "  " << f.name << ": " << text << "\n";
  }
  const json& answers = r.Get("answers");
  if (!answers.is_object() || answers.empty()) return;
  ctx.out << "  answers:\n";
  if (!form) {
    ctx.out << "    " << JsonForOutput(answers) << "\n";
    return;
  }
  for (const FormField& f : form->fields) {
    auto it = answers.find(f.id);
    if (it == answers.end()) continue;
    ctx.out << "    " << PickLabel(f.label, ctx.lang) << ": " << FormatAnswer(f, *it, ctx.lang) << "\n";
  }
}

}  // namespace

int CmdShow(Context& ctx, const std::vector<std::string>& args) {
  static const char* kHelp = "Usage: ccfield show ID\n\nShows one record; ID may be its first 6+ characters.\n";
  int code;
  std::optional<Record> r = ParseRecordCommand(ctx, args, kHelp, &code);
  if (!r) return code;
  Store* store = ctx.store.get();
  const bool with_state = r->type == RecordType::kVisit || r->type == RecordType::kSite;
  RecordStatus state;
  if (with_state) {
    Result<RecordStatus> st = store->screens().RecordStateOf(r->type, r->id);
    if (!st.ok()) return Fail(ctx, st.status());
    state = *st;
  }
  if (ctx.json) {
    json j = RecordJson(*r);
    if (with_state) AddStateJson(&j, state);
    return PrintJson(ctx, j);
  }
  ctx.out << TypeName(r->type) << " " << r->id
          << (!r->deleted   ? std::string()
              : with_state ? "  (deleted — `ccfield " + std::string(TypeName(r->type)) + " restore ID` undoes)"
                           : std::string("  (deleted)"))
          << "\n  created " << r->created_at << ", updated " << r->updated_at << "\n";
  if (with_state) {
    ctx.out << "  state: " << StateWords(state.state);
    if (state.state == RecordState::kRefused) {
      ctx.out << " — the server said: " << state.reason << "\n  (see `ccfield refused` for the ways out)";
    } else if (state.state == RecordState::kDemo) {
      ctx.out << " (kept on this device, never sent)";
    }
    ctx.out << "\n";
  }
  if (r->type == RecordType::kVisit) {
    ShowVisitText(ctx, store, *r);
    return kExitOk;
  }
  for (const FieldSpec& f : Spec(r->type).fields) {
    const json& v = r->Get(f.name);
    if (v.is_null()) continue;
    ctx.out << "  " << f.name << ": " << PlainValue(v);
    if (r->type == RecordType::kSite && f.name == "kind") ctx.out << " (" << SiteKindLabel(PlainValue(v), ctx.lang) << ")";
    if (r->type == RecordType::kSite && f.name == "lon" && r->Get("lat").is_number() && v.is_number()) {
      ctx.out << "  (" << FormatLatLon({r->Get("lat").get<double>(), v.get<double>()}) << ")";
    }
    if (f.name == "sdg_targets") {
      for (const json& t : v) {
        if (const SdgTarget* target = FindSdgTarget(PlainValue(t))) {
          ctx.out << "\n      " << target->code << " " << PickLabel(target->title, ctx.lang);
        }
      }
    }
    ctx.out << "\n";
  }
  return kExitOk;
}

constexpr const char* kSearchHelp = R"(Usage: ccfield search TEXT [--type visit|site|project|practice] [--limit N]

Full-text search; case and accents do not matter (electricite finds électricité).
Every word must appear; the last may be the start of a word.
)";

int CmdSearch(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a = ParseCommand(
      ctx, args, {kSearchHelp, {{"type", true}, {"limit", true}}, {1, SIZE_MAX, "give the text to search for"}}, &code);
  if (!a) return code;
  SearchQuery q;
  for (const std::string& p : a->positional()) q.text += (q.text.empty() ? "" : " ") + p;
  if (auto t = a->Get("type")) {
    q.type = ParseRecordType(*t);
    if (!q.type) return Usage(ctx, "unknown record type " + *t, kSearchHelp);
  }
  Result<int> limit = ParseLimit(*a, "limit", q.limit, 1000);
  if (!limit.ok()) return Usage(ctx, limit.status().message(), kSearchHelp);
  q.limit = *limit;
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  Result<std::vector<SearchHit>> hits = store->search().Find(q);
  if (!hits.ok()) return Fail(ctx, hits.status());
  if (ctx.json) {
    json items = json::array();
    for (const SearchHit& h : *hits) items.push_back(HitJson(h));
    json j = ItemsJson(std::move(items));
    j["query"] = q.text;
    return PrintJson(ctx, j);
  }
  for (const SearchHit& h : *hits) {
    std::string snippet = h.snippet;
    for (char& c : snippet) {
      if (c == '\n') c = ' ';
    }
    ctx.out << ShortId(h.id) << "  " << TypeName(h.type) << "  " << h.title << "\n    " << snippet << "\n";
  }
  if (hits->empty()) ctx.out << "No matches for \"" << q.text << "\".\n";
  return kExitOk;
}

int CmdHistory(Context& ctx, const std::vector<std::string>& args) {
  static const char* kHelp = "Usage: ccfield history ID\n\nEvery change of a record: when, who, which device, what.\n";
  int code;
  std::optional<Record> r = ParseRecordCommand(ctx, args, kHelp, &code);
  if (!r) return code;
  Result<std::vector<ChangeEntry>> h = ctx.store->History(r->id);  // opened by ParseRecordCommand
  if (!h.ok()) return Fail(ctx, h.status());
  if (ctx.json) {
    json items = json::array();
    for (const ChangeEntry& e : *h) items.push_back(ChangeJson(e));
    json j = ItemsJson(std::move(items));
    j["record_id"] = r->id;
    return PrintJson(ctx, j);
  }
  ctx.out << "History of " << TypeName(r->type) << " " << r->id << " (" << r->Title() << ")\n";
  for (const ChangeEntry& e : *h) {
    std::string value = e.field == kDeletedField ? (e.value == true ? "deleted" : "restored") : PlainValue(e.value);
    if (e.field == "condition_rating" && e.value.is_string()) value = ConditionWords(value);
    if (value.size() > 80) value = value.substr(0, 77) + "...";
    // The user the server authenticated, and what the device typed when it differs.
    std::string who = e.author;
    if (!e.user.empty() && e.user != e.author) {
      who = e.author.empty() || e.author == "local" ? e.user : e.user + " (signed as \"" + e.author + "\")";
    }
    ctx.out << "  " << e.time << "  " << who << " on device " << ShortId(e.device_id) << "  "
            << (e.field == kDeletedField ? "" : e.field + " = ") << value;
    if (e.clock == ClockFlag::kFuture) ctx.out << "  [device clock was ahead of the server's]";
    if (e.clock == ClockFlag::kBeforeLastSync) ctx.out << "  [device clock was behind its previous sync]";
    ctx.out << "\n";
  }
  return kExitOk;
}

}  // namespace ccfield::cli
