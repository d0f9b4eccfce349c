#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <iostream>

#include "ccfield/core/import.h"
#include "ccfield/core/json_text.h"
#include "ccfield/maps/demo_pack.h"
#include "ccfield/platform/env.h"
#include "cli/output.h"

namespace ccfield::cli {

namespace {

constexpr const char* kMainHelp = R"(ccfield — offline field notebook for municipal site visits

Usage: ccfield [--data DIR] [--json] [--lang LANG] [--author NAME] [COMMAND ...]

With no command: shows the home overview (loads the demo data set on first start).

Commands:
  init                       create an empty store (no demo data, now or later)
  demo                       load the demo data set (safe to run twice)
  demo remove                remove the demo data set (your own workspaces stay)
  forms [FORM@VERSION]       list visit forms, or show one form's fields
  site add|edit|delete|restore|show|kinds ...   the places visited (ccfield site --help)
  visit add|edit|delete|restore ...   record site visits (ccfield visit --help)
  visit attach ID FILE... [--caption T]   attach photos (JPEG or PNG); site attach too
  photos ID                  the photos of a visit or a site, with their state
  photo export|caption|delete|restore|download|send|settings|usage ...   (ccfield photo --help)
  list visits|sites|projects|practices|workspaces|members|contacts [filters]
  show ID                    show one record (ID or its first 6+ characters)
  search TEXT                full-text search over visits, sites, projects, practices
  history ID                 who changed what, when, from which device
  export csv|geojson [--output FILE]
  import practices FILE      import good practices from JSON
  import sites FILE [--workspace ID]   import sites from CSV or GeoJSON (QGIS)
  login URL --user NAME      log this device in to a sync server
  sync                       send and receive changes
  status                     what is waiting, last sync, what blocks it, rejected changes
  conflicts                  open sync conflicts (both values kept)
  resolve CONFLICT_ID --keep current|other|base | --value TEXT   resolve a conflict
  refused [retry|move|discard ID]   records the server refused, and the ways out
  logout                     end this device's login (unsent changes stay here)
  maps list|add FILE|remove ID   offline basemap packs (MBTiles; ccfield maps --help)

Global options (anywhere on the line):
  --data DIR     data directory (default: $CCFIELD_DATA or ~/.local/share/ccfield)
  --json         machine-readable output (see docs/cli.md)
  --lang LANG    language for form labels: en, fr, pt, ru, ar (default en)
  --author NAME  name recorded in the history for changes made now
  --help         help for any command
  --version      print the version
)";

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case Code::kOk: return kExitOk;
    case Code::kNotFound: return kExitNotFound;
    case Code::kInvalidArgument:
    case Code::kConflict: return kExitInvalid;
    case Code::kBusy:
    case Code::kDiskFull:
    case Code::kCorrupt:
    case Code::kIoError:
    case Code::kReadOnly: return kExitStore;
    default: return kExitFailure;
  }
}

std::string CodeSlug(Code code) {
  std::string s = CodeName(code);
  for (char& c : s) {
    if (c == ' ' || c == '/') c = '_';
  }
  return s;
}

}  // namespace

Result<Store*> Context::OpenStore() {
  if (store) return store.get();
  if (!env->CreateDirs(data_dir)) {  // 0700 when made here
    return Status::IoError("cannot create the data directory " + data_dir);
  }
  StoreOptions o;
  o.path = StorePath();
  CCF_ASSIGN_OR_RETURN(store, Store::Open(env, o));
  if (!author.empty()) store->SetAuthor(author);
  return store.get();
}

void InstallDemoMap(Context& ctx) {
  Result<bool> installed = maps::InstallDemoPack(ctx.env, ctx.data_dir);
  if (!installed.ok()) ctx.err << "ccfield: the demo map pack was not installed: " << installed.status().message() << "\n";
}

int Fail(Context& ctx, const Status& st) {
  if (ctx.json) {
    ctx.err << JsonForOutput(nlohmann::json{{"error", {{"code", CodeSlug(st.code())}, {"message", st.message()}}}}) << "\n";
  } else {
    ctx.err << "ccfield: " << st.message() << "\n";
  }
  return ExitCodeFor(st);
}

int Usage(Context& ctx, const std::string& message, const char* help) {
  ctx.err << "ccfield: " << message << "\n\n" << help;
  return kExitUsage;
}

WordCount NoWords(const std::string& command) { return {0, 0, command + " takes no arguments"}; }

std::optional<Args> ParseCommand(Context& ctx, const std::vector<std::string>& args, const CommandSpec& spec,
                                 int* exit_code) {
  std::vector<OptionSpec> options = spec.options;
  options.push_back({"help", false});
  Result<Args> a = Args::Parse(args, options);
  if (!a.ok()) {
    *exit_code = Usage(ctx, a.status().message(), spec.help);
    return std::nullopt;
  }
  if (a->Has("help")) {
    ctx.out << spec.help;
    *exit_code = kExitOk;
    return std::nullopt;
  }
  const size_t n = a->positional().size();
  if (n < spec.words.min || n > spec.words.max) {
    *exit_code = Usage(ctx, spec.words.wrong, spec.help);
    return std::nullopt;
  }
  return std::move(a).value();
}

Store* OpenStoreOrFail(Context& ctx, int* exit_code) {
  Result<Store*> s = ctx.OpenStore();
  if (!s.ok()) {
    *exit_code = Fail(ctx, s.status());
    return nullptr;
  }
  return *s;
}

std::optional<CommandStart> BeginCommand(Context& ctx, const std::vector<std::string>& args, const CommandSpec& spec,
                                         int* exit_code) {
  std::optional<Args> a = ParseCommand(ctx, args, spec, exit_code);
  if (!a) return std::nullopt;
  Store* store = OpenStoreOrFail(ctx, exit_code);
  if (!store) return std::nullopt;
  return CommandStart{std::move(*a), store};
}

int PrintJson(Context& ctx, const nlohmann::json& j) {
  ctx.out << JsonForOutput(j) << "\n";
  return kExitOk;
}

Result<Record> FindTyped(Store* store, const std::string& id, RecordType type) {
  CCF_ASSIGN_OR_RETURN(Record r, store->FindAny(id));
  if (r.type != type) {
    return Status::Invalid(id + " is a " + std::string(TypeName(r.type)) + ", not a " + std::string(TypeName(type)));
  }
  return r;
}

std::optional<Record> ParseRecordCommand(Context& ctx, const std::vector<std::string>& args, const char* help,
                                         int* exit_code) {
  std::optional<CommandStart> cmd = BeginCommand(ctx, args, {help, {}, {1, 1, "give one record id"}}, exit_code);
  if (!cmd) return std::nullopt;
  Result<Record> r = cmd->store->FindAny(cmd->args.positional()[0]);
  if (!r.ok()) {
    *exit_code = Fail(ctx, r.status());
    return std::nullopt;
  }
  return std::move(r).value();
}

Result<Record> FindWorkspace(Store* store, const std::string& id) {
  Result<Record> r = store->FindAny(id);
  if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  if (!r.ok() || r->type != RecordType::kWorkspace || r->deleted) {
    return Status::NotFound("there is no workspace " + id + " on this device (ccfield list workspaces)");
  }
  return r;
}

constexpr const char* kInitHelp = R"(Usage: ccfield init

Creates an empty store in the data directory. The demo data set is not loaded,
now or by `ccfield home` later (`ccfield demo` still loads it on purpose).
)";

int CmdInit(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<CommandStart> cmd = BeginCommand(ctx, args, {kInitHelp, {}, NoWords("init")}, &code);
  if (!cmd) return code;
  Store* store = cmd->store;
  if (Status st = store->DeclineDemo(); !st.ok()) return Fail(ctx, st);
  if (ctx.json) {
    return PrintJson(ctx, nlohmann::json{{"path", ctx.StorePath()},
                                         {"device_id", store->device_id()},
                                         {"schema_version", store->schema_version()}});
  }
  ctx.out << "Store ready: " << ctx.StorePath() << "\nDevice id: " << store->device_id() << "\n";
  return kExitOk;
}

constexpr const char* kDemoHelp = R"(Usage: ccfield demo
       ccfield demo remove

Loads the demo data set (4 municipalities, projects, sites, visits, good practices).
Running it again changes nothing. Demo data stays on this device: it is never sent.
`demo remove` deletes it (with visits added to demo sites) and asks nothing: the
workspaces you got from your server are not touched.
)";

int CmdDemo(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, {kDemoHelp}, &code);
  if (!a) return code;
  const auto& pos = a->positional();
  if (pos.size() > 1 || (pos.size() == 1 && pos[0] != "remove")) {
    return Usage(ctx, "say demo or demo remove", kDemoHelp);
  }
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  if (pos.size() == 1) {
    Result<DemoRemoval> removed = store->RemoveDemoData();
    if (!removed.ok()) return Fail(ctx, removed.status().WithContext("removing the demo data"));
    if (Status map = maps::RemoveDemoPack(ctx.env, ctx.data_dir); !map.ok()) {
      ctx.err << "ccfield: the demo map pack was not removed: " << map.message() << "\n";
    }
    if (ctx.json) return PrintJson(ctx, nlohmann::json{{"removed", removed->removed}, {"drafts", removed->drafts}});
    int64_t total = 0;
    std::string what;
    for (const auto& [k, v] : removed->removed) {
      if (v == 0) continue;
      total += v;
      what += (what.empty() ? " " : ", ") + std::to_string(v) + " " + k + (v == 1 ? "" : "s");
    }
    if (total == 0) {
      ctx.out << "There was no demo data to remove.\n";
    } else {
      ctx.out << "Removed the demo data:" << what;
      if (removed->drafts > 0) ctx.out << " and " << removed->drafts << " unsaved drafts";
      ctx.out << ".\n";
    }
    ctx.out << "Your own workspaces and their records were not touched. `ccfield demo` loads the demo again.\n";
    return kExitOk;
  }
  Result<ImportSummary> r = LoadDemoData(store, ctx.env);
  if (!r.ok()) return Fail(ctx, r.status().WithContext("loading the demo data"));
  InstallDemoMap(ctx);
  if (ctx.json) {
    return PrintJson(ctx,
                     nlohmann::json{{"created", r->created}, {"updated", r->updated}, {"unchanged", r->unchanged}});
  } else if (r->created.empty() && r->updated.empty()) {
    ctx.out << "The demo data set is already loaded.\n";
  } else {
    ctx.out << "Demo data loaded:";
    for (const auto& [k, v] : r->created) ctx.out << " " << v << " " << k << (v == 1 ? "" : "s");
    ctx.out << "\n";
  }
  return kExitOk;
}

namespace {

struct GlobalOptions {
  bool help = false;
  bool version = false;
  std::vector<std::string> rest;  // the command and its words, in order ("--" kept)
};

// The global options, which may stand anywhere on the line before "--"; the
// other words are left, in order, for the command (cli/args.h parses them).
// -h/--help is taken here and handed back to the command as --help.
Result<GlobalOptions> ParseGlobals(const std::vector<std::string>& argv, Context* ctx) {
  CLI::App app;
  app.set_help_flag();
  app.allow_extras();
  GlobalOptions g;
  // Given twice, the last one counts (a script may append --data to override).
  for (auto [name, dest] : {std::pair{"--data", &ctx->data_dir}, std::pair{"--lang", &ctx->lang},
                            std::pair{"--author", &ctx->author}}) {
    app.add_option(name, *dest)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  app.add_flag("--json", ctx->json);
  app.add_flag("--version", g.version);
  app.add_flag("-h,--help", g.help);
  CCF_RETURN_IF_ERROR(ParseWithCli11(app, argv));
  g.rest = app.remaining();
  return g;
}

}  // namespace

int Run(const std::vector<std::string>& argv, Env* env, std::ostream& out, std::ostream& err) {
  Context ctx{env, out, err, false, "en", {}, {}, nullptr};
  ctx.data_dir = env->DataDir();
  Result<GlobalOptions> globals = ParseGlobals(argv, &ctx);
  if (!globals.ok()) return Usage(ctx, globals.status().message(), kMainHelp);
  if (globals->version) {
    out << "ccfield 0.1.0 (store schema " << kSchemaVersion << ")\n";
    return kExitOk;
  }
  std::vector<std::string>& rest = globals->rest;
  if (ctx.data_dir.empty()) return Usage(ctx, "--data needs a directory", kMainHelp);
  if (rest.empty()) {
    if (globals->help) {
      out << kMainHelp;
      return kExitOk;
    }
    return CmdHome(ctx, {});
  }
  if (globals->help) rest.insert(std::find(rest.begin(), rest.end(), "--"), "--help");
  const std::string cmd = rest[0];
  std::vector<std::string> args(rest.begin() + 1, rest.end());
  struct Entry {
    const char* name;
    int (*fn)(Context&, const std::vector<std::string>&);
  };
  static const Entry kCommands[] = {
      {"home", CmdHome},     {"init", CmdInit},     {"demo", CmdDemo},     {"forms", CmdForms},
      {"visit", CmdVisit},   {"list", CmdList},     {"show", CmdShow},     {"search", CmdSearch},
      {"history", CmdHistory}, {"export", CmdExport}, {"import", CmdImport},
      {"login", CmdLogin},   {"sync", CmdSync},     {"status", CmdStatus}, {"conflicts", CmdConflicts},
      {"resolve", CmdResolve}, {"site", CmdSite},   {"refused", CmdRefused}, {"logout", CmdLogout},
      {"photos", CmdPhotos},   {"photo", CmdPhoto},
      {"maps", CmdMaps},
  };
  for (const Entry& e : kCommands) {
    if (cmd != e.name) continue;
    // Last line of defence: a bug that throws ends the command with a message,
    // not an abort. Every write is one store transaction, so what was saved
    // before stays saved and a half-done write was rolled back.
    try {
      return e.fn(ctx, args);
    } catch (const std::exception& ex) {
      return Fail(ctx, Status::Internal(std::string("ccfield failed inside \"") + e.name + "\" (" + ex.what() +
                                        "); nothing already saved was lost — please report this"));
    }
  }
  return Usage(ctx, "unknown command \"" + cmd + "\"", kMainHelp);
}

}  // namespace ccfield::cli
