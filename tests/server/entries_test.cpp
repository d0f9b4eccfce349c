// Entries (issue 14, docs/sync-v2.md): what one commit changed in one record
// travels and is kept as one entry. One version per pushed entry, one ack per
// field, the merge still per field, a re-sent entry answered as the first
// time, an entry with one invalid field refused whole, pull pages that never
// split an entry, and the history per entry ("who changed this field").
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

struct FieldValue {
  std::string field;
  json value;
  sync::ServerVersion base = 0;
};

// One entry: the fields share seq, record, time and author (Change's).
std::vector<FieldChange> Entry(sync::DeviceSeq seq, const std::string& type, const std::string& id,
                               const std::string& ws, const std::vector<FieldValue>& fields, bool created = false) {
  std::vector<FieldChange> out;
  for (const FieldValue& f : fields) {
    out.push_back(Change(seq, type, id, ws, f.field, f.value, f.base));
    out.back().created = created;
  }
  return out;
}

// The acks of `seq`, by field.
std::map<std::string, ChangeAck> AcksOf(const sync::SyncResponse& r, sync::DeviceSeq seq) {
  std::map<std::string, ChangeAck> out;
  for (const ChangeAck& a : r.acks) {
    if (a.device_seq == seq) out[a.field] = a;
  }
  return out;
}

// Two field staff and an observer-free workspace with one site and one visit
// that amina (a) pushed as entries.
struct EntryWorld {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  Staff b = AddStaff(&f, ws, "bakari");
  std::string site = f.NewId(), visit = f.NewId();
  sync::DeviceSeq seq_a = 0, seq_b = 0;
  sync::ServerVersion cursor_a = 0, cursor_b = 0;
  sync::SyncResponse created;

  EntryWorld() {
    std::vector<FieldChange> push =
        Entry(++seq_a, "site", site, ws, {{"workspace_id", ws}, {"name", "Drain D-14"}}, true);
    Append(&push, Entry(++seq_a, "visit", visit, ws,
                        {{"workspace_id", ws},
                         {"site_id", site},
                         {"form", kFormKey},
                         {"started_at", "2026-10-14T08:05:00+03:00"},
                         {"status", "draft"},
                         {"notes", "line one\nline two\n"}},
                        true));
    created = SyncA(push);
    REQUIRE(created.rejects.empty());
    SyncB({});
  }
  sync::SyncResponse SyncA(std::vector<FieldChange> changes) {
    sync::SyncResponse r = f.Sync(a.who, std::move(changes), cursor_a);
    cursor_a = r.cursor;
    return r;
  }
  sync::SyncResponse SyncB(std::vector<FieldChange> changes) {
    sync::SyncResponse r = f.Sync(b.who, std::move(changes), cursor_b);
    cursor_b = r.cursor;
    return r;
  }
  sync::ServerVersion VersionOf(const std::string& id, const std::string& field) {
    return Unwrap(f.storage->GetField(id, field)).state.version;
  }
};

TEST_CASE("entries: a pushed entry gets one version for all its fields and one ack per field") {
  EntryWorld w;
  const auto site_acks = AcksOf(w.created, 1);
  const auto visit_acks = AcksOf(w.created, 2);
  REQUIRE(site_acks.size() == 2);
  REQUIRE(visit_acks.size() == 6);
  CHECK(w.created.acks.size() == 8);
  const sync::ServerVersion v1 = site_acks.at("name").version, v2 = visit_acks.at("notes").version;
  CHECK(v1 > 0);
  CHECK(v2 > v1);
  for (const auto& [field, ack] : site_acks) {
    CHECK(ack.version == v1);
    CHECK(ack.outcome == ChangeOutcome::kApplied);
  }
  for (const auto& [field, ack] : visit_acks) {
    CHECK_MESSAGE(ack.version == v2, field);
    CHECK(ack.outcome == ChangeOutcome::kApplied);
    CHECK(w.VersionOf(w.visit, field) == v2);
  }
  // Two entries, two versions: nothing else was handed out.
  CHECK(Unwrap(w.f.storage->CurrentVersion()) == v2);
  // The history keeps it as one entry of six fields.
  std::vector<HistoryEntry> kept = Unwrap(w.f.storage->FindEntry(w.a.device_id, 2));
  REQUIRE(kept.size() == 6);
  for (const HistoryEntry& h : kept) {
    CHECK(h.version == v2);
    CHECK(h.record_id == w.visit);
    CHECK(h.user_id == w.a.user_id);
    CHECK(h.outcome == HistoryOutcome::kApplied);
  }

  // B received both entries whole, fields adjacent, in version order (after
  // the server's own entries: the workspace and member records).
  sync::SyncResponse rb = w.f.Sync(w.b.who, {}, 0);
  size_t b = 0;
  std::vector<std::pair<sync::DeviceSeq, size_t>> entries;
  while (b < rb.changes.size()) {
    const size_t e = EntryEnd(rb.changes, b);
    for (size_t i = b; i < e; ++i) CHECK(rb.changes[i].version == rb.changes[b].version);
    if (rb.changes[b].device_id == w.a.device_id) entries.emplace_back(rb.changes[b].device_seq, e - b);
    b = e;
  }
  CHECK(entries == std::vector<std::pair<sync::DeviceSeq, size_t>>{{1, 2}, {2, 6}});
  CHECK(Received(rb, w.visit, "notes").at(0).user == "amina");
}

TEST_CASE("entries: one field in conflict while the entry's other fields apply, under the one version") {
  EntryWorld w;
  const sync::ServerVersion status_base = w.VersionOf(w.visit, "status");
  const sync::ServerVersion notes_base = w.VersionOf(w.visit, "notes");
  // A sets the weather first; B, not having pulled it, sets it too in an
  // entry that also completes the visit and edits the notes.
  REQUIRE(w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws, {{"weather", "heavy_rain"}})).rejects.empty());
  sync::SyncResponse rb = w.SyncB(Entry(++w.seq_b, "visit", w.visit, w.ws,
                                        {{"weather", "dry"},
                                         {"status", "complete", status_base},
                                         {"notes", "line one\nline two\nline three\n", notes_base}}));
  REQUIRE(rb.rejects.empty());
  const auto acks = AcksOf(rb, w.seq_b);
  REQUIRE(acks.size() == 3);
  CHECK(acks.at("weather").outcome == ChangeOutcome::kConflict);
  CHECK(acks.at("status").outcome == ChangeOutcome::kApplied);
  CHECK(acks.at("notes").outcome == ChangeOutcome::kApplied);
  const sync::ServerVersion v = acks.at("status").version;
  CHECK(v > 0);
  CHECK(acks.at("notes").version == v);
  // The later arrival wins and the loser is kept in a conflict: same version.
  CHECK(acks.at("weather").version == v);
  CHECK(w.VersionOf(w.visit, "status") == v);
  CHECK(w.VersionOf(w.visit, "notes") == v);
  REQUIRE(rb.conflicts.size() == 1);
  CHECK(rb.conflicts[0].field == "weather");
  CHECK(rb.conflicts[0].winner_version == v);

  // "Who changed this field, when, from where": the history per entry.
  std::vector<HistoryEntry> weather = Unwrap(w.f.storage->FieldHistory(w.visit, "weather"));
  REQUIRE(weather.size() == 2);
  CHECK(weather[0].device_id == w.a.device_id);
  CHECK(weather[0].value == "heavy_rain");
  CHECK(weather[1].device_id == w.b.device_id);
  CHECK(weather[1].value == "dry");
  CHECK(weather[1].version == v);
  CHECK(weather[1].ack == ChangeOutcome::kConflict);
  std::vector<HistoryEntry> notes = Unwrap(w.f.storage->FieldHistory(w.visit, "notes"));
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].device_seq == 2);
  CHECK(notes[1].device_seq == w.seq_b);
  // Merge bases are looked up inside entries: the value of notes as of the
  // version A's visit entry was given.
  CHECK(Unwrap(w.f.storage->ValueAt(w.visit, "notes", notes_base)) == "line one\nline two\n");
  CHECK(Unwrap(w.f.storage->ValueAt(w.visit, "notes", v)) == "line one\nline two\nline three\n");
  CHECK(Unwrap(w.f.storage->ValueAt(w.visit, "weather", notes_base)).is_null());

  SUBCASE("a re-sent entry gets the same answers, field by field, and changes nothing") {
    const sync::ServerVersion before = Unwrap(w.f.storage->CurrentVersion());
    sync::SyncResponse again = w.f.Sync(w.b.who,
                                        Entry(w.seq_b, "visit", w.visit, w.ws,
                                              {{"weather", "dry"},
                                               {"status", "complete", status_base},
                                               {"notes", "line one\nline two\nline three\n", notes_base}}),
                                        w.cursor_b);
    CHECK(again.rejects.empty());
    const auto re = AcksOf(again, w.seq_b);
    REQUIRE(re.size() == 3);
    CHECK(re.at("weather").outcome == ChangeOutcome::kConflict);
    CHECK(re.at("status").outcome == ChangeOutcome::kDuplicate);
    CHECK(re.at("notes").outcome == ChangeOutcome::kDuplicate);
    for (const auto& [field, ack] : re) CHECK(ack.version == v);
    CHECK(Unwrap(w.f.storage->CurrentVersion()) == before);
    CHECK(again.conflicts.empty());
  }
  SUBCASE("the same seq with other fields is not a re-send: refused as a reused seq") {
    sync::SyncResponse again = w.f.Sync(
        w.b.who, Entry(w.seq_b, "visit", w.visit, w.ws, {{"weather", "dry"}, {"status", "draft"}}), w.cursor_b);
    CHECK(again.acks.empty());
    REQUIRE(again.rejects.size() == 1);
    CHECK(again.rejects[0].code == RejectCode::kSeqReused);
  }
}

TEST_CASE("entries: an entry with one invalid field is refused whole and nothing of it is applied") {
  EntryWorld w;
  const sync::ServerVersion before = Unwrap(w.f.storage->CurrentVersion());
  const sync::ServerVersion status_base = w.VersionOf(w.visit, "status");
  SUBCASE("an existing record") {
    sync::SyncResponse r =
        w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws, {{"status", "complete", status_base}, {"weather", "sunny"}}));
    CHECK(r.acks.empty());
    REQUIRE(r.rejects.size() == 1);  // one refusal per entry
    CHECK(r.rejects[0].device_seq == w.seq_a);
    CHECK(r.rejects[0].code == RejectCode::kInvalid);
    CHECK(Unwrap(w.f.storage->GetField(w.visit, "status")).state.value == "draft");
    CHECK(Unwrap(w.f.storage->FindEntry(w.a.device_id, w.seq_a)).empty());
  }
  SUBCASE("a new record is not created") {
    const std::string other = w.f.NewId();
    sync::SyncResponse r =
        w.SyncA(Entry(++w.seq_a, "visit", other, w.ws,
                      {{"workspace_id", w.ws}, {"site_id", w.site}, {"condition_rating", "7"}}, true));
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.acks.empty());
    CHECK_FALSE(Unwrap(w.f.storage->GetRecord(other)).has_value());
    CHECK_FALSE(Unwrap(w.f.storage->GetField(other, "site_id")).state.exists);
  }
  SUBCASE("fields of two records under one seq") {
    sync::SyncResponse r = w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws, {{"status", "complete", status_base}}));
    REQUIRE(r.rejects.empty());
    std::vector<FieldChange> bad = Entry(++w.seq_a, "visit", w.visit, w.ws, {{"weather", "dry"}});
    Append(&bad, Entry(w.seq_a, "site", w.site, w.ws, {{"name", "Drain D-15", w.VersionOf(w.site, "name")}}));
    r = w.SyncA(bad);
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.acks.empty());
    CHECK_FALSE(Unwrap(w.f.storage->GetField(w.visit, "weather")).state.exists);
    CHECK(Unwrap(w.f.storage->GetField(w.site, "name")).state.value == "Drain D-14");
    return;
  }
  // The entries after a refused one go on.
  sync::SyncResponse r = w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws, {{"weather", "dry"}}));
  CHECK(r.rejects.empty());
  CHECK(AcksOf(r, w.seq_a).at("weather").version == before + 1);
}

TEST_CASE("entries: a new visit's answers are checked against the form its own entry sets") {
  EntryWorld w;
  const std::string visit = w.f.NewId();
  // The form after its answers and before them: both are one entry.
  for (bool form_first : {true, false}) {
    const std::string id = form_first ? visit : w.f.NewId();
    std::vector<FieldValue> fields = {{"workspace_id", w.ws}, {"site_id", w.site}};
    if (form_first) fields.push_back({"form", kFormKey});
    fields.push_back({"answers.width_m", 2.5});
    if (!form_first) fields.push_back({"form", kFormKey});
    sync::SyncResponse r = w.SyncA(Entry(++w.seq_a, "visit", id, w.ws, fields, true));
    CHECK_MESSAGE(r.rejects.empty(), (r.rejects.empty() ? "" : r.rejects[0].reason));
  }
}

TEST_CASE("entries: a pull page never ends inside an entry, by limit or by bytes") {
  EntryWorld w;
  Staff c = AddStaff(&w.f, w.ws, "chiku");
  std::vector<FieldChange> push;
  for (int i = 0; i < 40; ++i) {
    Append(&push, Entry(++w.seq_a, "visit", w.f.NewId(), w.ws,
                        {{"workspace_id", w.ws},
                         {"site_id", w.site},
                         {"form", kFormKey},
                         {"started_at", "2026-10-14T08:05:00+03:00"},
                         {"status", "draft"},
                         {"notes", std::string(900, static_cast<char>('a' + i % 26))}},
                        true));
  }
  REQUIRE(w.SyncA(push).rejects.empty());
  for (int mode = 0; mode < 2; ++mode) {
    CAPTURE(mode);
    sync::ServerVersion cursor = 0;
    std::map<sync::DeviceSeq, size_t> fields_of;
    std::set<sync::DeviceSeq> seen;
    int pages = 0;
    for (bool more = true; more; ++pages) {
      REQUIRE(pages < 200);
      sync::SyncRequest req;
      req.device_id = c.device_id;
      req.cursor = cursor;
      req.device_time = FormatUtcMillis(w.f.env.WallMillis());
      if (mode == 0) {
        req.limit = 10;  // counts field changes: 10 is one entry and a half
      } else {
        req.page_bytes = sync::kMinPageBytes;  // about 3 entries of 6 KB
        req.limit = 0;
      }
      sync::SyncResponse r = Unwrap(w.f.service->Sync(c.who, req));
      for (size_t b = 0; b < r.changes.size();) {
        const size_t e = EntryEnd(r.changes, b);
        const sync::DeviceSeq seq = r.changes[b].device_seq;
        if (r.changes[b].device_id == w.a.device_id) {
          CHECK_MESSAGE(seen.insert(seq).second, "entry " << seq << " came in two pages");
          fields_of[seq] = e - b;
        }
        b = e;
      }
      more = r.more;
      cursor = r.cursor;
    }
    CHECK(fields_of.size() == 42);
    for (const auto& [seq, n] : fields_of) CHECK(n == (seq == 1 ? 2u : 6u));
    CHECK(pages > 3);
  }
}

TEST_CASE("entries: expiry removes an entry once every one of its fields is superseded") {
  EntryWorld w;
  auto expire = [&] {
    const sync::ServerVersion h = Unwrap(w.f.storage->CurrentVersion());
    REQUIRE_OK(RunInTransaction(w.f.storage.get(), [&] { return w.f.storage->Expire(h, 0).status(); }));
  };
  const sync::DeviceSeq both = ++w.seq_a;
  REQUIRE(
      w.SyncA(Entry(both, "visit", w.visit, w.ws, {{"weather", "dry"}, {"condition_rating", "1"}})).rejects.empty());
  REQUIRE(
      w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws, {{"weather", "heavy_rain", w.VersionOf(w.visit, "weather")}}))
          .rejects.empty());
  expire();
  CHECK(Unwrap(w.f.storage->FindEntry(w.a.device_id, both)).size() == 2);  // condition_rating is still its value
  REQUIRE(w.SyncA(Entry(++w.seq_a, "visit", w.visit, w.ws,
                        {{"condition_rating", "2", w.VersionOf(w.visit, "condition_rating")}}))
              .rejects.empty());
  expire();
  CHECK(Unwrap(w.f.storage->FindEntry(w.a.device_id, both)).empty());
  CHECK(Unwrap(w.f.storage->FieldHistory(w.visit, "weather")).size() == 1);
  // A fresh device still receives every current value.
  Staff c = AddStaff(&w.f, w.ws, "chiku");
  sync::SyncResponse r = w.f.Sync(c.who, {}, 0);
  CHECK(Received(r, w.visit, "weather").at(0).value == "heavy_rain");
  CHECK(Received(r, w.visit, "condition_rating").at(0).value == "2");
  CHECK(Received(r, w.visit, "notes").size() == 1);
}

}  // namespace
}  // namespace ccfield::server::testing
