#pragma once
// Text as people read it, built by the app (not the views): field labels,
// answer values, the sync sentence. Translated through the message catalog.
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/store.h"
#include "ccfield/sync/client.h"

namespace ccfield::app {

// "Notes", "Follow-up due", or the form's label for "answers.<id>" of `visit`.
std::string FieldLabel(Store* store, const Record* record, const std::string& field, const std::string& lang);
// A field's value in words: option labels, yes/no, units; "(empty)" for null.
std::string ValueText(Store* store, const Record* record, const std::string& field, const nlohmann::json& value,
                      const std::string& lang);
// "3 changes waiting · last successful sync 2026-11-26 16:40 UTC · blocked by: ..."
std::string SyncSentence(const sync::SyncStatus& status);
// Condition ratings "0".."3", "na", "ni" in words.
std::string ConditionText(const std::string& rating);
// A visit row's title: "Drain D-14 · 2026-10-05 09:00".
std::string VisitRowTitle(const VisitRow& row);

// ---- The visit editor ----

// The label of a visit field or of an answer ("answers.<id>") of `form`.
std::string VisitFieldLabel(const FormDef* form, const std::string& field, const std::string& lang);
// What is wrong with one value of the visit being edited, in words that name
// the field ("Latitude must be between −90 and 90."); "" when it fits. Core
// (ValidateAnswer, CheckFieldValue) decides; this only says it for people.
std::string VisitValueProblem(const FormDef* form, const std::string& field, const nlohmann::json& value,
                              const std::string& lang);
// "6.7959° S, 39.2469° E", plus " · ±5 m" when the accuracy is a number.
std::string PositionText(double lat, double lon, const nlohmann::json& accuracy_m = nullptr);
// "1.4 km from the site's position — is this the right site?"; "" within kVisitFarFromSiteMeters.
std::string FarFromSiteText(double meters);

// ---- Records, people and devices ----

// A record's title as people read it: a visit is "Site · Form title · date",
// never its form key; other records their name or title.
std::string RecordTitle(Store* store, const Record& record, const std::string& lang);
// Who made a change: a member id becomes the member's name, this device's
// own writes before signing in ("local") become "you"; a user name stays.
std::string AuthorName(Store* store, const std::string& author);
// Where a change was made: "this device", "the platform", "Amina's tablet".
std::string DeviceText(Store* store, const std::string& device_id, const std::string& author);
// Who made a received change, as the server vouches for it: the signed-in
// user (`pushed_by`), and the name the device typed only when it says
// something else ("bob, signed as Mallory"); AuthorName when the server
// named nobody (own changes, older data).
std::string VerifiedAuthorName(Store* store, const std::string& author, const std::string& pushed_by);
// The server's doubt about a change's device time, in words ("" for none).
std::string ClockFlagText(ClockFlag flag);

// ---- Library values ----

// Topic codes ("solid_waste") in words; unknown codes are spelled out.
std::string TopicText(const std::string& code);
// ISO 3166 country codes ("TZ") in words; unknown codes stay as they are.
std::string CountryName(const std::string& code);
// Language tags ("pt-MZ") in the language's own name: "Português (Mozambique)".
std::string LanguageName(const std::string& tag);
// Project status codes in words.
std::string ProjectStatusText(const std::string& code);

}  // namespace ccfield::app
