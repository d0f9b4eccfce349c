// The visit editor: edits live in EditorState until saved; a draft of them is
// written to the store within kDraftDelayMs of the first unsaved edit, so
// typing survives a crash or power loss and is offered again on restart.
#include "app/app.h"
#include "app/display.h"
#include "ccfield/core/geo.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;
namespace {

using nlohmann::json;

const std::string kDraftPrefix = "visit:";

// The problem with one edited value, in words naming the field; "" when it fits.
std::string CheckValue(const FormDef* form, const std::string& field, const json& value, const std::string& lang) {
  return VisitValueProblem(form, field, value, lang);
}

// The follow-up details a visit marked "follow-up: yes" needs before it is complete.
constexpr const char* kFollowUpDetails[] = {"follow_up_priority", "follow_up_due", "follow_up_action"};

bool IsBlank(const json& v) { return v.is_null() || (v.is_string() && v.get<std::string>().empty()); }

// The site's position and the visit's distance from it: a far position gets
// a warning (never an error: the site may be large, or the fix poor).
void UpdateDistance(EditorState* e) {
  e->far_from_site.clear();
  e->position_warnings.clear();
  const json lat = e->values.value("gps_lat", json()), lon = e->values.value("gps_lon", json());
  const json acc = e->values.value("gps_accuracy_m", json());
  if (lat.is_number() && lon.is_number()) {
    e->position_warnings = PositionWarningTexts(acc.is_number() ? acc.get<double>() : -1, e->fix_age_ms);
  }
  if (!e->site_has_position || !lat.is_number() || !lon.is_number()) return;
  const double la = lat.get<double>(), lo = lon.get<double>();
  if (la < -90 || la > 90 || lo < -180 || lo > 180) return;
  e->far_from_site = FarFromSiteText(DistanceMeters({la, lo}, {e->site_lat, e->site_lon}));
}

// What every editor needs besides the visit's values: today's date for the
// date pickers, the site's position for the distance warning.
void PrepareEditor(Store* store, Env* env, EditorState* e) {
  e->today = FormatLocalWithOffset(env->WallMillis()).substr(0, 10);
  const json& site = e->values.contains("site_id") ? e->values["site_id"] : json();
  if (site.is_string()) {
    Result<Record> s = store->Get(RecordType::kSite, site.get<std::string>());
    if (s.ok() && s->Get("lat").is_number() && s->Get("lon").is_number()) {
      e->site_has_position = true;
      e->site_lat = s->Get("lat").get<double>();
      e->site_lon = s->Get("lon").get<double>();
    }
  }
  UpdateDistance(e);
}

}  // namespace

std::string App::DraftKey() const { return kDraftPrefix + state_.editor.visit_id; }

void App::OpenVisitEditor(const std::string& visit_id) {
  if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
  Result<Record> rec = store_->Get(RecordType::kVisit, visit_id);
  if (!rec.ok()) return ShowMessage(ui::StatusText(rec.status()), true);
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
  PrepareEditor(store_.get(), options_.env, &e);
  if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
  e.form_languages = EditorFormLanguages(e);
  state_.editor = std::move(e);
  draft_due_ms_ = 0;
  state_.screen = Screen::kEditor;
}

void App::NewVisitEditor(const std::string& site_id, const std::string& form_key) {
  if (state_.editor.open && state_.editor.dirty) SaveDraftNow();
  Result<Record> site = store_->Get(RecordType::kSite, site_id);
  if (!site.ok()) return ShowMessage(ui::StatusText(site.status()), true);
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
  PrepareEditor(store_.get(), options_.env, &e);
  if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
  e.form_languages = EditorFormLanguages(e);
  state_.editor = std::move(e);
  state_.screen = Screen::kEditor;
  // No draft yet: a form opened and closed untouched leaves nothing behind.
  // The first edit writes one within kDraftDelayMs.
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
  std::string error = CheckValue(e.form, field, value, e.form_languages);
  if (error.empty()) {
    e.errors.erase(field);
  } else {
    e.errors[field] = error;
  }
  if (field == "follow_up_needed" && value != true) {
    for (const char* k : kFollowUpDetails) e.errors.erase(k);  // no longer needed
  }
  if ((field == "gps_lat" || field == "gps_lon") && !setting_position_) {
    // Typed by the person (issue 13): the source says so, and a GPS accuracy
    // no longer describes the position.
    const json old_source = e.values.value("gps_source", json());
    if (old_source == "gps" || old_source == "map_pick") e.values["gps_accuracy_m"] = nullptr;
    const bool none = IsBlank(e.values.value("gps_lat", json())) && IsBlank(e.values.value("gps_lon", json()));
    e.values["gps_source"] = none ? json() : json("typed");
    e.fix_age_ms = -1;
  }
  if (field == "gps_accuracy_m") UpdateDistance(&e);
  if (field == "gps_lat" || field == "gps_lon") {
    // "Enter both" is settled once both are there or both are gone.
    if (IsBlank(e.values.value("gps_lat", json())) == IsBlank(e.values.value("gps_lon", json()))) {
      for (const char* k : {"gps_lat", "gps_lon"}) {
        if (e.errors.count(k) && k != field &&
            CheckValue(e.form, k, e.values.value(k, json()), e.form_languages).empty()) {
          e.errors.erase(k);
        }
      }
    }
    UpdateDistance(&e);
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
               {"last_field", e.last_field},
               {"new_site_id", e.new_site_id},
               {"new_site", e.new_site}};
  Status st = store_->drafts().Save(DraftKey(), body);
  if (!st.ok()) {
    // Keep the edits in memory and try again soon; say so.
    ShowMessage(ui::Format(tr("Could not save the draft: {error}"), {{"error", ui::StatusText(st)}}), true);
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
  for (const Draft& d : store_->drafts().List().value_or({})) {  // newest first
    if (d.key.rfind(kDraftPrefix, 0) != 0 || !d.body.is_object()) continue;
    state_.home.unsaved_drafts.emplace_back(d.key, d.body.value("site_name", std::string()) + " · " +
                                                       sync::FormatSyncTime(d.saved_at));
  }
}

void App::OpenDraftEditor(const std::string& key) {
  auto drafts = store_->drafts().List();
  if (!drafts.ok()) return ShowMessage(ui::StatusText(drafts.status()), true);
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
    e.new_site_id = d.body.value("new_site_id", std::string());
    e.new_site = d.body.value("new_site", json());
    e.draft_saved_at = d.saved_at;
    const json& form = e.values["form"];
    e.form = form.is_string() ? store_->FindForm(form.get<std::string>()) : nullptr;
    if (!e.form || e.visit_id.empty()) break;
    PrepareEditor(store_.get(), options_.env, &e);
    if (state_.screen != Screen::kEditor) editor_return_ = state_.screen;
    e.form_languages = EditorFormLanguages(e);
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
  // What only completing needs is asked again on each save: a plain save of
  // an unfinished visit is never blocked by it.
  for (auto it = e.errors.begin(); it != e.errors.end();) {
    const bool for_completion = it->second == tr("Required to complete the visit.") ||
                                it->second == tr("Needed to complete a visit with a follow-up.");
    it = for_completion ? e.errors.erase(it) : std::next(it);
  }
  if (complete) {
    // Every shown required question must be answered before a visit is complete.
    for (const FormField& f : e.form->fields) {
      if (f.required && IsShown(*e.form, f, answers) && (!answers.contains(f.id) || answers[f.id].is_null())) {
        e.errors[std::string(kAnswersPrefix) + f.id] = tr("Required to complete the visit.");
      }
    }
  }
  // Half a position cannot be stored (core refuses it): say which half is missing.
  const bool no_lat = IsBlank(e.values.value("gps_lat", json())), no_lon = IsBlank(e.values.value("gps_lon", json()));
  if (no_lat != no_lon) e.errors[no_lat ? "gps_lat" : "gps_lon"] = tr("Enter both latitude and longitude, or neither.");
  if (complete && e.values.value("follow_up_needed", json()) == true) {
    // A follow-up someone has to act on says how urgent it is, by when, and what to do.
    for (const char* k : kFollowUpDetails) {
      if (IsBlank(e.values.value(k, json())) && !e.errors.count(k)) {
        e.errors[k] = tr("Needed to complete a visit with a follow-up.");
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
    std::vector<Op> ops;
    // A place typed in the new-visit flow is created with the visit (sites.cpp).
    if (!e.new_site_id.empty()) ops.push_back(SetFields{RecordType::kSite, e.new_site_id, e.new_site});
    ops.push_back(SetFields{RecordType::kVisit, e.visit_id, fields});
    Result<CommitResult> r = store_->Commit(ops);
    if (!r.ok()) {
      e.message = ui::StatusText(r.status());
      return;
    }
  }
  (void)store_->drafts().Delete(DraftKey());
  draft_due_ms_ = 0;
  e.new_site_id.clear();
  e.new_site = nullptr;
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
      (void)store_->drafts().Delete(DraftKey());
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

void App::RefreshEditorStatus() {
  const EditorState& e = state_.editor;
  if (e.is_new) {
    state_.editor_status = {RecordState::kDraft, ""};
    return;
  }
  state_.editor_status = store_->screens().RecordStateOf(RecordType::kVisit, e.visit_id).value_or(RecordStatus{});
}

}  // namespace ccfield::app
