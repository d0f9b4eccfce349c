// The visit editor: edits live in EditorState until saved; a draft of them is
// written to the store within kDraftDelayMs of the first unsaved edit, so
// typing survives a crash or power loss and is offered again on restart.
#include "app/app.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;
namespace {

using nlohmann::json;

const std::string kDraftPrefix = "visit:";

// The error for one edited value, "" when it fits.
std::string CheckValue(const FormDef* form, const std::string& field, const json& value) {
  if (field.rfind(kAnswersPrefix, 0) == 0) {
    const FormField* f = form ? form->Find(field.substr(kAnswersPrefix.size())) : nullptr;
    if (!f) return tr("This form has no such question.");
    if (value.is_null()) return "";
    Status st = ValidateAnswer(*f, value);
    return st.ok() ? "" : st.message();
  }
  Result<json> checked = CheckFieldValue(RecordType::kVisit, field, value);
  return checked.ok() ? "" : checked.status().message();
}

}  // namespace

std::string App::DraftKey() const { return kDraftPrefix + state_.editor.visit_id; }

void App::OpenVisitEditor(const std::string& visit_id) {
  if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
  Result<Record> rec = store_->Get(RecordType::kVisit, visit_id);
  if (!rec.ok()) return ShowMessage(rec.status().message(), true);
  EditorState e;
  e.open = true;
  e.visit_id = rec->id;
  e.values = rec->fields;
  const json& key = rec->Get("form");
  e.form = key.is_string() ? store_->FindForm(key.get<std::string>()) : nullptr;
  const json& site = rec->Get("site_id");
  if (site.is_string()) {
    Result<Record> s = store_->Get(RecordType::kSite, site.get<std::string>());
    e.site_name = s.ok() ? s->Title() : "";
  }
  if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
  state_.editor = std::move(e);
  draft_due_ms_ = 0;
  state_.screen = Screen::kEditor;
}

void App::NewVisitEditor(const std::string& site_id, const std::string& form_key) {
  if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
  Result<Record> site = store_->Get(RecordType::kSite, site_id);
  if (!site.ok()) return ShowMessage(site.status().message(), true);
  const FormDef* form = store_->FindForm(form_key);
  if (!form) return ShowMessage(ui::Format(tr("Unknown form {form}."), {{"form", form_key}}), true);
  EditorState e;
  e.open = true;
  e.is_new = true;
  e.visit_id = NewUuid(options_.env);
  e.site_name = site->Title();
  e.form = form;
  e.values = {{"site_id", site_id},
              {"form", form->key()},
              {"status", "draft"},
              {"started_at", FormatLocalWithOffset(options_.env->WallMillis())},
              {"answers", json::object()}};
  if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
  state_.editor = std::move(e);
  state_.screen = Screen::kEditor;
  // A new visit exists only as a draft until saved: write it at once.
  SaveDraftNow();
}

void App::EditVisitField(const std::string& field, const json& value) {
  EditorState& e = state_.editor;
  if (!e.open) return;
  if (field.rfind(kAnswersPrefix, 0) == 0) {
    std::string id = field.substr(kAnswersPrefix.size());
    if (!e.values["answers"].is_object()) e.values["answers"] = json::object();
    if (value.is_null()) {
      e.values["answers"].erase(id);
    } else {
      e.values["answers"][id] = value;
    }
  } else {
    e.values[field] = value;
  }
  std::string error = CheckValue(e.form, field, value);
  if (error.empty()) {
    e.errors.erase(field);
  } else {
    e.errors[field] = error;
  }
  e.dirty = true;
  e.last_field = field;
  e.message.clear();
  if (draft_due_ms_ == 0) draft_due_ms_ = options_.env->MonoNanos() / 1'000'000 + kDraftDelayMs;
}

void App::SaveDraftNow() {
  draft_due_ms_ = 0;
  EditorState& e = state_.editor;
  if (!e.open) return;
  json body = {{"visit_id", e.visit_id},
               {"is_new", e.is_new},
               {"values", e.values},
               {"site_name", e.site_name},
               {"last_field", e.last_field}};
  Status st = store_->SaveDraft(DraftKey(), body);
  if (!st.ok()) {
    // Keep the edits in memory and try again soon; say so.
    ShowMessage(ui::Format(tr("Could not save the draft: {error}"), {{"error", st.message()}}), true);
    draft_due_ms_ = options_.env->MonoNanos() / 1'000'000 + 5000;
    return;
  }
  e.draft_saved_at = FormatUtcMillis(options_.env->WallMillis());
}

void App::FlushDraft() {
  if (draft_due_ms_ != 0) SaveDraftNow();
}

void App::ListDrafts() {
  state_.home.unsaved_drafts.clear();
  for (const Draft& d : store_->Drafts().value_or({})) {  // newest first
    if (d.key.rfind(kDraftPrefix, 0) != 0 || !d.body.is_object()) continue;
    state_.home.unsaved_drafts.emplace_back(d.key, d.body.value("site_name", std::string()) + " · " +
                                                       sync::FormatSyncTime(d.saved_at));
  }
}

void App::OpenDraftEditor(const std::string& key) {
  auto drafts = store_->Drafts();
  if (!drafts.ok()) return ShowMessage(drafts.status().message(), true);
  for (const Draft& d : *drafts) {
    if (d.key != key || !d.body.is_object() || !d.body["values"].is_object()) continue;
    if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
    EditorState e;
    e.open = true;
    e.restored = true;
    e.dirty = true;
    e.visit_id = d.body.value("visit_id", std::string());
    e.is_new = d.body.value("is_new", true);
    e.values = d.body["values"];
    e.site_name = d.body.value("site_name", std::string());
    e.last_field = d.body.value("last_field", std::string());
    e.draft_saved_at = d.saved_at;
    const json& form = e.values["form"];
    e.form = form.is_string() ? store_->FindForm(form.get<std::string>()) : nullptr;
    if (!e.form || e.visit_id.empty()) break;
    if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
    state_.editor = std::move(e);
    state_.screen = Screen::kEditor;
    return;
  }
  ShowMessage(tr("This draft can no longer be opened."), true);
}

void App::RestoreDrafts() {
  ListDrafts();
  if (state_.home.unsaved_drafts.empty()) return;
  // After a crash or power cut the newest draft opens where the person left it.
  OpenDraftEditor(state_.home.unsaved_drafts.front().first);
  if (state_.editor.open) {
    editor_return_ = Screen::kHome;
    ShowMessage(tr("Your unsaved edits were restored."), false);
  }
}

void App::SaveVisitEditor(bool complete) {
  EditorState& e = state_.editor;
  if (!e.open || !e.form) return;
  json answers = e.values.value("answers", json::object());
  if (complete) {
    // Every shown required question must be answered before a visit is complete.
    for (const FormField& f : e.form->fields) {
      if (f.required && IsShown(*e.form, f, answers) && (!answers.contains(f.id) || answers[f.id].is_null())) {
        e.errors[std::string(kAnswersPrefix) + f.id] = tr("Required to complete the visit.");
      }
    }
  }
  if (!e.errors.empty()) {
    e.message = tr("Please correct the marked fields.");
    return;
  }
  json fields = json::object();
  Result<Record> stored = e.is_new ? Result<Record>(Status::NotFound("")) : store_->Get(RecordType::kVisit, e.visit_id);
  const json none;
  for (const auto& [k, v] : e.values.items()) {
    if (k == "answers" || k == "workspace_id") continue;
    if (stored.ok() && stored->Get(k) == v) continue;
    if (!stored.ok() && v.is_null()) continue;
    fields[k] = v;
  }
  json old_answers = stored.ok() ? stored->Get("answers") : json::object();
  if (!old_answers.is_object()) old_answers = json::object();
  for (const auto& [k, v] : answers.items()) {
    if (old_answers.contains(k) && old_answers[k] == v) continue;
    fields[std::string(kAnswersPrefix) + k] = v;
  }
  for (const auto& [k, v] : old_answers.items()) {
    if (!answers.contains(k)) fields[std::string(kAnswersPrefix) + k] = nullptr;
  }
  if (complete) fields["status"] = "complete";
  if (!fields.empty()) {
    Result<CommitResult> r = store_->Commit({SetFields{RecordType::kVisit, e.visit_id, fields}});
    if (!r.ok()) {
      e.message = r.status().message();
      return;
    }
  }
  (void)store_->DeleteDraft(DraftKey());
  draft_due_ms_ = 0;
  Result<Record> now = store_->Get(RecordType::kVisit, e.visit_id);
  if (now.ok()) e.values = now->fields;
  e.is_new = false;
  e.dirty = false;
  e.restored = false;
  e.message = complete ? tr("Saved and marked complete.") : tr("Saved.");
  RefreshAfterDataChange();
  if (state_.sync.status.logged_in) sync_->RequestSync();  // push soon; the client waits while offline
}

void App::CloseVisitEditor(bool discard) {
  EditorState& e = state_.editor;
  if (e.open) {
    if (discard) {
      (void)store_->DeleteDraft(DraftKey());
      draft_due_ms_ = 0;
    } else if (e.dirty) {
      SaveDraftNow();
      ShowMessage(tr("Unsaved edits are kept as a draft."), false);
    }
  }
  state_.editor = {};
  ListDrafts();
  GoToScreen(editor_return_ == Screen::kEditor ? Screen::kHome : editor_return_);
}

}  // namespace ccfield::app
