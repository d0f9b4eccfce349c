// Settings' "Photos and data" (when photos move without asking, the monthly
// cap, keeping originals) and the Sync screen's data use this month.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "text/i18n.h"
#include "views/views.h"
#include "views/widgets.h"

namespace ccfield::views {

using ui::tr;

namespace {

// "0 B", "850 KB", "12.4 MB", "1.2 GB".
std::string Bytes(int64_t n) {
  char buf[32];
  if (n < 1000) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(n));
  } else if (n < 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.0f KB", static_cast<double>(n) / 1e3);
  } else if (n < 1000LL * 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(n) / 1e9);
  }
  return buf;
}

struct RuleText {
  PhotoRule rule;
  const char* name;
  const char* explanation;
};

}  // namespace

void DrawPhotoSettings(Frame& f) {
  const PhotoSettings& s = f.state.photo_data.settings;
  Heading(tr("Photos and data"));
  const RuleText rules[] = {
      {PhotoRule::kAlways, tr("Always"), tr("Photos are sent and fetched on any connection.")},
      {PhotoRule::kUnmetered, tr("On Wi-Fi"),
       tr("Photos move on Wi-Fi and other unmetered connections; on mobile data only thumbnails.")},
      {PhotoRule::kThumbnails, tr("Thumbnails only"),
       tr("Only small thumbnails move by themselves; a photo moves when you tap it.")},
      {PhotoRule::kNever, tr("Never by themselves"), tr("No photo moves until you ask; records still sync.")},
  };
  for (const RuleText& r : rules) {
    ImGui::PushID(static_cast<int>(r.rule));
    if (ChoiceButton(r.name, s.rule == r.rule, ImGui::GetFontSize() * 10)) {
      PhotoSettings next = s;
      next.rule = r.rule;
      f.out.push_back(app::SavePhotoSettings{next});
    }
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    HelpText(r.explanation);
    ImGui::PopID();
  }
  if (!f.ui.photo_settings_loaded || !ImGui::IsAnyItemActive()) {
    f.ui.photo_cap_mb = static_cast<int>(s.monthly_cap_mb);
    f.ui.photo_settings_loaded = true;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::InputInt(tr("Monthly limit for photos, MB (0 = no limit)"), &f.ui.photo_cap_mb, 10, 100);
  LogItem(tr("Monthly limit for photos, MB (0 = no limit)"));
  if (ImGui::IsItemDeactivatedAfterEdit() || (ImGui::IsItemEdited() && !ImGui::IsItemActive())) {
    PhotoSettings next = s;
    next.monthly_cap_mb = std::max(0, f.ui.photo_cap_mb);
    f.out.push_back(app::SavePhotoSettings{next});
  }
  bool keep = s.keep_originals;
  if (ImGui::Checkbox(tr("Keep the original photos on this device after they are sent"), &keep)) {
    PhotoSettings next = s;
    next.keep_originals = keep;
    f.out.push_back(app::SavePhotoSettings{next});
  }
  LogItem(tr("Keep the original photos on this device after they are sent"));
}

void DrawDataUse(Frame& f) {
  const app::PhotoDataState& d = f.state.photo_data;
  Heading(tr("Data used this month"));
  UserText(ui::Format(tr("Records: {up} sent, {down} received"),
                      {{"up", Bytes(d.usage.records_up)}, {"down", Bytes(d.usage.records_down)}}));
  UserText(ui::Format(tr("Photos: {up} sent, {down} received"),
                      {{"up", Bytes(d.usage.photos_up)}, {"down", Bytes(d.usage.photos_down)}}));
  if (d.settings.monthly_cap_mb > 0) {
    UserText(ui::Format(tr("Monthly limit for photos: {mb} MB"), {{"mb", std::to_string(d.settings.monthly_cap_mb)}}));
  }
  UserText(ui::trn("{count} photo waiting to be sent", "{count} photos waiting to be sent", d.waiting_up));
  if (d.waiting_down > 0) {
    UserText(
        ui::trn("{count} photo waiting to be downloaded", "{count} photos waiting to be downloaded", d.waiting_down));
  }
}

}  // namespace ccfield::views
