#pragma once
// Store: the local SQLite file holding records, forms and the change log.
//
// Durability: WAL with synchronous=FULL; a Commit that returned ok survives a
// crash or power loss. Record edits go through Commit(), which applies the
// ops and writes one change-log entry per changed record (its changed fields,
// schema 11) in one BEGIN IMMEDIATE transaction, keeping the search index in
// step. Every write (Commit, sync,
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
#include "ccfield/core/photo_store.h"
#include "ccfield/core/records.h"
#include "ccfield/core/replica.h"
#include "ccfield/core/screen_queries.h"
#include "ccfield/core/status.h"
#include "ccfield/core/store_search.h"
#include "ccfield/core/store_types.h"
#include "ccfield/core/sync_replica.h"
#include "ccfield/core/drafts.h"
#include "ccfield/core/uuid.h"

namespace ccfield {

class Env;
namespace sql {
class Db;
}

inline constexpr int kSchemaVersion = 12;

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

  // The store's parts, one per job, on this store's connection:
  SyncReplica& replica() { return replica_; }      // what sync reads and writes
  ScreenQueries& screens() { return screens_; }    // what lists and Home show
  DraftStore& drafts() { return drafts_; }         // unsaved editor states
  StoreSearch& search() { return search_; }        // full-text search
  PhotoStore& photos() { return photos_; }         // photos: queue, originals, data use

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

  // Every change of the record, oldest first: one ChangeEntry per field of
  // each change-log entry (the fields of an entry are adjacent and share its
  // seq, origin and time).
  Result<std::vector<ChangeEntry>> History(const std::string& record_id);
  // Change-log entries with seq > after_seq, oldest first, at most `limit`
  // entries, each as one ChangeEntry per field.
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

  // ---- A shared device: several accounts (docs/store.md, "Accounts") ----
  // While an account is the saved user, records of workspaces it is not a
  // member of (SyncReplica::SaveMemberships) are not shown (List, Get,
  // FindAny, the screens' queries, search) except those with the account's
  // own unsent or refused changes; the library and the demo stay visible.
  // Whether the saved user may see a record of workspace `workspace_id`.
  Result<bool> Visible(const std::string& workspace_id, const std::string& record_id);

  // ---- Refused changes: the ways out (ScreenQueries::RefusedRecords lists them) ----
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
  // Commit(ops) and then `after` (more writes) in the same transaction.
  Result<CommitResult> CommitThen(const std::vector<Op>& ops, const std::function<Status()>& after);
  // Runs `body` (which applies ops through `w`) in one sql::Txn.
  Result<CommitResult> RunWriter(Writer* w, const std::function<Status()>& body);
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
  SyncReplica replica_{this};
  ScreenQueries screens_{this};
  DraftStore drafts_{this};
  StoreSearch search_{this};
  PhotoStore photos_{this};
  friend class SyncReplica;
  friend class ScreenQueries;
  friend class DraftStore;
  friend class StoreSearch;
  friend class PhotoStore;
};

// An author name the change log accepts: valid UTF-8, 1 to 200 bytes, no
// control characters. kInvalidArgument says what is wrong.
Status CheckAuthorName(std::string_view author);


}  // namespace ccfield
