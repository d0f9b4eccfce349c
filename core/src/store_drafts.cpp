// DraftStore (drafts.h): unsaved editor states in the drafts table, outside
// the change log. Every write is one transaction.

#include "ccfield/core/sqlite_txn.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"

namespace ccfield {

Status DraftStore::Save(const std::string& key, const nlohmann::json& body) {
  CCF_RETURN_IF_ERROR(s_->db_->CheckWritable());
  std::string text = body.dump();
  if (FindInvalidUtf8(text)) return Status::Invalid("draft text is not valid UTF-8");
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare(
        "INSERT INTO drafts(key, body, saved_at) VALUES(?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at"));
    return q.Bind(1, key).Bind(2, text).Bind(3, FormatUtcMillis(s_->env_->WallMillis())).Run();
  });
}

Status DraftStore::Delete(const std::string& key) {
  return sql::Transact(s_->db_.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("DELETE FROM drafts WHERE key = ?"));
    return q.Bind(1, key).Run();
  });
}

Result<std::vector<Draft>> DraftStore::List() {
  CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT key, body, saved_at FROM drafts ORDER BY saved_at DESC"));
  std::vector<Draft> out;
  while (true) {
    CCF_ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    Draft d;
    d.key = q.Text(0);
    // A damaged body is dropped rather than blocking the app's start.
    d.body = nlohmann::json::parse(q.Text(1), nullptr, false);
    if (d.body.is_discarded()) continue;
    d.saved_at = q.Text(2);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ccfield
