// Navigation, conflicts, sync and login: the commands that are not the editor.
#include "app/app.h"
#include "app/display.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

void App::GoToScreen(Screen screen) {
  if (screen == Screen::kEditor && !state_.editor.open) screen = Screen::kHome;
  if (state_.editor.open && state_.editor.dirty && screen != Screen::kEditor) SaveDraftNow();
  state_.screen = screen;
  state_.map.picking = false;  // issue 13: leaving for another screen ends picking on the map
  if (screen == Screen::kLibrary) {
    state_.library.open_project.reset();
    state_.library.open_practice.reset();
  }
  RefreshScreen(screen);
}

void App::Resolve(const std::string& conflict_id, const nlohmann::json& value) {
  // An ordinary edit: logged, synced, and shown in the record's history.
  Result<CommitResult> r = store_->replica().ResolveConflict(conflict_id, value);
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  ShowMessage(tr("Conflict resolved. The choice will be sent with the next sync."), false);
  RefreshConflicts();
  RefreshAfterDataChange();
  sync_->RefreshStatus();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::StartSync() {
  RefreshSync();
  if (!state_.sync.status.logged_in) {
    ShowMessage(tr("Sync is not set up yet: enter the server and your login in Settings."), true);
    GoToScreen(Screen::kSettings);
    return;
  }
  sync_->RequestSync();
  state_.sync.running = true;
  state_.sync.last_result = tr("Sync started…");
}

void App::OnSyncFinished(const sync::SyncOutcome& outcome) {
  const sync::SyncReport& r = outcome.report;
  if (outcome.status.ok()) {
    state_.sync.last_failure.clear();
    // Records, not field changes (issue 14): a new visit is one record sent, however many fields it has.
    state_.sync.last_result = ui::Format(tr("Sync finished. Sent: {sent}, received: {received}, conflicts: {conflicts}."),
                                           {{"sent", std::to_string(r.pushed_records.Total())},
                                            {"received", std::to_string(r.received_records.Total())},
                                            {"conflicts", std::to_string(r.conflicts)}});
    if (r.rejected > 0) {  // refused is never reported as sent
      state_.sync.last_result += ' ';
      state_.sync.last_result +=
          ui::trn("{count} change refused by the server.", "{count} changes refused by the server.", r.rejected);
    }
  } else {
    state_.sync.last_result = ui::Format(tr("Sync failed: {reason}"), {{"reason", ui::StatusText(outcome.status)}});
    state_.sync.last_failure = outcome.status.message();
  }
  // Removed from a workspace by an administrator: its records left this tablet; say so once (issue 10 #7).
  for (const std::string& ws : r.removed_workspaces) {
    const std::string said =
        ui::Format(tr("You were removed from the workspace {name}; its records were removed from this tablet."),
                   {{"name", ws}});
    state_.sync.last_result += "\n" + said;
    ShowMessage(said, false);
  }
  if (r.received > 0 || r.conflicts > 0 || r.pushed > 0 || r.rejected > 0 || !r.removed_workspaces.empty()) {
    // The sync client stored what it received through its own connection: forms that arrived are read here too.
    if (Status forms = store_->RefreshForms(); !forms.ok()) ShowMessage(ui::StatusText(forms), true);
    RefreshAfterDataChange();
    if (state_.screen == Screen::kConflicts) RefreshConflicts();
  }
  RefreshPhotos();  // photos sent, thumbnails and photos received
  RefreshPhotoData();
  RefreshSync();
}

void App::StartLogin(const Login& login) {
  if (state_.settings.login_running) return;
  if (login_thread_.joinable()) login_thread_.join();
  state_.settings.login_running = true;
  state_.settings.login_message = tr("Signing in…");
  // Login blocks on the network: run it off the main thread and post the result.
  login_thread_ = std::thread([this, login] {
    Result<sync::LoginResult> r = sync_->Login(login.server_url, login.username, login.password, "ccfield app");
    queue_->Post([this, r] {
      state_.settings.login_running = false;
      if (r.ok()) {
        state_.settings.login_message = tr("Signed in. Syncing now.");
        // A shared tablet: another person's unsent work stays theirs (issue 10 #5).
        if (std::string o = sync::OthersUnsentSentence(r->others_unsent); !o.empty()) {
          state_.settings.login_message += "\n" + o;
        }
        sync_->RequestSync();
        AfterLogin();  // sites.cpp: offers to remove the demo data
      } else {
        state_.settings.login_message = ui::StatusText(r.status());
      }
      RefreshSettings();
      RefreshSync();
    });
  });
}

}  // namespace ccfield::app
