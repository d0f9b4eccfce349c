// The field-level merge rules (docs/sync-protocol.md, "Merge rules").
#include "ccfield/sync/merge.h"

#include <doctest/doctest.h>

#include <string>

namespace ccfield::sync {
namespace {

using nlohmann::json;

FieldState Current(json value, ServerVersion version, std::string device) {
  FieldState s;
  s.exists = true;
  s.value = std::move(value);
  s.version = version;
  s.device_id = std::move(device);
  return s;
}

Incoming Push(json value, ServerVersion base, std::string device, bool long_text = false) {
  Incoming in;
  in.value = std::move(value);
  in.base = base;
  in.device_id = std::move(device);
  in.long_text = long_text;
  return in;
}

TEST_CASE("MergeField fast-forwards an unset field") {
  const FieldMerge m = MergeField(FieldState{}, nullptr, Push("Kalaban", 0, "tablet-b"));
  CHECK(m.outcome == FieldOutcome::kFastForward);
  CHECK(m.value == "Kalaban");
  CHECK(m.loser.is_null());
}

TEST_CASE("MergeField fast-forwards an edit based on the current version") {
  const FieldMerge m = MergeField(Current("sec", 12, "tablet-a"), "sec", Push("en eau", 12, "tablet-b"));
  CHECK(m.outcome == FieldOutcome::kFastForward);
  CHECK(m.value == "en eau");
  CHECK(m.loser.is_null());
}

TEST_CASE("MergeField fast-forwards an edit based on a later version than the field's") {
  // The device saw version 20 of the record; this field last changed at 12.
  const FieldMerge m = MergeField(Current("sec", 12, "tablet-a"), "sec", Push("en eau", 20, "tablet-b"));
  CHECK(m.outcome == FieldOutcome::kFastForward);
  CHECK(m.value == "en eau");
}

TEST_CASE("MergeField fast-forwards the same device's sequential edits even with an old base") {
  // tablet-a edited twice offline; its second change still carries base 3.
  const FieldMerge m = MergeField(Current(4, 15, "tablet-a"), 2, Push(5, 3, "tablet-a"));
  CHECK(m.outcome == FieldOutcome::kFastForward);
  CHECK(m.value == 5);
  CHECK(m.loser.is_null());
}

TEST_CASE("MergeField applies the same value written concurrently without a conflict") {
  // Text, and a structured value (a multiple-choice answer).
  const struct {
    json same, base;
  } cases[] = {{"réparé", "cassé"}, {json::array({"a", "b"}), nullptr}};
  for (const auto& c : cases) {
    CAPTURE(c.same.dump());
    const FieldMerge m = MergeField(Current(c.same, 15, "tablet-a"), c.base, Push(c.same, 10, "tablet-b"));
    CHECK(m.outcome == FieldOutcome::kSameValue);
    CHECK(m.value == c.same);
    CHECK(m.loser.is_null());
  }
}

TEST_CASE("MergeField merges concurrent long-text edits that do not overlap") {
  const json base = "Le puits est sec.\nLa pompe fuit.\n";
  const FieldState current = Current("Le puits est à sec.\nLa pompe fuit.\n", 15, "tablet-a");
  const FieldMerge m =
      MergeField(current, base, Push("Le puits est sec.\nLa pompe fuit encore.\n", 10, "tablet-b", true));
  CHECK(m.outcome == FieldOutcome::kTextMerged);
  CHECK(m.value == "Le puits est à sec.\nLa pompe fuit encore.\n");
  CHECK(m.loser.is_null());
}

TEST_CASE("MergeField merges long text against an unknown (null) base as empty") {
  // The field was empty at the pusher's base; the server's current value is
  // still empty text, so the push merges onto it.
  const FieldMerge m = MergeField(Current("", 15, "tablet-a"), nullptr, Push("Nouvelle note\n", 10, "tablet-b", true));
  CHECK(m.outcome == FieldOutcome::kTextMerged);
  CHECK(m.value == "Nouvelle note\n");
  // Two different notes typed into an empty field cannot be merged.
  const FieldMerge c = MergeField(Current("Note A\n", 15, "tablet-a"), nullptr, Push("Note B\n", 10, "tablet-b", true));
  CHECK(c.outcome == FieldOutcome::kConflict);
  CHECK(c.value == "Note B\n");
  CHECK(c.loser == "Note A\n");
}

TEST_CASE("MergeField makes a conflict of overlapping long-text edits, the later arrival wins") {
  const FieldMerge m = MergeField(Current("La pompe goutte.\n", 15, "tablet-a"), "La pompe fuit.\n",
                                  Push("La pompe est réparée.\n", 10, "tablet-b", true));
  CHECK(m.outcome == FieldOutcome::kConflict);
  CHECK(m.value == "La pompe est réparée.\n");
  CHECK(m.loser == "La pompe goutte.\n");
}

TEST_CASE("MergeField does not text-merge short fields") {
  // The same non-overlapping edit, on a field that is not long text.
  const json base = "a\nb\n";
  const FieldMerge m = MergeField(Current("A\nb\n", 15, "tablet-a"), base, Push("a\nB\n", 10, "tablet-b", false));
  CHECK(m.outcome == FieldOutcome::kConflict);
  CHECK(m.value == "a\nB\n");
  CHECK(m.loser == "A\nb\n");
}

TEST_CASE("MergeField makes a conflict when long-text values are not all text") {
  // tablet-b pushes `pushed` on `base` while the server holds `current`.
  const struct {
    const char* what;
    json current, base, pushed;
  } cases[] = {
      {"current value is not a string", nullptr, "a\n", "a\nb\n"},
      {"pushed value is not a string", "a\nb\n", "a\n", 42},
      {"base is neither text nor null", "A\nb\n", 7, "a\nB\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const FieldMerge m = MergeField(Current(c.current, 15, "tablet-a"), c.base, Push(c.pushed, 10, "tablet-b", true));
    CHECK(m.outcome == FieldOutcome::kConflict);
    CHECK(m.value == c.pushed);   // the later arrival wins
    CHECK(m.loser == c.current);  // the server's value is kept as the loser
  }
}

TEST_CASE("MergeField makes a conflict of concurrent scalar edits, the later arrival wins") {
  const FieldMerge m = MergeField(Current(3, 15, "tablet-a"), 1, Push(4, 14, "tablet-b"));
  CHECK(m.outcome == FieldOutcome::kConflict);
  CHECK(m.value == 4);
  CHECK(m.loser == 3);
}

TEST_CASE("MergeField treats a server merge as another device's edit") {
  const FieldMerge m = MergeField(Current("x", 15, kServerDeviceId), "w", Push("y", 12, "tablet-b"));
  CHECK(m.outcome == FieldOutcome::kConflict);
  CHECK(m.loser == "x");
}

TEST_CASE("DeleteLosesToEdit keeps a record alive when another device edited it after the delete's base") {
  CHECK(DeleteLosesToEdit(10, 11));
  CHECK_FALSE(DeleteLosesToEdit(10, 10));  // the deleting device had seen the edit
  CHECK_FALSE(DeleteLosesToEdit(10, 3));
  CHECK_FALSE(DeleteLosesToEdit(10, 0));  // nobody else ever wrote it
}

TEST_CASE("EditRevivesDeleted brings back a record deleted after the edit's base by another device") {
  CHECK(EditRevivesDeleted(10, 11, false));
  CHECK_FALSE(EditRevivesDeleted(10, 11, true));   // a device's own delete, then its own edit: sequential
  CHECK_FALSE(EditRevivesDeleted(10, 10, false));  // the editor had seen the delete
  CHECK_FALSE(EditRevivesDeleted(12, 11, false));
}

}  // namespace
}  // namespace ccfield::sync
