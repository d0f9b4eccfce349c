#include "cli/output.h"

#include <algorithm>

#include "ccfield/core/geo.h"
#include "ccfield/core/json_text.h"
#include "ccfield/core/site_kinds.h"
#include "ccfield/core/text.h"

namespace ccfield::cli {

using nlohmann::json;

json RecordJson(const Record& r) {
  return {{"type", TypeName(r.type)}, {"id", r.id},           {"deleted", r.deleted},
          {"created_at", r.created_at}, {"updated_at", r.updated_at}, {"fields", r.fields}};
}

json ChangeJson(const ChangeEntry& e) {
  json j = {{"seq", e.seq},
          {"device_id", e.device_id},
          {"device_seq", e.device_seq},
          {"device_time", e.time},
          {"author", e.author},
          {"pushed_by", e.user},
          {"record_type", ChangeTypeName(e.type)},
          {"record_id", e.record_id},
          {"field", e.field},
          {"value", e.value},
          {"created", e.created}};
  // The server's doubt about the device time, as its code ("future", "before_last_sync").
  if (e.clock != ClockFlag::kNone) j["clock"] = ClockFlagName(e.clock);
  return j;
}

json HitJson(const SearchHit& h) {
  return {{"type", TypeName(h.type)}, {"id", h.id}, {"title", h.title}, {"snippet", h.snippet}, {"rank", h.rank}};
}

json ItemsJson(json items) {
  const size_t count = items.size();
  return {{"items", std::move(items)}, {"count", count}};
}

std::string ShortId(const std::string& id) { return id.substr(0, 8); }

std::string PlainValue(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return ReplaceInvalidUtf8(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_array()) {
    std::string out;
    for (const json& x : v) out += (out.empty() ? "" : ", ") + PlainValue(x);
    return out;
  }
  return JsonForOutput(v);
}

std::string StateWords(RecordState state) {
  switch (state) {
    case RecordState::kSent: return "sent";
    case RecordState::kWaiting: return "ready to send";
    case RecordState::kDraft: return "draft";
    case RecordState::kConflict: return "in conflict";
    case RecordState::kRefused: return "refused";
    case RecordState::kDemo: return "demo";
  }
  return "?";
}

RecordStatus StateOf(const std::map<std::string, RecordStatus>& states, const Record& r) {
  auto it = states.find(r.id);
  RecordStatus s = it == states.end() ? RecordStatus{} : it->second;
  const bool draft = r.type == RecordType::kVisit && r.Get("status") == "draft";
  if (draft && (s.state == RecordState::kSent || s.state == RecordState::kWaiting)) s = {RecordState::kDraft, ""};
  return s;
}

void AddStateJson(json* j, const RecordStatus& status) {
  (*j)["state"] = RecordStateName(status.state);
  if (status.state == RecordState::kRefused) (*j)["refused_reason"] = status.reason;
}

std::string RefusedSentence(int64_t n, RecordType type) {
  if (n <= 0) return "";
  const std::string noun = n == 1 ? std::string(TypeName(type)) + " was" : std::string(Spec(type).table) + " were";
  return std::to_string(n) + " " + noun + " refused by the server — see `ccfield refused`";
}

// The window's English words (app::ConditionText, whose msgids these are),
// written here so that the command line loads no catalog machinery and no
// FriBidi (issue 14); tests/ui/cli_test.cpp checks they are the same words.
std::string ConditionWords(const std::string& rating) {
  if (rating == "0") return "0 · good";
  if (rating == "1") return "1 · minor issues";
  if (rating == "2") return "2 · needs repair";
  if (rating == "3") return "3 · critical";
  if (rating == "na") return "not applicable";
  if (rating == "ni") return "not inspected";
  return rating;
}

std::string FarFromSiteWords(double meters) {
  if (!(meters > kVisitFarFromSiteMeters)) return "";
  return FormatDistance(meters) + " from the site's position — is this the right site?";
}

std::string RecordLine(Store* store, const Record& r, const std::string& lang, const RecordStatus* status) {
  std::string line = ShortId(r.id) + "  ";
  if (status) {
    std::string word = StateWords(status->state);
    word.resize(std::max<size_t>(word.size(), 13), ' ');
    line += word + "  ";
  }
  if (r.type == RecordType::kVisit) {
    std::string started = PlainValue(r.Get("started_at"));
    line += started.substr(0, 10) + " " + (started.size() >= 16 ? started.substr(11, 5) : "") + "  ";
    const FormDef* form = store->FindForm(PlainValue(r.Get("form")));
    line += form ? PickLabel(form->title, lang) : PlainValue(r.Get("form"));
    if (auto site = store->Get(RecordType::kSite, PlainValue(r.Get("site_id"))); site.ok()) {
      line += " – " + site->Title();
    }
    if (r.Get("status") == "draft" && !status) line += "  (draft)";
    if (r.Get("follow_up_needed") == true) {
      line += "  [" + PlainValue(r.Get("follow_up_priority"));
      if (r.Get("follow_up_due").is_string()) line += " due " + PlainValue(r.Get("follow_up_due"));
      line += "]";
    }
  } else {
    line += r.Title();
    if (r.type == RecordType::kSite && r.Get("kind").is_string()) {
      line += " · " + SiteKindLabel(PlainValue(r.Get("kind")), lang);
    }
    if (r.type == RecordType::kSite && r.Get("ward").is_string()) line += " (" + PlainValue(r.Get("ward")) + ")";
    if (r.type == RecordType::kPractice) line += " — " + PlainValue(r.Get("city")) + ", " + PlainValue(r.Get("country"));
    if (r.type == RecordType::kProject && r.Get("sdg_targets").is_array()) {
      line += "  SDG " + PlainValue(r.Get("sdg_targets"));
    }
  }
  if (r.deleted) line += "  (deleted)";
  return line;
}

std::string RecordTitle(Store* store, const std::string& type_name, const std::string& id) {
  std::optional<RecordType> type = ParseRecordType(type_name);
  if (type) {
    if (Result<Record> r = store->Get(*type, id); r.ok()) {
      std::string t = r->Title();
      if (t != id) return t;
    }
  }
  return ShortId(id);
}

}  // namespace ccfield::cli
