#pragma once
// The record types and their fields: a closed set declared once. The store,
// validation, change capture, search, export and (later) sync all read this
// table, so a new field cannot be forgotten by one of them.

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ccfield {

enum class RecordType { kWorkspace, kMember, kProject, kSite, kVisit, kPractice, kContact, kPhoto };
inline constexpr RecordType kAllRecordTypes[] = {
    RecordType::kWorkspace, RecordType::kMember,   RecordType::kProject, RecordType::kSite,
    RecordType::kVisit,     RecordType::kPractice, RecordType::kContact, RecordType::kPhoto};

enum class FieldKind {
  kText,        // short single-line text (names, codes)
  kLongText,    // free text (notes, good-practice text); merged line-wise by sync
  kInteger,
  kReal,
  kBool,
  kStringList,  // JSON array of distinct strings (SDG targets, topics, languages)
  kTimestamp,   // ISO 8601 with UTC offset: 2026-10-14T08:05:00+03:00
  kDate,        // YYYY-MM-DD
  kRef,         // id of another record (see ref_type)
  kAnswer,      // "answers.<id>": a form answer, validated against the visit's form
  kBlobHash,    // a blob's name: the SHA-256 of its bytes, 64 lowercase hex digits (photos)
};

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  bool required = false;
  RecordType ref_type = RecordType::kWorkspace;  // for kRef
  size_t max_bytes = 0;                          // 0: the kind's default
  std::span<const std::string_view> allowed = {};  // closed pick list, if any
  double min = 0, max = 0;                         // numeric range (kReal, kInteger) when min < max
};

struct RecordSpec {
  RecordType type;
  std::string_view name;         // "visit": used in the change log, CLI and JSON
  std::string_view table;        // SQLite table
  std::string_view title_field;  // field shown as the record's title
  bool library;                  // platform library (read-only for devices once synced)
  std::span<const FieldSpec> fields;
};

const RecordSpec& Spec(RecordType type);
std::string_view TypeName(RecordType type);
std::optional<RecordType> ParseRecordType(std::string_view name);  // "visit", "visits"

// Finds a field, including "answers.<id>" on visits (returned as the kAnswer spec).
const FieldSpec* FindField(RecordType type, std::string_view field);

inline constexpr std::string_view kAnswersPrefix = "answers.";
// The pseudo-field a delete or restore is logged under in the change log.
inline constexpr std::string_view kDeletedField = "_deleted";

// Checks `value` for `field` of a record of `type`: kind, size, UTF-8, pick
// list, range. Returns the value to store (numbers normalised), or
// kInvalidArgument naming the field. Null clears (an error for required
// fields). Form answers ("answers.<id>") pass here and are checked against the
// visit's form by the store.
template <typename T>
class Result;
Result<nlohmann::json> CheckFieldValue(RecordType type, std::string_view field, const nlohmann::json& value);

// Byte limits for text kinds when a field sets none.
inline constexpr size_t kMaxTextBytes = 500;
inline constexpr size_t kMaxLongTextBytes = 100 * 1024;

}  // namespace ccfield
