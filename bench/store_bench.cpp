// ccfield_store_bench: figures for the local store (bench/README.md says what
// each one means). It prints figures and never asserts on time: the summary
// says whether a target was met, the exit code only says whether the program
// could run (0) or failed to set up (2).
//
// Figures:
//   (a) visits saved per second through Store::Commit (change capture, search
//       index) against a plain INSERT of the same row into an identical visits
//       table, one transaction each, same durability, same file system;
//   (b) Store::Search latency over a query mix at N visits;
//   (c) Store::Open + first List page in a fresh process, cold and warm cache;
//   (d) bytes on disk per visit, with a per-table breakdown from dbstat;
//   plus the rate of the batched build of the N-visit store.
//
// The visits are synthetic but shaped like real ones (visit_generator.h):
// notes from a Zipf-like vocabulary in English, French, Portuguese and
// Russian; ~500 sites; all five built-in forms with answers that validate.

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "search_index.h"  // core/src: the FTS5 query Store::Search runs
#include "visit_generator.h"

namespace ccfield::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- Options ----------------------------------------------------------------

struct Options : CommonOptions {
  int64_t visits = 100000;
  bool visits_given = false;
  bool reuse = false;                  // reuse DIR/search.db if present instead of building it
  std::string tmpfs_dir = "/dev/shm";  // second run of (a) without fsync cost; "" skips
  int save_commits = 500;
  int search_rounds = 5;
  int open_runs = 5;
  std::string child_open;  // internal: time Open + List on this file and exit
};

void Usage() {
  std::printf(
      "usage: ccfield_store_bench [--visits N] [--dir DIR] [--quick] [--keep] [--reuse]\n"
      "                           [--commits N] [--tmpfs-dir DIR|none] [--seed N]\n"
      "  --visits N      visits in the search/open/size store (default 100000)\n"
      "  --dir DIR       where the files go (default: a fresh dir under /tmp, removed after)\n"
      "  --quick         smoke run: 2000 visits, 100 commits for the save comparison\n"
      "  --keep          keep the files of the default dir\n"
      "  --reuse         with --dir: reuse DIR/search.db instead of building it again\n"
      "  --commits N     single-visit commits per side in the save comparison (default 500)\n"
      "  --tmpfs-dir D   also run the save comparison on D (no fsync cost; default /dev/shm)\n"
      "  --seed N        seed of the synthetic data (default 1)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool commits_given = false;
  for (ArgReader args(argc, argv); args.Next();) {
    const std::string& a = args.option();
    if (a == "--visits") {
      o.visits = args.Int();
      o.visits_given = true;
    } else if (a == "--reuse") {
      o.reuse = true;
    } else if (a == "--commits") {
      o.save_commits = static_cast<int>(args.Int());
      commits_given = true;
    } else if (a == "--tmpfs-dir") {
      o.tmpfs_dir = args.Value();
      if (o.tmpfs_dir == "none") o.tmpfs_dir.clear();
    } else if (a == "--child-open-list") {
      o.child_open = args.Value();
    } else if (!args.Common(&o, Usage)) {
      args.Unknown(Usage);
    }
  }
  if (o.quick) {
    if (!o.visits_given) o.visits = 2000;
    if (!commits_given) o.save_commits = 100;
    o.search_rounds = 2;
  }
  if (o.visits < 1) Die("--visits must be at least 1");
  if (o.save_commits < 1) Die("--commits must be at least 1");
  if (o.reuse && o.dir.empty()) Die("--reuse needs --dir");
  return o;
}

// ---- Direct SQLite (baseline and diagnostics only) --------------------------

class Sql {
 public:
  Sql(const std::string& path, bool read_only) {
    int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) Fail("opening " + path);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Sql() { sqlite3_close_v2(db_); }
  Sql(const Sql&) = delete;
  Sql& operator=(const Sql&) = delete;

  void Exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) Fail(sql);
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) Fail("preparing " + sql);
    return s;
  }
  // Prepare that reports failure instead of dying (optional features: dbstat).
  sqlite3_stmt* TryPrepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return nullptr;
    return s;
  }
  // Rows of a query as text, all columns.
  std::vector<std::vector<std::string>> Rows(const std::string& sql, const std::vector<std::string>& binds = {}) {
    sqlite3_stmt* s = Prepare(sql);
    for (size_t i = 0; i < binds.size(); ++i) {
      sqlite3_bind_text(s, static_cast<int>(i + 1), binds[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const unsigned char* t = sqlite3_column_text(s, c);
        row.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) Fail(sql);
    return out;
  }
  int64_t Int(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() ? 0 : std::atoll(rows[0][0].c_str());
  }
  sqlite3* get() { return db_; }
  [[noreturn]] void Fail(const std::string& what) { Die("sqlite: " + what + ": " + sqlite3_errmsg(db_)); }

 private:
  sqlite3* db_ = nullptr;
};

// The baseline: the same visits table (schema copied from a store file, with
// its indexes and the tables its foreign keys point at), no change log, no
// search index. Same pragmas as the store: WAL, synchronous=FULL, foreign keys.
class PlainVisits {
 public:
  PlainVisits(const std::string& path, const std::string& store_path, const Fixture& fx)
      : path_(path), db_(path, false) {
    db_.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
    if (db_.Int("SELECT count(*) FROM sqlite_schema WHERE name = 'visits'") == 0) {
      Sql store(store_path, true);
      auto schema = store.Rows(
          "SELECT sql FROM sqlite_schema WHERE tbl_name IN ('workspaces', 'members', 'projects', 'sites', 'visits') "
          "AND sql IS NOT NULL ORDER BY type = 'index', rowid");
      db_.Exec("BEGIN IMMEDIATE");
      for (const auto& row : schema) db_.Exec(row[0]);
      // Parents only need their keys for the deferred foreign-key checks.
      std::string now = FormatUtcMillis(DefaultEnv()->WallMillis());
      auto parent = [&](const char* table, const std::string& id) {
        db_.Exec(std::string("INSERT INTO ") + table + "(id, created_at, updated_at) VALUES('" + id + "', '" + now +
                 "', '" + now + "')");
      };
      parent("workspaces", fx.workspace_id);
      for (const auto& id : fx.members) parent("members", id);
      for (const auto& id : fx.projects) parent("projects", id);
      for (const auto& s : fx.sites) parent("sites", s.id);
      db_.Exec("COMMIT");
    }
    // The row exactly as Store writes it: the spec's columns, answers as JSON,
    // started_utc derived from started_at.
    std::string cols = "id, deleted, created_at, updated_at", params = "?, 0, ?, ?";
    for (const FieldSpec& f : Spec(RecordType::kVisit).fields) {
      cols += ", " + std::string(f.name);
      params += ", ?";
    }
    cols += ", answers, started_utc";
    params += ", ?, ?";
    insert_ = db_.Prepare("INSERT INTO visits(" + cols + ") VALUES(" + params + ")");
  }
  ~PlainVisits() { sqlite3_finalize(insert_); }

  // One visit in its own BEGIN IMMEDIATE ... COMMIT.
  void Save(const SetFields& op) {
    db_.Exec("BEGIN IMMEDIATE");
    Bind(op);
    if (sqlite3_step(insert_) != SQLITE_DONE) db_.Fail("plain insert");
    sqlite3_reset(insert_);
    db_.Exec("COMMIT");
  }

  const std::string& path() const { return path_; }
  Sql& db() { return db_; }

 private:
  void Bind(const SetFields& op) {
    sqlite3_clear_bindings(insert_);
    std::string now = FormatUtcMillis(DefaultEnv()->WallMillis());
    sqlite3_bind_text(insert_, 1, op.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_, 2, now.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_, 3, now.c_str(), -1, SQLITE_TRANSIENT);
    int i = 4;
    for (const FieldSpec& f : Spec(RecordType::kVisit).fields) {
      auto it = op.fields.find(std::string(f.name));
      BindJson(i++, it == op.fields.end() ? json() : *it);
    }
    BindJson(i++, op.fields.at("answers").dump());
    sqlite3_bind_int64(insert_, i++, *ParseTimestamp(op.fields.at("started_at").get<std::string>()));
  }
  // As core's Stmt::BindJson: bool as 0/1, arrays and objects as JSON text.
  void BindJson(int i, const json& v) {
    switch (v.type()) {
      case json::value_t::null:
        sqlite3_bind_null(insert_, i);
        break;
      case json::value_t::boolean:
        sqlite3_bind_int64(insert_, i, v.get<bool>() ? 1 : 0);
        break;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
        sqlite3_bind_int64(insert_, i, v.get<int64_t>());
        break;
      case json::value_t::number_float:
        sqlite3_bind_double(insert_, i, v.get<double>());
        break;
      case json::value_t::string: {
        const std::string& s = v.get_ref<const std::string&>();
        sqlite3_bind_text(insert_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        break;
      }
      default: {
        std::string s = v.dump();
        sqlite3_bind_text(insert_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
  }

  std::string path_;
  Sql db_;
  sqlite3_stmt* insert_ = nullptr;
};

// ---- Files ------------------------------------------------------------------

struct WalFigures {
  double pages_per_commit = -1;            // -1: could not tell
  std::map<std::string, double> by_table;  // pages per commit by table or index
};

// Pages appended to the WAL per commit, and which tables they belong to:
// truncate the WAL from a second connection, run `commits` commits, read the
// frame headers (page number in the first 4 bytes, big-endian) and map the
// pages to tables with dbstat. Pages dbstat does not list (freelist, page 1
// header updates) count as "other".
WalFigures MeasureWal(const std::string& db_path, int commits, const std::function<void()>& commit_one) {
  WalFigures out;
  int64_t page;
  {
    Sql side(db_path, false);
    page = side.Int("PRAGMA page_size");
    auto r = side.Rows("PRAGMA wal_checkpoint(TRUNCATE)");
    if (r.empty() || r[0][0] != "0") return out;  // busy: cannot tell
  }
  if (FileSize(db_path + "-wal") != 0) return out;
  for (int i = 0; i < commits; ++i) commit_one();
  std::map<int64_t, int> frames;  // page number -> frames written
  int64_t total = 0;
  if (FILE* f = std::fopen((db_path + "-wal").c_str(), "rb")) {
    std::vector<unsigned char> buf(static_cast<size_t>(page) + 24);
    std::fseek(f, 32, SEEK_SET);
    while (std::fread(buf.data(), 1, buf.size(), f) == buf.size()) {
      int64_t pgno = (int64_t{buf[0]} << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3];
      ++frames[pgno];
      ++total;
    }
    std::fclose(f);
  }
  out.pages_per_commit = static_cast<double>(total) / commits;
  Sql side(db_path, true);
  if (sqlite3_stmt* s = side.TryPrepare("SELECT pageno, name FROM dbstat")) {
    std::map<int64_t, std::string> owner;
    while (sqlite3_step(s) == SQLITE_ROW) {
      int64_t pgno = sqlite3_column_int64(s, 0);
      if (frames.count(pgno)) owner[pgno] = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
    for (const auto& [pgno, n] : frames) {
      auto it = owner.find(pgno);
      out.by_table[it == owner.end() ? "other" : it->second] += static_cast<double>(n) / commits;
    }
  }
  return out;
}

// Latency of appending 4 KiB and fdatasync, as a WAL commit does: the floor
// under both sides of (a). Fast here means the CPU cost decides the ratio.
Stats FsyncLatency(const std::string& dir, int n) {
  std::string path = dir + "/fsync_probe";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return {};
  std::vector<char> block(4096, 'x');
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) < 0) break;
    if (::fdatasync(fd) != 0) break;
    ms.push_back(MsBetween(t0, Clock::now()));
  }
  ::close(fd);
  fs::remove(path);
  return Summarize(ms);
}

// Drops the file's pages from the OS page cache (no root needed), and the
// whole page cache when we are root and may. Says what it did.
std::string EvictFromCache(const std::string& db_path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    int fd = ::open((db_path + suffix).c_str(), O_RDONLY);
    if (fd < 0) continue;
    (void)::fdatasync(fd);  // only clean pages can be dropped
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  std::string how = "fadvise";
  if (::geteuid() == 0) {
    ::sync();
    if (FILE* f = std::fopen("/proc/sys/vm/drop_caches", "w")) {
      bool ok = std::fputs("1\n", f) >= 0;
      if (std::fclose(f) == 0 && ok) how += "+drop_caches";
    }
  }
  return how;
}

// The load average at start, printed again in the summary.
std::string g_load_start;

// ---- (a) saves with change capture vs plain inserts -------------------------

struct SaveFigures {
  double store_per_s = 0, plain_per_s = 0;
  WalFigures store_wal, plain_wal;
  Stats store_ms, plain_ms;
  int visits_saved = 0;  // per side: the WAL probe's commits and the timed ones
  // What each side's file grew by per visit saved (page_count * page_size
  // before and after, WAL included); -1 when not measured.
  double store_bytes_per_visit = -1, plain_bytes_per_visit = -1;
  // The search index, built off the save path since schema 12: what indexing
  // the saved visits took afterwards (StoreSearch::IndexPending, one
  // transaction), per visit; it is what the window does when idle.
  double index_later_ms_per_visit = -1;
};

// The size of a database as its pages: page_count * page_size, read through a
// second connection, so pages still in the WAL count too.
int64_t PagesBytes(const std::string& path) {
  Sql side(path, true);
  return side.Int("PRAGMA page_count") * side.Int("PRAGMA page_size");
}

// Interleaves the two sides in chunks so that drift of the disk (other load,
// write-back) hits both alike. The same rows go to both files.
SaveFigures CompareSaves(Store* store, PlainVisits* plain, VisitMaker& maker, int commits) {
  constexpr int kWalProbe = 20;  // also the warm-up
  std::vector<SetFields> visits;
  for (int i = 0; i < commits + kWalProbe; ++i) visits.push_back(maker.Make(550, 650));
  SaveFigures out;
  size_t next_store = 0, next_plain = 0;
  auto store_one = [&] { Check(store->Commit({visits[next_store++]}), "saving a visit"); };
  auto plain_one = [&] { plain->Save(visits[next_plain++]); };
  out.store_wal = MeasureWal(store->path(), kWalProbe, store_one);
  out.plain_wal = MeasureWal(plain->path(), kWalProbe, plain_one);
  std::vector<double> store_ms, plain_ms;
  constexpr int kChunk = 50;
  for (int done = 0; done < commits; done += kChunk) {
    int n = std::min(kChunk, commits - done);
    for (int i = 0; i < n; ++i) {
      auto t0 = Clock::now();
      store_one();
      store_ms.push_back(MsBetween(t0, Clock::now()));
    }
    for (int i = 0; i < n; ++i) {
      auto t0 = Clock::now();
      plain_one();
      plain_ms.push_back(MsBetween(t0, Clock::now()));
    }
  }
  out.store_ms = Summarize(store_ms);
  out.plain_ms = Summarize(plain_ms);
  out.store_per_s = 1000.0 / out.store_ms.mean;
  out.plain_per_s = 1000.0 / out.plain_ms.mean;
  out.visits_saved = commits + kWalProbe;
  return out;
}

void PrintSaves(const char* tag, const SaveFigures& f) {
  std::printf("%ssave_with_capture_per_s=%.1f plain_insert_per_s=%.1f ratio=%.2f\n", tag, f.store_per_s, f.plain_per_s,
              f.plain_per_s / f.store_per_s);
  std::printf("%ssave_with_capture_ms p50=%.3f p95=%.3f max=%.3f | plain_insert_ms p50=%.3f p95=%.3f max=%.3f\n", tag,
              f.store_ms.p50, f.store_ms.p95, f.store_ms.max, f.plain_ms.p50, f.plain_ms.p95, f.plain_ms.max);
  std::printf("%swal_pages_per_commit save_with_capture=%.1f plain_insert=%.1f\n", tag, f.store_wal.pages_per_commit,
              f.plain_wal.pages_per_commit);
  if (f.store_bytes_per_visit >= 0) {
    std::printf(
        "%sfile_growth_bytes_per_visit save_with_capture=%.0f plain_insert=%.0f (page_count*page_size, %d "
        "single-visit commits, ~600-byte notes)\n",
        tag, f.store_bytes_per_visit, f.plain_bytes_per_visit, f.visits_saved);
  }
  if (f.index_later_ms_per_visit >= 0) {
    std::printf("%ssearch_index_later_ms_per_visit=%.3f (IndexPending after the saves; not in the save figures)\n", tag,
                f.index_later_ms_per_visit);
  }
  for (const auto* side : {&f.store_wal, &f.plain_wal}) {
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [name, pages] : side->by_table) rows.emplace_back(pages, name);
    std::sort(rows.rbegin(), rows.rend());
    std::printf("%swal_pages_by_table %s:", tag, side == &f.store_wal ? "save_with_capture" : "plain_insert");
    for (const auto& [pages, name] : rows) std::printf(" %s=%.1f", name.c_str(), pages);
    std::printf("\n");
  }
  std::fflush(stdout);
}

std::unique_ptr<Store> OpenStore(const std::string& path) {
  StoreOptions o;
  o.path = path;
  return Check(Store::Open(DefaultEnv(), o), "opening " + path);
}

// A fresh store with the fixture and a fresh baseline file in `dir`.
SaveFigures SavesOnFreshFiles(const std::string& dir, const Fixture& fx, const Vocabulary& vocab, uint64_t seed,
                              int commits) {
  std::string store_path = dir + "/save.db", plain_path = dir + "/plain.db";
  for (const std::string& p : {store_path, plain_path}) {
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(p + s);
  }
  auto store = OpenStore(store_path);
  Check(store->Commit(fx.setup_ops), "creating sites");
  PlainVisits plain(plain_path, store_path, fx);
  VisitMaker maker(fx, vocab, seed);
  const int64_t store_before = PagesBytes(store_path), plain_before = PagesBytes(plain_path);
  SaveFigures out = CompareSaves(store.get(), &plain, maker, commits);
  const auto t0 = Clock::now();
  Check(store->search().IndexPending(std::numeric_limits<int64_t>::max()), "indexing the saved visits");
  out.index_later_ms_per_visit = MsBetween(t0, Clock::now()) / out.visits_saved;
  out.store_bytes_per_visit = static_cast<double>(PagesBytes(store_path) - store_before) / out.visits_saved;
  out.plain_bytes_per_visit = static_cast<double>(PagesBytes(plain_path) - plain_before) / out.visits_saved;
  return out;
}

// ---- (b) search -------------------------------------------------------------

struct Query {
  std::string text;
  std::string kind;
};

// Latin letters without their accents, for the unaccented variant of a query.
std::string StripAccents(const std::string& s) {
  static const std::pair<const char*, const char*> kMap[] = {{"é", "e"}, {"è", "e"}, {"ê", "e"}, {"ë", "e"}, {"à", "a"},
                                                             {"â", "a"}, {"á", "a"}, {"ã", "a"}, {"ç", "c"}, {"î", "i"},
                                                             {"ï", "i"}, {"í", "i"}, {"ô", "o"}, {"ó", "o"}, {"õ", "o"},
                                                             {"û", "u"}, {"ù", "u"}, {"ú", "u"}, {"ü", "u"}};
  std::string out = s;
  for (const auto& [from, to] : kMap) {
    for (size_t pos; (pos = out.find(from)) != std::string::npos;) out.replace(pos, std::strlen(from), to);
  }
  return out;
}

std::vector<Query> QueryMix(const Vocabulary& v) {
  std::vector<Query> q;
  auto add = [&](const std::string& kind, std::initializer_list<const char*> texts) {
    for (const char* t : texts) q.push_back({t, kind});
  };
  add("common", {"drain", "water", "waste", "road", "caniveau", "eau", "lixo", "вода", "flooding", "school"});
  add("fr_accent", {"déchets", "dechets", "égout", "egout", "bouché", "bouche", "fossé", "fosse", "rétention",
                    "retention", "écoulement", "ecoulement"});
  add("pt_ru", {"inundação", "inundacao", "água", "agua", "засор", "подтопление"});
  add("two_words", {"drain blocked", "caniveau bouché", "plastic waste", "standing water", "égout bouche", "lixo rua",
                    "market drain", "eau stagnante", "вода канава"});
  add("prefix", {"drai", "inond", "bouc", "déch", "culv", "entup", "подт", "mosq"});
  // Rare words from the generated tail, at several ranks.
  auto tail = [&](size_t lang, size_t rank, bool accented) {
    const Language& l = v.langs[lang];
    for (size_t r = l.head + rank; r < l.words.size(); ++r) {
      const std::string& w = l.words[r];
      if (!accented || StripAccents(w) != w) {
        q.push_back({w, "rare"});
        if (accented) q.push_back({StripAccents(w), "rare"});
        return;
      }
    }
  };
  tail(0, 300, false);
  tail(0, 3000, false);
  tail(1, 500, true);
  tail(1, 4000, false);
  tail(2, 1000, false);
  tail(3, 2000, false);
  add("rare", {"zanzibarite"});
  add("labels_sites", {"Culvert", "Avaloir", "Kariakoo", "Médina"});
  return q;
}

struct SearchFigures {
  Stats all;
  std::map<std::string, Stats> by_kind;
};

SearchFigures RunSearches(Store* store, const std::string& path, const std::vector<Query>& mix, int rounds) {
  SearchQuery sq;
  sq.limit = 20;
  std::vector<size_t> hits(mix.size());
  for (size_t i = 0; i < mix.size(); ++i) {  // warm-up round, not counted
    sq.text = mix[i].text;
    hits[i] = Check(store->search().Find(sq), "searching " + sq.text).size();
  }
  std::vector<std::vector<double>> per_query(mix.size());
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_kind;
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < mix.size(); ++i) {
      sq.text = mix[i].text;
      auto t0 = Clock::now();
      auto res = Check(store->search().Find(sq), "searching " + sq.text);
      double ms = MsBetween(t0, Clock::now());
      per_query[i].push_back(ms);
      all.push_back(ms);
      by_kind[mix[i].kind].push_back(ms);
    }
  }
  SearchFigures out;
  out.all = Summarize(all);
  for (auto& [k, v] : by_kind) out.by_kind[k] = Summarize(v);
  // Per query: median time, hits returned and documents matched (the work
  // bm25 ranking has to do), slowest first.
  Sql side(path, true);
  sqlite3_stmt* count = side.TryPrepare("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?");
  std::vector<size_t> order(mix.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<double> med(mix.size());
  for (size_t i = 0; i < mix.size(); ++i) med[i] = Median(per_query[i]);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return med[a] > med[b]; });
  for (size_t i : order) {
    int64_t matched = -1;
    if (count) {
      std::string m = internal::BuildMatchQuery(mix[i].text);
      sqlite3_bind_text(count, 1, m.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(count) == SQLITE_ROW) matched = sqlite3_column_int64(count, 0);
      sqlite3_reset(count);
    }
    std::printf("search_query ms_p50=%.2f hits=%zu matched=%lld kind=%s text=\"%s\"\n", med[i], hits[i],
                static_cast<long long>(matched), mix[i].kind.c_str(), mix[i].text.c_str());
  }
  sqlite3_finalize(count);
  return out;
}

// Diagnostics for (b): the same mix through other query shapes on a second,
// read-only connection, so a proposal for core comes with numbers. Statements
// are prepared once. Shapes:
//   store_shape       the query Store::Search runs (bm25 over every match);
//   bm25_newest_2000  bm25 only among the newest 2000 matches: find the rowid
//                     of the 2000th newest match, then rank rowid >= it;
//   newest_first      no ranking: ORDER BY rowid DESC, which FTS5 serves in
//                     index order and stops after 20.
void CompareSearchShapes(const std::string& path, const std::vector<Query>& mix, int rounds) {
  Sql side(path, true);
  const std::string select =
      "SELECT d.record_type, d.record_id, f.title, snippet(search_fts, -1, '[', ']', '…', 12), "
      "bm25(search_fts, 4.0, 1.0) AS rank FROM search_fts f JOIN search_docs d ON d.docid = f.rowid "
      "WHERE search_fts MATCH ?1";
  sqlite3_stmt* ranked = side.TryPrepare(select + " ORDER BY rank LIMIT 20");
  sqlite3_stmt* cutoff =
      side.TryPrepare("SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET 1999");
  sqlite3_stmt* ranked_after = side.TryPrepare(select + " AND f.rowid >= ?2 ORDER BY rank LIMIT 20");
  sqlite3_stmt* newest = side.TryPrepare(select + " ORDER BY f.rowid DESC LIMIT 20");
  if (!ranked || !cutoff || !ranked_after || !newest) {
    std::printf("search_shapes: skipped (the search tables changed shape)\n");
    for (sqlite3_stmt* st : {ranked, cutoff, ranked_after, newest}) sqlite3_finalize(st);
    return;
  }
  auto run = [](sqlite3_stmt* st, const std::string& m, std::optional<int64_t> after = std::nullopt) {
    sqlite3_bind_text(st, 1, m.c_str(), -1, SQLITE_TRANSIENT);
    if (after) sqlite3_bind_int64(st, 2, *after);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ++n;
    sqlite3_reset(st);
    return n;
  };
  auto capped = [&](const std::string& m) {
    sqlite3_bind_text(cutoff, 1, m.c_str(), -1, SQLITE_TRANSIENT);
    std::optional<int64_t> from;
    if (sqlite3_step(cutoff) == SQLITE_ROW) from = sqlite3_column_int64(cutoff, 0);
    sqlite3_reset(cutoff);
    return from ? run(ranked_after, m, from) : run(ranked, m);
  };
  const std::vector<std::pair<std::string, std::function<int(const std::string&)>>> shapes = {
      {"store_shape", [&](const std::string& m) { return run(ranked, m); }},
      {"bm25_newest_2000", capped},
      {"newest_first", [&](const std::string& m) { return run(newest, m); }},
  };
  for (const auto& [name, fn] : shapes) {
    std::vector<double> ms;
    for (const Query& q : mix) fn(internal::BuildMatchQuery(q.text));  // warm-up
    for (int r = 0; r < rounds; ++r) {
      for (const Query& q : mix) {
        std::string m = internal::BuildMatchQuery(q.text);
        auto t0 = Clock::now();
        fn(m);
        ms.push_back(MsBetween(t0, Clock::now()));
      }
    }
    Stats st = Summarize(ms);
    std::printf("search_shape name=%s p50=%.2f p95=%.2f max=%.2f\n", name.c_str(), st.p50, st.p95, st.max);
  }
  for (sqlite3_stmt* st : {ranked, cutoff, ranked_after, newest}) sqlite3_finalize(st);
}

// ---- (c) open + first page in a fresh process -------------------------------

// Child mode: time Store::Open + the visit list's first page, print, exit.
int ChildOpenList(const std::string& path) {
  auto t0 = Clock::now();
  StoreOptions o;
  o.path = path;
  auto store = Check(Store::Open(DefaultEnv(), o), "opening " + path);
  auto t1 = Clock::now();
  ListQuery q;
  q.type = RecordType::kVisit;
  q.limit = 50;
  auto rows = Check(store->List(q), "listing visits");
  auto t2 = Clock::now();
  std::printf("open_ms=%.3f list_ms=%.3f total_ms=%.3f rows=%zu\n", MsBetween(t0, t1), MsBetween(t1, t2),
              MsBetween(t0, t2), rows.size());
  return 0;
}

struct ChildTimes {
  double open_ms = 0, list_ms = 0, total_ms = 0, process_ms = 0;
};

ChildTimes RunChild(const std::string& path) {
  auto t0 = Clock::now();
  SpawnOptions so;
  so.exe = "/proc/self/exe";
  const auto [code, out] = RunCommand({"ccfield_store_bench", "--child-open-list", path}, so);
  ChildTimes t;
  t.process_ms = MsBetween(t0, Clock::now());
  size_t rows = 0;
  if (code != 0 || std::sscanf(out.c_str(), "open_ms=%lf list_ms=%lf total_ms=%lf rows=%zu", &t.open_ms, &t.list_ms,
                               &t.total_ms, &rows) != 4) {
    Die("the open/list child failed: " + out);
  }
  return t;
}

// ---- (d) size -----------------------------------------------------------------

void PrintSizes(const std::string& path, int64_t visits) {
  int64_t db = FileSize(path), wal = FileSize(path + "-wal");
  double per_visit = static_cast<double>(db + wal) / static_cast<double>(visits);
  std::printf("disk_bytes_per_visit=%.0f db_bytes=%lld wal_bytes=%lld visits=%lld\n", per_visit,
              static_cast<long long>(db), static_cast<long long>(wal), static_cast<long long>(visits));
  Summary("(d) disk_bytes_per_visit=%.0f (db %.1f MB + wal %.1f MB for %lld visits)", per_visit, db / 1e6, wal / 1e6,
          static_cast<long long>(visits));
  Sql side(path, true);
  // Issue 14's figure: the pages the store holds, per visit (the sites and
  // forms are included; negligible from a few thousand visits on).
  const int64_t pages = side.Int("PRAGMA page_count"), page_size = side.Int("PRAGMA page_size");
  const double pages_per_visit = static_cast<double>(pages * page_size) / static_cast<double>(visits);
  std::printf("bytes_per_visit=%.0f (page_count=%lld x page_size=%lld / %lld visits)\n", pages_per_visit,
              static_cast<long long>(pages), static_cast<long long>(page_size), static_cast<long long>(visits));
  Summary("(d) bytes_per_visit=%.0f (page_count x page_size / visits)  target<=5 KB (5120 B): %s", pages_per_visit,
          Verdict(pages_per_visit <= 5120));
  sqlite3_stmt* s =
      side.TryPrepare("SELECT name, sum(pgsize), sum(payload), sum(ncell) FROM dbstat GROUP BY name ORDER BY 2 DESC");
  if (!s) {
    std::printf("table_bytes: dbstat is not available in this SQLite build\n");
    return;
  }
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char* name = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    int64_t bytes = sqlite3_column_int64(s, 1), payload = sqlite3_column_int64(s, 2);
    if (bytes < 64 * 1024) continue;  // forms, meta and the like
    std::printf("table_bytes name=%s bytes=%lld per_visit=%.0f payload_per_visit=%.0f\n", name,
                static_cast<long long>(bytes), static_cast<double>(bytes) / visits,
                static_cast<double>(payload) / visits);
  }
  sqlite3_finalize(s);
  int64_t changes = side.Int("SELECT count(*) FROM change_log");
  int64_t notes = side.Int("SELECT sum(length(CAST(notes AS BLOB))) FROM visits");
  std::printf("change_log_rows_per_visit=%.1f notes_bytes_per_visit=%.0f\n", static_cast<double>(changes) / visits,
              static_cast<double>(notes) / visits);
}

// ---- Diagnostics: query plans -----------------------------------------------------

void PrintPlan(Sql& db, const std::string& label, const std::string& sql) {
  auto rows = db.Rows("EXPLAIN QUERY PLAN " + sql);
  for (const auto& r : rows) std::printf("plan %s: %s\n", label.c_str(), r[3].c_str());
}

// ---- Main -------------------------------------------------------------------------

int Run(const Options& opt) {
  bool remove_dir = false;
  const std::string dir = MakeWorkDir(opt.dir, "ccfield_bench", opt.keep, &remove_dir);
  std::printf("ccfield_store_bench dir=%s visits=%lld commits=%d seed=%llu sqlite=%s%s\n", dir.c_str(),
              static_cast<long long>(opt.visits), opt.save_commits, static_cast<unsigned long long>(opt.seed),
              sqlite3_libversion(), opt.quick ? " (quick)" : "");
  g_load_start = LoadAverage();
  std::printf("loadavg_start=%s\n", g_load_start.c_str());
  Stats fsync = FsyncLatency(dir, opt.quick ? 50 : 200);
  std::printf("fsync_4k_ms p50=%.3f p95=%.3f max=%.3f\n", fsync.p50, fsync.p95, fsync.max);
  std::fflush(stdout);

  const Vocabulary vocab = MakeVocabulary();
  const Fixture fx = MakeFixture(opt.seed, 500);

  // (a) on fresh files, then on tmpfs to show the cost without fsync.
  SaveFigures fresh = SavesOnFreshFiles(dir, fx, vocab, opt.seed * 31 + 3, opt.save_commits);
  PrintSaves("", fresh);
  Summary("(a) save_with_capture_per_s=%.1f plain_insert_per_s=%.1f ratio=%.2f  target<=1.5: %s", fresh.store_per_s,
          fresh.plain_per_s, fresh.plain_per_s / fresh.store_per_s,
          Verdict(fresh.plain_per_s / fresh.store_per_s <= 1.5));
  Summary("    fsync of 4 KiB here: p50=%.3f ms; WAL pages per commit: %.1f with capture, %.1f plain", fsync.p50,
          fresh.store_wal.pages_per_commit, fresh.plain_wal.pages_per_commit);
  if (!opt.tmpfs_dir.empty() && fs::is_directory(opt.tmpfs_dir) && ::access(opt.tmpfs_dir.c_str(), W_OK) == 0) {
    char tmpl[256];
    std::snprintf(tmpl, sizeof tmpl, "%s/ccfield_bench.XXXXXX", opt.tmpfs_dir.c_str());
    if (::mkdtemp(tmpl)) {
      SaveFigures mem = SavesOnFreshFiles(tmpl, fx, vocab, opt.seed * 31 + 3, opt.save_commits);
      PrintSaves("tmpfs_", mem);
      // The mean is the figure (what a day of saves costs); the median ratio
      // is printed beside it because on a busy machine a few preempted
      // commits weigh on the mean of the slower side.
      const double tmpfs_ratio = mem.store_ms.mean / mem.plain_ms.mean;
      const double tmpfs_ratio_p50 = mem.store_ms.p50 / mem.plain_ms.p50;
      std::printf("tmpfs_save_cost_ratio=%.2f (capture ms / plain ms, mean per commit) p50_ratio=%.2f\n", tmpfs_ratio,
                  tmpfs_ratio_p50);
      Summary(
          "(a) on tmpfs (no fsync cost): save_with_capture_ms=%.3f plain_insert_ms=%.3f per commit, ratio=%.2f "
          "(p50 %.2f)  target<=1.5: %s",
          mem.store_ms.mean, mem.plain_ms.mean, tmpfs_ratio, tmpfs_ratio_p50, Verdict(tmpfs_ratio <= 1.5));
      Summary("    search index built later (idle or before a search): %.3f ms per visit", mem.index_later_ms_per_visit);
      Summary("    file growth per visit saved on its own: %.0f B with capture, %.0f B plain",
              mem.store_bytes_per_visit, mem.plain_bytes_per_visit);
      fs::remove_all(tmpl);
    }
  }

  // Build the N-visit store in batches of 1000 visits per Commit: the real
  // write path, change capture and search index included.
  const std::string path = dir + "/search.db";
  int64_t visits = 0;
  if (opt.reuse && fs::exists(path)) {
    auto store = OpenStore(path);
    visits = Check(store->Count(RecordType::kVisit), "counting visits");
    std::printf("reused %s with %lld visits\n", path.c_str(), static_cast<long long>(visits));
  } else {
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(path + s);
    auto store = OpenStore(path);
    Check(store->Commit(fx.setup_ops), "creating sites");
    VisitMaker maker(fx, vocab, opt.seed * 31 + 5);
    constexpr int64_t kBatch = 1000;
    double gen_ms = 0, commit_ms = 0;
    auto t0 = Clock::now();
    for (int64_t done = 0; done < opt.visits; done += kBatch) {
      auto g0 = Clock::now();
      std::vector<Op> ops;
      for (int64_t i = done; i < std::min(opt.visits, done + kBatch); ++i) ops.push_back(maker.Make(300, 1200));
      auto g1 = Clock::now();
      Check(store->Commit(ops), "saving a batch of visits");
      gen_ms += MsBetween(g0, g1);
      commit_ms += MsBetween(g1, Clock::now());
      if ((done / kBatch) % 20 == 19) {
        std::printf("  built %lld visits, %.0f visits/s in Commit\n", static_cast<long long>(done + kBatch),
                    (done + kBatch) / (commit_ms / 1000));
        std::fflush(stdout);
      }
    }
    const auto i0 = Clock::now();
    Check(store->search().IndexPending(std::numeric_limits<int64_t>::max()), "indexing the visits");
    const double index_ms = MsBetween(i0, Clock::now());
    double total_s = MsBetween(t0, Clock::now()) / 1000;
    visits = opt.visits;
    std::printf("build_search_index_visits_per_s=%.0f index_s=%.1f (StoreSearch::IndexPending after the batches)\n",
                opt.visits / (index_ms / 1000), index_ms / 1000);
    std::printf("build_visits_per_s=%.0f build_s=%.1f commit_s=%.1f generate_s=%.1f batch=%lld\n",
                visits / (commit_ms / 1000), total_s, commit_ms / 1000, gen_ms / 1000, static_cast<long long>(kBatch));
    Summary("build: %lld visits in %.1f s of Commit = %.0f visits/s (batches of %lld)", static_cast<long long>(visits),
            commit_ms / 1000, visits / (commit_ms / 1000), static_cast<long long>(kBatch));
  }  // closing the store checkpoints the WAL and removes it
  std::fflush(stdout);

  // (d) size on disk, store closed.
  PrintSizes(path, visits);

  // (c) open + first page, each in a fresh process; cold then warm.
  {
    std::vector<double> cold, warm, cold_open, cold_list, proc;
    std::string how;
    for (int i = 0; i < opt.open_runs; ++i) {
      how = EvictFromCache(path);
      ChildTimes t = RunChild(path);
      cold.push_back(t.total_ms);
      cold_open.push_back(t.open_ms);
      cold_list.push_back(t.list_ms);
      proc.push_back(t.process_ms);
    }
    for (int i = 0; i < opt.open_runs; ++i) warm.push_back(RunChild(path).total_ms);
    Stats c = Summarize(cold), w = Summarize(warm);
    std::printf("open_first_page_cold_ms min=%.1f median=%.1f (open median=%.1f list median=%.1f) cache_drop=%s\n",
                c.min, c.p50, Median(cold_open), Median(cold_list), how.c_str());
    std::printf("open_first_page_warm_ms min=%.1f median=%.1f\n", w.min, w.p50);
    std::printf("open_first_page_process_cold_ms median=%.1f (incl. process start)\n", Median(proc));
    Summary("(c) open_first_page_ms cold min=%.1f median=%.1f, warm min=%.1f median=%.1f  target<150: %s", c.min, c.p50,
            w.min, w.p50, Verdict(c.p50 < 150));
  }
  std::fflush(stdout);

  // (b) search latency.
  {
    auto store = OpenStore(path);
    std::vector<Query> mix = QueryMix(vocab);
    SearchFigures sf = RunSearches(store.get(), path, mix, opt.search_rounds);
    for (const auto& [kind, s] : sf.by_kind) {
      std::printf("search_ms kind=%s p50=%.2f p95=%.2f max=%.2f n=%zu\n", kind.c_str(), s.p50, s.p95, s.max, s.n);
    }
    std::printf("search_ms p50=%.2f p95=%.2f max=%.2f queries=%zu rounds=%d\n", sf.all.p50, sf.all.p95, sf.all.max,
                mix.size(), opt.search_rounds);
    Summary("(b) search_ms p50=%.2f p95=%.2f max=%.2f over %zu queries x %d  target p95<20: %s", sf.all.p50, sf.all.p95,
            sf.all.max, mix.size(), opt.search_rounds, Verdict(sf.all.p95 < 20));
    Sql side(path, true);
    PrintPlan(side, "search",
              "SELECT d.record_type, d.record_id, f.title, snippet(search_fts, -1, '[', ']', '…', 12), "
              "bm25(search_fts, 4.0, 1.0) AS rank FROM search_fts f JOIN search_docs d ON d.docid = f.rowid "
              "WHERE search_fts MATCH 'drain*' ORDER BY rank LIMIT 20");
    PrintPlan(side, "list", "SELECT * FROM visits WHERE 1 AND deleted = 0 ORDER BY started_utc DESC, id LIMIT 50");
    CompareSearchShapes(path, mix, opt.search_rounds);
  }
  std::fflush(stdout);

  // (a) again at scale: the same comparison on the N-visit store, against a
  // plain table holding the same N rows.
  {
    auto store = OpenStore(path);
    const std::string plain_path = dir + "/plain_at_scale.db";
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(plain_path + s);
    PlainVisits plain(plain_path, path, fx);
    plain.db().Exec("ATTACH '" + path + "' AS src");
    plain.db().Exec("BEGIN IMMEDIATE; INSERT INTO visits SELECT * FROM src.visits; COMMIT; DETACH src");
    // Seeded by the current count too, so a --reuse run makes new visit ids.
    int64_t now_visits = Check(store->Count(RecordType::kVisit), "counting visits");
    VisitMaker maker(fx, vocab, opt.seed * 31 + 7 + static_cast<uint64_t>(now_visits));
    int n = std::max(50, opt.save_commits / 5);
    SaveFigures scale = CompareSaves(store.get(), &plain, maker, n);
    PrintSaves("at_scale_", scale);
    Summary("(a) at %lld visits: save_with_capture_per_s=%.1f plain_insert_per_s=%.1f ratio=%.2f (%d commits each)",
            static_cast<long long>(visits), scale.store_per_s, scale.plain_per_s, scale.plain_per_s / scale.store_per_s,
            n);
  }

  FinishRun(g_load_start, dir, remove_dir);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_store_bench");
  ccfield::bench::Options opt = ccfield::bench::ParseOptions(argc, argv);
  if (!opt.child_open.empty()) return ccfield::bench::ChildOpenList(opt.child_open);
  return ccfield::bench::Run(opt);
}
