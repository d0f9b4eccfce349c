#include "ccfield/core/records.h"

namespace ccfield {
namespace {

using K = FieldKind;
using RT = RecordType;

constexpr std::string_view kRoles[] = {"field_staff", "coordinator", "admin", "observer"};
constexpr std::string_view kProjectStatus[] = {"planned", "active", "paused", "completed"};
constexpr std::string_view kVisitStatus[] = {"draft", "complete"};
// "typed" (issue 13): the person typed the coordinates.
constexpr std::string_view kGpsSource[] = {"gps", "network", "map_pick", "site_default", "typed"};
constexpr std::string_view kWeather[] = {"dry",       "light_rain", "heavy_rain", "after_rain_24h",
                                         "hot_sunny", "windy_dusty"};
constexpr std::string_view kCondition[] = {"0", "1", "2", "3", "na", "ni"};
constexpr std::string_view kPriority[] = {"P1", "P2", "P3"};
constexpr std::string_view kPhotoMime[] = {"image/jpeg"};
// Where a photo's position came from: the photo's own EXIF GPS, the visit's
// position, typed by a person, or picked on the map.
constexpr std::string_view kPhotoPositionSource[] = {"exif", "visit", "typed", "map"};

constexpr FieldSpec kWorkspaceFields[] = {
    {"name", K::kText, true},
    {"country", K::kText, false, RT::kWorkspace, 2},
    {"default_language", K::kText, false, RT::kWorkspace, 35},
};
constexpr FieldSpec kMemberFields[] = {
    {"workspace_id", K::kRef, true, RT::kWorkspace},
    {"name", K::kText, true},
    {"role", K::kText, false, RT::kWorkspace, 0, kRoles},
};
constexpr FieldSpec kProjectFields[] = {
    {"workspace_id", K::kRef, true, RT::kWorkspace},
    {"title", K::kText, true},
    {"summary", K::kLongText},
    {"topic", K::kText},
    {"sdg_targets", K::kStringList},
    {"status", K::kText, false, RT::kWorkspace, 0, kProjectStatus},
};
constexpr FieldSpec kSiteFields[] = {
    {"workspace_id", K::kRef, true, RT::kWorkspace},
    {"name", K::kText, true},
    {"kind", K::kText},
    {"ward", K::kText},
    {"address", K::kText},
    {"lat", K::kReal, false, RT::kWorkspace, 0, {}, -90, 90},
    {"lon", K::kReal, false, RT::kWorkspace, 0, {}, -180, 180},
};
constexpr FieldSpec kVisitFields[] = {
    {"workspace_id", K::kRef, true, RT::kWorkspace},
    {"site_id", K::kRef, true, RT::kSite},
    {"project_id", K::kRef, false, RT::kProject},
    {"form", K::kText, true, RT::kWorkspace, 80},
    {"status", K::kText, false, RT::kWorkspace, 0, kVisitStatus},
    {"started_at", K::kTimestamp, true},
    {"ended_at", K::kTimestamp},
    {"inspector_id", K::kRef, false, RT::kMember},
    {"gps_lat", K::kReal, false, RT::kWorkspace, 0, {}, -90, 90},
    {"gps_lon", K::kReal, false, RT::kWorkspace, 0, {}, -180, 180},
    {"gps_accuracy_m", K::kReal, false, RT::kWorkspace, 0, {}, 0, 100000},
    {"gps_source", K::kText, false, RT::kWorkspace, 0, kGpsSource},
    {"weather", K::kText, false, RT::kWorkspace, 0, kWeather},
    {"condition_rating", K::kText, false, RT::kWorkspace, 0, kCondition},
    {"follow_up_needed", K::kBool},
    {"follow_up_action", K::kText},
    {"follow_up_priority", K::kText, false, RT::kWorkspace, 0, kPriority},
    {"follow_up_due", K::kDate},
    {"notes", K::kLongText},
    {"language", K::kText, false, RT::kWorkspace, 35},
    {"sdg_targets", K::kStringList},
};
constexpr FieldSpec kAnswerField = {"answers.*", K::kAnswer};
constexpr FieldSpec kPracticeFields[] = {
    {"title", K::kText, true},
    {"city", K::kText},
    {"country", K::kText, false, RT::kWorkspace, 2},
    {"problem", K::kLongText},
    {"solution", K::kLongText},
    {"results", K::kLongText},
    {"contact_role", K::kText},
    {"topics", K::kStringList},
    {"sdg_targets", K::kStringList},
    {"language", K::kText, false, RT::kWorkspace, 35},
};
constexpr FieldSpec kContactFields[] = {
    {"name", K::kText, true},
    {"role", K::kText},
    {"organisation", K::kText},
    {"expertise", K::kLongText},
    {"languages", K::kStringList},
};

// A photo attached to a visit or a site (issue 12). The record travels in the
// sync cycle; its bytes travel apart as two blobs named by their SHA-256: the
// send copy (`blob`) and the thumbnail (`thumb`), docs/sync-protocol.md.
constexpr FieldSpec kPhotoFields[] = {
    {"workspace_id", K::kRef, true, RT::kWorkspace},
    {"visit_id", K::kRef, false, RT::kVisit},
    {"site_id", K::kRef, false, RT::kSite},
    {"blob", K::kBlobHash, true},
    {"thumb", K::kBlobHash},
    {"mime", K::kText, false, RT::kWorkspace, 0, kPhotoMime},
    {"bytes", K::kInteger, false, RT::kWorkspace, 0, {}, 1, 50.0 * 1024 * 1024},
    {"thumb_bytes", K::kInteger, false, RT::kWorkspace, 0, {}, 1, 1024 * 1024},
    {"width", K::kInteger, false, RT::kWorkspace, 0, {}, 1, 65535},
    {"height", K::kInteger, false, RT::kWorkspace, 0, {}, 1, 65535},
    {"taken_at", K::kTimestamp},
    {"lat", K::kReal, false, RT::kWorkspace, 0, {}, -90, 90},
    {"lon", K::kReal, false, RT::kWorkspace, 0, {}, -180, 180},
    {"position_source", K::kText, false, RT::kWorkspace, 0, kPhotoPositionSource},
    {"caption", K::kText},
    {"file_name", K::kText, false, RT::kWorkspace, 255},
};

constexpr RecordSpec kSpecs[] = {
    {RT::kWorkspace, "workspace", "workspaces", "name", false, kWorkspaceFields},
    {RT::kMember, "member", "members", "name", false, kMemberFields},
    {RT::kProject, "project", "projects", "title", false, kProjectFields},
    {RT::kSite, "site", "sites", "name", false, kSiteFields},
    {RT::kVisit, "visit", "visits", "form", false, kVisitFields},
    {RT::kPractice, "practice", "practices", "title", true, kPracticeFields},
    {RT::kContact, "contact", "contacts", "name", true, kContactFields},
    {RT::kPhoto, "photo", "photos", "caption", false, kPhotoFields},
};

}  // namespace

const RecordSpec& Spec(RecordType type) { return kSpecs[static_cast<int>(type)]; }

std::string_view TypeName(RecordType type) { return Spec(type).name; }

std::optional<RecordType> ParseRecordType(std::string_view name) {
  for (const RecordSpec& s : kSpecs) {
    if (name == s.name || name == s.table) return s.type;
  }
  if (name == "practices" || name == "good_practice") return RT::kPractice;
  return std::nullopt;
}

const FieldSpec* FindField(RecordType type, std::string_view field) {
  if (type == RT::kVisit && field.starts_with(kAnswersPrefix) &&
      field.size() > kAnswersPrefix.size()) {
    return &kAnswerField;
  }
  for (const FieldSpec& f : Spec(type).fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

}  // namespace ccfield
