// The in-app file picker, over everything. First the places (Pictures, DCIM,
// Downloads, memory cards and sticks...), then a folder's subfolders and files.
// "Add photos…": image files as a grid of thumbnails; tapping a file picks it
// (tap again to unpick); "Attach" attaches the picked files to the open visit
// or site. Only the rows on screen are drawn (and decoded). Settings →
// Basemaps' "Choose a file…" (issue 13): .mbtiles files as rows; tapping one
// adds it.
#include <imgui.h>

#include <algorithm>

#include "text/i18n.h"
#include "views/photo_view_parts.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

std::string Parent(const std::string& dir, const std::vector<app::FilePickerState::Entry>& places) {
  for (const auto& p : places) {
    if (p.path == dir) return "";  // up from a place: the places
  }
  const size_t slash = dir.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "" : dir.substr(0, slash);
}

void Header(Frame& f, const app::FilePickerState& s) {
  const bool photos = s.purpose == app::FilePickerState::Purpose::kPhotos;
  Heading(photos ? tr("Add photos") : tr("Choose a basemap file (.mbtiles)"));
  Flow flow;
  float w = 0;
  if (photos) {
    const std::string attach =
        ui::Format(tr("Attach picked photos ({n})"), {{"n", std::to_string(s.selected.size())}});
    w = flow.Next(attach.c_str());
    ImGui::BeginDisabled(s.selected.empty());
    if (BigButton((attach + "###picker_attach").c_str(), w)) f.out.push_back(app::PickerAttach{});
    ImGui::EndDisabled();
  }
  w = flow.Next(tr("Cancel"));
  if (BigButton((std::string(tr("Cancel")) + "###picker_cancel").c_str(), w)) f.out.push_back(app::ClosePhotoPicker{});
  if (!s.dir.empty()) {
    w = flow.Next(tr("Up"));
    if (BigButton(tr("Up"), w)) f.out.push_back(app::PickerOpenFolder{Parent(s.dir, s.places)});
    w = flow.Next(tr("Places"));
    if (BigButton(tr("Places"), w)) f.out.push_back(app::PickerOpenFolder{""});
    UserText(s.dir);
  }
  if (!s.error.empty()) {
    ErrorText(s.error);
    LogItem(("picker error:" + s.error).c_str());  // scripts and tests check what was said
  }
}

void Places(Frame& f, const app::FilePickerState& s) {
  for (const auto& place : s.places) {
    const std::string label = DisplayLine(place.name) + "   " + place.path + "##place" + place.path;
    if (ListRow(label.c_str(), false, 0, place.name.c_str())) f.out.push_back(app::PickerOpenFolder{place.path});
  }
}

// One file: its thumbnail, its name, a frame when picked.
void FileCell(Frame& f, const app::FilePickerState::Entry& e, bool picked, float edge) {
  ImGui::PushID(e.path.c_str());
  ImGui::BeginGroup();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  if (ImGui::InvisibleButton("file", ImVec2(edge, edge))) f.out.push_back(app::PickerToggle{e.path});
  LogItem(("file:" + e.name).c_str());
  DrawFileImage(f, e.path, at, ImVec2(edge, edge));
  if (picked) {
    ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + edge, at.y + edge), StateColourU32(RecordState::kSent), 0, 0,
                                        5.0f);
  }
  TextIn(picked ? ui::Format(tr("picked: {name}"), {{"name", e.name}}) : e.name, edge);
  ImGui::EndGroup();
  ImGui::PopID();
}

// Files without a picture (map packs): one row each; a tap picks the file.
void FileRows(Frame& f, const std::vector<const app::FilePickerState::Entry*>& files) {
  for (const app::FilePickerState::Entry* e : files) {
    const std::string label = DisplayLine(e->name) + "##file" + e->path;
    if (ListRow(label.c_str(), false, 0, ("file:" + e->name).c_str())) f.out.push_back(app::PickerToggle{e->path});
  }
}

void Folder(Frame& f, const app::FilePickerState& s) {
  std::vector<const app::FilePickerState::Entry*> files;
  for (const auto& e : s.entries) {
    if (!e.folder) {
      files.push_back(&e);
      continue;
    }
    const std::string label = ui::Format(tr("Folder: {name}"), {{"name", DisplayLine(e.name)}}) + "##dir" + e.path;
    if (ListRow(label.c_str(), false, 0, ("folder:" + e.name).c_str())) f.out.push_back(app::PickerOpenFolder{e.path});
  }
  if (files.empty()) {
    if (s.entries.empty() && s.error.empty()) {
      HelpText(s.purpose == app::FilePickerState::Purpose::kPhotos ? tr("No photos in this folder.")
                                                                   : tr("No .mbtiles file in this folder."));
    }
    return;
  }
  if (s.purpose != app::FilePickerState::Purpose::kPhotos) return FileRows(f, files);
  const float edge = std::round(ImGui::GetFontSize() * 7);
  const float cell_w = edge + ImGui::GetStyle().ItemSpacing.x;
  const int per_row = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / cell_w));
  const int rows = (static_cast<int>(files.size()) + per_row - 1) / per_row;
  const float row_h = edge + ImGui::GetTextLineHeightWithSpacing() * 2 + ImGui::GetStyle().ItemSpacing.y;
  ImGuiListClipper clipper;
  clipper.Begin(rows, row_h);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const float y = ImGui::GetCursorPosY();
      for (int c = 0; c < per_row && r * per_row + c < static_cast<int>(files.size()); ++c) {
        if (c > 0) ImGui::SameLine(c * cell_w);
        const app::FilePickerState::Entry& e = *files[r * per_row + c];
        const bool picked = std::find(s.selected.begin(), s.selected.end(), e.path) != s.selected.end();
        FileCell(f, e, picked, edge);
      }
      ImGui::SetCursorPosY(y + row_h);
    }
  }
}

}  // namespace

void DrawPhotoPicker(Frame& f) {
  const app::FilePickerState& s = f.state.photos.picker;
  if (!s.open) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("photo_picker", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  Header(f, s);
  ImGui::Separator();
  ImGui::BeginChild("picker_list");
  if (s.dir.empty()) {
    Places(f, s);
  } else {
    Folder(f, s);
  }
  ImGui::EndChild();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) f.out.push_back(app::ClosePhotoPicker{});
  ImGui::End();
}

}  // namespace ccfield::views
