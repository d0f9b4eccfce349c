#include "text_deltas.h"

#include "ccfield/sync/text_delta.h"

namespace ccfield::sync {

Result<int> AddTextDeltas(SyncReplica* replica, const std::set<DeviceSeq>& send_whole,
                          std::vector<ChangeEntry>* pending) {
  int made = 0;
  for (ChangeEntry& c : *pending) {
    c.delta = nullptr;
    if (c.base <= 0 || !c.value.is_string() || send_whole.contains(c.device_seq)) continue;
    const std::string& value = c.value.get_ref<const std::string&>();
    if (value.size() < kMinDeltaValueBytes) continue;
    CCF_ASSIGN_OR_RETURN(std::optional<nlohmann::json> base, replica->ValueAtVersion(c.record_id, c.field, c.base));
    if (!base || !base->is_string()) continue;
    std::optional<nlohmann::json> delta = MakeTextDelta(base->get_ref<const std::string&>(), value);
    if (!delta) continue;
    c.delta = std::move(*delta);
    ++made;
  }
  return made;
}

Result<bool> RebuildPulledTexts(SyncReplica* replica, std::vector<FieldChange>* changes) {
  for (FieldChange& c : *changes) {
    if (c.delta.is_null()) continue;
    CCF_ASSIGN_OR_RETURN(std::optional<nlohmann::json> base, replica->ValueAtVersion(c.record_id, c.field, c.base));
    if (!base || !base->is_string()) return false;
    Result<std::string> whole = ApplyTextDelta(base->get_ref<const std::string&>(), c.delta);
    if (!whole.ok()) return false;
    c.value = std::move(whole).value();
    c.delta = nullptr;
    c.base = 0;
  }
  return true;
}

}  // namespace ccfield::sync
