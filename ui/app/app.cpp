#include "app/app.h"

#include <filesystem>

#include "ccfield/core/import.h"
#include "ccfield/maps/demo_pack.h"
#include "ccfield/platform/network_info.h"
#include "text/i18n.h"

namespace ccfield::app {

Result<std::unique_ptr<App>> App::Open(AppOptions options) {
  std::unique_ptr<App> app(new App());
  CCF_RETURN_IF_ERROR(app->Init(std::move(options)));
  return app;
}

Status App::Init(AppOptions options) {
  options_ = std::move(options);
  std::error_code ec;
  // A folder made here is this user's only (0700); an existing one is left as it is.
  if (!options_.env->CreateDirs(options_.data_dir)) ec = std::make_error_code(std::errc::permission_denied);
  if (ec) return Status::IoError("cannot create the data folder " + options_.data_dir + ": " + ec.message());
  settings_ = LoadUiSettings(options_.data_dir + "/ui-settings.json");
  if (std::string problems = ui::SetLanguage(settings_.language); !problems.empty()) {
    options_.env->Log(LogLevel::kWarning, "message catalog " + settings_.language + ": " + problems);
  }

  StoreOptions so;
  so.path = options_.data_dir + "/ccfield.db";
  CCF_ASSIGN_OR_RETURN(store_, Store::Open(options_.env, so));
  if (options_.load_demo_on_first_start) {
    CCF_ASSIGN_OR_RETURN(bool first_start, store_->ShouldLoadDemo());
    if (first_start) {
      Result<ImportSummary> demo = LoadDemoData(store_.get(), options_.env);
      if (!demo.ok()) return demo.status().WithContext("loading the demo data");
      // The demo basemap goes with the demo data; without it the map only lacks streets.
      Result<bool> map = maps::InstallDemoPack(options_.env, options_.data_dir);
      if (!map.ok()) options_.env->Log(LogLevel::kWarning, "demo map pack: " + map.status().message());
    }
  }

  queue_ = std::make_unique<MainQueue>(options_.wake);
  sync::SyncClientOptions so_sync = options_.sync_options;
  if (!so_sync.link_metered) {  // tests choose their link; the app asks the system
    std::shared_ptr<NetworkInfo> network = NewNetworkManagerInfo();
    so_sync.link_metered = [network] { return network->Metered(); };
  }
  MainQueue* queue = queue_.get();
  so_sync.on_finished = [this, queue](const sync::SyncOutcome& outcome) {
    // On the sync thread: hand the outcome to the main thread.
    queue->Post([this, outcome] { OnSyncFinished(outcome); });
  };
  CCF_ASSIGN_OR_RETURN(sync_, sync::SyncClient::Open(options_.env, so.path, std::move(so_sync)));
  if (options_.background_sync) sync_->Start();
  images_ = std::make_unique<PhotoImages>(options_.env, store_->photos().BlobDir(), queue_.get());
  if (!options_.camera) options_.camera = NewDesktopCamera();
  StartLocation();  // position.cpp
  RefreshMapPacks();  // issue 13: the basemaps (map.cpp)

  RefreshSettings();
  RestoreDrafts();
  defer_sync_refresh_ = true;
  RefreshHome();
  defer_sync_refresh_ = false;
  RefreshPhotos();
  RefreshPhotoData();
  Changed();
  return Status::Ok();
}

App::~App() {
  StopLocation();  // no report may be posted once we are gone
  FlushDraft();
  if (sync_) sync_->Stop();
  if (login_thread_.joinable()) login_thread_.join();
  if (logout_thread_.joinable()) logout_thread_.join();
  if (images_) images_->Stop();
  if (queue_) queue_->Drain();  // a login result may still be waiting; it must not outlive us
}

void App::Apply(const Commands& commands) {
  for (const Command& c : commands) Apply(c);
}

void App::Apply(const Command& command) {
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, GoTo>) {
          GoToScreen(c.screen);
        } else if constexpr (std::is_same_v<T, OpenSite>) {
          if (state_.sites.all.empty()) RefreshSites();
          SelectSite(c.site_id);
          state_.screen = Screen::kSites;
        } else if constexpr (std::is_same_v<T, SetSiteFilter>) {
          state_.sites.filter = c.text;
          RefreshSites();
        } else if constexpr (std::is_same_v<T, OpenVisit>) {
          OpenVisitEditor(c.visit_id);
        } else if constexpr (std::is_same_v<T, OpenDraft>) {
          OpenDraftEditor(c.key);
        } else if constexpr (std::is_same_v<T, NewVisit>) {
          state_.new_visit = {};  // the new-visit flow ends in the editor
          NewVisitEditor(c.site_id, c.form_key);
        } else if constexpr (std::is_same_v<T, EditField>) {
          EditVisitField(c.field, c.value);
        } else if constexpr (std::is_same_v<T, SaveVisit>) {
          SaveVisitEditor(c.complete);
        } else if constexpr (std::is_same_v<T, CloseEditor>) {
          CloseVisitEditor(c.discard);
        } else if constexpr (std::is_same_v<T, SetVisitFilter>) {
          state_.visits.filter = c.filter;
          RefreshVisits();
        } else if constexpr (std::is_same_v<T, OpenHistory>) {
          state_.history = {};
          state_.history.record_id = c.record_id;
          state_.screen = Screen::kHistory;
          RefreshScreen(Screen::kHistory);
        } else if constexpr (std::is_same_v<T, OpenProject>) {
          Result<Record> r = store_->Get(RecordType::kProject, c.project_id);
          if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
          state_.library.open_project = *r;
          state_.library.open_practice.reset();
          VisitFilter f;
          f.project_id = c.project_id;
          f.limit = 500;
          state_.library.project_visits = store_->screens().VisitRows(f).value_or({});
          state_.screen = Screen::kLibrary;
        } else if constexpr (std::is_same_v<T, OpenPractice>) {
          Result<Record> r = store_->Get(RecordType::kPractice, c.practice_id);
          if (!r.ok()) return ShowMessage(ui::StatusText(r.status()), true);
          state_.library.open_practice = *r;
          state_.library.open_project.reset();
          state_.screen = Screen::kLibrary;
        } else if constexpr (std::is_same_v<T, SetLibrarySearch>) {
          state_.library.search = c.text;
          RefreshLibrary();
        } else if constexpr (std::is_same_v<T, ResolveConflict>) {
          Resolve(c.conflict_id, c.value);
        } else if constexpr (std::is_same_v<T, SyncNow>) {
          StartSync();
        } else if constexpr (std::is_same_v<T, Login>) {
          StartLogin(c);
        } else if constexpr (std::is_same_v<T, SetLanguage>) {
          settings_.language = c.code;
          RefreshFormLanguages();
          if (std::string problems = ui::SetLanguage(c.code); !problems.empty()) {
            options_.env->Log(LogLevel::kWarning, "message catalog " + c.code + ": " + problems);
          }
          (void)SaveUiSettings(options_.data_dir + "/ui-settings.json", settings_);
          RefreshSettings();
          RefreshScreen(state_.screen);  // texts built by the app (sentences) follow the language
        } else if constexpr (std::is_same_v<T, SetTextScale>) {
          settings_.text_scale = std::clamp(c.scale, kMinTextScale, kMaxTextScale);
          (void)SaveUiSettings(options_.data_dir + "/ui-settings.json", settings_);
          RefreshSettings();
        } else if constexpr (std::is_same_v<T, SetTheme>) {
          settings_.theme = c.theme;
          (void)SaveUiSettings(options_.data_dir + "/ui-settings.json", settings_);
          RefreshSettings();
        } else if constexpr (std::is_same_v<T, DismissMessage>) {
          state_.message.clear();
        } else {
          Handle(c);  // sites.cpp
        }
      },
      command);
  if (state_.editor.open && !std::holds_alternative<EditField>(command)) RefreshEditorStatus();
  // The photo strip follows the visit or site on screen (not on every keystroke).
  if (!std::holds_alternative<EditField>(command)) RefreshPhotos();
  if (state_.screen == Screen::kSettings || state_.screen == Screen::kSync) RefreshPhotoData();
  IndexSearchSoon();
  Changed();
}

void App::IndexSearchSoon() {
  constexpr int64_t kQuietMs = 1500;  // after the last command or sync
  // Nothing queued (most commands save nothing): no wake-up.
  if (Result<int64_t> queued = store_->search().IndexPending(0); queued.ok() && *queued == 0) {
    search_index_due_ms_ = 0;
    return;
  }
  search_index_due_ms_ = options_.env->MonoNanos() / 1'000'000 + kQuietMs;
  search_index_left_ = std::numeric_limits<int64_t>::max();
}

// One step: a few dozen records (~2-5 ms on a low-spec tablet), then the
// next frame; the queue empties within seconds of a sync of thousands.
void App::IndexSearchStep(int64_t now_ms) {
  if (search_index_due_ms_ == 0 || now_ms < search_index_due_ms_) return;
  constexpr int64_t kStepRecords = 32;
  constexpr int64_t kRetryMs = 10'000;  // a store that cannot be written now (busy, disk full, broken)
  Result<int64_t> left = store_->search().IndexPending(kStepRecords, /*wait_for_lock=*/false);
  if (!left.ok() && left.status().code() == Code::kBusy) {
    search_index_due_ms_ = now_ms + 1000;  // a sync is writing: after it
    return;
  }
  if (!left.ok()) options_.env->Log(LogLevel::kWarning, "search index: " + left.status().message());
  const bool progressed = left.ok() && *left < search_index_left_;
  search_index_left_ = left.ok() ? *left : 0;
  if (left.ok() && *left == 0) {
    search_index_due_ms_ = 0;
  } else {
    // Next turn of the loop while the queue shrinks; else try again later
    // rather than spin (nothing on screen changes either way).
    search_index_due_ms_ = progressed ? now_ms : now_ms + kRetryMs;
  }
}

bool App::Tick() {
  bool changed = queue_->Drain() > 0;
  if (sync_refresh_pending_) {
    sync_refresh_pending_ = false;
    RefreshSync();
    IndexSearchSoon();  // what the sync brought
    changed = true;
  }
  const int64_t now_ms = options_.env->MonoNanos() / 1'000'000;
  if (state_.sync.running && !state_.photos.items.empty() && now_ms - photos_refreshed_ms_ >= 500) {
    RefreshPhotos();  // "42 % sent" moves while a sync runs
    changed = true;
  }
  if (draft_due_ms_ != 0 && now_ms >= draft_due_ms_) {
    SaveDraftNow();
    changed = true;
  }
  if (UpdatePosition()) changed = true;  // position.cpp
  IndexSearchStep(now_ms);
  if (changed) Changed();
  return changed;
}

int64_t App::MillisUntilDue() const {
  if (sync_refresh_pending_) return 0;
  int64_t now = options_.env->MonoNanos() / 1'000'000;
  if (search_index_due_ms_ != 0) {
    const int64_t index_due = std::max<int64_t>(0, search_index_due_ms_ - now);
    const int64_t rest = MillisUntilDueExceptSearch(now);
    return rest < 0 ? index_due : std::min(rest, index_due);
  }
  return MillisUntilDueExceptSearch(now);
}

int64_t App::MillisUntilDueExceptSearch(int64_t now) const {
  // While "Use my position" waits, the fix age and the averaging count down once a second.
  const int64_t position_due = state_.position.active ? 1000 : -1;
  if (draft_due_ms_ == 0) return position_due;
  const int64_t draft_due = std::max<int64_t>(0, draft_due_ms_ - now);
  return position_due < 0 ? draft_due : std::min(draft_due, position_due);
}

void App::ShowMessage(std::string text, bool error) {
  state_.message = std::move(text);
  state_.message_is_error = error;
}

}  // namespace ccfield::app
