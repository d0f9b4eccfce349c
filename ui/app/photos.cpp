// Photos of a visit or a site (issue 12): attaching files (picked or dropped
// on the window), delete and restore, captions, "tap to download", "send
// now", export, and the photo settings. Photo records change through ordinary
// commits (history, sync, restore work as for any record); the bytes go
// through media/photo_attach.h and the store's photo queue.
#include <algorithm>
#include <cstdlib>

#include "app/app.h"
#include "app/app_helpers.h"
#include "ccfield/core/blob_files.h"
#include "ccfield/media/photo_attach.h"
#include "text/i18n.h"

namespace ccfield::app {

using nlohmann::json;
using ui::tr;

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A refusal that names the file it is about ("IMG_2041.HEIC: …").
std::string NamingFile(const std::string& path, const std::string& why) {
  const std::string name = BaseName(path);
  if (why.rfind(name + ":", 0) == 0) return why;
  return name + ": " + why;
}

PhotoItem ItemOf(const PhotoRow& row, const std::set<std::string>& demo) {
  PhotoItem it;
  const Record& r = row.record;
  it.id = r.id;
  it.caption = TextOf(r, "caption");
  it.file_name = TextOf(r, "file_name");
  it.taken_at = TextOf(r, "taken_at");
  it.thumb = TextOf(r, "thumb");
  it.blob = TextOf(r, "blob");
  it.have_thumb = row.have_thumb;
  it.have_full = row.have_full;
  it.deleted = r.deleted;
  const json& w = r.Get("width");
  const json& h = r.Get("height");
  it.width = w.is_number_integer() ? w.get<int>() : 0;
  it.height = h.is_number_integer() ? h.get<int>() : 0;
  it.state = row.state;
  it.state_text = PhotoStateText(row);
  it.refused = row.state == PhotoState::kRefused;
  it.can_download = row.state == PhotoState::kThumbnailOnly || row.state == PhotoState::kNothingHere;
  it.can_send_now = row.state == PhotoState::kWaiting || row.state == PhotoState::kRefused;
  if (demo.count(TextOf(r, "workspace_id")) > 0) {  // demo photos are never queued
    it.demo = true;
    it.state_text = tr("demo: kept on this device");
    it.can_send_now = it.can_download = false;
  }
  return it;
}

// Why "Camera" is greyed out, in the UI language when it is the desktop's sentence.
std::string CameraNote(const Camera& camera) {
  if (camera.Available()) return "";
  const std::string reason = camera.UnavailableReason();
  if (reason == "This device has no camera ccfield can use; attach photos from files instead.") {
    return tr("This device has no camera ccfield can use; attach photos from files instead.");
  }
  return reason;
}

}  // namespace

std::string App::HomeDir() const {
  if (!options_.home_dir.empty()) return options_.home_dir;
  const char* home = std::getenv("HOME");
  return home ? home : "";
}

void App::RefreshPhotos() {
  PhotosState& p = state_.photos;
  p.blob_dir = store_->photos().BlobDir();
  std::string parent;
  RecordType type = RecordType::kVisit;
  if (state_.screen == Screen::kEditor && state_.editor.open) {
    parent = state_.editor.visit_id;
  } else if (state_.screen == Screen::kSites && !state_.sites.selected_id.empty()) {
    parent = state_.sites.selected_id;
    type = RecordType::kSite;
  }
  if (parent != p.parent_id) p.picker = {};  // the picker belongs to the visit it was opened on
  p.camera_note = CameraNote(*options_.camera);
  p.parent_id = parent;
  p.parent_type = type;
  p.items.clear();
  if (parent.empty() || p.blob_dir.empty()) return;
  BlobFiles blobs(options_.env, p.blob_dir);
  Result<std::vector<PhotoRow>> rows = store_->photos().Of(parent, /*include_deleted=*/true, blobs);
  if (!rows.ok()) return;  // a visit not saved yet has none
  const std::set<std::string> demo = DemoWorkspaces(store_.get());
  for (const PhotoRow& row : *rows) {
    if (!row.record.deleted) p.items.push_back(ItemOf(row, demo));
  }
  for (const PhotoRow& row : *rows) {  // deleted ones last: they can be restored
    if (row.record.deleted) p.items.push_back(ItemOf(row, demo));
  }
  photos_refreshed_ms_ = options_.env->MonoNanos() / 1'000'000;
}

void App::RefreshPhotoData() {
  PhotoDataState& d = state_.photo_data;
  PhotoStore& photos = store_->photos();
  d.settings = photos.Settings().value_or(PhotoSettings{});
  d.usage = photos.Usage().value_or(DataUsage{});
  // A photo waits to be sent as its send copy (its thumbnail goes with it).
  d.waiting_up = 0;
  for (const BlobTransfer& t : photos.Waiting(TransferDirection::kUp, 1 << 20).value_or({})) {
    d.waiting_up += t.kind == BlobKind::kFull ? 1 : 0;
  }
  d.waiting_down = photos.CountWaiting(TransferDirection::kDown).value_or(0);
}

void App::Handle(const AttachPhotos& c) {
  if (c.paths.empty()) return;
  PhotosState& p = state_.photos;
  if (p.parent_id.empty()) return ShowMessage(tr("Open a visit to attach photos."), true);
  if (p.parent_type == RecordType::kVisit && state_.editor.is_new) {
    // A photo needs its visit in the store: a new visit is saved first (as a draft).
    SaveVisitEditor(false);
    if (state_.editor.is_new) {
      return ShowMessage(ui::Format(tr("Save the visit before adding photos: {why}"), {{"why", state_.editor.message}}),
                         true);
    }
  }
  media::AttachRequest request;
  request.parent_type = p.parent_type;
  request.parent_id = p.parent_id;
  int attached = 0;
  std::vector<std::string> refused;
  for (const std::string& path : c.paths) {
    Result<media::AttachResult> r = media::AttachPhotoFile(store_.get(), options_.env, request, path);
    if (r.ok()) {
      ++attached;
    } else {
      refused.push_back(NamingFile(path, ui::StatusText(r.status())));
    }
  }
  std::string text;
  if (attached > 0) text = ui::trn("{count} photo attached.", "{count} photos attached.", attached);
  for (const std::string& why : refused) text += (text.empty() ? "" : "\n") + why;
  ShowMessage(text, !refused.empty());
  RefreshPhotos();
  RefreshPhotoData();
  if (attached > 0 && state_.sync.status.logged_in) sync_->RequestSync();
}

bool App::CommitPhoto(const Op& op, const std::string& done) {
  Result<CommitResult> r = store_->Commit({op});
  if (!r.ok()) {
    ShowMessage(ui::StatusText(r.status()), true);
    return false;
  }
  if (!done.empty()) ShowMessage(done, false);
  if (state_.sync.status.logged_in) sync_->RequestSync();
  return true;
}

void App::Handle(const DeletePhoto& c) {
  CommitPhoto(DeleteRecord{RecordType::kPhoto, c.photo_id}, tr("Photo deleted. It can be restored under the photos."));
}

void App::Handle(const RestorePhoto& c) {
  CommitPhoto(RestoreRecord{RecordType::kPhoto, c.photo_id}, tr("Photo restored."));
}

void App::Handle(const SetPhotoCaption& c) {
  Result<Record> r = store_->Get(RecordType::kPhoto, c.photo_id);
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  const std::string caption = Trim(c.caption);
  if (TextOf(*r, "caption") == caption) return;
  CommitPhoto(SetFields{RecordType::kPhoto, c.photo_id, {{"caption", caption.empty() ? json() : json(caption)}}}, "");
}

void App::Handle(const DownloadPhoto& c) {
  if (Status st = store_->photos().WantFull(c.photo_id); !st.ok()) return ShowMessage(ui::StatusText(st), true);
  if (state_.sync.status.logged_in) {
    sync_->RequestSync();
    ShowMessage(tr("The photo is being downloaded."), false);
  } else {
    ShowMessage(tr("The photo will be downloaded at the next sync: sign in under Settings."), false);
  }
  RefreshPhotoData();
}

void App::Handle(const SendPhotoNow& c) {
  if (Status st = store_->photos().SendNow(c.photo_id); !st.ok()) return ShowMessage(ui::StatusText(st), true);
  if (state_.sync.status.logged_in) {
    sync_->RequestSync();
    ShowMessage(tr("The photo is being sent."), false);
  } else {
    ShowMessage(tr("The photo will be sent at the next sync: sign in under Settings."), false);
  }
  RefreshPhotoData();
}

void App::Handle(const ExportPhotoFile& c) {
  const std::string dir = c.dir.empty() ? HomeDir() + "/Pictures/ccfield" : c.dir;
  Result<std::string> path = media::ExportPhoto(store_.get(), options_.env, c.photo_id, dir);
  if (!path.ok()) return ShowMessage(ui::StatusText(path.status()), true);
  ShowMessage(ui::Format(tr("Photo saved as {path}"), {{"path", *path}}), false);
}

void App::Handle(const SavePhotoSettings& c) {
  PhotoSettings s = c.settings;
  s.monthly_cap_mb = std::max<int64_t>(0, s.monthly_cap_mb);
  Result<std::vector<std::string>> gone = store_->photos().SaveSettings(s);
  if (!gone.ok()) return ShowMessage(ui::StatusText(gone.status()), true);
  // Originals already sent are let go when they are no longer kept.
  BlobFiles blobs(options_.env, store_->photos().BlobDir());
  for (const std::string& hash : *gone) (void)blobs.Remove(hash);
  RefreshPhotoData();
  if (state_.sync.status.logged_in) sync_->RequestSync();  // a wider rule may let photos move now
}

}  // namespace ccfield::app
