// Deltas for long text (issue 14, docs/sync-protocol.md "Deltas for long
// text"). Push: the server rebuilds a pushed patch into the whole value from
// its history and keeps whole values only; a patch that does not fit its base
// takes nothing and is answered resend_whole, with the later entries of its
// record; a re-send of the whole value is then taken as usual. Pull: a device
// that asks for patches gets an edited long text as a patch of the version at
// or below its cursor; others, and texts it cannot hold, come whole.
#include <doctest/doctest.h>

#include "ccfield/sync/text_delta.h"
#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

// A long note, as field staff write them (about 1.2 KB).
std::string LongNote() {
  std::string s;
  for (int i = 0; i < 30; ++i) {
    s += "Line " + std::to_string(i) + ": silt and plastic at the inlet, water standing 20 cm. ";
  }
  return s;
}

struct DeltaWorld {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  Staff b = AddStaff(&f, ws, "bakari");
  std::string site = f.NewId(), visit = f.NewId(), other = f.NewId();
  sync::DeviceSeq seq = 0;
  std::string note = LongNote();
  sync::ServerVersion note_version = 0, other_version = 0;

  DeltaWorld() {
    std::vector<FieldChange> push = SiteChanges(&seq, site, ws);
    Append(&push, VisitChanges(&seq, visit, ws, site));
    Append(&push, VisitChanges(&seq, other, ws, site));
    push.push_back(Change(++seq, "visit", visit, ws, "notes", note));
    push.push_back(Change(++seq, "visit", other, ws, "notes", note));
    sync::SyncResponse r = f.Sync(a.who, push);
    REQUIRE(r.rejects.empty());
    note_version = Unwrap(f.storage->GetField(visit, "notes")).state.version;
    other_version = Unwrap(f.storage->GetField(other, "notes")).state.version;
    REQUIRE(note_version > 0);
    REQUIRE(other_version > note_version);
  }

  // A change of `record`'s notes to `value`, sent as a delta against `base_text` at `base`.
  FieldChange DeltaChange(const std::string& record, const std::string& base_text, const std::string& value,
                          sync::ServerVersion base) {
    FieldChange c = Change(++seq, "visit", record, ws, "notes", json(), base);
    std::optional<json> d = sync::MakeTextDelta(base_text, value);
    REQUIRE(d.has_value());
    c.delta = *d;
    return c;
  }
  json Notes(const std::string& record) { return Unwrap(f.storage->GetField(record, "notes")).state.value; }
};

std::string Edited(std::string s, const std::string& insert) { return s.insert(300, insert); }

TEST_CASE("delta push: the server rebuilds the whole text from its history and keeps whole values") {
  DeltaWorld w;
  const std::string edited = Edited(w.note, "Second visit: grate replaced. ");
  sync::SyncResponse r = w.f.Sync(w.a.who, {w.DeltaChange(w.visit, w.note, edited, w.note_version)});
  REQUIRE(r.rejects.empty());
  const ChangeAck* ack = FindAck(r, w.seq);
  REQUIRE(ack != nullptr);
  CHECK(ack->outcome == ChangeOutcome::kApplied);
  CHECK(ack->version > w.note_version);
  CHECK(w.Notes(w.visit) == edited);
  // The history keeps the whole value (what another device pulls, whole).
  CHECK(Unwrap(w.f.storage->ValueAt(w.visit, "notes", ack->version)) == edited);
  sync::SyncResponse pulled = w.f.Sync(w.b.who, {}, 0);
  std::vector<FieldChange> notes = Received(pulled, w.visit, "notes");
  REQUIRE(!notes.empty());
  CHECK(notes.back().value == edited);
  CHECK(notes.back().delta.is_null());
}

TEST_CASE("delta push: a concurrent edit of the same note merges as if the text had come whole") {
  DeltaWorld w;
  // Bakari edits the end of the note first (whole value).
  const std::string bakari = w.note + "Bakari: cleared on Friday.";
  sync::SyncResponse rb = w.f.Sync(w.b.who, {Change(1, "visit", w.visit, w.ws, "notes", bakari, w.note_version)});
  REQUIRE(rb.rejects.empty());
  // Amina's delta was made on the version both started from.
  const std::string amina = Edited(w.note, "Amina: grate replaced. ");
  sync::SyncResponse ra = w.f.Sync(w.a.who, {w.DeltaChange(w.visit, w.note, amina, w.note_version)});
  REQUIRE(ra.rejects.empty());
  const ChangeAck* ack = FindAck(ra, w.seq);
  REQUIRE(ack != nullptr);
  CHECK(ack->outcome == ChangeOutcome::kMerged);
  const std::string merged = w.Notes(w.visit).get<std::string>();
  CHECK(merged.find("Amina: grate replaced.") != std::string::npos);
  CHECK(merged.find("Bakari: cleared on Friday.") != std::string::npos);
}

TEST_CASE("delta push: a delta made for another base takes nothing and asks for the whole entry") {
  DeltaWorld w;
  // The device's idea of the base differs from the server's (damaged or
  // misremembered): the checksum does not match.
  const std::string wrong_base = "x" + w.note.substr(1);
  const std::string edited = Edited(wrong_base, "an edit ");
  FieldChange bad = w.DeltaChange(w.visit, wrong_base, edited, w.note_version);
  // A later entry of the same record (made on top of it), whole, and an
  // entry of another record with a good delta.
  FieldChange later = Change(++w.seq, "visit", w.visit, w.ws, "status", "complete");
  const std::string other_edit = Edited(w.note, "other visit's edit ");
  FieldChange good = w.DeltaChange(w.other, w.note, other_edit, w.other_version);
  const sync::ServerVersion before = Unwrap(w.f.storage->CurrentVersion());
  sync::SyncResponse r = w.f.Sync(w.a.who, {bad, later, good});
  CHECK(r.rejects.empty());
  REQUIRE(FindAck(r, bad.device_seq) != nullptr);
  CHECK(FindAck(r, bad.device_seq)->outcome == ChangeOutcome::kResendWhole);
  CHECK(FindAck(r, bad.device_seq)->version == 0);
  REQUIRE(FindAck(r, later.device_seq) != nullptr);
  CHECK(FindAck(r, later.device_seq)->outcome == ChangeOutcome::kResendWhole);
  REQUIRE(FindAck(r, good.device_seq) != nullptr);
  CHECK(FindAck(r, good.device_seq)->outcome == ChangeOutcome::kApplied);
  CHECK(w.Notes(w.visit) == w.note);  // nothing of the record was taken
  CHECK(Unwrap(w.f.storage->GetField(w.visit, "status")).state.value != json("complete"));
  CHECK(w.Notes(w.other) == other_edit);
  CHECK(Unwrap(w.f.storage->FindEntry(w.a.device_id, bad.device_seq)).empty());  // the seq stays free
  CHECK(Unwrap(w.f.storage->CurrentVersion()) == before + 1);                   // only the good entry

  // The device sends both again, whole, under the same seqs: taken as usual.
  FieldChange whole = bad;
  whole.delta = nullptr;
  whole.value = edited;
  sync::SyncResponse again = w.f.Sync(w.a.who, {whole, later});
  REQUIRE(FindAck(again, whole.device_seq) != nullptr);
  CHECK(FindAck(again, whole.device_seq)->outcome == ChangeOutcome::kApplied);
  CHECK(again.rejects.empty());
  REQUIRE(FindAck(again, later.device_seq) != nullptr);
  CHECK(FindAck(again, later.device_seq)->outcome == ChangeOutcome::kApplied);
  CHECK(w.Notes(w.visit) == edited);
}

TEST_CASE("delta push: a base the history does not hold, or a broken patch, asks for the whole value") {
  DeltaWorld w;
  const std::string edited = Edited(w.note, "an edit ");
  std::vector<std::pair<std::string, FieldChange>> cases;
  {
    // The field had no value at that version: nothing to patch.
    FieldChange c = w.DeltaChange(w.visit, w.note, edited, w.note_version);
    c.field = "summary";
    cases.emplace_back("a field without a value at the base", c);
  }
  {
    FieldChange c = w.DeltaChange(w.visit, w.note, edited, w.note_version);
    c.delta["n"] = 3;
    cases.emplace_back("a result length that does not fit", c);
  }
  {
    FieldChange c = w.DeltaChange(w.visit, w.note, edited, w.note_version);
    c.delta["d"] = json::array({json::array({1000000, 1, "x"})});
    cases.emplace_back("a hunk past the end", c);
  }
  {
    FieldChange c = w.DeltaChange(w.visit, w.note, edited, w.note_version);
    c.delta["d"] = "not hunks";
    cases.emplace_back("hunks that are not a list", c);
  }
  for (auto& [what, c] : cases) {
    CAPTURE(what);
    sync::SyncResponse r = w.f.Sync(w.a.who, {c});
    CHECK(r.rejects.empty());
    REQUIRE(FindAck(r, c.device_seq) != nullptr);
    CHECK(FindAck(r, c.device_seq)->outcome == ChangeOutcome::kResendWhole);
    CHECK(w.Notes(w.visit) == w.note);
  }
}

TEST_CASE("delta push: a patch to a record of another workspace is refused, whether or not it fits") {
  DeltaWorld w;
  const std::string other_ws = w.f.AddWorkspace("Other municipality");
  Staff outsider = AddStaff(&w.f, other_ws, "chipo");
  // The right base and a wrong one: the same answer, so a guess at someone
  // else's text learns nothing.
  const std::string wrong = "x" + w.note.substr(1);
  for (const std::string& base : {w.note, wrong}) {
    FieldChange c = w.DeltaChange(w.visit, base, Edited(base, "guess "), w.note_version);
    sync::SyncResponse r = w.f.Sync(outsider.who, {c});
    CHECK(FindAck(r, c.device_seq) == nullptr);
    REQUIRE(FindReject(r, c.device_seq) != nullptr);
    CHECK(FindReject(r, c.device_seq)->code == RejectCode::kForbidden);
  }
  CHECK(w.Notes(w.visit) == w.note);
}

TEST_CASE("delta push: a patch whose text breaks the field's rules is refused as a whole value would be") {
  DeltaWorld w;
  // The notes field holds at most kMaxLongTextBytes: a patch that makes it longer.
  // (Made by hand: a device would send a text this much longer whole.)
  FieldChange c = Change(++w.seq, "visit", w.visit, w.ws, "notes", json(), w.note_version);
  const size_t grow = 200 * 1024;
  c.delta = json{{"d", json::array({json::array({w.note.size(), 0, std::string(grow, 'y')})})},
                 {"n", w.note.size() + grow},
                 {"c", sync::BaseChecksum(w.note)}};
  sync::SyncResponse r = w.f.Sync(w.a.who, {c});
  REQUIRE(FindReject(r, c.device_seq) != nullptr);
  CHECK(FindReject(r, c.device_seq)->code == RejectCode::kInvalid);
  CHECK(w.Notes(w.visit) == w.note);
}

TEST_CASE("delta push: a base from the future is refused like any other change's") {
  DeltaWorld w;
  FieldChange c = w.DeltaChange(w.visit, w.note, Edited(w.note, "x "), w.note_version);
  c.base = 1'000'000;
  sync::SyncResponse r = w.f.Sync(w.a.who, {c});
  REQUIRE(FindReject(r, c.device_seq) != nullptr);
  CHECK(FindReject(r, c.device_seq)->code == RejectCode::kInvalid);
}

// Bakari's pull from `cursor`, asking for patches or not.
sync::SyncResponse PullB(DeltaWorld& w, sync::ServerVersion cursor, bool deltas) {
  sync::SyncRequest req;
  req.device_id = w.b.who.device_id;
  req.cursor = cursor;
  req.device_time = FormatUtcMillis(w.f.env.WallMillis());
  req.pull_deltas = deltas;
  return Unwrap(w.f.service->Sync(w.b.who, req));
}

TEST_CASE("delta pull: an edited long text comes as a patch of the version the device holds, when it asks") {
  DeltaWorld w;
  const sync::ServerVersion held = PullB(w, 0, true).cursor;  // Bakari holds the note now
  const std::string edited = Edited(w.note, "Second visit: grate replaced. ");
  FieldChange whole = Change(++w.seq, "visit", w.visit, w.ws, "notes", edited, w.note_version);
  REQUIRE(w.f.Sync(w.a.who, {whole}).rejects.empty());

  sync::SyncResponse r = PullB(w, held, true);
  std::vector<FieldChange> notes = Received(r, w.visit, "notes");
  REQUIRE(notes.size() == 1);
  REQUIRE_FALSE(notes[0].delta.is_null());
  CHECK(notes[0].base == w.note_version);
  CHECK(notes[0].value.is_null());
  CHECK(Unwrap(sync::ApplyTextDelta(w.note, notes[0].delta)) == edited);
  // On the wire: "fd" with the version it patches in "fb", and back.
  const json body = Unwrap(sync::EncodeSyncResponse(r));
  const json* entry = nullptr;
  for (const json& e : body["entries"]) entry = e["id"] == w.visit ? &e : entry;
  REQUIRE(entry != nullptr);
  CHECK((*entry)["fb"]["notes"] == w.note_version);
  CHECK((*entry)["fd"].contains("notes"));
  const sync::SyncResponse back = Unwrap(sync::ParseSyncResponse(json::parse(body.dump())));
  std::vector<FieldChange> read = Received(back, w.visit, "notes");
  REQUIRE(read.size() == 1);
  CHECK(read[0].delta == notes[0].delta);
  CHECK(read[0].base == w.note_version);

  // Whole: when the device does not ask, when it has nothing yet (cursor 0),
  // and when the previous value is past its cursor (it cannot hold it).
  CHECK(Received(PullB(w, held, false), w.visit, "notes")[0].value == edited);
  for (const FieldChange& c : Received(PullB(w, 0, true), w.visit, "notes")) CHECK(c.delta.is_null());
  CHECK(Received(PullB(w, w.note_version - 1, true), w.visit, "notes").back().delta.is_null());
  // A short text, or one rewritten, comes whole.
  FieldChange rewrite = Change(++w.seq, "visit", w.visit, w.ws, "notes", std::string(400, 'z'),
                               Unwrap(w.f.storage->GetField(w.visit, "notes")).state.version);
  const sync::ServerVersion before_rewrite = Unwrap(w.f.storage->CurrentVersion());
  w.f.Sync(w.a.who, {rewrite});
  std::vector<FieldChange> again = Received(PullB(w, before_rewrite, true), w.visit, "notes");
  REQUIRE(!again.empty());
  CHECK(again.back().delta.is_null());
  CHECK(again.back().value.is_string());
}

TEST_CASE("delta pull: a protocol 1 answer never carries a patch") {
  sync::SyncResponse r;
  r.protocol = sync::kProtocolV1;
  FieldChange c = Change(1, "visit", "v", "w", "notes", json());
  c.device_id = "d";
  c.version = 9;
  c.delta = json{{"d", json::array()}, {"n", 0}, {"c", 0}};
  r.changes = {c};
  CHECK(sync::EncodeSyncResponse(r).status().message().find("protocol 1 sends whole values") != std::string::npos);
}

}  // namespace
}  // namespace ccfield::server::testing
