// The map's commands (issue 13): "New site here", picking the visit's
// position on the map, and Settings → Basemaps (add by path or by picking a
// file, remove, list).
#include "app/map.h"

#include <cstdio>

#include "app/app.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

namespace {

std::string Coordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

MapTiles::MapTiles(Env* env, std::string data_dir, std::function<void()> wake)
    : packs_(env, std::move(data_dir)), wake_(std::move(wake)) {}

std::vector<std::string> MapTiles::Restart() {
  loader_.reset();  // stops and joins the old worker before its packs close
  std::vector<std::string> errors;
  std::vector<std::unique_ptr<maps::MbTiles>> open = packs_.OpenAll(&errors);
  if (!open.empty()) loader_ = maps::TileLoader::Start(std::move(open), wake_);
  ++generation_;
  return errors;
}

void App::RefreshMapPacks() {
  if (!map_tiles_) map_tiles_ = std::make_unique<MapTiles>(options_.env, options_.data_dir, options_.wake);
  std::vector<std::string> errors = map_tiles_->Restart();
  Result<std::vector<maps::PackInfo>> listed = map_tiles_->packs().List();
  if (listed.ok()) {
    state_.map.packs = std::move(*listed);  // a pack that cannot be opened is listed with its problem
    state_.map.pack_errors.clear();
  } else {
    state_.map.packs.clear();
    state_.map.pack_errors = std::move(errors);
    state_.map.pack_errors.push_back(ui::StatusText(listed.status()));
  }
  state_.map.packs_generation = map_tiles_->generation();
}

void App::Handle(const NewSiteAt& c) {
  state_.map.picking = false;
  OpenSiteForm("", false);
  state_.screen = Screen::kSites;
  Handle(EditSiteField{"lat", Coordinate(c.lat)});
  Handle(EditSiteField{"lon", Coordinate(c.lon)});
  // The new site most likely belongs where its nearest neighbour does.
  const SiteItem* nearest = nullptr;
  double best = 0;
  for (const SiteItem& s : state_.sites.all) {
    if (!s.has_position) continue;
    const double d = DistanceMeters({c.lat, c.lon}, {s.lat, s.lon});
    if (!nearest || d < best) nearest = &s, best = d;
  }
  for (const auto& [id, name] : state_.site_form.workspaces) {
    if (nearest && id == nearest->workspace_id) Handle(EditSiteField{"workspace_id", id});
  }
}

// "Pick on the map" from the site form or the visit editor. The form stays
// open (hidden while the map shows on Sites): what was typed in it is kept.
void App::Handle(const PickOnMap&) {
  if (!state_.site_form.open && !state_.editor.open) return;
  if (!state_.site_form.open && state_.editor.dirty) SaveDraftNow();
  state_.map.picking = true;
  state_.screen = Screen::kSites;
  RefreshScreen(Screen::kSites);
}

void App::Handle(const EndMapPick&) {
  state_.map.picking = false;
  if (state_.site_form.open) {
    state_.screen = state_.site_form.for_visit ? Screen::kHome : Screen::kSites;
  } else if (state_.editor.open) {
    state_.screen = Screen::kEditor;
  }
}

void App::Handle(const AddMapPack& c) {
  if (!map_tiles_) RefreshMapPacks();
  Result<maps::PackInfo> added = map_tiles_->packs().Add(c.path);
  if (!added.ok()) {
    state_.map.pack_message = ui::StatusText(added.status());
    state_.map.pack_message_is_error = true;
    return;
  }
  RefreshMapPacks();
  state_.map.pack_message = ui::Format(tr("Basemap added: {name}"), {{"name", added->name}});
  state_.map.pack_message_is_error = false;
}

void App::Handle(const OpenBasemapPicker&) { OpenFilePicker(FilePickerState::Purpose::kBasemap); }

// The same path as a typed one (and `ccfield maps add`): MapPacks::Add.
void App::PickBasemapFile(const std::string& path) {
  Handle(AddMapPack{path});
  if (state_.map.pack_message_is_error) {
    state_.photos.picker.error = state_.map.pack_message;  // said where the person is looking
    return;
  }
  state_.photos.picker = {};
}

void App::Handle(const RemoveMapPack& c) {
  if (!map_tiles_) RefreshMapPacks();
  std::string name = c.id;
  for (const maps::PackInfo& p : state_.map.packs) {
    if (p.id == c.id) name = p.name;
  }
  map_tiles_->Stop();  // the loader holds the pack open: stop it before the file goes
  Status s = map_tiles_->packs().Remove(c.id);
  RefreshMapPacks();
  state_.map.pack_message = s.ok() ? ui::Format(tr("Basemap removed: {name}"), {{"name", name}}) : s.message();
  state_.map.pack_message_is_error = !s.ok();
}

}  // namespace ccfield::app
