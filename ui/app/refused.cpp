// The ways out of a record the server refused (issue 9): send it again, move
// it to another workspace, discard it on this device, or edit it.
#include <set>

#include "app/app.h"
#include "app/app_helpers.h"
#include "app/display.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

void App::RefreshRefused() {
  SyncScreenState& s = state_.sync;
  s.refused.clear();
  const std::set<std::string> demo = DemoWorkspaces(store_.get());
  for (const auto& [rec, status] : store_->screens().RefusedRecords(200).value_or({})) {
    RefusedItem item;
    item.type = rec.type;
    item.id = rec.id;
    item.title = RecordTitle(store_.get(), rec, FormLanguages());
    item.type_label = rec.type == RecordType::kVisit ? tr("Visit") : rec.type == RecordType::kSite ? tr("Site") : tr("Record");
    item.reason = status.reason;
    item.workspace_id = TextOf(rec, "workspace_id");
    item.demo_workspace = demo.count(item.workspace_id) > 0;
    if (rec.type == RecordType::kVisit) {
      item.site_id = TextOf(rec, "site_id");
      Result<Record> site = store_->Get(RecordType::kSite, item.site_id);
      item.site_name = site.ok() ? site->Title() : "";
    }
    s.refused.push_back(std::move(item));
  }
  s.move_targets.clear();
  for (const Record& w : ListLive(store_.get(), RecordType::kWorkspace, 1000).value_or({})) {
    if (!demo.count(w.id)) s.move_targets.emplace_back(w.id, w.Title());
  }
}

void App::Handle(const RetryRefusedRecord& c) {
  Result<CommitResult> r = store_->RetryRefused(c.type, c.id);
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  if (state_.site_form.open && state_.site_form.site_id == c.id) state_.site_form = {};
  ShowMessage(tr("It will be sent again with the next sync."), false);
  RefreshAfterDataChange();
  RefreshSync();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const MoveRefusedRecord& c) {
  Result<CommitResult> r = store_->MoveToWorkspace(c.type, c.id, c.workspace_id);
  if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
  Result<Record> ws = store_->Get(RecordType::kWorkspace, c.workspace_id);
  ShowMessage(ui::Format(tr("Moved to {workspace}. It will be sent with the next sync."),
                         {{"workspace", ws.ok() ? ws->Title() : c.workspace_id}}),
              false);
  RefreshAfterDataChange();
  RefreshSync();
  if (state_.sync.status.logged_in) sync_->RequestSync();
}

void App::Handle(const DiscardRefusedRecord& c) {
  Status st = store_->DiscardRefused(c.type, c.id);
  if (!st.ok()) return ShowMessage(ui::StatusText(st), true);
  if (state_.editor.open && state_.editor.visit_id == c.id) state_.editor = {};
  if (state_.sites.selected_id == c.id) state_.sites.selected_id.clear();
  ShowMessage(tr("The refused changes were discarded on this device."), false);
  RefreshAfterDataChange();
  RefreshSync();
}

void App::Handle(const EditRefusedRecord& c) {
  if (c.type == RecordType::kVisit) return OpenVisitEditor(c.id);
  if (c.type == RecordType::kSite) {
    RefreshSites();
    SelectSite(c.id);
    OpenSiteForm(c.id, false);
    state_.screen = Screen::kSites;
  }
}

}  // namespace ccfield::app
