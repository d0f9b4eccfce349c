// `ccfield export` and `ccfield import`.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "ccfield/core/export.h"
#include "ccfield/core/files.h"
#include "ccfield/core/import.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/site_import.h"
#include "cli/cli.h"

namespace ccfield::cli {

using nlohmann::json;

constexpr const char* kExportHelp = R"(Usage: ccfield export csv|geojson [--output FILE]

  csv       visits, one row each, one column per form answer (UTF-8, opens in spreadsheets)
  geojson   sites and visits with a position, for QGIS and other GIS
Writes to standard output unless --output is given (written whole, then renamed into place).
)";

int CmdExport(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a =
      ParseCommand(ctx, args, {kExportHelp, {{"output", true}}, {1, 1, "say csv or geojson"}}, &code);
  if (!a) return code;
  const std::string& fmt = a->positional()[0];
  if (fmt != "csv" && fmt != "geojson") return Usage(ctx, "unknown export format \"" + fmt + "\"", kExportHelp);
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  std::ostringstream buf;
  int skipped = 0;
  Status st = fmt == "csv" ? ExportVisitsCsv(store, buf, ctx.lang) : ExportGeoJson(store, buf, &skipped);
  if (!st.ok()) return Fail(ctx, st);
  if (auto path = a->Get("output")) {
    // Write beside the target, then rename: a cut-off export never replaces a good one.
    std::string tmp = *path + ".part";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << buf.str();
      out.flush();
      if (!out) {
        std::remove(tmp.c_str());
        return Fail(ctx, Status::IoError("cannot write " + *path));
      }
    }
    if (std::rename(tmp.c_str(), path->c_str()) != 0) return Fail(ctx, Status::IoError("cannot write " + *path));
    if (ctx.json) {
      ctx.out << JsonForOutput(json{{"path", *path}, {"bytes", buf.str().size()}, {"skipped_without_position", skipped}}) << "\n";
    } else {
      ctx.out << "Wrote " << *path << " (" << buf.str().size() << " bytes)";
      if (skipped) ctx.out << "; " << skipped << " records without a position left out";
      ctx.out << "\n";
    }
    return kExitOk;
  }
  ctx.out << buf.str();
  return kExitOk;
}

namespace {

json IssuesJson(const SiteFile& file, const std::vector<SiteImportError>& issues) {
  json items = json::array();
  for (const SiteImportError& e : issues) {
    items.push_back({{"line", e.line}, {"where", SiteImportWhere(file.format, e.line)}, {"message", e.message}});
  }
  return items;
}

// The workspace to import into: --workspace (an id or its first 6+
// characters), or the device's only workspace that is not demo data.
Result<Record> ImportWorkspace(Store* store, const std::optional<std::string>& given) {
  if (given) return FindWorkspace(store, *given);
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> demo, store->DemoWorkspaceIds());
  ListQuery q;
  q.type = RecordType::kWorkspace;
  q.limit = 1000;
  CCF_ASSIGN_OR_RETURN(std::vector<Record> all, store->List(q));
  std::vector<Record> real;
  for (Record& w : all) {
    if (std::find(demo.begin(), demo.end(), w.id) == demo.end()) real.push_back(std::move(w));
  }
  if (real.size() == 1) return real[0];
  if (real.empty()) {
    return Status::Invalid("this device has no workspace of its own to import into: log in and sync first, "
                           "or give --workspace ID");
  }
  std::string list;
  for (const Record& w : real) list += "\n  " + w.id + "  " + w.Title();
  return Status::Invalid("this device has several workspaces; say which with --workspace ID:" + list);
}

int ImportSitesFile(Context& ctx, const std::string& path, const std::optional<std::string>& workspace,
                    const char* help) {
  Result<std::string> text = ReadFileAtMost(path, kMaxSiteFileBytes, "site file");
  if (!text.ok()) return Fail(ctx, text.status());
  const SiteFile file = ParseSiteFile(*text, path);
  if (!ctx.json) {
    for (const SiteImportWarning& w : file.warnings) {
      ctx.err << "ccfield: warning: " << path << ": " << DescribeSiteImportIssue(file.format, w) << "\n";
    }
  }
  if (!file.ok()) {
    const std::string summary = std::to_string(file.errors.size()) +
                                (file.errors.size() == 1 ? " problem in " : " problems in ") + path +
                                "; nothing was imported";
    if (ctx.json) {
      ctx.err << JsonForOutput(json{{"error",
                       {{"code", "invalid_input"}, {"message", summary}, {"problems", IssuesJson(file, file.errors)}}}})
              << "\n";
    } else {
      for (const SiteImportError& e : file.errors) {
        ctx.err << "ccfield: " << path << ": " << DescribeSiteImportIssue(file.format, e) << "\n";
      }
      ctx.err << "ccfield: " << summary << "\n";
    }
    return kExitInvalid;
  }
  int code;
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  Result<Record> ws = ImportWorkspace(store, workspace);
  if (!ws.ok() && !workspace && ws.status().code() == Code::kInvalidArgument) {
    return Usage(ctx, ws.status().message(), help);  // --workspace is needed
  }
  if (!ws.ok()) return Fail(ctx, ws.status().WithContext(path + ": nothing imported"));

  std::vector<ExistingSite> existing;
  ListQuery q;
  q.type = RecordType::kSite;
  q.workspace_id = ws->id;
  q.limit = 10000;
  for (q.offset = 0;; q.offset += q.limit) {
    Result<std::vector<Record>> page = store->List(q);
    if (!page.ok()) return Fail(ctx, page.status());
    for (const Record& r : *page) {
      ExistingSite e{r.id, json::object()};
      for (const char* f : {"name", "kind", "ward", "address", "lat", "lon"}) {
        if (!r.Get(f).is_null()) e.fields[f] = r.Get(f);
      }
      existing.push_back(std::move(e));
    }
    if (static_cast<int>(page->size()) < q.limit) break;
  }
  const SiteImportPlan plan = PlanSiteImport(file.rows, existing);
  std::vector<Op> ops;
  for (const SiteImportStep& step : plan.steps) {
    if (step.fields.empty()) continue;
    SetFields op{RecordType::kSite, step.site_id, step.fields};
    if (op.id.empty()) {
      op.id = NewUuid(ctx.env);
      op.fields["workspace_id"] = ws->id;
    }
    ops.push_back(std::move(op));
  }
  Result<CommitResult> r = store->Commit(ops);
  if (!r.ok()) return Fail(ctx, r.status().WithContext(path + ": nothing imported"));
  if (ctx.json) {
    ctx.out << JsonForOutput(json{{"created", plan.created},
                    {"updated", plan.updated},
                    {"unchanged", plan.unchanged},
                    {"workspace_id", ws->id},
                    {"warnings", IssuesJson(file, file.warnings)}})
            << "\n";
  } else {
    ctx.out << "Imported sites into " << ws->Title() << ": " << plan.created << " new, " << plan.updated
            << " updated, " << plan.unchanged << " unchanged.\n";
  }
  return kExitOk;
}

}  // namespace

constexpr const char* kImportHelp = R"(Usage: ccfield import practices FILE
       ccfield import sites FILE [--workspace ID]

practices: good practices from a JSON file: {"practice": [ {...}, ... ]} or a bare array.
sites: a workspace's sites from CSV (header row with the columns name, kind, ward, address,
  lat, lon) or GeoJSON (a FeatureCollection of points, as QGIS exports it). --workspace may be
  left out when the device has one workspace besides the demo. Sites are matched by name and
  kind: importing the same file again changes nothing. Each problem is listed with its line.
All or nothing: a file with any problem imports nothing (exit 4). Formats: docs/data-format.md.
)";

int CmdImport(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, {kImportHelp, {{"workspace", true}}}, &code);
  if (!a) return code;
  const std::vector<std::string>& pos = a->positional();
  if (pos.size() != 2 || (pos[0] != "practices" && pos[0] != "sites")) {
    return Usage(ctx, "say: import practices FILE, or import sites FILE", kImportHelp);
  }
  const std::string& path = pos[1];
  if (pos[0] == "sites") return ImportSitesFile(ctx, path, a->Get("workspace"), kImportHelp);
  if (a->Has("workspace")) {
    return Usage(ctx, "--workspace is for import sites (practices belong to no workspace)", kImportHelp);
  }
  Result<std::string> text = ReadFileAtMost(path, kMaxImportFileBytes, "import file");
  if (!text.ok()) return Fail(ctx, text.status());
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  ImportOptions opts;
  opts.only = {RecordType::kPractice};
  Result<ImportSummary> r = ImportRecordsText(store, ctx.env, *text, opts);
  if (!r.ok()) return Fail(ctx, r.status().WithContext(path + ": nothing imported"));
  int created = r->created.count("practice") ? r->created.at("practice") : 0;
  int updated = r->updated.count("practice") ? r->updated.at("practice") : 0;
  int unchanged = r->unchanged.count("practice") ? r->unchanged.at("practice") : 0;
  if (ctx.json) {
    ctx.out << JsonForOutput(json{{"created", created}, {"updated", updated}, {"unchanged", unchanged}}) << "\n";
  } else {
    ctx.out << "Imported good practices: " << created << " new, " << updated << " updated, " << unchanged
            << " unchanged.\n";
  }
  return kExitOk;
}

}  // namespace ccfield::cli
