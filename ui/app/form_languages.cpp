// Issue 13 (languages): the language list form texts are picked with
// (PickLabel, core/forms.h): the UI language, then the default language of
// the workspace the record belongs to (French in a Moroccan municipality),
// then English.
#include <string>

#include "app/app.h"
#include "app/app_helpers.h"
#include "ccfield/core/forms.h"

namespace ccfield::app {
namespace {

// The text of `j`[key] when it is a string, else "".
std::string StringIn(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The default language of workspace `id`; "" when it names none or cannot be read.
std::string WorkspaceLanguage(Store* store, const std::string& id) {
  if (id.empty()) return "";
  Result<Record> w = store->Get(RecordType::kWorkspace, id);
  return w.ok() ? TextOf(*w, "default_language") : "";
}

// The default language that every workspace on the device naming one agrees
// on; "" when none names one or they differ (the demo mixes four countries).
std::string SharedWorkspaceLanguage(Store* store) {
  std::string shared;
  for (const Record& w : ListLive(store, RecordType::kWorkspace, 1000).value_or({})) {
    const std::string lang = TextOf(w, "default_language");
    if (lang.empty()) continue;
    if (!shared.empty() && lang != shared) return "";
    shared = lang;
  }
  return shared;
}

}  // namespace

std::string App::FormLanguages() const { return LabelLanguages(settings_.language, state_.home.workspace_language); }

std::string App::EditorFormLanguages(const EditorState& e) const {
  // A place typed in the new-visit flow names its workspace in its fields; a site in the store in its record.
  std::string workspace = StringIn(e.new_site, "workspace_id");
  if (workspace.empty()) {
    const std::string site_id = StringIn(e.values, "site_id");
    Result<Record> site =
        site_id.empty() ? Result<Record>(Status::NotFound("no site")) : store_->Get(RecordType::kSite, site_id);
    if (site.ok()) workspace = TextOf(*site, "workspace_id");
  }
  const std::string lang = WorkspaceLanguage(store_.get(), workspace);
  return LabelLanguages(settings_.language, lang.empty() ? state_.home.workspace_language : lang);
}

void App::RefreshFormLanguages() {
  state_.home.workspace_language = SharedWorkspaceLanguage(store_.get());
  state_.form_languages = FormLanguages();
  if (state_.editor.open) state_.editor.form_languages = EditorFormLanguages(state_.editor);
}

}  // namespace ccfield::app
