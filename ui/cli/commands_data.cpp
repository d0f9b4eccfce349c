// `ccfield export` and `ccfield import`.
#include <fstream>
#include <sstream>

#include "ccfield/core/export.h"
#include "ccfield/core/import.h"
#include "cli/cli.h"

namespace ccfield::cli {

using nlohmann::json;

int CmdExport(Context& ctx, const std::vector<std::string>& args) {
  static const char* kHelp =
      "Usage: ccfield export csv|geojson [--output FILE]\n\n"
      "  csv       visits, one row each, one column per form answer (UTF-8, opens in spreadsheets)\n"
      "  geojson   sites and visits with a position, for QGIS and other GIS\n"
      "Writes to standard output unless --output is given (written whole, then renamed into place).\n";
  int code;
  auto a = ParseCommand(ctx, args, {{"output", true}}, kHelp, &code);
  if (!a) return code;
  if (a->positional().size() != 1) return Usage(ctx, "say csv or geojson", kHelp);
  const std::string& fmt = a->positional()[0];
  if (fmt != "csv" && fmt != "geojson") return Usage(ctx, "unknown export format \"" + fmt + "\"", kHelp);
  Result<Store*> s = ctx.OpenStore();
  if (!s.ok()) return Fail(ctx, s.status());
  std::ostringstream buf;
  int skipped = 0;
  Status st = fmt == "csv" ? ExportVisitsCsv(*s, buf, ctx.lang) : ExportGeoJson(*s, buf, &skipped);
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
      ctx.out << json{{"path", *path}, {"bytes", buf.str().size()}, {"skipped_without_position", skipped}}.dump() << "\n";
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

int CmdImport(Context& ctx, const std::vector<std::string>& args) {
  static const char* kHelp =
      "Usage: ccfield import practices FILE\n\n"
      "Imports good practices from a JSON file: {\"practice\": [ {...}, ... ]} or a bare array\n"
      "(format: docs/data-format.md). All or nothing; importing the same file twice changes nothing.\n";
  int code;
  auto a = ParseCommand(ctx, args, {}, kHelp, &code);
  if (!a) return code;
  if (a->positional().size() != 2 || a->positional()[0] != "practices") {
    return Usage(ctx, "say: import practices FILE", kHelp);
  }
  const std::string& path = a->positional()[1];
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ctx, Status::NotFound("cannot read " + path));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0);
  if (size > 32 * 1024 * 1024) return Fail(ctx, Status::Invalid(path + " is larger than 32 MB"));
  std::string text(static_cast<size_t>(size > 0 ? size : 0), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  Result<Store*> s = ctx.OpenStore();
  if (!s.ok()) return Fail(ctx, s.status());
  ImportOptions opts;
  opts.only = {RecordType::kPractice};
  Result<ImportSummary> r = ImportRecordsText(*s, ctx.env, text, opts);
  if (!r.ok()) return Fail(ctx, r.status().WithContext(path + ": nothing imported"));
  int created = r->created.count("practice") ? r->created.at("practice") : 0;
  int updated = r->updated.count("practice") ? r->updated.at("practice") : 0;
  int unchanged = r->unchanged.count("practice") ? r->unchanged.at("practice") : 0;
  if (ctx.json) {
    ctx.out << json{{"created", created}, {"updated", updated}, {"unchanged", unchanged}}.dump() << "\n";
  } else {
    ctx.out << "Imported good practices: " << created << " new, " << updated << " updated, " << unchanged
            << " unchanged.\n";
  }
  return kExitOk;
}

}  // namespace ccfield::cli
