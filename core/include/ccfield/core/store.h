#pragma once
// Store: the local SQLite file holding records, forms and the change log.
//
// Durability: WAL with synchronous=FULL; a Commit that returned ok survives a
// crash or power loss. Record edits go through Commit(), which applies the
// ops and writes one change-log entry per changed field in one BEGIN IMMEDIATE
// transaction, keeping the search index in step. Every write (Commit, sync,
// drafts, settings, forms) runs in an sql::Txn (core/sqlite_txn.h).
//
// Thread-safety: one Store per thread (SQLite connection). Several processes
// may open the same file; writers wait up to the busy timeout.
//
// After a commit whose outcome is unknown (an I/O error during COMMIT) in any
// write path (Commit, ApplySyncBatch, ResolveConflict, ...), the store refuses
// further writes with kReadOnly until it is reopened; reads keep working.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/change.h"
#include "ccfield/core/forms.h"
#include "ccfield/core/records.h"
#include "ccfield/core/replica.h"
#include "ccfield/core/status.h"
#include "ccfield/core/uuid.h"

namespace ccfield {

class Env;
namespace sql {
class Db;
}

struct Record {
  RecordType type = RecordType::kVisit;
  std::string id;
  // Field -> value. Visits keep their answers under "answers" as an object.
  nlohmann::json fields = nlohmann::json::object();
  bool deleted = false;
  std::string created_at;  // device time of the first change (ISO UTC)
  std::string updated_at;  // device time of the latest change

  std::string Title() const;
  // The field's value or null.
  const nlohmann::json& Get(std::string_view field) const;
};

struct StoreOptions {
  std::string path;          // the SQLite file; created if missing
  std::string vfs;           // tests: a fault-injecting VFS name
  int busy_timeout_ms = 5000;
};

struct ListQuery {
  RecordType type = RecordType::kVisit;
  std::optional<std::string> site_id;     // visits
  std::optional<std::string> project_id;  // visits
  std::optional<std::string> workspace_id;
  std::optional<std::string> form_id;     // visits: form id without version
  bool include_deleted = false;
  bool only_deleted = false;
  int limit = 200;
  int offset = 0;
};

struct SearchQuery {
  std::string text;
  std::optional<RecordType> type;  // restrict to one record type
  int limit = 20;
};

struct SearchHit {
  RecordType type;
  std::string id;
  std::string title;
  std::string snippet;  // matching text with hits marked by [ and ]
  double rank;          // bm25: lower is better
};

// Visit filters for list screens (all optional; dates compare the local
// calendar day of started_at, YYYY-MM-DD).
struct VisitFilter {
  std::optional<std::string> site_id;
  std::optional<std::string> project_id;
  std::optional<std::string> form_id;          // without version
  std::optional<std::string> from_date, to_date;
  std::optional<std::string> follow_up_priority;  // "P1".."P3": open follow-ups of that priority
  std::optional<RecordState> state;               // only visits in this state (Home's lists)
  int limit = 100000;
};

// One line of a visit list: what a list row shows, without the answers.
struct VisitRow {
  std::string id;
  std::string started_at;
  std::string status;
  std::string site_id, site_name;
  std::string project_id;
  std::string form;
  std::string condition_rating;
  bool follow_up_needed = false;
  std::string follow_up_priority, follow_up_due;
  std::string notes_head;  // the notes' first line, at most ~100 bytes (UTF-8 kept whole)
  RecordStatus sync;       // sent, waiting, draft, refused (with reason), conflict, demo
};

// An unsaved editor state, kept outside the change log (never synced) so
// typing survives a crash; the UI owns the body's shape.
struct Draft {
  std::string key;  // e.g. "visit:<id>"
  nlohmann::json body;
  std::string saved_at;  // device time, ISO UTC
};

// What needs a person's attention on the home screen.
struct AttentionList {
  std::vector<Record> follow_ups;  // open follow-ups, soonest due first (P1 before P2 on a tie)
  std::vector<Record> drafts;      // visits still in progress (status draft), newest first
};

struct CommitOptions {
  // The records this commit creates are demo data (LoadDemoData): kept on
  // this device, never sent, removed by RemoveDemoData.
  bool demo = false;
};

struct CommitResult {
  int64_t first_seq = 0;  // change-log seq range written; empty when nothing changed
  int64_t last_seq = -1;
  int changed_fields = 0;
};

// A site about to be saved, checked for near-duplicates (Store::SimilarSites).
struct SiteCandidate {
  std::string name, kind;
  std::optional<double> lat, lon;
  std::string workspace_id;  // only sites of this workspace ("" = all)
  std::string exclude_id;    // the site being edited
};

// A site that may be the same place: "Is it one of these?"
struct SimilarSite {
  std::string id, name, kind;
  std::optional<double> distance_m;  // when both have a position
  bool same_name = false;            // equal ignoring case, accents and punctuation
  bool near_same_kind = false;       // same kind within kSimilarSiteMeters
};
inline constexpr double kSimilarSiteMeters = 50;

inline constexpr int kSchemaVersion = 8;

class Store {
 public:
  // Opens (creating and migrating if needed) the store at options.path.
  // Errors: kCorrupt for a damaged or foreign file, kBusy, kIoError, kDiskFull.
  static Result<std::unique_ptr<Store>> Open(Env* env, const StoreOptions& options);
  ~Store();

  const std::string& device_id() const { return device_id_; }
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

  // The author attributed to local writes from now on.
  void SetAuthor(std::string author) { author_ = std::move(author); }
  const std::string& author() const { return author_; }

  // Applies `ops` and their change-log entries in one transaction: all or
  // nothing. Validates every op first (types, sizes, UTF-8, references, form
  // answers) and writes nothing on error.
  //
  // Demo data (see the demo section below): a record created in a demo
  // workspace, or by a commit with options.demo, is demo data and its
  // change-log entries are never sent. Moving a record into or out of a demo
  // workspace is refused (kInvalidArgument).
  Result<CommitResult> Commit(const std::vector<Op>& ops);
  Result<CommitResult> Commit(const std::vector<Op>& ops, const CommitOptions& options);

  // The record, including tombstoned ones; kNotFound when absent.
  Result<Record> Get(RecordType type, const std::string& id);
  // Finds a record of any type by id (or unique id prefix of >= 6 chars).
  Result<Record> FindAny(const std::string& id_or_prefix);

  Result<std::vector<Record>> List(const ListQuery& query);
  Result<int64_t> Count(RecordType type, bool include_deleted = false);

  // Open follow-ups and drafts, at most `limit` of each.
  Result<AttentionList> Attention(int limit);

  // Visit list rows, newest first, filtered.
  Result<std::vector<VisitRow>> VisitRows(const VisitFilter& filter);
  // The condition rating of each site's latest visit that has one (site id -> "0".."3", "na", "ni").
  Result<std::vector<std::pair<std::string, std::string>>> LatestSiteConditions();

  // Live sites that may be the same place as `candidate`, nearest first.
  // A warning for people, never a rule: saving is not blocked.
  Result<std::vector<SimilarSite>> SimilarSites(const SiteCandidate& candidate);

  // Editor drafts (survive crashes; not part of sync). Saving is durable.
  Status SaveDraft(const std::string& key, const nlohmann::json& body);
  Status DeleteDraft(const std::string& key);
  Result<std::vector<Draft>> Drafts();

  // Full-text search over visits (notes and answers), sites, projects and
  // good practices; ranked; snippets. Case- and accent-insensitive.
  Result<std::vector<SearchHit>> Search(const SearchQuery& query);

  // Every change of the record, oldest first.
  Result<std::vector<ChangeEntry>> History(const std::string& record_id);
  // Change-log entries with seq > after_seq, oldest first (sync reads this).
  Result<std::vector<ChangeEntry>> ChangesAfter(int64_t after_seq, int limit);

  // Forms known to this store (built-in plus imported), every version.
  // A deque: forms are only ever appended, so a FormDef* taken from here (the
  // editor keeps one) stays valid across RefreshForms().
  const std::deque<FormDef>& forms() const { return forms_; }
  // Adds the forms another connection of this file stored since they were
  // read here (the sync client runs its own Store): the window calls it when a
  // sync brought changes, so a form that arrived by sync is offered at once.
  Status RefreshForms();
  const FormDef* FindForm(std::string_view key) const;
  // Adds a new form version; an existing id@version must be identical.
  Status AddForm(const FormDef& form);

  // ---- Sync support (docs/sync-protocol.md) ----
  // Own changes waiting or sent, oldest first.
  Result<std::vector<ChangeEntry>> PendingChanges(int limit);
  // Marks own changes as sent (in a request whose answer has not come).
  Status MarkSent(int64_t first_device_seq, int64_t last_device_seq);
  // Applies a sync round trip in one transaction: acks and rejections update
  // change states; remote changes update records (a field with an unsent local
  // edit keeps the local value), history and field versions; conflicts are
  // stored; the cursor moves. Re-applying the same batch changes nothing.
  Status ApplySyncBatch(const SyncBatch& batch);
  Result<ChangeStateCounts> CountChangeStates();
  // Own changes in one state (e.g. rejected, with their reasons), newest first.
  Result<std::vector<std::pair<ChangeEntry, std::string>>> ChangesInState(ChangeState state, int limit);
  Result<std::vector<FieldConflict>> Conflicts(bool open_only);
  // Resolves a conflict by an ordinary edit that writes `value` to the field
  // (logged even when the value is unchanged, so the server learns of it).
  Result<CommitResult> ResolveConflict(const std::string& conflict_id, const nlohmann::json& value);
  // The token is not in the file: it is kept with platform/credentials.h
  // under a key of this file's path and device id (a copy elsewhere is signed
  // out). Saving a non-empty user name gives that account the changes made
  // while nobody had signed in on this device.
  Result<SyncSettings> GetSyncSettings();
  Status SaveSyncSettings(const SyncSettings& settings);

  // ---- A shared device: several accounts (docs/store.md, "Accounts") ----
  // Each own change belongs to the account signed in when it was made; a sync
  // sends only the current account's (PendingChanges).
  // Saves the workspaces `account` is a member of, as the server said (login
  // or sync answer). From then on, while `account` is the saved user, records
  // of other workspaces are not shown (List, VisitRows, Attention, Search,
  // Get, FindAny) except those with the account's own unsent or refused
  // changes; the library and the demo stay visible.
  Status SaveMemberships(const std::string& account, const std::vector<std::pair<std::string, std::string>>& ws);
  // A workspace the saved user was a member of and the server no longer
  // lists (removed): once none of its records has unsent or refused changes
  // (those are refused by the server and wait for the person to move or
  // discard them), and no other account of this device is a member, its
  // local records, history and search entries are removed. Returns the names
  // of the workspaces removed now (each once, to tell the person).
  Result<std::vector<std::string>> DropLeftWorkspaces();
  // Unsent own changes (waiting or sent) of accounts other than the saved
  // user, per account name, most first.
  Result<std::vector<std::pair<std::string, int64_t>>> UnsentOfOtherAccounts();
  // Whether the saved user may see a record of workspace `workspace_id`
  // (false for a workspace hidden by SaveMemberships' rule unless the record
  // carries the user's own unsent work).
  Result<bool> Visible(const std::string& workspace_id, const std::string& record_id);

  // ---- What a person sees of each record (replica.h, RecordState) ----
  // The state of every record of `type` that is not plainly "sent": id ->
  // status. Reads only the unsent part of the change log (by index), so it
  // is cheap when the device is in sync. Visit drafts are not included
  // (VisitRows and CountRecordStates add them from the visit's status).
  Result<std::map<std::string, RecordStatus>> RecordStates(RecordType type);
  // One record's status (a visit's draft state included).
  Result<RecordStatus> RecordStateOf(RecordType type, const std::string& id);
  // Live (not deleted) records of `type` per state, as Home shows them.
  Result<RecordStateCounts> CountRecordStates(RecordType type);
  // Records with refused changes, newest refusal first: the ways out below
  // take their ids.
  Result<std::vector<std::pair<Record, RecordStatus>>> RefusedRecords(int limit);
  // Sends the record's refused changes again: its current values are logged
  // as new changes (the whole record when the server never accepted it) and
  // the refused entries become kSuperseded. For use after the cause was fixed
  // (edited, moved to another workspace, membership restored).
  Result<CommitResult> RetryRefused(RecordType type, const std::string& id);
  // Moves a site (with its visits) or a visit to `workspace_id`, then
  // retries whatever the server had refused of them: one transaction.
  Result<CommitResult> MoveToWorkspace(RecordType type, const std::string& id, const std::string& workspace_id);
  // Gives up the record's refused changes on this device. A record the server
  // never accepted is removed from this device (a site with the visits the
  // server never accepted either; kConflict when one of its visits is on the
  // server); otherwise each refused field goes back to the server's value.
  // Nothing is sent; the refused entries become kSuperseded.
  Status DiscardRefused(RecordType type, const std::string& id);

  // ---- The demo data set: local only, never synced ----
  // True for an empty store whose owner has not removed or declined the demo
  // (first start of the window loads it; `ccfield init` declines it).
  Result<bool> ShouldLoadDemo();
  Status DeclineDemo();
  Result<bool> HasDemoData();
  Result<bool> IsDemo(const std::string& record_id);
  // Ids of all demo workspaces (for badges and pickers).
  Result<std::vector<std::string>> DemoWorkspaceIds();
  // Deletes every demo record, its change log, search entries, conflicts and
  // drafts, in one transaction. Records of real workspaces are untouched.
  // The demo is not loaded again on the next start.
  Result<DemoRemoval> RemoveDemoData();

  // PRAGMA integrity_check: ok or kCorrupt with SQLite's report.
  Status CheckIntegrity();
  // Writes a consistent copy to `dest_path` (VACUUM INTO), safe while open.
  Status Backup(const std::string& dest_path);

  // Whether any workspace exists (first start loads the demo data set).
  Result<bool> IsEmpty();

 private:
  Store() = default;
  class Writer;
  class BatchApplier;  // store_apply.cpp
  // Commit(ops) and then `after` (more writes) in the same transaction.
  Result<CommitResult> CommitThen(const std::vector<Op>& ops, const std::function<Status()>& after);
  // Runs `body` (which applies ops through `w`) in one sql::Txn.
  Result<CommitResult> RunWriter(Writer* w, const std::function<Status()>& body);
  // The state of one record from record_state and open conflicts (not the
  // demo table): the per-row lookup of lists.
  Result<RecordStatus> LookupState(const std::string& id, bool is_draft);
  // Logs the record's refused changes again through `w` (RetryRefused).
  Status ResendRefused(Writer* w, RecordType type, const std::string& id);
  Status Init(Env* env, const StoreOptions& options);
  // Schema 7 and later: a token an older version kept in the file moves to
  // the credential store and is erased from the file's pages.
  Status MoveTokenOut();
  std::string CredentialKeyForStore() const;
  // Visible() for a whole record (its workspace, or itself for a workspace).
  Result<bool> VisibleRecord(const Record& r);
  Status LoadForms();

  Env* env_ = nullptr;
  std::unique_ptr<sql::Db> db_;
  std::string path_;
  std::string device_id_;
  std::string author_ = "local";
  int schema_version_ = 0;
  std::deque<FormDef> forms_;
  std::string memory_token_;  // ":memory:" stores (tests) keep the token here
};

// An author name the change log accepts: valid UTF-8, 1 to 200 bytes, no
// control characters. kInvalidArgument says what is wrong.
Status CheckAuthorName(std::string_view author);


}  // namespace ccfield
