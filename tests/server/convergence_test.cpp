// Convergence: one in-process SyncService and N simulated devices making
// seeded random edits (text edits that merge, short fields that conflict,
// deletes against edits, lost responses that make devices re-send). After
// everyone has synced, every device must hold exactly the server's state.
// A failing seed is printed; CCFIELD_FUZZ_SEEDS=N runs more seeds.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

using Key = std::pair<std::string, std::string>;  // (record id, field)

// A device as the protocol expects it to behave: local edits queue as pending
// changes with the base they were made on; acks are applied before received
// changes; a received change only lands on a field without a pending edit and
// newer than what the device has.
class SimDevice {
 public:
  // `careful`: apply a received change only when it is newer than the
  // field's known version. A naive device (as core's store applies batches)
  // relies on the server leaving out what the device already has newer.
  SimDevice(ServerFixture* f, Staff staff, std::string ws, bool careful)
      : f_(f), s_(std::move(staff)), ws_(std::move(ws)), careful_(careful) {}

  void Edit(const std::string& type, const std::string& id, const std::string& field, const json& value,
            sync::ServerVersion base) {
    Field& fl = fields_[{id, field}];
    fl.value = value;
    types_[id] = type;
    FieldChange c = Change(++seq_, type, id, ws_, field, value, base, s_.user_id);
    c.time = FormatUtcMillis(f_->env.WallMillis());
    pending_.push_back(std::move(c));
  }
  void Edit(const std::string& type, const std::string& id, const std::string& field, const json& value) {
    Edit(type, id, field, value, Version(id, field));
  }
  // _deleted's base: the highest version of any field of the record the device knows.
  void SetDeleted(const std::string& id, bool deleted) {
    sync::ServerVersion base = 0;
    for (const auto& [k, v] : fields_) {
      if (k.first == id) base = std::max(base, v.version);
    }
    Edit(types_[id], id, "_deleted", deleted, base);
  }

  // One sync cycle (and more while the server says so). With `lose_response`
  // the server applies the request but the device never hears back.
  void Sync(bool lose_response) {
    while (true) {
      std::vector<FieldChange> batch = pending_;
      sync::SyncResponse r = f_->Sync(s_.who, batch, cursor_, 50);
      if (lose_response) return;
      for (const ChangeRefusal& x : r.rejects) {
        rejects_.push_back(std::to_string(x.device_seq) + " " + RejectCodeName(x.code) + ": " + x.reason);
        Drop(x.device_seq);
      }
      for (const ChangeAck& a : r.acks) {
        const FieldChange* c = Find(a.device_seq);
        REQUIRE(c);
        if (a.version > 0) {
          Field& fl = fields_[{c->record_id, c->field}];
          fl.version = std::max(fl.version, a.version);
        }
        Drop(a.device_seq);
      }
      for (const FieldChange& c : r.changes) {
        Key k{c.record_id, c.field};
        types_[c.record_id] = std::string(ChangeTypeName(c.type));
        if (HasPending(k)) continue;
        Field& fl = fields_[k];
        if (!careful_ || c.version > fl.version) fl = Field{c.value, std::max(c.version, fl.version)};
      }
      cursor_ = r.cursor;
      if (!r.more && pending_.empty()) return;
    }
  }

  sync::ServerVersion Version(const std::string& id, const std::string& field) const {
    auto it = fields_.find({id, field});
    return it == fields_.end() ? 0 : it->second.version;
  }
  const json* Value(const std::string& id, const std::string& field) const {
    auto it = fields_.find({id, field});
    return it == fields_.end() ? nullptr : &it->second.value;
  }
  bool Deleted(const std::string& id) const {
    const json* v = Value(id, "_deleted");
    return v && *v == true;
  }
  // Records of `type` the device knows and shows (not deleted).
  std::vector<std::string> Live(const std::string& type) const {
    std::vector<std::string> out;
    for (const auto& [id, t] : types_) {
      if (t == type && !Deleted(id) && Value(id, "workspace_id")) out.push_back(id);
    }
    return out;
  }
  std::vector<std::string> DeletedOf(const std::string& type) const {
    std::vector<std::string> out;
    for (const auto& [id, t] : types_) {
      if (t == type && Deleted(id)) out.push_back(id);
    }
    return out;
  }

  struct Field {
    json value;
    sync::ServerVersion version = 0;
  };
  const std::map<Key, Field>& fields() const { return fields_; }
  const std::vector<std::string>& rejects() const { return rejects_; }
  bool idle() const { return pending_.empty(); }
  const Staff& staff() const { return s_; }

 private:
  const FieldChange* Find(sync::DeviceSeq seq) const {
    for (const auto& c : pending_) {
      if (c.device_seq == seq) return &c;
    }
    return nullptr;
  }
  void Drop(sync::DeviceSeq seq) {
    std::erase_if(pending_, [&](const FieldChange& c) { return c.device_seq == seq; });
  }
  bool HasPending(const Key& k) const {
    for (const auto& c : pending_) {
      if (c.record_id == k.first && c.field == k.second) return true;
    }
    return false;
  }

  ServerFixture* f_;
  Staff s_;
  std::string ws_;
  bool careful_;
  sync::DeviceSeq seq_ = 0;
  sync::ServerVersion cursor_ = 0;
  std::map<Key, Field> fields_;
  std::map<std::string, std::string> types_;
  std::vector<FieldChange> pending_;
  std::vector<std::string> rejects_;
};

struct FuzzResult {
  std::string digest;  // the server's whole history and conflicts, for determinism checks
  int merged = 0, conflicts = 0, kept_out = 0, revived = 0, duplicates = 0;
};

std::string EditText(std::mt19937_64& rng, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const std::string word = "w" + std::to_string(rng() % 1000);
  switch (rng() % 4) {
    case 0:
      lines.push_back(word);
      break;
    case 1:
      if (!lines.empty()) lines[rng() % lines.size()] = word;
      break;
    case 2:
      lines.insert(lines.begin() + static_cast<long>(rng() % (lines.size() + 1)), word);
      break;
    default:
      if (!lines.empty()) lines[rng() % lines.size()] += " " + word;
      break;
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

FuzzResult RunFuzz(uint64_t seed, int devices, int steps, bool careful = true) {
  ServerFixture f(seed);
  std::mt19937_64 rng(seed);
  const std::string ws = f.AddWorkspace();
  std::vector<SimDevice> sims;
  for (int i = 0; i < devices; ++i) sims.emplace_back(&f, AddStaff(&f, ws, "user" + std::to_string(i)), ws, careful);
  const char* weather[] = {"dry", "light_rain", "heavy_rain", "after_rain_24h", "hot_sunny", "windy_dusty"};
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };

  // Everyone starts from one site created by device 0.
  {
    std::string site = f.NewId();
    sims[0].Edit("site", site, "workspace_id", ws);
    sims[0].Edit("site", site, "name", "Site 0");
    sims[0].Sync(false);
    for (auto& d : sims) d.Sync(false);
  }
  for (int step = 0; step < steps; ++step) {
    f.env.Advance(static_cast<int64_t>(rng() % 60000));
    SimDevice& d = sims[rng() % sims.size()];
    const int op = static_cast<int>(rng() % 100);
    std::vector<std::string> visits = d.Live("visit");
    std::vector<std::string> sites = d.Live("site");
    if (op < 18) {
      d.Sync(rng() % 10 == 0);
    } else if (op < 26 && !sites.empty()) {
      std::string v = f.NewId();
      d.Edit("visit", v, "workspace_id", ws);
      d.Edit("visit", v, "site_id", pick(sites));
      d.Edit("visit", v, "form", kFormKey);
      d.Edit("visit", v, "started_at", "2026-10-14T08:05:00+03:00");
      d.Edit("visit", v, "notes", "first line\nsecond line\nthird line\n");
    } else if (op < 30) {
      std::string s = f.NewId();
      d.Edit("site", s, "workspace_id", ws);
      d.Edit("site", s, "name", "Site " + std::to_string(step));
    } else if (op < 65 && !visits.empty()) {
      std::string v = pick(visits);
      const json* cur = d.Value(v, "notes");
      d.Edit("visit", v, "notes", EditText(rng, cur && cur->is_string() ? cur->get<std::string>() : ""));
    } else if (op < 80 && !visits.empty()) {
      d.Edit("visit", pick(visits), "weather", weather[rng() % 6]);
    } else if (op < 88 && !sites.empty()) {
      d.Edit("site", pick(sites), "ward", "Ward " + std::to_string(rng() % 5));
    } else if (op < 95 && !visits.empty()) {
      d.SetDeleted(pick(visits), true);
    } else {
      std::vector<std::string> deleted = d.DeletedOf("visit");
      if (!deleted.empty()) d.SetDeleted(pick(deleted), false);
    }
  }
  // Quiesce: everyone sends what is left, then everyone receives everything.
  for (int round = 0; round < 3; ++round) {
    for (auto& d : sims) d.Sync(false);
  }

  FuzzResult res;
  for (const SimDevice& d : sims) {
    CAPTURE(d.staff().user_id);
    CHECK(d.idle());
    CHECK_MESSAGE(d.rejects().empty(), d.rejects().front());
  }
  // Every device holds exactly the server's current state, field by field.
  const auto& reference = sims[0].fields();
  for (const SimDevice& d : sims) {
    CHECK(d.fields().size() == reference.size());
    for (const auto& [key, field] : d.fields()) {
      StoredField server = Unwrap(f.storage->GetField(key.first, key.second));
      CAPTURE(key.first);
      CAPTURE(key.second);
      REQUIRE(server.state.exists);
      CHECK(field.value == server.state.value);
      CHECK(field.version <= server.state.version);
      auto rec = Unwrap(f.storage->GetRecord(key.first));
      REQUIRE(rec.has_value());
      CHECK(d.Deleted(key.first) == rec->deleted);
    }
  }
  // The digest of everything the server holds, and some counts.
  PullQuery q;
  q.workspaces = {ws};
  q.device_id = "nobody";
  q.limit = 1000000;
  std::ostringstream digest;
  for (const HistoryEntry& e : Unwrap(f.storage->ChangesAfter(q))) {
    digest << e.version << " " << e.record_id << " " << e.field << " " << e.value.dump() << " " << e.device_id << "\n";
    if (e.device_id == "server" && e.field == "notes") ++res.merged;
    if (e.device_id == "server" && e.field == "_deleted") ++res.revived;
  }
  for (const FieldConflict& x : Unwrap(f.storage->ConflictsAfter(0, {ws}, 1000000))) {
    digest << x.id << " " << x.version << " " << x.winner.dump() << " " << x.loser.dump() << " " << x.resolved << "\n";
    ++res.conflicts;
  }
  res.digest = digest.str();
  return res;
}

int SeedCount() {
  const char* s = std::getenv("CCFIELD_FUZZ_SEEDS");
  return s && *s ? std::max(1, std::atoi(s)) : 8;
}

TEST_CASE("convergence: seeded random edits on 3 devices end with every device equal to the server") {
  FuzzResult total;
  for (int i = 0; i < SeedCount(); ++i) {
    const uint64_t seed = 1000 + static_cast<uint64_t>(i);
    INFO("seed " << seed << " (rerun: CCFIELD_FUZZ_SEEDS and the seed number in convergence_test.cpp)");
    FuzzResult r = RunFuzz(seed, 3, 250);
    total.merged += r.merged;
    total.conflicts += r.conflicts;
    total.revived += r.revived;
  }
  // The fuzz must actually exercise the interesting rules.
  CHECK(total.merged > 0);
  CHECK(total.conflicts > 0);
  CHECK(total.revived > 0);
  MESSAGE("merges " << total.merged << ", conflicts " << total.conflicts << ", undeletes " << total.revived);
}

TEST_CASE("convergence: devices that apply every received change in order converge too") {
  for (int i = 0; i < SeedCount(); ++i) {
    const uint64_t seed = 2000 + static_cast<uint64_t>(i);
    INFO("seed " << seed);
    RunFuzz(seed, 3, 250, /*careful=*/false);
  }
}

TEST_CASE("convergence: the service is deterministic given the seed") {
  FuzzResult a = RunFuzz(77, 3, 150);
  FuzzResult b = RunFuzz(77, 3, 150);
  CHECK(a.digest == b.digest);
  FuzzResult c = RunFuzz(78, 3, 150);
  CHECK(a.digest != c.digest);
}

}  // namespace
}  // namespace ccfield::server::testing
