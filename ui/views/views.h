#pragma once
// The ImGui views: one file per screen. A view reads AppState and appends
// Commands; it never calls the store, curl or SDL. What only the view needs
// (text being typed into a search box, the map's zoom) lives in ViewState.
#include <map>
#include <string>

#include "app/app_state.h"
#include "app/commands.h"

namespace ccfield::views {

// The site map (map_view.cpp, issue 13): its camera and the gesture under way.
struct MapView {
  bool placed = false;         // the camera was set: it opens on the sites' extent once
  bool moved = false;          // the person panned or zoomed: new sites do not move the map
  size_t placed_sites = 0;     // how many positioned sites the extent covered
  double cx = 128, cy = 128;   // the centre in world pixels at zoom 0 (see map_layout.h)
  double zoom = 2;             // Web Mercator zoom, fractional
  std::string centred_on;      // the selected site the map last moved to
  bool long_pressed = false;   // this press opened the menu: its release is no tap
  double menu_lat = 0, menu_lon = 0;  // where the long-press or right-click was
};

class MapTextures;

class PhotoTextures;

// The full-screen photo viewer (photo_viewer.cpp).
struct PhotoViewer {
  std::string photo_id;   // "" = closed
  float zoom = 1.0f;      // 1 = the photo fits the window
  float pan_x = 0, pan_y = 0;  // pixels the photo's centre is moved from the window's centre
  std::string caption;    // being edited
  float bar_h = 0;        // height of the bar under the photo, last frame (its buttons may wrap)
};

struct ViewState {
  std::string site_filter;
  app::VisitFilterState visit_filter;   // being edited; sent when changed
  std::string library_search;
  MapView map;
  std::string login_url, login_user, login_password;
  std::string merged_text;              // conflicts: the merged edit being written
  std::string merging_conflict_id;
  bool settings_loaded = false;
  std::string scrolled_to;              // editor: the restored draft already scrolled to its last field
  // Photos (issue 12). `textures` is set by the window (null headless: the
  // views draw placeholders); the pinch is the window's, for this frame.
  PhotoTextures* textures = nullptr;
  float pinch = 1.0f, pinch_x = 0, pinch_y = 0;
  PhotoViewer viewer;
  std::map<std::string, std::string> captions;  // photo id -> caption being typed in the strip
  bool photo_settings_loaded = false;
  int photo_cap_mb = 0;                          // Settings: the monthly cap being typed
  // The map (issue 13): tile textures (set by the window; null headless: no
  // tiles), and a frame wanted within this many ms (-1: none) while tiles
  // load or a long-press is timed; the window reads it after the frame.
  MapTextures* map_textures = nullptr;
  int redraw_in_ms = -1;
  std::string basemap_path;                      // Settings → Basemaps: the file being typed
};

struct Frame {
  const app::AppState& state;
  app::Commands& out;
  ViewState& ui;
  float scale;  // text-size setting times display scale
};

// Draws the whole window's content for one frame.
void DrawMain(Frame& f);

// Screens.
void DrawHome(Frame& f);
void DrawSites(Frame& f);
void DrawSiteMap(Frame& f, float height);
void DrawVisits(Frame& f);
void DrawEditor(Frame& f);
void DrawLibrary(Frame& f);
void DrawHistory(Frame& f);
void DrawConflicts(Frame& f);
void DrawSync(Frame& f);
void DrawSettings(Frame& f);
// site_form_view.cpp: the site form (Sites and the new-visit flow) and the
// new-visit site picker (Home).
void DrawSiteForm(Frame& f);
void DrawNewVisit(Frame& f);
// Photos (issue 12): the strip of the visit or site whose photos show
// (photo_strip.cpp), the full-screen viewer and the file picker, drawn over
// everything (photo_viewer.cpp, photo_picker.cpp), Settings' "Photos and
// data" and the Sync screen's data use (photo_settings.cpp).
void DrawPhotoStrip(Frame& f);
void DrawPhotoViewer(Frame& f);
void DrawPhotoPicker(Frame& f);
void DrawPhotoSettings(Frame& f);
void DrawDataUse(Frame& f);
// position_view.cpp (issue 13): "Use my position", "Pick on the map" and the
// live accuracy while waiting, in the visit editor and the site form; the
// position's warnings (amber: they never block a save).
void DrawPositionTaking(Frame& f, bool for_site);
void DrawPositionWarnings(const std::vector<std::string>& warnings);
// Settings → Basemaps (map_settings.cpp, issue 13).
void DrawBasemapSettings(Frame& f);

}  // namespace ccfield::views
