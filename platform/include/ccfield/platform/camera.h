#pragma once
// Camera: the seam through which a device's own camera takes a photo for a
// record. The desktop build has none (camera_none.cpp): people attach photo
// files instead. An Android build plugs its camera intent in here.
//
// Thread-safety: Available() and UnavailableReason() may be called from any
// thread; Capture() from one thread at a time (it blocks that thread).

#include <memory>
#include <optional>
#include <string>

namespace ccfield {

class Camera {
 public:
  virtual ~Camera() = default;

  // Whether Capture() can take a photo on this device now.
  virtual bool Available() const = 0;

  // When Available() is false, a sentence for the person holding the device
  // (what, and what to do instead); empty when the camera is available.
  virtual std::string UnavailableReason() const = 0;

  // Takes a photo: the JPEG bytes exactly as the camera wrote them (with
  // EXIF; the photo pipeline reads orientation, time and place from it and
  // strips it for the send copy). Blocks until the person took the photo or
  // cancelled. nullopt when no photo was taken, with a sentence in `*error`
  // (empty when the person cancelled); `error` may be null.
  virtual std::optional<std::string> Capture(std::string* error) = 0;
};

// The desktop's camera: Available() is false, UnavailableReason() is
// "This device has no camera ccfield can use; attach photos from files
// instead." and Capture() returns nullopt with that sentence.
std::unique_ptr<Camera> NewDesktopCamera();

}  // namespace ccfield
