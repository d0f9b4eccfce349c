// Camera: the desktop has none ccfield can use, and says so in words.
#include "ccfield/platform/camera.h"

#include <doctest/doctest.h>

namespace ccfield {
namespace {

constexpr const char* kNoCamera = "This device has no camera ccfield can use; attach photos from files instead.";

TEST_CASE("The desktop camera is unavailable and says why") {
  std::unique_ptr<Camera> camera = NewDesktopCamera();
  REQUIRE(camera != nullptr);
  CHECK_FALSE(camera->Available());
  CHECK(camera->UnavailableReason() == kNoCamera);

  std::string error = "left over";
  CHECK_FALSE(camera->Capture(&error).has_value());
  CHECK(error == kNoCamera);
  CHECK_FALSE(camera->Capture(nullptr).has_value());  // a null error is allowed
}

}  // namespace
}  // namespace ccfield
