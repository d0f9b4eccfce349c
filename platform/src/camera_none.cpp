// Camera on the desktop: there is none ccfield can use (camera.h). Laptops'
// webcams face the person, not the site; photos come from files.
#include "ccfield/platform/camera.h"

namespace ccfield {
namespace {

constexpr const char* kNoCamera = "This device has no camera ccfield can use; attach photos from files instead.";

class DesktopCamera final : public Camera {
 public:
  bool Available() const override { return false; }
  std::string UnavailableReason() const override { return kNoCamera; }
  std::optional<std::string> Capture(std::string* error) override {
    if (error) *error = kNoCamera;
    return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<Camera> NewDesktopCamera() { return std::make_unique<DesktopCamera>(); }

}  // namespace ccfield
