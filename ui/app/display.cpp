#include "app/display.h"

#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

std::string FieldLabel(Store* store, const Record* record, const std::string& field, const std::string& lang) {
  if (field.rfind(kAnswersPrefix, 0) == 0 && record) {
    const nlohmann::json& key = record->Get("form");
    const FormDef* form = key.is_string() ? store->FindForm(key.get<std::string>()) : nullptr;
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (f) return PickLabel(f->label, lang);
  }
  static const std::pair<const char*, const char*> kLabels[] = {
      {"notes", ui::N_("Notes")},
      {"status", ui::N_("Status")},
      {"started_at", ui::N_("Started")},
      {"ended_at", ui::N_("Ended")},
      {"site_id", ui::N_("Site")},
      {"project_id", ui::N_("Project")},
      {"condition_rating", ui::N_("Condition")},
      {"weather", ui::N_("Weather")},
      {"follow_up_needed", ui::N_("Follow-up needed")},
      {"follow_up_action", ui::N_("Follow-up action")},
      {"follow_up_priority", ui::N_("Follow-up priority")},
      {"follow_up_due", ui::N_("Follow-up due")},
      {"sdg_targets", ui::N_("SDG targets")},
      {"gps_lat", ui::N_("Latitude")},
      {"gps_lon", ui::N_("Longitude")},
      {"gps_accuracy_m", ui::N_("Accuracy (m)")},
      {"gps_source", ui::N_("Position source")},
      {"name", ui::N_("Name")},
      {"title", ui::N_("Title")},
      {"summary", ui::N_("Summary")},
      {"_deleted", ui::N_("Deleted")},
  };
  for (const auto& [name, label] : kLabels) {
    if (field == name) return tr(label);
  }
  return field;
}

std::string ValueText(Store* store, const Record* record, const std::string& field, const nlohmann::json& value,
                      const std::string& lang) {
  if (value.is_null()) return tr("(empty)");
  if (field.rfind(kAnswersPrefix, 0) == 0 && record) {
    const nlohmann::json& key = record->Get("form");
    const FormDef* form = key.is_string() ? store->FindForm(key.get<std::string>()) : nullptr;
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (f) return FormatAnswer(*f, value, lang);
  }
  if (field == "condition_rating" && value.is_string()) return ConditionText(value.get<std::string>());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? tr("yes") : tr("no");
  if (value.is_array()) {
    std::string out;
    for (const auto& v : value) {
      if (!out.empty()) out += ", ";
      out += v.is_string() ? v.get<std::string>() : v.dump();
    }
    return out;
  }
  return value.dump();
}

std::string ConditionText(const std::string& rating) {
  if (rating == "0") return tr("0 · good");
  if (rating == "1") return tr("1 · minor issues");
  if (rating == "2") return tr("2 · needs repair");
  if (rating == "3") return tr("3 · critical");
  if (rating == "na") return tr("not applicable");
  if (rating == "ni") return tr("not inspected");
  return rating;
}

std::string VisitRowTitle(const VisitRow& row) {
  std::string when = row.started_at.substr(0, 16);
  if (when.size() > 10) when[10] = ' ';
  return row.site_name + " · " + when;
}

std::string SyncSentence(const sync::SyncStatus& s) {
  if (!s.logged_in) return tr("Sync is not set up: everything is kept on this device. Add a server in Settings.");
  std::string out;
  if (s.running) {
    out = tr("Syncing now…");
  } else if (s.waiting == 0) {
    out = tr("Everything is sent.");
  } else {
    out = ui::Format(tr("Changes waiting to be sent: {n}."), {{"n", std::to_string(s.waiting)}});
  }
  out += " ";
  if (s.last_ok.empty()) {
    out += tr("Never synced yet.");
  } else {
    out += ui::Format(tr("Last successful sync: {time}."), {{"time", sync::FormatSyncTime(s.last_ok)}});
  }
  if (!s.blocked_by.empty()) {
    out += " ";
    out += ui::Format(tr("Sync blocked: {reason}."), {{"reason", s.blocked_by}});
  }
  if (s.rejected > 0) {
    out += " ";
    out += ui::Format(tr("Changes refused by the server: {n}."), {{"n", std::to_string(s.rejected)}});
  }
  return out;
}

}  // namespace ccfield::app
