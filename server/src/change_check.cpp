#include "change_check.h"

#include "ccfield/core/text.h"

namespace ccfield::server {

using nlohmann::json;

Result<const FormDef*> FormCatalog::Find(const std::string& key) {
  for (const FormDef& f : BuiltinForms()) {
    if (f.key() == key) return &f;
  }
  if (auto it = imported_.find(key); it != imported_.end()) return &it->second;
  CCF_ASSIGN_OR_RETURN(std::optional<StoredForm> stored, storage_->FindForm(key));
  if (!stored) return static_cast<const FormDef*>(nullptr);
  Result<FormDef> parsed = ParseForm(stored->definition);
  if (!parsed.ok()) return parsed.status().WithContext("imported form " + key + " no longer parses");
  return &imported_.emplace(key, std::move(parsed).value()).first->second;
}

namespace {

// One reason for every "not your workspace" case, so that a rejection does
// not tell whether a record of another workspace exists.
constexpr const char* kNotYours = "you can only change records of your own workspaces";

CheckOutcome Reject(RejectCode code, std::string reason) { return ChangeReject{code, std::move(reason)}; }

bool ReadOnlyForDevices(RecordType t) {
  switch (t) {
    case RecordType::kWorkspace:
    case RecordType::kMember:
    case RecordType::kPractice:
    case RecordType::kContact:
      return true;
    case RecordType::kProject:
    case RecordType::kSite:
    case RecordType::kVisit:
    case RecordType::kPhoto:
      return false;
  }
  return true;
}

std::optional<ChangeReject> Refusal(RejectCode code, std::string reason) {
  return ChangeReject{code, std::move(reason)};
}

// A reference field (`spec` is kRef, `value` a non-null id): it points at a
// record of the same workspace, of the declared type, that the server has.
Result<std::optional<ChangeReject>> CheckReference(ServerStorage* storage, const FieldChange& c, const FieldSpec& spec,
                                                   const json& value) {
  const std::string& ref = value.get_ref<const std::string&>();
  if (c.field == "workspace_id") {
    if (ref != c.workspace_id)
      return Refusal(RejectCode::kForbidden, "workspace_id must be the record's own workspace");
    return std::optional<ChangeReject>();
  }
  CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> target, storage->GetRecord(ref));
  if (!target || target->workspace_id != c.workspace_id) {
    return Refusal(RejectCode::kForbidden,
                   c.field + " must point at a record of the same workspace that the server has");
  }
  if (target->type != ChangeTypeOf(spec.ref_type)) {
    return Refusal(RejectCode::kInvalid, c.field + " must point at a " + std::string(TypeName(spec.ref_type)));
  }
  return std::optional<ChangeReject>();
}

// A form answer (non-null `value`): it fits the visit's current form, or the
// form a later change of the request sets (CheckChange's comment).
Result<std::optional<ChangeReject>> CheckAnswer(ServerStorage* storage, FormCatalog* forms, const FieldChange& c,
                                                const std::string* later_form, const json& value) {
  // Candidate forms: the visit's current form, then one set later in this request.
  std::vector<std::string> keys;
  CCF_ASSIGN_OR_RETURN(StoredField form_field, storage->GetField(c.record_id, "form"));
  if (form_field.state.exists && form_field.state.value.is_string()) {
    keys.push_back(form_field.state.value.get<std::string>());
  }
  if (later_form && (keys.empty() || keys[0] != *later_form)) keys.push_back(*later_form);
  if (keys.empty()) return Refusal(RejectCode::kInvalid, "a form answer needs the visit's form to be set");
  const std::string answer_id = c.field.substr(kAnswersPrefix.size());
  std::string reason;
  for (const std::string& key : keys) {
    CCF_ASSIGN_OR_RETURN(const FormDef* form, forms->Find(key));
    if (!form) {
      reason = "form \"" + key + "\" is not known to the server";
      continue;
    }
    const FormField* question = form->Find(answer_id);
    if (!question) {
      reason = "form " + key + " has no question \"" + answer_id + "\"";
      continue;
    }
    Status st = ValidateAnswer(*question, value);
    if (st.ok()) return std::optional<ChangeReject>();
    reason = st.message();
  }
  return Refusal(RejectCode::kInvalid, reason);
}

}  // namespace

Result<CheckOutcome> CheckChange(ServerStorage* storage, FormCatalog* forms, const AuthContext& who,
                                 const FieldChange& c, const std::string* later_form) {
  if (c.type == ChangeType::kForm) return Reject(RejectCode::kReadOnly, "forms are managed by the administrator");
  std::optional<RecordType> type = RecordTypeOf(c.type);
  if (!type) {
    return Reject(RejectCode::kUnknownType, "this record type is not one this server knows; update the server");
  }
  if (ReadOnlyForDevices(*type)) {
    return Reject(RejectCode::kReadOnly, std::string(TypeName(*type)) + " records are managed by the administrator");
  }
  if (!IsUuid(c.record_id)) return Reject(RejectCode::kInvalid, "the record id must be a UUID");

  const Membership* m = who.Find(c.workspace_id);
  if (c.workspace_id.empty() || !m) return Reject(RejectCode::kForbidden, kNotYours);
  if (m->role == "observer") return Reject(RejectCode::kForbidden, "observers can read but not change records");
  if (*type == RecordType::kProject && m->role != "coordinator" && m->role != "admin") {
    return Reject(RejectCode::kForbidden, "only coordinators can change projects");
  }

  CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> record, storage->GetRecord(c.record_id));
  if (record && record->workspace_id != c.workspace_id) return Reject(RejectCode::kForbidden, kNotYours);
  if (record && record->type != c.type)
    return Reject(RejectCode::kInvalid, "this id belongs to a record of another type");

  CheckedChange out;
  out.type = *type;
  out.record = record;
  if (c.field == kDeletedField) {
    if (!c.value.is_boolean()) return Reject(RejectCode::kInvalid, "_deleted must be true or false");
    if (!record) return Reject(RejectCode::kInvalid, "the record to delete or restore does not exist on the server");
    out.value = c.value;
    out.is_delete_field = true;
    return CheckOutcome(std::move(out));
  }

  Result<json> value = CheckFieldValue(*type, c.field, c.value);
  if (!value.ok()) return Reject(RejectCode::kInvalid, value.status().message());
  const FieldSpec* spec = FindField(*type, c.field);  // non-null: CheckFieldValue found it
  out.value = std::move(value).value();
  out.long_text = spec->kind == FieldKind::kLongText;

  if (spec->kind == FieldKind::kRef && !out.value.is_null()) {
    CCF_ASSIGN_OR_RETURN(std::optional<ChangeReject> bad, CheckReference(storage, c, *spec, out.value));
    if (bad) return CheckOutcome(std::move(*bad));
  }

  if (*type == RecordType::kVisit && c.field == "form") {
    CCF_ASSIGN_OR_RETURN(const FormDef* form, forms->Find(out.value.get<std::string>()));
    if (!form)
      return Reject(RejectCode::kInvalid, "form \"" + out.value.get<std::string>() + "\" is not known to the server");
  }

  if (spec->kind == FieldKind::kAnswer && !out.value.is_null()) {
    CCF_ASSIGN_OR_RETURN(std::optional<ChangeReject> bad, CheckAnswer(storage, forms, c, later_form, out.value));
    if (bad) return CheckOutcome(std::move(*bad));
  }
  return CheckOutcome(std::move(out));
}

}  // namespace ccfield::server
