// PhotoImages: the decoding thread behind the photo strip, the viewer and the
// picker; and the words of a photo's state.
#include <algorithm>

#include "app/photos.h"
#include "ccfield/core/blob_files.h"
#include "ccfield/media/photo_codec.h"
#include "ccfield/platform/env.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

namespace {

std::string Percent(int64_t done, int64_t size) {
  const int64_t p = size > 0 ? std::clamp<int64_t>(done * 100 / size, 0, 100) : 0;
  return std::to_string(p);
}

}  // namespace

std::string PhotoStateText(const PhotoRow& row) {
  switch (row.state) {
    case PhotoState::kWaiting:
      return tr("waiting");
    case PhotoState::kSending:
      return ui::Format(tr("{percent} % sent"), {{"percent", Percent(row.done, row.size)}});
    case PhotoState::kSent:
      return tr("sent");
    case PhotoState::kRefused:
      return ui::Format(tr("refused: {reason}"), {{"reason", row.error}});
    case PhotoState::kThumbnailOnly:
      return tr("only thumbnail here — tap to download");
    case PhotoState::kDownloading:
      return ui::Format(tr("downloading {percent} %"), {{"percent", Percent(row.done, row.size)}});
    case PhotoState::kHere:
      return tr("here");
    case PhotoState::kNothingHere:
      return tr("not on this device yet");
  }
  return "";
}

PhotoImages::PhotoImages(Env* env, std::string blob_dir, MainQueue* queue)
    : env_(env), blob_dir_(std::move(blob_dir)), queue_(queue) {
  thread_ = std::thread([this] { Run(); });
}

PhotoImages::~PhotoImages() { Stop(); }

void PhotoImages::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    waiting_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PhotoImages::Request(ImageRequest request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || !busy_.insert(request.key).second) return;
    waiting_.push_back(std::move(request));
    if (waiting_.size() > kMaxWaiting) {
      // Asked for long ago (scrolled away): the cache asks again if it is still on screen.
      DecodedImage dropped;
      dropped.key = waiting_.front().key;
      dropped.dropped = true;
      ready_.push_back(std::move(dropped));
      busy_.erase(waiting_.front().key);
      waiting_.pop_front();
    }
  }
  cv_.notify_one();
}

std::vector<DecodedImage> PhotoImages::TakeReady() {
  std::vector<DecodedImage> out;
  out.swap(ready_);
  return out;
}

void PhotoImages::Run() {
  for (;;) {
    ImageRequest r;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !waiting_.empty(); });
      if (stop_) return;
      r = std::move(waiting_.back());  // the newest: what is on the screen now
      waiting_.pop_back();
    }
    auto image = std::make_shared<DecodedImage>(Decode(r));
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_.erase(r.key);
      if (stop_) return;
    }
    // The main thread takes it over between frames (and draws again).
    queue_->Post([this, image] { ready_.push_back(std::move(*image)); });
  }
}

DecodedImage PhotoImages::Decode(const ImageRequest& r) const {
  DecodedImage out;
  out.key = r.key;
  std::string bytes, error;
  if (!r.blob.empty()) {
    if (blob_dir_.empty()) {
      out.error = tr("This device keeps no photos.");
      return out;
    }
    Result<std::string> read = BlobFiles(env_, blob_dir_).Read(r.blob);
    if (!read.ok()) {
      out.error = ui::StatusText(read.status());
      return out;
    }
    bytes = std::move(read).value();
  } else {
    std::optional<uint64_t> size = env_->FileSize(r.path, &error);
    if (size && *size > kMaxFileBytes) error = tr("the file is too large to preview");
    std::optional<std::string> read = error.empty() ? env_->ReadFile(r.path, &error) : std::nullopt;
    if (!read) {
      out.error = error;
      return out;
    }
    bytes = std::move(*read);
  }
  Result<media::RgbaImage> image = media::DecodeJpegToRgba(bytes, r.max_edge);
  if (!image.ok()) {
    out.error = ui::StatusText(image.status());
    return out;
  }
  out.width = image->width;
  out.height = image->height;
  out.pixels = std::move(image->pixels);
  return out;
}

}  // namespace ccfield::app
