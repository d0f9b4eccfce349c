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

}  // namespace ccfield::app
