// SyncService in-process: the merge rules of docs/sync-protocol.md, duplicates,
// pulls with limits, clock flags and all-or-nothing requests.
#include <doctest/doctest.h>

#include <set>

#include "ccfield/core/sqlite_db.h"
#include "server_fixture.h"
#include "testing_hooks.h"

namespace ccfield::server::testing {
namespace {


// A workspace with two field staff, amina (a) and bakari (b), and no records.
struct TwoStaff {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  Staff b = AddStaff(&f, ws, "bakari");
};

// Two field workers of one workspace, each with a device, and a visit both have.
struct TwoDevices : TwoStaff {
  std::string site, visit;
  sync::DeviceSeq seq_a = 0, seq_b = 0;
  sync::ServerVersion cursor_a = 0, cursor_b = 0;

  TwoDevices() {
    site = f.NewId();
    visit = f.NewId();
    std::vector<FieldChange> create = SiteChanges(&seq_a, site, ws);
    Append(&create, VisitChanges(&seq_a, visit, ws, site));
    create.push_back(Change(++seq_a, "visit", visit, ws, "notes", "line one\nline two\nline three\n"));
    sync::SyncResponse r = SyncA(create);
    REQUIRE(r.rejects.empty());
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
  StoredField Field(const std::string& id, const std::string& field) { return Unwrap(f.storage->GetField(id, field)); }
  sync::ServerVersion VersionOf(const std::string& id, const std::string& field) {
    return Field(id, field).state.version;
  }
  // A and B edit `field` of record `id` (a `type`) from the same version:
  // A pushes `by_a` first, then B, not having pulled it, pushes `by_b`.
  // Returns B's answer.
  sync::SyncResponse EditConcurrently(const std::string& type, const std::string& id, const std::string& field,
                                      const json& by_a, const json& by_b) {
    const sync::ServerVersion base = VersionOf(id, field);
    SyncA({Change(++seq_a, type, id, ws, field, by_a, base)});
    return SyncB({Change(++seq_b, type, id, ws, field, by_b, base)});
  }
};

TEST_CASE("fast-forward: an edit based on the current version is applied as sent and not echoed back") {
  TwoDevices t;
  sync::ServerVersion base = t.VersionOf(t.site, "name");
  sync::SyncResponse r = t.SyncB({Change(++t.seq_b, "site", t.site, t.ws, "name", "Drain D-15", base)});
  REQUIRE(r.acks.size() == 1);
  CHECK(r.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(r.acks[0].version > base);
  CHECK(Received(r, t.site, "name").empty());  // its own change is not sent back
  CHECK(r.conflicts.empty());
  CHECK(t.Field(t.site, "name").state.value == "Drain D-15");
  CHECK(t.Field(t.site, "name").state.device_id == t.b.device_id);

  sync::SyncResponse ra = t.SyncA({});
  auto got = Received(ra, t.site, "name");
  REQUIRE(got.size() == 1);
  CHECK(got[0].value == "Drain D-15");
  CHECK(got[0].device_id == t.b.device_id);
  CHECK(got[0].version == r.acks[0].version);
}

TEST_CASE("fast-forward: a device's own sequential edits never conflict with each other") {
  TwoDevices t;
  sync::ServerVersion base = t.VersionOf(t.site, "name");
  // Two edits in one batch, both captured with the same (old) base.
  sync::SyncResponse r = t.SyncA({Change(++t.seq_a, "site", t.site, t.ws, "name", "First", base),
                                  Change(++t.seq_a, "site", t.site, t.ws, "name", "Second", base)});
  REQUIRE(r.acks.size() == 2);
  CHECK(r.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(r.acks[1].outcome == ChangeOutcome::kApplied);
  CHECK(r.conflicts.empty());
  CHECK(t.Field(t.site, "name").state.value == "Second");
}

TEST_CASE("same value: concurrent equal edits are applied without a conflict") {
  TwoDevices t;
  sync::SyncResponse r = t.EditConcurrently("visit", t.visit, "weather", "heavy_rain", "heavy_rain");
  REQUIRE(r.acks.size() == 1);
  CHECK(r.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(r.conflicts.empty());
  CHECK(Unwrap(t.f.storage->OpenConflicts(t.visit, "weather")).empty());
}

TEST_CASE("long text: non-overlapping concurrent edits are merged and the merge reaches both devices") {
  TwoDevices t;
  sync::ServerVersion base = t.VersionOf(t.visit, "notes");
  sync::SyncResponse ra =
      t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "notes", "line ONE\nline two\nline three\n", base)});
  REQUIRE(ra.acks[0].outcome == ChangeOutcome::kApplied);
  sync::SyncResponse rb =
      t.SyncB({Change(++t.seq_b, "visit", t.visit, t.ws, "notes", "line one\nline two\nline THREE\n", base)});
  REQUIRE(rb.acks.size() == 1);
  CHECK(rb.acks[0].outcome == ChangeOutcome::kMerged);
  CHECK(rb.conflicts.empty());
  const std::string merged = "line ONE\nline two\nline THREE\n";
  // The merged value reaches the pusher too, as a server change after its ack.
  auto got_b = Received(rb, t.visit, "notes");
  REQUIRE(!got_b.empty());
  CHECK(got_b.back().value == merged);
  CHECK(got_b.back().device_id == "server");
  CHECK(got_b.back().device_seq == got_b.back().version);
  CHECK(got_b.back().version > rb.acks[0].version);
  CHECK(t.Field(t.visit, "notes").state.value == merged);

  auto got_a = Received(t.SyncA({}), t.visit, "notes");
  REQUIRE(!got_a.empty());
  CHECK(got_a.back().value == merged);
}

TEST_CASE("retention: a text edit whose base value has expired is a conflict, never a merge against a guess") {
  TwoDevices t;
  sync::ServerVersion base = t.VersionOf(t.visit, "notes");
  t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "notes", "line ONE\nline two\nline three\n", base)});
  // Everything so far expires: the value at `base` is superseded and removed (docs/retention.md).
  const sync::ServerVersion horizon = Unwrap(t.f.storage->CurrentVersion());
  ServerStorage::ExpiryResult ex;
  REQUIRE_OK(RunInTransaction(t.f.storage.get(), [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(ex, t.f.storage->Expire(horizon, 0));
    return Status::Ok();
  }));
  CHECK(ex.changes_removed >= 1);
  CHECK(Unwrap(t.f.storage->ValueAt(t.visit, "notes", base)).is_null());
  sync::SyncResponse rb =
      t.SyncB({Change(++t.seq_b, "visit", t.visit, t.ws, "notes", "line one\nline two\nline THREE\n", base)});
  REQUIRE(rb.acks.size() == 1);
  CHECK(rb.acks[0].outcome == ChangeOutcome::kConflict);
  REQUIRE(rb.conflicts.size() == 1);
  CHECK(rb.conflicts[0].loser == "line ONE\nline two\nline three\n");  // nothing lost
  CHECK(t.Field(t.visit, "notes").state.value == "line one\nline two\nline THREE\n");
}

TEST_CASE("conflict: the later arrival wins and the loser is kept with both devices and the base") {
  TwoDevices t;
  sync::ServerVersion base = t.VersionOf(t.site, "name");
  sync::SyncResponse ra = t.SyncA({Change(++t.seq_a, "site", t.site, t.ws, "name", "Amina's name", base, "Amina")});
  REQUIRE(ra.acks[0].outcome == ChangeOutcome::kApplied);
  sync::SyncResponse rb = t.SyncB({Change(++t.seq_b, "site", t.site, t.ws, "name", "Bakari's name", base, "Bakari")});
  REQUIRE(rb.acks.size() == 1);
  CHECK(rb.acks[0].outcome == ChangeOutcome::kConflict);
  CHECK(t.Field(t.site, "name").state.value == "Bakari's name");
  REQUIRE(rb.conflicts.size() == 1);
  const FieldConflict& x = rb.conflicts[0];
  CHECK(x.record_id == t.site);
  CHECK(x.field == "name");
  CHECK(x.type == ChangeType::kSite);
  CHECK(x.workspace_id == t.ws);
  CHECK(x.base == "Drain D-14");
  CHECK(x.winner == "Bakari's name");
  CHECK(x.loser == "Amina's name");
  CHECK(x.winner_device == t.b.device_id);
  CHECK(x.loser_device == t.a.device_id);
  CHECK(x.winner_author == "Bakari");
  CHECK(x.loser_author == "Amina");
  CHECK(x.winner_version == rb.acks[0].version);
  CHECK(x.version > x.winner_version);
  CHECK_FALSE(x.resolved);
  // The winner's device does not receive the older value its edit replaced
  // (a client applying it after the ack would show the loser).
  CHECK(Received(rb, t.site, "name").empty());

  // The loser's device receives the winning value and the conflict.
  sync::SyncResponse ra2 = t.SyncA({});
  auto got = Received(ra2, t.site, "name");
  REQUIRE(got.size() == 1);
  CHECK(got[0].value == "Bakari's name");
  REQUIRE(ra2.conflicts.size() == 1);
  CHECK(ra2.conflicts[0].id == x.id);
}

TEST_CASE("resolving: an edit made after receiving the conflict closes it, an older edit does not") {
  TwoDevices t;
  const sync::ServerVersion base = t.VersionOf(t.site, "name");
  sync::SyncResponse rb = t.EditConcurrently("site", t.site, "name", "A", "B");
  REQUIRE(rb.conflicts.size() == 1);
  const FieldConflict x = rb.conflicts[0];

  // An edit still based before the conflict's winner is another conflict, not a resolution.
  sync::SyncResponse stale = t.SyncA({Change(++t.seq_a, "site", t.site, t.ws, "name", "A again", base)});
  CHECK(stale.acks[0].outcome == ChangeOutcome::kConflict);  // concurrent with B's winning value
  auto open = Unwrap(t.f.storage->OpenConflicts(t.site, "name"));
  CHECK(open.size() >= 1);
  bool first_open = false;
  for (const auto& c : open) first_open = first_open || c.id == x.id;
  CHECK(first_open);

  // Keeping the current value still sends an edit, based on what the device now has.
  t.SyncB({});
  sync::ServerVersion now_base = t.VersionOf(t.site, "name");
  sync::SyncResponse rr = t.SyncB({Change(++t.seq_b, "site", t.site, t.ws, "name", "Agreed name", now_base)});
  REQUIRE(rr.acks.size() == 1);
  CHECK(Unwrap(t.f.storage->OpenConflicts(t.site, "name")).empty());
  bool saw_resolved = false;
  for (const FieldConflict& c : rr.conflicts) {
    if (c.id == x.id) {
      saw_resolved = c.resolved && c.resolved_by == rr.acks[0].version && c.version > rr.acks[0].version;
    }
  }
  CHECK(saw_resolved);
  // The other device receives the updated conflict.
  sync::SyncResponse ra = t.SyncA({});
  bool a_saw = false;
  for (const FieldConflict& c : ra.conflicts) a_saw = a_saw || (c.id == x.id && c.resolved);
  CHECK(a_saw);
}

TEST_CASE("delete vs edit: a delete based before another device's edit is kept out") {
  TwoDevices t;
  sync::ServerVersion before_edit = t.f.storage->CurrentVersion().value();
  sync::SyncResponse rb =
      t.SyncB({Change(++t.seq_b, "visit", t.visit, t.ws, "weather", "dry", t.VersionOf(t.visit, "weather"), "Bakari")});
  REQUIRE(rb.acks[0].outcome == ChangeOutcome::kApplied);
  sync::SyncResponse ra = t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", true, before_edit, "Amina")});
  REQUIRE(ra.acks.size() == 1);
  CHECK(ra.acks[0].outcome == ChangeOutcome::kConflict);
  CHECK(ra.acks[0].version == 0);  // kept out: it got no version
  CHECK_FALSE(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
  // The deleting device receives _deleted=false from the server, and the conflict.
  auto undelete = Received(ra, t.visit, "_deleted");
  REQUIRE(undelete.size() == 1);
  CHECK(undelete[0].value == false);
  CHECK(undelete[0].device_id == "server");
  bool found = false;
  for (const FieldConflict& x : ra.conflicts) {
    if (x.record_id == t.visit && x.field == "_deleted") {
      found = true;
      CHECK(x.winner == false);
      CHECK(x.loser == true);
      CHECK(x.loser_device == t.a.device_id);
      CHECK(x.loser_author == "Amina");
      CHECK(x.winner_device == t.b.device_id);
      CHECK(x.winner_version == undelete[0].version);
    }
  }
  CHECK(found);
  // The kept-out delete stays in the history.
  auto kept = Unwrap(t.f.storage->FindChange(t.a.device_id, t.seq_a));
  REQUIRE(kept.has_value());
  CHECK(kept->outcome == HistoryOutcome::kKeptOut);

  // Deleting again after seeing the conflict works and resolves it.
  sync::ServerVersion seen = t.cursor_a;
  sync::SyncResponse again = t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", true, seen)});
  CHECK(again.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
  CHECK(Unwrap(t.f.storage->OpenConflicts(t.visit, "_deleted")).empty());
}

TEST_CASE("edit vs delete: an edit based before another device's delete brings the record back") {
  TwoDevices t;
  sync::ServerVersion b_base = t.VersionOf(t.visit, "notes");
  sync::SyncResponse ra = t.SyncA(
      {Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", true, t.f.storage->CurrentVersion().value(), "Amina")});
  REQUIRE(ra.acks[0].outcome == ChangeOutcome::kApplied);
  REQUIRE(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);

  sync::SyncResponse rb =
      t.SyncB({Change(++t.seq_b, "visit", t.visit, t.ws, "notes", "still blocked\n", b_base, "Bakari")});
  REQUIRE(rb.acks.size() == 1);
  CHECK(rb.acks[0].outcome == ChangeOutcome::kConflict);
  CHECK(rb.acks[0].version > 0);  // the edit is applied
  CHECK_FALSE(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
  CHECK(t.Field(t.visit, "notes").state.value == "still blocked\n");
  auto undelete = Received(rb, t.visit, "_deleted");
  REQUIRE(!undelete.empty());
  CHECK(undelete.back().value == false);
  CHECK(undelete.back().device_id == "server");
  bool found = false;
  for (const FieldConflict& x : rb.conflicts) {
    if (x.field == "_deleted") {
      found = true;
      CHECK(x.loser == true);
      CHECK(x.loser_device == t.a.device_id);
      CHECK(x.loser_author == "Amina");
      CHECK(x.winner_device == t.b.device_id);
    }
  }
  CHECK(found);
  // The deleting device gets the edit, the undelete and the conflict.
  sync::SyncResponse ra2 = t.SyncA({});
  CHECK(!Received(ra2, t.visit, "notes").empty());
  CHECK(Received(ra2, t.visit, "_deleted").back().value == false);
  CHECK(!ra2.conflicts.empty());
}

TEST_CASE("delete and edit by the same device, or after seeing the delete, do not conflict") {
  TwoDevices t;
  // A edits then deletes: its own edit does not keep the record alive.
  sync::ServerVersion base = t.VersionOf(t.visit, "notes");
  sync::SyncResponse r = t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "notes", "x\n", base),
                                  Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", true, base)});
  CHECK(r.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(r.acks[1].outcome == ChangeOutcome::kApplied);
  CHECK(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
  // A's later edit of its own deleted record leaves it deleted.
  sync::SyncResponse r2 = t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "notes", "y\n", base)});
  CHECK(r2.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
  // Restoring is an ordinary edit of _deleted.
  sync::SyncResponse r3 = t.SyncA({Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", false, t.cursor_a)});
  CHECK(r3.acks[0].outcome == ChangeOutcome::kApplied);
  CHECK_FALSE(Unwrap(t.f.storage->GetRecord(t.visit))->deleted);
}

TEST_CASE("duplicates: a re-sent request gets the original versions and outcomes and applies nothing twice") {
  TwoDevices t;
  sync::ServerVersion before_edit = t.f.storage->CurrentVersion().value();
  t.SyncB({Change(++t.seq_b, "visit", t.visit, t.ws, "weather", "dry", t.VersionOf(t.visit, "weather"))});
  std::vector<FieldChange> batch = {
      Change(++t.seq_a, "site", t.site, t.ws, "ward", "Ward 5", t.VersionOf(t.site, "ward")),
      Change(++t.seq_a, "site", t.site, t.ws, "name", "Renamed", t.VersionOf(t.site, "name")),
      Change(++t.seq_a, "visit", t.visit, t.ws, "_deleted", true, before_edit),  // kept out
      Change(++t.seq_a, "visit", t.visit, t.ws, "weather", "sunny"),             // rejected
  };
  const sync::ServerVersion cursor = t.cursor_a;
  sync::SyncResponse first = t.f.Sync(t.a.who, batch, cursor);
  REQUIRE(first.acks.size() == 3);
  REQUIRE(first.rejects.size() == 1);
  const sync::ServerVersion v_after = t.f.storage->CurrentVersion().value();
  const size_t conflicts_after = first.conflicts.size();

  sync::SyncResponse again = t.f.Sync(t.a.who, batch, cursor);
  CHECK(t.f.storage->CurrentVersion().value() == v_after);  // nothing new at all
  REQUIRE(again.acks.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(again.acks[i].device_seq == first.acks[i].device_seq);
    CHECK(again.acks[i].version == first.acks[i].version);
    // Applied before: "duplicate"; a conflict stays a conflict (issue 10:
    // acking it "duplicate" marked the kept-out delete synced).
    CHECK(again.acks[i].outcome ==
          (first.acks[i].outcome == ChangeOutcome::kApplied ? ChangeOutcome::kDuplicate : first.acks[i].outcome));
  }
  CHECK(again.acks[2].outcome == ChangeOutcome::kConflict);
  CHECK(again.acks[2].version == 0);  // the kept-out delete keeps version 0
  CHECK(again.rejects.size() == 1);   // a rejected change is checked again, and rejected again
  CHECK(again.conflicts.size() == conflicts_after);
  CHECK(again.cursor == first.cursor);
  CHECK(t.Field(t.site, "name").state.value == "Renamed");
}

TEST_CASE("pull: limit, more and cursor walk through everything exactly once") {
  TwoStaff two;
  auto& [f, ws, a, b] = two;
  sync::DeviceSeq seq = 0;
  std::vector<FieldChange> changes;
  for (int i = 0; i < 12; ++i) Append(&changes, SiteChanges(&seq, f.NewId(), ws, "Site " + std::to_string(i)));
  sync::SyncResponse ra = f.Sync(a.who, changes, 0);
  REQUIRE(ra.rejects.empty());
  const sync::ServerVersion end = f.storage->CurrentVersion().value();

  sync::ServerVersion cursor = 0;
  std::set<sync::ServerVersion> seen;
  int rounds = 0;
  while (true) {
    sync::SyncResponse r = f.Sync(b.who, {}, cursor, 5);
    CHECK(r.changes.size() + r.conflicts.size() <= 5);
    sync::ServerVersion prev = 0;
    for (const auto& c : r.changes) {
      CHECK(c.version > cursor);
      CHECK(c.version > prev);
      prev = c.version;
      CHECK(seen.insert(c.version).second);
    }
    cursor = r.cursor;
    ++rounds;
    if (!r.more) break;
    REQUIRE(rounds < 100);
  }
  CHECK(cursor == end);
  CHECK(rounds > 1);
  // 24 site changes, plus the workspace and member records the admin wrote.
  CHECK(seen.size() >= 24);
  // Nothing left: a further pull is empty and keeps the cursor.
  sync::SyncResponse last = f.Sync(b.who, {}, cursor);
  CHECK(last.changes.empty());
  CHECK(last.cursor == end);
  CHECK_FALSE(last.more);
}

TEST_CASE("pull: a response stops at about 4 MiB of values and says more") {
  TwoStaff two;
  auto& [f, ws, a, b] = two;
  sync::DeviceSeq seq = 0;
  std::string site = f.NewId();
  auto changes = SiteChanges(&seq, site, ws);
  std::vector<std::string> visits;
  for (int i = 0; i < 60; ++i) {
    visits.push_back(f.NewId());
    Append(&changes, VisitChanges(&seq, visits.back(), ws, site));
    changes.push_back(Change(++seq, "visit", visits.back(), ws, "notes", std::string(90 * 1024, 'a' + i % 26)));
  }
  REQUIRE(f.Sync(a.who, changes).rejects.empty());
  sync::SyncResponse r = f.Sync(b.who, {}, 0, sync::kMaxPullLimit);
  CHECK(r.more);
  size_t bytes = 0;
  for (const auto& c : r.changes) bytes += c.value.dump().size();
  CHECK(bytes < 4 * 1024 * 1024 + 100 * 1024);
  CHECK(bytes > 3 * 1024 * 1024);
  sync::SyncResponse rest = f.Sync(b.who, {}, r.cursor, sync::kMaxPullLimit);
  CHECK_FALSE(rest.more);
  CHECK(r.changes.size() + rest.changes.size() >= changes.size());
}

TEST_CASE("clock: device times far in the future or before the previous sync are flagged and still applied") {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  // Register the device as a login would.
  REQUIRE_OK(f.storage->Begin());
  DeviceRow d;
  d.id = a.device_id;
  d.user_id = a.user_id;
  d.name = "tablet";
  REQUIRE_OK(f.storage->PutDevice(d));
  REQUIRE_OK(f.storage->Commit());

  sync::DeviceSeq seq = 0;
  std::string site = f.NewId();
  auto changes = SiteChanges(&seq, site, ws);
  f.Sync(a.who, changes, 0);  // first sync: sets the device's last sync time
  const int64_t synced_at = f.env.WallMillis();
  f.env.Advance(3600 * 1000);

  auto future = Change(++seq, "site", site, ws, "ward", "W1");
  future.time = FormatUtcMillis(f.env.WallMillis() + 2 * 3600 * 1000);
  auto old = Change(++seq, "site", site, ws, "address", "Main road");
  old.time = FormatUtcMillis(synced_at - 20 * 60 * 1000);
  auto fine = Change(++seq, "site", site, ws, "kind", "drain");
  fine.time = FormatUtcMillis(synced_at - 60 * 1000);  // within the 5-minute slack
  sync::SyncResponse r = f.Sync(a.who, {future, old, fine}, 0);
  REQUIRE(r.acks.size() == 3);
  CHECK(r.acks[0].clock == ClockFlag::kFuture);
  CHECK(r.acks[1].clock == ClockFlag::kBeforeLastSync);
  CHECK(r.acks[2].clock == ClockFlag::kNone);
  CHECK(r.acks[0].outcome == ChangeOutcome::kApplied);
  auto stored = Unwrap(f.storage->FindChange(a.device_id, future.device_seq));
  REQUIRE(stored.has_value());
  CHECK(stored->clock == ClockFlag::kFuture);
  // A duplicate reports the stored flag.
  sync::SyncResponse again = f.Sync(a.who, {future}, 0);
  CHECK(again.acks[0].clock == ClockFlag::kFuture);
}

TEST_CASE("all or nothing: a disk-full failure in the middle of a request applies nothing, the retry works") {
  ccfield::sql::FaultVfsControl* fault = ccfield::sql::RegisterFaultVfs("server-fault");
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  f.service.reset();
  f.storage.reset();
  f.storage = Unwrap(SqliteStorage::Open(SqliteStorage::PathIn(f.dir.path()), 5000, "server-fault"));
  f.service = std::make_unique<SyncService>(f.storage.get(), &f.env);
  const sync::ServerVersion before = f.storage->CurrentVersion().value();

  sync::DeviceSeq seq = 0;
  std::vector<FieldChange> changes;
  for (int i = 0; i < 200; ++i) Append(&changes, SiteChanges(&seq, f.NewId(), ws, "Site " + std::to_string(i)));
  sync::SyncRequest req;
  req.device_id = a.device_id;
  req.changes = changes;
  for (auto& c : req.changes) c.time = FormatUtcMillis(f.env.WallMillis());

  fault->writes_seen = 0;
  fault->writes_allowed = 3;
  fault->armed = true;
  Result<sync::SyncResponse> r = f.service->Sync(a.who, req);
  fault->armed = false;
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kDiskFull);

  // Reopen (a failed commit may leave the storage read-only) and check nothing is there.
  f.Reopen();
  CHECK(f.storage->CurrentVersion().value() == before);
  CHECK_FALSE(Unwrap(f.storage->FindChange(a.device_id, 1)).has_value());
  sync::SyncResponse ok = f.Sync(a.who, changes, 0);
  CHECK(ok.acks.size() == changes.size());
  for (const auto& ack : ok.acks) CHECK(ack.outcome == ChangeOutcome::kApplied);
}

TEST_CASE("a device_id that is not the caller's is refused") {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  sync::SyncRequest req;
  req.device_id = f.NewDeviceId();
  Result<sync::SyncResponse> r = f.service->Sync(a.who, req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kPermissionDenied);
}

TEST_CASE("a full batch of 5000 changes is processed in one request") {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  sync::DeviceSeq seq = 0;
  std::vector<FieldChange> changes;
  while (changes.size() < sync::kMaxChangesPerRequest) Append(&changes, SiteChanges(&seq, f.NewId(), ws));
  changes.resize(sync::kMaxChangesPerRequest);
  sync::SyncResponse r = f.Sync(a.who, changes, 0);
  CHECK(r.acks.size() == sync::kMaxChangesPerRequest);
  CHECK(r.rejects.empty());
}

TEST_CASE("a request counts entries (5,000) and field changes (30,000) apart") {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  sync::DeviceSeq seq = 0;
  // 1,000 sites of 7 fields each: 7,000 field changes, more than the old
  // limit of 5,000, taken in one request.
  std::vector<FieldChange> changes;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = f.NewId();
    ++seq;
    for (const auto& [field, value] : std::vector<std::pair<const char*, json>>{
             {"workspace_id", ws}, {"name", "Drain " + std::to_string(i)}, {"kind", "drain"}, {"ward", "Ward 3"},
             {"address", "Market road"}, {"lat", -6.8}, {"lon", 39.28}}) {
      FieldChange c = Change(seq, "site", id, ws, field, value);
      c.created = true;
      changes.push_back(std::move(c));
    }
  }
  sync::SyncResponse r = f.Sync(a.who, changes, 0);
  CHECK(r.rejects.empty());
  CHECK(r.acks.size() == changes.size());  // the service acks each field; the codec groups them
  CHECK(Unwrap(f.storage->CurrentVersion()) >= 1000);
  // More than 30,000 before the last entry: refused whole, nothing applied.
  std::vector<FieldChange> many;
  while (many.size() <= sync::kMaxFieldChangesPerRequest) {
    const std::string id = f.NewId();
    ++seq;
    for (int k = 0; k < 20; ++k) {
      many.push_back(Change(seq, "site", id, ws, "f" + std::to_string(k), "x"));
    }
  }
  many.push_back(Change(++seq, "site", f.NewId(), ws, "name", "last"));
  const sync::ServerVersion before = Unwrap(f.storage->CurrentVersion());
  sync::SyncRequest req;
  req.device_id = a.who.device_id;
  req.changes = many;
  Result<sync::SyncResponse> refused = f.service->Sync(a.who, req);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message().find("30000 field changes") != std::string::npos);
  CHECK(Unwrap(f.storage->CurrentVersion()) == before);
}

}  // namespace
}  // namespace ccfield::server::testing
