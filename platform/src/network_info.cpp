// The parts of network_info.h every platform shares: the NMMetered mapping
// and the NetworkInfo that never knows.
#include "ccfield/platform/network_info.h"

namespace ccfield {
namespace {

class UnknownNetworkInfo final : public NetworkInfo {
 public:
  LinkMetered Metered() override { return LinkMetered::kUnknown; }
};

}  // namespace

LinkMetered LinkMeteredFromNm(uint32_t nm_metered) {
  switch (nm_metered) {
    case 1:  // NM_METERED_YES
    case 3:  // NM_METERED_GUESS_YES
      return LinkMetered::kMetered;
    case 2:  // NM_METERED_NO
    case 4:  // NM_METERED_GUESS_NO
      return LinkMetered::kUnmetered;
    default:  // NM_METERED_UNKNOWN, or a value NetworkManager does not define
      return LinkMetered::kUnknown;
  }
}

std::unique_ptr<NetworkInfo> NewUnknownNetworkInfo() { return std::make_unique<UnknownNetworkInfo>(); }

}  // namespace ccfield
