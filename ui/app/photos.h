#pragma once
// Photos in the window (issue 12): the words a photo's state is shown in, and
// PhotoImages, which decodes photos for the screen on its own thread (the
// thumbnails of a strip, a photo in the viewer, the picker's files). The
// commands themselves are App methods (photos.cpp, photos_picker.cpp).
//
// Threads: PhotoImages' thread only reads files and decodes; it hands each
// result to the main thread through the MainQueue (which wakes the loop), so
// TakeReady() and everything else here run on the main thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/main_queue.h"
#include "ccfield/core/photo_store.h"

namespace ccfield {
class Env;
}

namespace ccfield::app {

// "waiting", "42 % sent", "sent", "refused: <reason>", "only thumbnail here —
// tap to download", "downloading 30 %", in the UI language.
std::string PhotoStateText(const PhotoRow& row);

// An image to decode: a blob (by hash) or a file (by path), shrunk so that
// its long edge is at most `max_edge` pixels.
struct ImageRequest {
  std::string key;  // names the result: the caller's cache key
  std::string blob;
  std::string path;
  int max_edge = 256;
};

struct DecodedImage {
  std::string key;
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // RGBA, rows top to bottom
  std::string error;            // why it cannot be shown; "" when decoded
  bool dropped = false;         // not decoded: too many waited (ask again if still wanted)
};

class PhotoImages {
 public:
  // Files larger than this are not read for a preview.
  static constexpr uint64_t kMaxFileBytes = 64ull << 20;
  // Requests waiting beyond this many drop the oldest (scrolled away).
  static constexpr size_t kMaxWaiting = 64;

  // `blob_dir`: BlobFiles' root ("" when the store keeps no photos). `env`
  // and `queue` must outlive this.
  PhotoImages(Env* env, std::string blob_dir, MainQueue* queue);
  ~PhotoImages();  // Stop()
  PhotoImages(const PhotoImages&) = delete;
  PhotoImages& operator=(const PhotoImages&) = delete;

  // Asks for an image; the newest request is decoded first (what is on the
  // screen now). Ignored while the same key waits or is being decoded.
  // Main thread (a request pushed out of the queue is reported as dropped).
  void Request(ImageRequest request);
  // The images decoded since the last call (main thread).
  std::vector<DecodedImage> TakeReady();
  // Waits for the image being decoded, then ends the thread; later requests
  // are ignored.
  void Stop();

 private:
  void Run();
  DecodedImage Decode(const ImageRequest& r) const;

  Env* env_;
  std::string blob_dir_;
  MainQueue* queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ImageRequest> waiting_;  // guarded by mu_
  std::set<std::string> busy_;        // keys waiting or decoding; guarded by mu_
  bool stop_ = false;                 // guarded by mu_
  std::vector<DecodedImage> ready_;   // main thread only
  std::thread thread_;
};

}  // namespace ccfield::app
