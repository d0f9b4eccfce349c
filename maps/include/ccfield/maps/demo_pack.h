#pragma once
// The demo basemap: a small MBTiles pack of Kinondoni, Dar es Salaam (where
// the demo workspace's sites are), rendered at build time from the
// project's own street sketch (data/demo/streets.geojson, zooms 11..17) and
// compiled into the app. Installed with the demo data on first start.
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield {
class Env;
}

namespace ccfield::maps {

// The id the demo pack is installed under (DATA/maps/ID.mbtiles).
inline constexpr const char* kDemoPackId = "demo-dar-es-salaam";

// The pack's bytes, as built.
std::string_view DemoPackBytes();

// Installs the demo pack into DATA/maps unless it is there already (true
// when it was installed now). Writes ~2 MB atomically; well under a second.
Result<bool> InstallDemoPack(Env* env, const std::string& data_dir);
// Removes the demo pack (with `ccfield demo remove`); ok when it is absent.
Status RemoveDemoPack(Env* env, const std::string& data_dir);

}  // namespace ccfield::maps
