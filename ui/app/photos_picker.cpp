// The in-app file picker: a browser over the places files usually are on a
// field tablet or laptop (Pictures, DCIM, Downloads, Documents, the home
// folder, and mounted cards and sticks: /media/$USER/*, /run/media/$USER/*).
// It lists folders and the files of the kinds its purpose wants: "Add
// photos…" (image files; picked files are attached like dropped ones,
// photos.cpp) and Settings → Basemaps' "Choose a file…" (.mbtiles files;
// a picked file is added as a pack, map.cpp).
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "app/app.h"
#include "app/app_helpers.h"
#include "text/i18n.h"

namespace ccfield::app {

namespace fs = std::filesystem;
using ui::tr;

namespace {

// Photos: JPEG photos, and the other image kinds cameras and phones write,
// so that picking one says plainly why it cannot be attached.
const std::vector<std::string>& ImageExtensions() {
  static const std::vector<std::string> kExts = {"jpg",  "jpeg", "jpe", "jfif", "heic", "heif",
                                                 "png",  "webp", "tif", "tiff", "gif",  "bmp"};
  return kExts;
}

bool HasExtension(const std::string& name, const std::vector<std::string>& extensions) {
  const size_t dot = name.find_last_of('.');
  if (dot == std::string::npos) return false;
  const std::string ext = Lower(name.substr(dot + 1));
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

bool IsFolder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The mounted volumes under `root` (/media/$USER, /run/media/$USER).
void AddVolumes(const std::string& root, std::vector<FilePickerState::Entry>* out) {
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsFolder(it->path())) out->push_back({it->path().filename().string(), it->path().string(), true});
  }
}

std::vector<FilePickerState::Entry> Places(const std::string& home, FilePickerState::Purpose purpose) {
  std::vector<FilePickerState::Entry> out;
  std::vector<std::pair<const char*, std::string>> fixed;
  if (purpose == FilePickerState::Purpose::kPhotos) {
    fixed = {{tr("Pictures"), home + "/Pictures"}, {tr("Camera (DCIM)"), home + "/DCIM"},
             {tr("Downloads"), home + "/Downloads"}};
  } else {  // map packs arrive by download, on a stick, or were put somewhere by hand
    fixed = {{tr("Downloads"), home + "/Downloads"}, {tr("Documents"), home + "/Documents"},
             {tr("Home folder"), home}};
  }
  for (const auto& [label, path] : fixed) {
    if (!home.empty() && IsFolder(path)) out.push_back({label, path, true});
  }
  const char* user = std::getenv("USER");
  if (user && *user) {
    AddVolumes(std::string("/media/") + user, &out);
    AddVolumes(std::string("/run/media/") + user, &out);
  }
  return out;
}

bool ByName(const FilePickerState::Entry& a, const FilePickerState::Entry& b) {
  if (a.folder != b.folder) return a.folder;
  return Lower(a.name) < Lower(b.name);
}

}  // namespace

void App::OpenFilePicker(FilePickerState::Purpose purpose) {
  FilePickerState& p = state_.photos.picker;
  p = {};
  p.open = true;
  p.purpose = purpose;
  p.extensions = purpose == FilePickerState::Purpose::kPhotos ? ImageExtensions() : std::vector<std::string>{"mbtiles"};
  p.places = Places(HomeDir(), purpose);
  if (!p.places.empty()) return;
  p.error = purpose == FilePickerState::Purpose::kPhotos
                ? tr("No Pictures, DCIM or Downloads folder and no memory card were found.")
                : tr("No Downloads or Documents folder and no memory card were found.");
}

void App::Handle(const OpenPhotoPicker&) {
  if (state_.photos.parent_id.empty()) return ShowMessage(tr("Open a visit to attach photos."), true);
  OpenFilePicker(FilePickerState::Purpose::kPhotos);
}

void App::Handle(const PickerOpenFolder& c) {
  FilePickerState& p = state_.photos.picker;
  p.dir = c.path;
  p.entries.clear();
  p.error.clear();
  if (c.path.empty()) {
    p.places = Places(HomeDir(), p.purpose);
    return;
  }
  std::error_code ec;
  fs::directory_iterator it(c.path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // hidden
    const bool folder = IsFolder(it->path());
    if (folder || HasExtension(name, p.extensions)) p.entries.push_back({name, it->path().string(), folder});
  }
  if (ec) {
    p.error = ui::Format(tr("Cannot open the folder {folder}: {error}"), {{"folder", c.path}, {"error", ec.message()}});
  }
  std::sort(p.entries.begin(), p.entries.end(), ByName);
}

void App::Handle(const PickerToggle& c) {
  if (state_.photos.picker.purpose == FilePickerState::Purpose::kBasemap) return PickBasemapFile(c.path);
  std::vector<std::string>& sel = state_.photos.picker.selected;
  auto it = std::find(sel.begin(), sel.end(), c.path);
  if (it == sel.end()) {
    sel.push_back(c.path);
  } else {
    sel.erase(it);
  }
}

void App::Handle(const PickerAttach&) {
  std::vector<std::string> paths = std::move(state_.photos.picker.selected);
  state_.photos.picker = {};
  Handle(AttachPhotos{std::move(paths)});
}

void App::Handle(const ClosePhotoPicker&) { state_.photos.picker = {}; }

}  // namespace ccfield::app
