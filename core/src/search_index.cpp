// The full-text index (FTS5, unicode61 with diacritics removed: case- and
// accent-insensitive for Latin, case-insensitive for Cyrillic and Greek).
// One document per live record; deleted records are removed and come back on
// restore. Kept in step by the writer inside the same transaction.

#include "search_index.h"

#include <cctype>

#include "ccfield/core/store.h"
#include "store_internal.h"

namespace ccfield::internal {

using nlohmann::json;

namespace {

void Append(std::string* out, const json& v) {
  if (v.is_string() && !v.get_ref<const std::string&>().empty()) {
    if (!out->empty()) out->push_back('\n');
    out->append(v.get_ref<const std::string&>());
  } else if (v.is_array()) {
    for (const json& x : v) Append(out, x);
  }
}

// Title and body of the search document for a record.
Result<std::pair<std::string, std::string>> DocumentText(sql::Db* db, const Record& r, const FormLookup& forms) {
  std::string title = r.Title(), body;
  switch (r.type) {
    case RecordType::kVisit: {
      const FormDef* form = forms(r.Get("form").is_string() ? r.Get("form").get<std::string>() : "");
      std::string lang = r.Get("language").is_string() ? r.Get("language").get<std::string>() : "en";
      title = form ? PickLabel(form->title, lang) : r.Title();
      if (const json& site_id = r.Get("site_id"); site_id.is_string()) {
        CCF_ASSIGN_OR_RETURN(std::optional<Record> site, LoadRecord(db, RecordType::kSite, site_id.get<std::string>()));
        if (site) title += " – " + site->Title();
      }
      Append(&body, r.Get("notes"));
      Append(&body, r.Get("follow_up_action"));
      const json& answers = r.Get("answers");
      if (form && answers.is_object()) {
        for (const auto& [id, value] : answers.items()) {
          const FormField* f = form->Find(id);
          if (!f) continue;
          if (f->type == AnswerType::kSingleChoice || f->type == AnswerType::kMultiChoice) {
            // Choices are found in English, French and the visit's language.
            Append(&body, FormatAnswer(*f, value, "en"));
            Append(&body, FormatAnswer(*f, value, "fr"));
            if (lang != "en" && lang != "fr") Append(&body, FormatAnswer(*f, value, lang));
          } else if (f->type == AnswerType::kText || f->type == AnswerType::kLongText) {
            Append(&body, value);
          }
        }
      }
      break;
    }
    case RecordType::kSite:
      for (const char* f : {"kind", "ward", "address"}) Append(&body, r.Get(f));
      break;
    case RecordType::kProject:
      for (const char* f : {"summary", "topic", "sdg_targets"}) Append(&body, r.Get(f));
      break;
    case RecordType::kPractice:
      for (const char* f : {"city", "country", "problem", "solution", "results", "topics", "sdg_targets"}) {
        Append(&body, r.Get(f));
      }
      break;
    default:
      return std::pair<std::string, std::string>();  // not searched
  }
  return std::pair(std::move(title), std::move(body));
}

bool IsSearched(RecordType t) {
  return t == RecordType::kVisit || t == RecordType::kSite || t == RecordType::kProject ||
         t == RecordType::kPractice;
}

}  // namespace

Status UnindexRecord(sql::Db* db, const std::string& record_id) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db->Cached("SELECT docid FROM search_docs WHERE record_id = ?"));
  q->Bind(1, record_id);
  CCF_ASSIGN_OR_RETURN(bool row, q->Step());
  const int64_t docid = row ? q->Int(0) : 0;
  q->Reset();
  if (!row) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(sql::Stmt * del_fts, db->Cached("DELETE FROM search_fts WHERE rowid = ?"));
  CCF_RETURN_IF_ERROR(del_fts->Bind(1, docid).Run());
  CCF_ASSIGN_OR_RETURN(sql::Stmt * del_doc, db->Cached("DELETE FROM search_docs WHERE docid = ?"));
  return del_doc->Bind(1, docid).Run();
}

Status IndexRecord(sql::Db* db, const Record& r, const FormLookup& forms) {
  if (!IsSearched(r.type)) return Status::Ok();
  CCF_RETURN_IF_ERROR(UnindexRecord(db, r.id));
  if (r.deleted) return Status::Ok();
  CCF_ASSIGN_OR_RETURN(auto text, DocumentText(db, r, forms));
  CCF_ASSIGN_OR_RETURN(sql::Stmt * doc, db->Cached("INSERT INTO search_docs(record_type, record_id) VALUES(?, ?)"));
  CCF_RETURN_IF_ERROR(doc->Bind(1, TypeName(r.type)).Bind(2, r.id).Run());
  CCF_ASSIGN_OR_RETURN(sql::Stmt * fts, db->Cached(
      "INSERT INTO search_fts(rowid, title, body) VALUES(last_insert_rowid(), ?, ?)"));
  return fts->Bind(1, text.first).Bind(2, text.second).Run();
}

namespace {

// The queue position of a record queued now (search_pending.n).
constexpr const char* kQueueOrder = "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), 0)";

}  // namespace

Status IndexLater(sql::Db* db, int schema_version, const Record& r, const FormLookup& forms) {
  if (!IsSearched(r.type)) return Status::Ok();
  if (schema_version < kSearchQueueSchema) return IndexRecord(db, r, forms);
  // Queued again: moves to the end (its new FTS rowid is the newest).
  CCF_ASSIGN_OR_RETURN(sql::Stmt * q, db->Cached(std::string("INSERT INTO search_pending(record_id, record_type, n) "
                                                             "VALUES(?, ?, ") + kQueueOrder +
                                                 ") ON CONFLICT(record_id) DO UPDATE SET n = excluded.n"));
  return q->Bind(1, r.id).Bind(2, TypeName(r.type)).Run();
}

Status IndexVisitsOfSiteLater(sql::Db* db, int schema_version, const std::string& site_id, const FormLookup& forms) {
  if (schema_version >= kSearchQueueSchema) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt * q,
                         db->Cached(std::string("INSERT OR IGNORE INTO search_pending(record_id, record_type, n) "
                                                "SELECT id, 'visit', ") + kQueueOrder + " FROM visits WHERE site_id = ?"));
    return q->Bind(1, site_id).Run();
  }
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT " + SelectColumns(RecordType::kVisit) +
                                                " FROM visits WHERE site_id = ? AND deleted = 0"));
  q.Bind(1, site_id);
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Ok();
    CCF_RETURN_IF_ERROR(IndexRecord(db, ReadRecord(RecordType::kVisit, q), forms));
  }
}

Result<int64_t> IndexPending(sql::Db* db, const FormLookup& forms, int64_t max_records) {
  CCF_ASSIGN_OR_RETURN(sql::Stmt next, db->Prepare(
      "SELECT record_type, record_id FROM search_pending ORDER BY n, record_id LIMIT ?"));
  next.Bind(1, max_records);
  struct Pending {
    std::string type, id;
  };
  CCF_ASSIGN_OR_RETURN(std::vector<Pending> batch, sql::AllRows<Pending>(next, [](const sql::Stmt& r) {
                         return Pending{r.Text(0), r.Text(1)};
                       }));
  CCF_ASSIGN_OR_RETURN(sql::Stmt * done, db->Cached("DELETE FROM search_pending WHERE record_id = ?"));
  for (const Pending& p : batch) {
    // The record as it is now: a later save, a delete or a drop since it was
    // queued is what the index shows.
    std::optional<RecordType> type = ParseRecordType(p.type);
    std::optional<Record> r;
    if (type) {
      CCF_ASSIGN_OR_RETURN(r, LoadRecord(db, *type, p.id));
    }
    if (r) {
      CCF_RETURN_IF_ERROR(IndexRecord(db, *r, forms));
    } else {
      CCF_RETURN_IF_ERROR(UnindexRecord(db, p.id));
    }
    CCF_RETURN_IF_ERROR(done->Bind(1, p.id).Run());
  }
  CCF_ASSIGN_OR_RETURN(sql::Stmt left, db->Prepare("SELECT count(*) FROM search_pending"));
  CCF_ASSIGN_OR_RETURN(bool row, left.Step());
  return row ? left.Int(0) : int64_t{0};
}

Status ReindexAll(sql::Db* db, const FormLookup& forms) {
  CCF_RETURN_IF_ERROR(db->Exec("DELETE FROM search_fts; DELETE FROM search_docs;"));
  for (RecordType t : kAllRecordTypes) {
    if (!IsSearched(t)) continue;
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare("SELECT " + SelectColumns(t) + " FROM " +
                                                  std::string(Spec(t).table) + " WHERE deleted = 0"));
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      CCF_RETURN_IF_ERROR(IndexRecord(db, ReadRecord(t, q), forms));
    }
  }
  return Status::Ok();
}

std::string BuildMatchQuery(std::string_view text) {
  // Words are letters/digits (any script: bytes >= 0x80 are kept); everything
  // else separates. Each word is quoted, so FTS5 syntax in the input is inert.
  std::vector<std::string> words;
  std::string cur;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) {
      cur.push_back(c);
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  std::string q;
  for (size_t i = 0; i < words.size() && i < 16; ++i) {
    if (!q.empty()) q += " AND ";
    q += "\"" + words[i] + "\"";
    if (i + 1 == words.size()) q += "*";
  }
  return q;
}

constexpr int64_t kRankWindow = 2000;

Result<std::vector<SearchHit>> RunSearch(sql::Db* db, const SearchQuery& query) {
  std::vector<SearchHit> hits;
  std::string match = BuildMatchQuery(query.text);
  if (match.empty()) return hits;
  // bm25 costs about a microsecond per matching document, so a common word
  // over 100k visits would take ~40 ms. Visits are ranked among their newest
  // kRankWindow matches (for rarer words that is all of them); sites,
  // projects and good practices are few and always ranked.
  int64_t visit_cutoff = 0;
  if (!query.type || *query.type == RecordType::kVisit) {
    CCF_ASSIGN_OR_RETURN(sql::Stmt cut, db->Prepare(
        "SELECT f.rowid FROM search_fts f JOIN search_docs d ON d.docid = f.rowid "
        "WHERE search_fts MATCH ? AND d.record_type = 'visit' ORDER BY f.rowid DESC LIMIT 1 OFFSET ?"));
    cut.Bind(1, match).Bind(2, kRankWindow - 1);
    CCF_ASSIGN_OR_RETURN(bool row, cut.Step());
    if (row) visit_cutoff = cut.Int(0);
  }
  std::string sql =
      "SELECT d.record_type, d.record_id, f.title, "
      "snippet(search_fts, -1, '[', ']', '…', 12), bm25(search_fts, 4.0, 1.0) AS rank "
      "FROM search_fts f JOIN search_docs d ON d.docid = f.rowid WHERE search_fts MATCH ? "
      "AND (d.record_type <> 'visit' OR f.rowid >= ?)";
  if (query.type) sql += " AND d.record_type = ?";
  sql += " ORDER BY rank LIMIT ?";
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, db->Prepare(sql));
  int i = 1;
  q.Bind(i++, match);
  q.Bind(i++, visit_cutoff);
  if (query.type) q.Bind(i++, TypeName(*query.type));
  q.Bind(i++, static_cast<int64_t>(query.limit));
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    SearchHit h;
    h.type = ParseRecordType(q.Text(0)).value_or(RecordType::kVisit);
    h.id = q.Text(1);
    h.title = q.Text(2);
    h.snippet = q.Text(3);
    h.rank = q.Real(4);
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace ccfield::internal
