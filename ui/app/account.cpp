// The person's account on this device: after the first sign-in, the offer
// to remove the demo data; signing out (off the main thread).
#include "app/app.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

void App::AfterLogin() {
  // The first sign-in to a real server: offer to clear the demo away (only
  // demo records go; what was typed into real workspaces stays).
  state_.settings.offer_demo_removal = store_->HasDemoData().value_or(false);
}

void App::Handle(const RemoveDemoData&) {
  state_.settings.offer_demo_removal = false;
  Result<DemoRemoval> r = store_->RemoveDemoData();
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  int64_t n = 0;
  for (const auto& [type, count] : r->removed) n += count;
  if (state_.editor.open && !state_.editor.is_new && !store_->Get(RecordType::kVisit, state_.editor.visit_id).ok()) {
    state_.editor = {};
  }
  if (!state_.sites.selected_id.empty() && !store_->Get(RecordType::kSite, state_.sites.selected_id).ok()) {
    state_.sites.selected_id.clear();
  }
  ShowMessage(ui::trn("The demo data was removed ({count} record). Your own records were not touched.",
                      "The demo data was removed ({count} records). Your own records were not touched.", n),
              false);
  ListDrafts();
  RefreshSites();
  RefreshAfterDataChange();
}

void App::Handle(const KeepDemoData&) { state_.settings.offer_demo_removal = false; }

void App::Handle(const SignOut&) {
  if (state_.settings.logout_running || state_.settings.login_running) return;
  if (logout_thread_.joinable()) logout_thread_.join();
  state_.settings.logout_running = true;
  state_.settings.login_message = tr("Signing out…");
  // Telling the server blocks on the network: off the main thread, like login.
  logout_thread_ = std::thread([this] {
    Result<sync::LogoutResult> r = sync_->Logout();
    queue_->Post([this, r] {
      state_.settings.logout_running = false;
      RefreshSync();
      if (!r.ok()) {
        state_.settings.login_message = ui::StatusText(r.status());
      } else {
        const int64_t unsent = state_.sync.status.waiting + state_.sync.status.rejected;
        std::string text = ui::Format(tr("Signed out. Changes not yet sent stay on this device: {n}."),
                                      {{"n", std::to_string(unsent)}});
        if (r->was_logged_in && !r->revoked_on_server) {
          text += " " + ui::Format(tr("The server could not be told ({reason}); the login was forgotten on this "
                                      "device anyway."),
                                   {{"reason", r->server_problem}});
        }
        state_.settings.login_message = text;
      }
      RefreshSettings();
      RefreshSync();
    });
  });
}

}  // namespace ccfield::app
