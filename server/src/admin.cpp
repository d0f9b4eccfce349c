#include "admin.h"

#include "admin_internal.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <iostream>
#include <set>

#include "ccfield/core/files.h"
#include "ccfield/core/forms.h"
#include "ccfield/core/records.h"
#include "ccfield/core/text.h"
#include "ccfield/core/uuid.h"
#include "ccfield/sync/protocol.h"
#include "retention.h"
#include "serve_flags.h"
#include "server_changes.h"

namespace ccfield::server {

using nlohmann::json;
using namespace admin_detail;

namespace {

constexpr const char* kAdminAuthor = "admin";

std::string Now(Env* env) { return FormatUtcMillis(env->WallMillis()); }

}  // namespace

Status admin_detail::WriteField(ServerStorage* s, Env* env, RecordType type, const std::string& id, const std::string& ws,
                  const std::string& field, const json& value, bool created) {
  Result<json> checked = CheckFieldValue(type, field, value);
  if (!checked.ok()) return checked.status();
  FieldChange e;
  e.type = ChangeTypeOf(type);
  e.record_id = id;
  e.workspace_id = ws;
  e.field = field;
  e.value = *checked;
  e.time = Now(env);
  e.author = kAdminAuthor;
  e.created = created;
  return WriteServerChange(s, e).status();
}

Status admin_detail::CreateRecord(ServerStorage* s, ChangeType type, const std::string& id, const std::string& ws) {
  RecordMeta m;
  m.id = id;
  m.type = type;
  m.workspace_id = ws;
  return s->CreateRecord(m);
}

std::string admin_detail::FormatMs(int64_t ms) { return ms > 0 ? FormatUtcMillis(ms) : "never"; }

namespace {

// The site fields an import compares and writes.
constexpr const char* kSiteImportFields[] = {"name", "kind", "ward", "address", "lat", "lon"};

}  // namespace

Result<std::string> CreateWorkspace(ServerStorage* s, Env* env, const std::string& name, const std::string& country,
                                    const std::string& language) {
  const std::string id = NewUuid(env);
  Status st = RunInTransaction(s, [&]() -> Status {
    // A workspace belongs to itself: its members receive it.
    CCF_RETURN_IF_ERROR(CreateRecord(s, ChangeType::kWorkspace, id, id));
    CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kWorkspace, id, id, "name", name, true));
    if (!country.empty())
      CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kWorkspace, id, id, "country", country, false));
    if (!language.empty()) {
      CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kWorkspace, id, id, "default_language", language, false));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Result<ImportCounts> ImportPractices(ServerStorage* s, Env* env, const json& doc) {
  const json* items = &doc;
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items()) {
      if (key == "format" || key == "practice") continue;
      if (value.is_array() && value.empty()) continue;
      return Status::Invalid("the file holds \"" + key + "\" records; import-practices takes only practices");
    }
    if (auto f = doc.find("format"); f != doc.end() && *f != "ccfield-records@1") {
      return Status::Invalid("unknown format " + f->dump() + "; expected \"ccfield-records@1\"");
    }
    auto it = doc.find("practice");
    if (it == doc.end()) return Status::Invalid("the file has no \"practice\" list");
    items = &*it;
  }
  if (!items->is_array()) return Status::Invalid("practices must be a JSON array of objects");
  const RecordSpec& spec = Spec(RecordType::kPractice);
  ImportCounts counts;
  Status st = RunInTransaction(s, [&]() -> Status {
    std::set<std::string> seen;
    for (size_t i = 0; i < items->size(); ++i) {
      const json& item = (*items)[i];
      const std::string where = "practice #" + std::to_string(i + 1);
      if (!item.is_object()) return Status::Invalid(where + " is not an object");
      std::string id;
      if (auto it = item.find("id"); it != item.end()) {
        if (!it->is_string() || !IsUuid(it->get<std::string>())) return Status::Invalid(where + ": id must be a UUID");
        id = it->get<std::string>();
      } else {
        id = NewUuid(env);
      }
      if (!seen.insert(id).second) return Status::Invalid(where + ": id " + id + " appears twice in the file");
      json fields = json::object();
      for (const auto& [key, value] : item.items()) {
        if (key == "id") continue;
        Result<json> v = CheckFieldValue(RecordType::kPractice, key, value);
        if (!v.ok()) return v.status().WithContext(where);
        fields[key] = *v;
      }
      CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> existing, s->GetRecord(id));
      if (existing && existing->type != ChangeType::kPractice) {
        return Status::Invalid(where + ": id " + id + " is already used by a " +
                               std::string(ChangeTypeName(existing->type)) + " record");
      }
      if (!existing) {
        for (const FieldSpec& f : spec.fields) {
          if (f.required && !fields.contains(std::string(f.name))) {
            return Status::Invalid(where + ": \"" + std::string(f.name) + "\" is required");
          }
        }
        CCF_RETURN_IF_ERROR(CreateRecord(s, ChangeType::kPractice, id));
      }
      bool first = !existing;
      int changed = 0;
      for (const auto& [key, value] : fields.items()) {
        CCF_ASSIGN_OR_RETURN(StoredField cur, s->GetField(id, key));
        if (cur.state.exists && cur.state.value == value) continue;
        CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kPractice, id, "", key, value, first));
        first = false;
        ++changed;
      }
      if (!existing) {
        ++counts.created;
      } else if (changed) {
        ++counts.updated;
      } else {
        ++counts.unchanged;
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return counts;
}

Result<ImportCounts> ImportSites(ServerStorage* s, Env* env, const std::string& workspace_id,
                                 const std::vector<SiteImportRow>& rows) {
  ImportCounts counts;
  Status st = RunInTransaction(s, [&]() -> Status {
    CCF_RETURN_IF_ERROR(RequireWorkspace(s, workspace_id));
    std::vector<ExistingSite> existing;
    CCF_ASSIGN_OR_RETURN(std::vector<RecordMeta> sites, s->RecordsOf(ChangeType::kSite, workspace_id));
    for (const RecordMeta& m : sites) {
      if (m.deleted) continue;
      ExistingSite e{m.id, json::object()};
      for (const char* f : kSiteImportFields) {
        CCF_ASSIGN_OR_RETURN(StoredField cur, s->GetField(m.id, f));
        if (cur.state.exists && !cur.state.value.is_null()) e.fields[f] = cur.state.value;
      }
      existing.push_back(std::move(e));
    }
    const SiteImportPlan plan = PlanSiteImport(rows, existing);
    for (const SiteImportStep& step : plan.steps) {
      std::string id = step.site_id;
      if (id.empty()) {
        id = NewUuid(env);
        CCF_RETURN_IF_ERROR(CreateRecord(s, ChangeType::kSite, id, workspace_id));
        CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kSite, id, workspace_id, "workspace_id", workspace_id, true));
      }
      for (const auto& [field, value] : step.fields.items()) {
        CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kSite, id, workspace_id, field, value, false));
      }
    }
    counts.created = plan.created;
    counts.updated = plan.updated;
    counts.unchanged = plan.unchanged;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return counts;
}

Result<FormImport> ImportForm(ServerStorage* s, Env* env, const json& definition) {
  CCF_ASSIGN_OR_RETURN(FormDef form, ParseForm(definition));
  FormImport result;
  result.key = form.key();
  for (const FormDef& b : BuiltinForms()) {
    if (b.key() != result.key) continue;
    if (b.source == form.source) {
      result.already_known = true;
      return result;
    }
    return Status::Conflict("form " + result.key +
                            " is built into the app with a different definition; give yours a new version");
  }
  Status st = RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(std::optional<StoredForm> existing, s->FindForm(result.key));
    if (existing) {
      if (existing->definition == form.source) {
        result.already_known = true;
        return Status::Ok();
      }
      return Status::Conflict("form " + result.key +
                              " was imported before with a different definition; give the new one a new version");
    }
    CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> clash, s->GetRecord(result.key));
    if (clash) return Status::Conflict("the id " + result.key + " is already in use");
    CCF_RETURN_IF_ERROR(CreateRecord(s, ChangeType::kForm, result.key));
    FieldChange e;
    e.type = ChangeType::kForm;
    e.record_id = result.key;
    e.field = "definition";
    e.value = form.source;
    e.time = Now(env);
    e.author = kAdminAuthor;
    e.created = true;
    CCF_ASSIGN_OR_RETURN(ServerVersion v, WriteServerChange(s, e));
    return s->AddForm(StoredForm{result.key, form.source, v});
  });
  if (!st.ok()) return st;
  return result;
}

// ---- Command line -----------------------------------------------------------

std::string DescribeParseError(const CLI::ParseError& e) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    // "The following argument(s) was/were not expected: --bogus ...": name the first.
    std::string word = what.substr(what.find(':') + 2);
    word = word.substr(0, word.find(' '));
    return word.rfind('-', 0) == 0 ? "unknown option " + word : "unknown argument \"" + word + "\"";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {  // "--role: 1 required TEXT missing"
    const std::string option = what.substr(0, what.find(':'));
    return option + (what.ends_with("missing") ? " needs a value" : " may be given only once");
  }
  return what;  // ValidationError: our own message (main.cpp, serve_flags.cpp)
}

namespace {

int RunCreateWorkspace(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 1) return c.usage("create-workspace takes one name (quote it)");
  Result<std::string> id = CreateWorkspace(c.s, c.env, a.positional[0], Opt(a, "--country"), Opt(a, "--language"));
  if (!id.ok()) return c.fail(id.status());
  c.out << *id << "\n";
  return kExitOk;
}

// import-practices and import-form: one JSON file.
int RunImportJson(const AdminCall& c, const Args& a) {
  const std::string& cmd = c.args[0];
  if (a.positional.size() != 1) return c.usage(cmd + " takes one file");
  const std::string& path = a.positional[0];
  Result<std::string> text = ReadFileAtMost(path, kMaxImportFileBytes, "import file");
  if (!text.ok()) return c.fail(text.status());
  Result<json> doc = sync::ParseJsonText(*text);
  if (!doc.ok()) return c.fail(doc.status().WithContext(path));
  if (cmd == "import-practices") {
    Result<ImportCounts> n = ImportPractices(c.s, c.env, *doc);
    if (!n.ok()) return c.fail(n.status().WithContext(path));
    c.out << "practices: " << n->created << " created, " << n->updated << " updated, " << n->unchanged
          << " unchanged\n";
    return kExitOk;
  }
  Result<FormImport> f = ImportForm(c.s, c.env, *doc);
  if (!f.ok()) return c.fail(f.status().WithContext(path));
  c.out << (f->already_known ? "form " + f->key + " is already known; nothing to do\n"
                             : "imported form " + f->key + "\n");
  return kExitOk;
}

int RunImportSites(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 2) return c.usage("import-sites takes WORKSPACE_ID FILE");
  const std::string& ws = a.positional[0];
  const std::string& path = a.positional[1];
  // An unknown workspace is said first, before any problem of the file.
  if (Status st = RequireWorkspace(c.s, ws); !st.ok()) return c.fail(st);
  Result<std::string> text = ReadFileAtMost(path, kMaxSiteFileBytes, "site file");
  if (!text.ok()) return c.fail(text.status());
  const SiteFile file = ParseSiteFile(*text, path);
  for (const SiteImportWarning& w : file.warnings) {
    c.err << "warning: " << path << ": " << DescribeSiteImportIssue(file.format, w) << "\n";
  }
  if (!file.ok()) {
    for (const SiteImportError& e : file.errors) {
      c.err << "error: " << path << ": " << DescribeSiteImportIssue(file.format, e) << "\n";
    }
    c.err << "error: " << file.errors.size() << (file.errors.size() == 1 ? " problem" : " problems") << " in "
          << path << "; nothing was imported\n";
    return kExitFailed;
  }
  Result<ImportCounts> n = ImportSites(c.s, c.env, ws, file.rows);
  if (!n.ok()) return c.fail(n.status().WithContext(path + ": nothing was imported"));
  c.out << "sites: " << n->created << " created, " << n->updated << " updated, " << n->unchanged << " unchanged\n";
  return kExitOk;
}

int RunExpire(const AdminCall& c, const Args& a) {
  if (!a.positional.empty()) return c.usage("expire takes no positional arguments");
  SyncServiceOptions policy;  // the same default as `serve`
  if (a.options.count("--retention-min-age-s")) {
    const std::string& v = a.options.at("--retention-min-age-s");
    int64_t seconds = -1;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc() || end != v.data() + v.size() || seconds < 0 || seconds > int64_t{100} * 365 * 24 * 3600) {
      return c.usage("--retention-min-age-s takes a whole number of seconds (0 or more), not \"" + v + "\"");
    }
    policy.retention.min_age_ms = seconds * 1000;
  }
  Result<ServerStorage::ExpiryResult> r = ExpireHistory(c.s, c.env->WallMillis(), policy.retention.min_age_ms);
  if (!r.ok()) return c.fail(r.status());
  c.out << "horizon: version " << r->horizon << "\n"
        << "history entries removed: " << r->changes_removed << "\n"
        << "deleted records purged: " << r->records_purged << "\n";
  return kExitOk;
}

// Every command: the people commands (admin_people.cpp), then these.
const std::vector<AdminCommand>& Commands() {
  static const std::vector<AdminCommand> kCommands = [] {
    std::vector<AdminCommand> all = PeopleCommands();
    const std::vector<AdminCommand> own = {
      {"create-workspace", "create-workspace NAME [--country CC] [--language L]",
       "Creates a workspace (a municipal unit); prints the workspace id.\n", {"--country", "--language"}, {},
       RunCreateWorkspace},
      {"import-practices", "import-practices FILE",
       "Imports good practices: ccfield-records@1 JSON {\"practice\": [...]} or a bare array. All or nothing.\n",
       {}, {}, RunImportJson},
      {"import-form", "import-form FILE", "Imports a visit form definition (docs/forms.md).\n", {}, {},
       RunImportJson},
      {"import-sites", "import-sites WORKSPACE_ID FILE",
       "Imports the workspace's sites from CSV (columns name, kind, ward, address, lat, lon) or GeoJSON\n"
       "(a FeatureCollection of points, as QGIS exports it); docs/data-format.md. All or nothing: a file\n"
       "with a bad row imports nothing and every problem is listed with its line (or feature number).\n"
       "Sites are matched by name and kind, so importing the same file again changes nothing and a\n"
       "corrected file updates the sites it made. Devices receive the sites on their next sync.\n",
       {}, {}, RunImportSites},
      {"expire", "expire [--retention-min-age-s N]",
       "Runs one history expiry pass now (the pass `serve` runs after a sync every --expire-every-s;\n"
       "docs/retention.md) and prints the horizon and what it removed. History younger than\n"
       "--retention-min-age-s seconds stays (default 30 days, as for `serve`). Safe while the server runs.\n",
       {"--retention-min-age-s"}, {}, RunExpire},
    };
    all.insert(all.end(), own.begin(), own.end());
    all.insert(all.end(), BlobCommands().begin(), BlobCommands().end());
    return all;
  }();
  return kCommands;
}

const AdminCommand* FindCommand(const std::string& name) {
  for (const AdminCommand& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

bool IsHelpWord(const std::string& w) { return w == "--help" || w == "-h" || w == "help"; }

}  // namespace

std::string AdminUsage() {
  std::string text = "admin commands (ccfield-server --data DIR admin COMMAND --help for details):\n";
  for (const AdminCommand& c : Commands()) text += "  " + c.synopsis + "\n";
  return text;
}

bool AdminNeedsStorage(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") return false;
  }
  return !IsHelpWord(args[0]);
}

Args admin_detail::ParseArgs(const std::vector<std::string>& args, size_t from, const std::set<std::string>& with_value,
                             const std::set<std::string>& flags) {
  Args a;
  CLI::App app;
  app.set_help_flag();  // --help was dealt with before (RunAdmin)
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, bool> set;
  for (const std::string& o : with_value) app.add_option(o, values[o])->expected(1)->allow_extra_args(false);
  for (const std::string& f : flags) app.add_flag(f, set[f]);
  app.add_option("positional", a.positional);
  std::vector<std::string> reversed(args.rbegin(), args.rend() - static_cast<long>(std::min(from, args.size())));
  try {
    app.parse(reversed);  // CLI11 parses from the back
  } catch (const CLI::ParseError& e) {
    a.error = DescribeParseError(e);
    return a;
  }
  for (const auto& [o, v] : values) {
    if (!v.empty()) a.options[o] = v.back();
  }
  for (const auto& [f, on] : set) {
    if (on) a.options[f] = "";
  }
  return a;
}

Status admin_detail::RequireWorkspace(ServerStorage* s, const std::string& ws) {
  CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> meta, s->GetRecord(ws));
  if (!meta || meta->type != ChangeType::kWorkspace || meta->deleted) {
    return Status::NotFound("there is no workspace with id " + ws + " (create-workspace prints it)");
  }
  return Status::Ok();
}

std::string admin_detail::Opt(const Args& a, const std::string& key) {
  auto it = a.options.find(key);
  return it == a.options.end() ? "" : it->second;
}

int RunAdmin(const std::vector<std::string>& args, ServerStorage* s, Env* env, std::istream& in, std::ostream& out,
             std::ostream& err, const AdminOptions& options) {
  if (args.empty()) {
    err << "error: say which admin command to run\n" << AdminUsage();
    return kExitUsage;
  }
  const std::string& cmd = args[0];
  const AdminCommand* command = FindCommand(cmd);
  if (IsHelpWord(cmd) && args.size() == 1) {
    out << AdminUsage();
    return kExitOk;
  }
  if (IsHelpWord(cmd) || (command && !AdminNeedsStorage(args))) {  // "help import-sites", "import-sites --help"
    const AdminCommand* about = command ? command : FindCommand(args[1]);
    if (!about) {
      err << "error: unknown admin command \"" << args[1] << "\"\n" << AdminUsage();
      return kExitUsage;
    }
    out << "usage: ccfield-server --data DIR admin " << about->synopsis << "\n\n" << about->details;
    return kExitOk;
  }
  auto usage = [&](const std::string& msg) {
    err << "error: " << msg << "\n";
    if (command) {
      err << "usage: ccfield-server --data DIR admin " << command->synopsis << "\n";
    } else {
      err << AdminUsage();
    }
    return kExitUsage;
  };
  if (!command) return usage("unknown admin command \"" + cmd + "\"");
  if (!s) return usage("the admin commands need the data directory: ccfield-server --data DIR admin ...");
  auto fail = [&](const Status& st) {
    err << "error: " << st.message() << "\n";
    return kExitFailed;
  };
  const Args a = ParseArgs(args, 1, command->with_value, command->flags);
  if (!a.error.empty()) return usage(a.error);
  return command->run(AdminCall{args, s, env, in, out, err, options, usage, fail}, a);
}

}  // namespace ccfield::server
