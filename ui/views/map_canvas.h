#pragma once
// The map canvas's layers (issue 13), drawn by map_view.cpp inside a
// left-to-right region: the basemap tiles, the person's own position, the
// scale bar, the attribution and the hint when no basemap is installed.
// Private to the views.
#include <imgui.h>

#include <string>

#include "app/app_state.h"
#include "views/map_layout.h"

namespace ccfield::views {

class MapTextures;

// One frame's canvas: where it is on screen and what it shows.
struct MapCanvas {
  ImVec2 origin, size;
  MapCamera cam;
  float scale = 1;  // text size times display scale
  ImDrawList* dl = nullptr;

  ImVec2 Screen(LatLon p) const;
  LatLon At(ImVec2 screen) const;
  CanvasPoint Local(ImVec2 screen) const { return {screen.x - origin.x, screen.y - origin.y}; }
};

// Today's marker colours by the latest condition rating ("" = never rated).
ImU32 ConditionColor(const std::string& condition);

// The tiles at the level for the zoom; where one is not loaded yet, the
// nearest loaded ancestor enlarged (or its loaded children), so panning never
// shows a blank. Asks the loader for what is missing. Nothing without packs.
void DrawTiles(const MapCanvas& c, MapTextures* tex);
// The attributions of the packs whose bounds meet the view, " · " between.
std::string AttributionInView(const MapCanvas& c, const std::vector<maps::PackInfo>& packs);
void DrawAttribution(const MapCanvas& c, const std::string& text);
void DrawScaleBar(const MapCanvas& c);
// A blue dot and its accuracy circle, to scale.
void DrawOwnPosition(const MapCanvas& c, const app::OwnPosition& p);
// A line of text on a plate at the canvas's top-left corner.
void DrawCanvasNote(const MapCanvas& c, const std::string& text);

}  // namespace ccfield::views
