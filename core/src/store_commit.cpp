// Store::Commit: the one write path. Applies ops, writes one change-log entry
// per changed record (its changed fields), and keeps the search index in step, all in one
// BEGIN IMMEDIATE transaction.

#include <charconv>
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"
#include "store_internal.h"
#include "store_writer.h"

namespace ccfield {

using nlohmann::json;

Result<CommitResult> Store::Commit(const std::vector<Op>& ops) { return Commit(ops, CommitOptions{}); }

Result<CommitResult> Store::Commit(const std::vector<Op>& ops, const CommitOptions& options) {
  Writer w(this, options.demo);
  return RunWriter(&w, [&]() -> Status {
    for (const Op& op : ops) CCF_RETURN_IF_ERROR(w.Apply(op));
    return Status::Ok();
  });
}

Result<CommitResult> Store::CommitThen(const std::vector<Op>& ops, const std::function<Status()>& after) {
  Writer w(this, false);
  return RunWriter(&w, [&]() -> Status {
    for (const Op& op : ops) CCF_RETURN_IF_ERROR(w.Apply(op));
    return after();
  });
}

Result<CommitResult> Store::RunWriter(Writer* w, const std::function<Status()>& body) {
  CCF_RETURN_IF_ERROR(db_->CheckWritable());
  // The author goes into every change-log entry and from there to the server:
  // text that cannot be sent must not get in (it would block sync for good).
  CCF_RETURN_IF_ERROR(CheckAuthorName(author_));
  Result<sql::Txn> txn = sql::Txn::Begin(db_.get());
  if (!txn.ok()) return txn.status().WithContext("saving");
  CCF_RETURN_IF_ERROR(body());
  CCF_RETURN_IF_ERROR(w->Finish());
  // A failed COMMIT with an unknown outcome marks the Db broken (sqlite_txn.h).
  CCF_RETURN_IF_ERROR(txn->Commit().WithContext("saving"));
  return w->result;
}

Status CheckAuthorName(std::string_view author) {
  if (author.empty()) return Status::Invalid("the author name is empty");
  if (author.size() > 200) return Status::Invalid("the author name is longer than 200 bytes");
  if (auto bad = FindInvalidUtf8(author)) {
    return Status::Invalid("the author name is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  for (unsigned char c : author) {
    if (c < 0x20 || c == 0x7f) return Status::Invalid("the author name contains a control character");
  }
  return Status::Ok();
}

}  // namespace ccfield
