// `ccfield maps add FILE | list | remove ID`: the offline basemap packs of the
// data directory (issue 13), through maps::MapPacks. The store is not opened:
// packs are files beside it (DATA/maps/), so these work while the window runs.
#include <cstdio>

#include "ccfield/maps/map_packs.h"
#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using maps::PackInfo;
using nlohmann::json;

namespace {

constexpr const char* kMapsHelp = R"help(Usage:
  ccfield maps list               the installed map packs, in the order they are used
  ccfield maps add FILE.mbtiles   check a raster MBTiles pack (PNG or JPEG tiles) and
                                  copy it into the data folder
  ccfield maps remove ID          remove an installed pack (its id from `maps list`)

Packs are made with QGIS ("Generate XYZ tiles (MBTiles)") or GDAL
(gdal_translate -of MBTILES, then gdaladdo): see docs/maps.md. Where packs
overlap, the one added first is drawn.
)help";

std::string Size(int64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>((bytes + 1023) / 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

json PackJson(const PackInfo& p) {
  json j{{"id", p.id},
         {"path", p.path},
         {"name", p.name},
         {"description", p.description},
         {"attribution", p.attribution},
         {"format", p.format},
         {"min_zoom", p.min_zoom},
         {"max_zoom", p.max_zoom},
         {"tiles", p.tile_count},
         {"bytes", p.file_bytes}};
  j["bounds"] = p.has_bounds ? json::array({p.west, p.south, p.east, p.north}) : json(nullptr);
  j["problem"] = p.problem.empty() ? json(nullptr) : json(p.problem);
  return j;
}

void PrintPack(Context& ctx, const PackInfo& p) {
  ctx.out << p.id << "  " << p.name << "\n";
  if (!p.problem.empty()) {
    ctx.out << "    cannot be used: " << p.problem << "\n    remove it with: ccfield maps remove " << p.id << "\n";
    return;
  }
  ctx.out << "    " << p.format << " tiles, zoom " << p.min_zoom;
  if (p.max_zoom != p.min_zoom) ctx.out << "–" << p.max_zoom;
  ctx.out << ", " << p.tile_count << (p.tile_count == 1 ? " tile, " : " tiles, ") << Size(p.file_bytes) << "\n";
  if (!p.attribution.empty()) ctx.out << "    " << p.attribution << "\n";
}

// A pack that is damaged is bad input to `maps add`, not a damaged store.
Status AsInput(const Status& st) { return st.code() == Code::kCorrupt ? Status::Invalid(st.message()) : st; }

int List(Context& ctx, maps::MapPacks& packs) {
  Result<std::vector<PackInfo>> list = packs.List();
  if (!list.ok()) return Fail(ctx, list.status());
  if (ctx.json) {
    json items = json::array();
    for (const PackInfo& p : *list) items.push_back(PackJson(p));
    return PrintJson(ctx, ItemsJson(items));
  }
  if (list->empty()) ctx.out << "No map packs. Add one: ccfield maps add FILE.mbtiles (see docs/maps.md)\n";
  for (const PackInfo& p : *list) PrintPack(ctx, p);
  return kExitOk;
}

}  // namespace

int CmdMaps(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{kMapsHelp, {}, {1, 2, "say list, add FILE or remove ID"}};
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, kSpec, &code);
  if (!a) return code;
  const std::vector<std::string>& words = a->positional();
  maps::MapPacks packs(ctx.env, ctx.data_dir);
  const std::string& verb = words[0];
  if (verb == "list" && words.size() == 1) return List(ctx, packs);
  if (verb == "add" && words.size() == 2) {
    Result<PackInfo> added = packs.Add(words[1]);
    if (!added.ok()) return Fail(ctx, AsInput(added.status()));
    if (ctx.json) return PrintJson(ctx, PackJson(*added));
    ctx.out << "Added the map pack " << added->id << " (" << added->name << ", " << Size(added->file_bytes)
            << "). The map shows it the next time it opens.\n";
    return kExitOk;
  }
  if (verb == "remove" && words.size() == 2) {
    Status st = packs.Remove(words[1]);
    if (!st.ok()) return Fail(ctx, st);
    if (ctx.json) return PrintJson(ctx, json{{"removed", words[1]}});
    ctx.out << "Removed the map pack " << words[1] << ".\n";
    return kExitOk;
  }
  return Usage(ctx, "say list, add FILE or remove ID", kMapsHelp);
}

}  // namespace ccfield::cli
