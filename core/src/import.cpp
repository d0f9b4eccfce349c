#include "ccfield/core/import.h"

#include "ccfield/core/embedded.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/text.h"

namespace ccfield {

using nlohmann::json;

Result<ImportSummary> ImportRecords(Store* store, Env* env, const json& doc, const ImportOptions& options) {
  if (!doc.is_object()) return Status::Invalid("import file must be a JSON object with arrays per record type");
  ImportSummary summary;
  std::vector<Op> ops;
  // Parents before children, so references resolve in order.
  for (RecordType type : kAllRecordTypes) {
    const std::string name(TypeName(type));
    auto it = doc.find(name);
    if (it == doc.end()) it = doc.find(std::string(Spec(type).table));
    if (it == doc.end()) continue;
    if (!options.only.empty() && !options.only.count(type)) {
      return Status::Invalid("this import takes no \"" + name + "\" records");
    }
    if (!it->is_array()) return Status::Invalid("\"" + name + "\" must be an array");
    int index = 0;
    for (const json& item : *it) {
      const std::string where = name + " #" + std::to_string(index++);
      if (!item.is_object()) return Status::Invalid(where + " must be an object");
      json fields = item;
      std::string id;
      if (auto idit = fields.find("id"); idit != fields.end()) {
        if (!idit->is_string() || !IsUuid(idit->get<std::string>())) return Status::Invalid(where + ": id must be a UUID");
        id = idit->get<std::string>();
        fields.erase("id");
      } else {
        id = NewUuid(env);
      }
      Result<Record> existing = store->Get(type, id);
      if (existing.ok()) {
        ++summary.updated[name];
      } else if (existing.status().code() == Code::kNotFound) {
        ++summary.created[name];
      } else {
        return existing.status();
      }
      ops.push_back(SetFields{type, id, std::move(fields)});
    }
  }
  for (const auto& [k, v] : doc.items()) {
    if (k == "format") continue;
    if (!ParseRecordType(k)) return Status::Invalid("unknown record type \"" + k + "\" in import file");
  }
  CommitOptions commit;
  commit.demo = options.demo;
  CCF_ASSIGN_OR_RETURN(CommitResult r, store->Commit(ops, commit));
  if (r.changed_fields == 0) {
    // Everything was already there: report it as unchanged.
    for (auto& [k, v] : summary.updated) summary.unchanged[k] = v;
    summary.updated.clear();
  }
  return summary;
}

Result<ImportSummary> ImportRecordsText(Store* store, Env* env, std::string_view text, const ImportOptions& options) {
  CCF_ASSIGN_OR_RETURN(json doc, ParseUntrustedJson(text, "import file"));
  // A bare array is taken as records of the single allowed type.
  if (doc.is_array() && options.only.size() == 1) {
    doc = json{{std::string(TypeName(*options.only.begin())), doc}};
  }
  return ImportRecords(store, env, doc, options);
}

Result<ImportSummary> LoadDemoData(Store* store, Env* env) {
  std::string_view text = FindEmbedded(kEmbeddedData, "demo.json");
  if (text.empty()) return Status::Internal("the demo data set is missing from this build");
  ImportOptions options;
  options.demo = true;
  return ImportRecordsText(store, env, text, options);
}

}  // namespace ccfield
