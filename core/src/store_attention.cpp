#include "ccfield/core/store.h"
#include "store_internal.h"

namespace ccfield {

Result<AttentionList> ScreenQueries::Attention(int limit) {
  AttentionList out;
  const std::string cols = internal::SelectColumns(RecordType::kVisit);
  struct Part {
    const char* where_order;
    std::vector<Record>* dest;
  };
  // visits_by_follow_up is a partial index on exactly this condition.
  const Part parts[] = {
      {"follow_up_needed = 1 AND deleted = 0 ORDER BY follow_up_due IS NULL, follow_up_due, follow_up_priority",
       &out.follow_ups},
      {"status = 'draft' AND deleted = 0 ORDER BY started_utc DESC", &out.drafts},
  };
  for (const Part& p : parts) {
    // A shared device shows only what the signed-in account may see.
    const std::string visible =
        s_->schema_version_ >= 7 ? internal::VisibleCondition("workspace_id", "id") + " AND " : std::string();
    CCF_ASSIGN_OR_RETURN(sql::Stmt q, s_->db_->Prepare("SELECT " + cols + " FROM visits WHERE " + visible +
                                                   p.where_order + " LIMIT ?"));
    q.Bind(1, static_cast<int64_t>(limit));
    while (true) {
      CCF_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      p.dest->push_back(internal::ReadRecord(RecordType::kVisit, q));
    }
  }
  return out;
}

}  // namespace ccfield
