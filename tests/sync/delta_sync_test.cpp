// Deltas for long text end to end (issue 14, docs/sync-protocol.md "Deltas
// for long text") against the real ccfield-server on 127.0.0.1: an edited
// long note goes up as a patch of the version the server has, lands whole,
// and comes down to another device as a patch of the version it holds; when
// a device's idea of the base is wrong, the server takes nothing and the
// same sync sends the entry again whole, and a device that cannot rebuild a
// pulled patch asks for the page again whole: each edit lands exactly once.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "ccfield/platform/env.h"
#include "support/server_process.h"
#include "support/sync_system.h"

namespace ccfield::sync::system_test {
namespace {

// About `n` bytes of text that compresses little (so bytes on the wire show
// whether the whole note went or only its patch).
std::string NoisyText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    const int len = 2 + static_cast<int>(rng() % 9);
    for (int i = 0; i < len; ++i) s += static_cast<char>('a' + rng() % 26);
    s += rng() % 7 == 0 ? ". " : " ";
  }
  return s;
}

std::string NotesOf(SyncDevice& d, const std::string& visit) {
  std::unique_ptr<Store> store = d.OpenStore();
  const Record r = Unwrap(store->Get(RecordType::kVisit, visit));
  return r.fields.value("notes", std::string());
}

// Replaces the first letter of the note in `d`'s log (as after a damaged write).
void DamageLoggedNote(SyncDevice& d, const std::string& visit) {
  sql::OpenOptions o;
  o.path = d.path;
  std::unique_ptr<sql::Db> raw = Unwrap(sql::Db::Open(o));
  REQUIRE_OK(raw->Exec("UPDATE change_log SET fields = json_set(fields, '$.notes', 'Z' || "
                       "substr(json_extract(fields, '$.notes'), 2)) WHERE record_id = '" + visit +
                       "' AND json_type(fields, '$.notes') = 'text'"));
}

struct Pair {
  ServerProcess server{kServerPath};
  SyncDevice alice, bob;
  std::unique_ptr<SyncClient> client_a, client_b;
  std::string visit;
  std::string note = NoisyText(4000, 7);

  Pair() {
    alice.LogIn(server.url, "alice");
    bob.LogIn(server.url, "bob");
    client_a = alice.Client();
    client_b = bob.Client();
    REQUIRE_OK(client_a->SyncNow());
    {
      std::unique_ptr<Store> store = alice.OpenStore();
      const std::string site = testing::AddSite(store.get(), DefaultEnv(), server.workspace_id);
      visit = testing::AddVisit(store.get(), DefaultEnv(), site, {{"notes", note}});
    }
    REQUIRE_OK(client_a->SyncNow());
    REQUIRE_OK(client_b->SyncNow());
    REQUIRE(NotesOf(bob, visit) == note);
  }
  std::string EditNote(const std::string& insert) {
    std::string edited = note;
    edited.insert(2000, insert);
    REQUIRE_OK(alice.OpenStore()->Commit({SetFields{RecordType::kVisit, visit, {{"notes", edited}}}}));
    return edited;
  }
};

TEST_CASE("End to end: an edited long note goes up as a patch, lands whole, and comes down to another device as a patch") {
  SKIP_WITHOUT_SERVER();
  Pair p;
  const std::string edited = p.EditNote("Second visit: the grate was replaced and the inlet cleared. ");
  const SyncReport up = Unwrap(p.client_a->SyncNow());
  CHECK(up.pushed == 1);
  CHECK(up.requests == 1);
  // The note is ~4 KB of text that compresses to ~2.5 KB; its patch and the
  // entry's metadata are a few hundred bytes.
  MESSAGE("an edit of a 4 KB note: " << up.bytes_up << " bytes up");
  CHECK(up.bytes_up < 1000);
  // Bob holds the version the edit was made on: the note comes down as a patch too.
  const SyncReport down = Unwrap(p.client_b->SyncNow());
  MESSAGE("the same edit pulled: " << down.bytes_down << " bytes down");
  CHECK(down.requests == 1);
  CHECK(down.bytes_down < 1500);
  CHECK(NotesOf(p.bob, p.visit) == edited);
  CHECK(NotesOf(p.alice, p.visit) == edited);
  CHECK(Unwrap(p.alice.OpenStore()->replica().CountChangeStates()).waiting == 0);
}

TEST_CASE("End to end: a patch made against the wrong base is sent again whole in the same sync") {
  SKIP_WITHOUT_SERVER();
  Pair p;
  // Alice's log holds another text for the version the note was made on
  // (as after a damaged write): her patch's checksum cannot match.
  // One letter differs: the patch still pays, and only the checksum can tell.
  DamageLoggedNote(p.alice, p.visit);
  const std::string edited = p.EditNote("An edit on a base the server does not have. ");
  const SyncReport up = Unwrap(p.client_a->SyncNow());
  CHECK(up.pushed == 1);     // counted once, when taken
  CHECK(up.rejected == 0);
  CHECK(up.requests == 2);   // the patch, then the whole value
  CHECK(up.bytes_up > 2000); // the whole note went
  CHECK(Unwrap(p.alice.OpenStore()->replica().CountChangeStates()).waiting == 0);
  CHECK(Unwrap(p.alice.OpenStore()->replica().CountChangeStates()).sent == 0);
  REQUIRE_OK(p.client_b->SyncNow());
  CHECK(NotesOf(p.bob, p.visit) == edited);
}

TEST_CASE("End to end: a pulled patch the device cannot rebuild makes it ask for the page again, whole") {
  SKIP_WITHOUT_SERVER();
  Pair p;
  DamageLoggedNote(p.bob, p.visit);
  const std::string edited = p.EditNote("Third visit: water gone. ");
  REQUIRE_OK(p.client_a->SyncNow());
  // A client allowed one round trip per sync still gets through.
  SyncClientOptions one_round;
  one_round.max_round_trips = 1;
  const SyncReport down = Unwrap(p.bob.Client(one_round)->SyncNow());
  CHECK(down.complete);
  CHECK(down.requests == 2);  // the patch did not fit; the same round again, whole
  CHECK(down.bytes_down > 2000);
  CHECK(NotesOf(p.bob, p.visit) == edited);
  // Nothing was taken twice: one received entry for the edit.
  CHECK(Unwrap(p.bob.OpenStore()->History(p.visit)).size() == Unwrap(p.alice.OpenStore()->History(p.visit)).size());
}

}  // namespace
}  // namespace ccfield::sync::system_test
