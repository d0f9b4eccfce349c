#pragma once
// The checks every pushed change passes before it is merged: record type,
// read-only types, membership and role, workspace of the record and of the
// records it points at, the value against core's field declaration, form
// answers against the visit's form. A failed check rejects that one change
// (docs/sync-protocol.md, "Security"); it never fails the request.

#include <map>
#include <optional>
#include <string>
#include <variant>

#include "auth_context.h"
#include "ccfield/core/forms.h"
#include "ccfield/core/records.h"
#include "ccfield/server/storage.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::server {

// Forms by key: the built-in ones and those the admin imported. A key's
// definition never changes once imported, so found forms are cached.
// Thread-safety: none (used under the storage mutex).
class FormCatalog {
 public:
  explicit FormCatalog(ServerStorage* storage) : storage_(storage) {}
  // The form, or nullptr when the key is unknown. The pointer stays valid
  // for the catalog's lifetime.
  Result<const FormDef*> Find(const std::string& key);

 private:
  ServerStorage* storage_;
  std::map<std::string, FormDef, std::less<>> imported_;
};

// A change that passed the checks.
struct CheckedChange {
  RecordType type = RecordType::kVisit;
  nlohmann::json value;              // normalised by core::CheckFieldValue
  std::optional<RecordMeta> record;  // the record when it exists
  bool long_text = false;            // FieldKind::kLongText: text-mergeable
  bool is_delete_field = false;      // "_deleted"
};

// Why a change was rejected: kForbidden, kReadOnly, kInvalid or
// kUnknownType, and a reason in plain words. Reasons never reveal anything
// about workspaces the user is not a member of.
struct ChangeReject {
  RejectCode code;
  std::string reason;
};

using CheckOutcome = std::variant<CheckedChange, ChangeReject>;

// Checks `c` pushed by `who` against the current server state. Storage
// failures are errors; everything about the change itself is an outcome.
//
// A form answer is valid when it fits the visit's form as it stands (which
// includes a "form" change applied earlier in the request) or the form named
// by `later_form`: the value of the next "form" change to the same visit later
// in the same request, or null. (A device logs one commit's fields in key
// order, so a new visit's "answers.*" changes come before its "form".)
Result<CheckOutcome> CheckChange(ServerStorage* storage, FormCatalog* forms, const AuthContext& who,
                                 const FieldChange& c, const std::string* later_form = nullptr);

}  // namespace ccfield::server
