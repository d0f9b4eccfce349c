#pragma once
// The values the store's parts read and write: records, queries and their
// rows (store.h and its parts: sync_replica.h, screen_queries.h, drafts.h,
// store_search.h).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/records.h"
#include "ccfield/core/replica.h"

namespace ccfield {

class Store;

// A part of the store (store.h): one job, on its Store's connection and
// under its thread rules. Parts live inside their Store and are not copied.
class StorePart {
 public:
  StorePart(const StorePart&) = delete;
  StorePart& operator=(const StorePart&) = delete;

 protected:
  explicit StorePart(Store* store) : s_(store) {}
  ~StorePart() = default;
  Store* s_;
};

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

// A site about to be saved, checked for near-duplicates (ScreenQueries::SimilarSites).
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

}  // namespace ccfield
