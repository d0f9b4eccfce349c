// Every pushed change is checked against the caller's memberships and the
// record declarations; every pull is filtered to the caller's workspaces plus
// the library (docs/sync-protocol.md, "Security").
#include <doctest/doctest.h>

#include <set>

#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {


// Workspace A with Amina, workspace B with Baraka (a coordinator), and in B a
// site, a visit and an open conflict.
struct TwoWorkspaces {
  ServerFixture f;
  std::string ws_a, ws_b;
  Staff a, b, b2;
  std::string site_a, site_b, visit_b, project_b;
  sync::DeviceSeq seq_a = 0, seq_b = 0, seq_b2 = 0;

  TwoWorkspaces() {
    ws_a = f.AddWorkspace("Workspace A");
    ws_b = f.AddWorkspace("Workspace B");
    a = AddStaff(&f, ws_a, "amina");
    b = AddStaff(&f, ws_b, "baraka", "coordinator");
    b2 = AddStaff(&f, ws_b, "bupe");
    site_a = f.NewId();
    site_b = f.NewId();
    visit_b = f.NewId();
    project_b = f.NewId();
    REQUIRE(f.Sync(a.who, SiteChanges(&seq_a, site_a, ws_a)).rejects.empty());
    auto changes = SiteChanges(&seq_b, site_b, ws_b, "Secret site of B");
    Append(&changes, VisitChanges(&seq_b, visit_b, ws_b, site_b));
    changes.push_back(Change(++seq_b, "visit", visit_b, ws_b, "notes", "B's notes\n"));
    changes.push_back(Change(++seq_b, "project", project_b, ws_b, "workspace_id", ws_b));
    changes.push_back(Change(++seq_b, "project", project_b, ws_b, "title", "B's project"));
    REQUIRE(f.Sync(b.who, changes).rejects.empty());
    // A conflict in B.
    auto base = Unwrap(f.storage->GetField(site_b, "name")).state.version;
    f.Sync(b.who, {Change(++seq_b, "site", site_b, ws_b, "name", "B1", base)});
    auto r = f.Sync(b2.who, {Change(++seq_b2, "site", site_b, ws_b, "name", "B2", base)});
    REQUIRE(r.conflicts.size() == 1);
  }

  const ChangeRefusal* PushA(const FieldChange& c) {
    last = f.Sync(a.who, {c});
    return FindReject(last, c.device_seq);
  }
  sync::SyncResponse last;
};

TEST_CASE("pull: a user never receives records or conflicts of another workspace") {
  TwoWorkspaces t;
  sync::SyncResponse r = t.f.Sync(t.a.who, {}, 0, sync::kMaxPullLimit);
  CHECK_FALSE(r.more);
  const std::set<std::string> b_ids = {t.ws_b, t.site_b, t.visit_b, t.project_b, t.b.member_id, t.b2.member_id};
  for (const FieldChange& c : r.changes) {
    CHECK((c.workspace_id == t.ws_a || c.workspace_id.empty()));
    CHECK(b_ids.count(c.record_id) == 0);
    CHECK(c.value.dump().find("Secret") == std::string::npos);
  }
  CHECK(r.conflicts.empty());
  // A sees its own workspace record.
  bool saw_ws = false;
  for (const auto& c : r.changes) saw_ws = saw_ws || (c.record_id == t.ws_a && c.field == "name");
  CHECK(saw_ws);
}

TEST_CASE("pull: a member of two workspaces receives both") {
  TwoWorkspaces t;
  t.f.AddMember(t.ws_b, "amina");
  AuthContext who = t.f.Who(t.a.user_id, t.a.device_id);
  sync::SyncResponse r = t.f.Sync(who, {}, 0, sync::kMaxPullLimit);
  std::set<std::string> ids;
  for (const auto& c : r.changes) ids.insert(c.record_id);
  CHECK(ids.count(t.site_b) == 1);
  CHECK(ids.count(t.site_a) == 0);  // its own changes are not sent back
  CHECK(ids.count(t.ws_a) == 1);
  CHECK(r.conflicts.size() == 1);
}

TEST_CASE("write: pushing into a workspace the user is not a member of is forbidden") {
  TwoWorkspaces t;
  std::string v = t.f.NewId();
  const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, "visit", v, t.ws_b, "workspace_id", t.ws_b));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  CHECK_FALSE(Unwrap(t.f.storage->GetRecord(v)).has_value());
  // An empty workspace is not a loophole either.
  rej = t.PushA(Change(++t.seq_a, "site", t.f.NewId(), "", "name", "x"));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
}

TEST_CASE("write: referencing a site of another workspace is forbidden, with nothing leaked") {
  TwoWorkspaces t;
  std::string v = t.f.NewId();
  auto changes = VisitChanges(&t.seq_a, v, t.ws_a, t.site_b);
  sync::SyncResponse r = t.f.Sync(t.a.who, changes);
  const ChangeRefusal* rej = FindReject(r, changes[1].device_seq);  // site_id
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  // Same answer as for a site that does not exist at all: existence is not revealed.
  auto c = Change(++t.seq_a, "visit", v, t.ws_a, "site_id", t.f.NewId());
  const ChangeRefusal* rej2 = t.PushA(c);
  REQUIRE(rej2);
  CHECK(rej2->code == rej->code);
  CHECK(rej2->reason == rej->reason);
  // The other fields of the visit were applied: a rejection does not stop the others.
  CHECK(FindAck(r, changes[0].device_seq));
  CHECK(FindAck(r, changes[2].device_seq));
}

TEST_CASE("write: editing another workspace's record by id is forbidden, whatever workspace is claimed") {
  TwoWorkspaces t;
  const json before = Unwrap(t.f.storage->GetField(t.visit_b, "notes")).state.value;
  const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, "visit", t.visit_b, t.ws_a, "notes", "overwritten"));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  rej = t.PushA(Change(++t.seq_a, "visit", t.visit_b, t.ws_b, "notes", "overwritten"));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  rej = t.PushA(Change(++t.seq_a, "visit", t.visit_b, t.ws_a, "_deleted", true));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  CHECK(Unwrap(t.f.storage->GetField(t.visit_b, "notes")).state.value == before);
  CHECK_FALSE(Unwrap(t.f.storage->GetRecord(t.visit_b))->deleted);
  // Moving one's own record to another workspace is refused too.
  rej = t.PushA(Change(++t.seq_a, "site", t.site_a, t.ws_a, "workspace_id", t.ws_b));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  rej = t.PushA(Change(++t.seq_a, "site", t.site_a, t.ws_b, "name", "moved"));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
}

TEST_CASE("write: library records, workspaces, members and forms are read-only for devices") {
  TwoWorkspaces t;
  struct Case {
    const char* type;
    const char* field;
    json value;
  };
  const Case cases[] = {
      {"workspace", "name", "Renamed"}, {"member", "role", "coordinator"},      {"practice", "title", "x"},
      {"contact", "name", "x"},         {"form", "definition", json::object()},
  };
  for (const Case& c : cases) {
    CAPTURE(c.type);
    const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, c.type, t.f.NewId(), t.ws_a, c.field, c.value));
    REQUIRE(rej);
    CHECK(rej->code == RejectCode::kReadOnly);
  }
  // Their own member record too: a field worker cannot promote themselves.
  const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, "member", t.a.member_id, t.ws_a, "role", "coordinator"));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kReadOnly);
}

TEST_CASE("write: unknown record types are rejected per change with unknown_type") {
  TwoWorkspaces t;
  for (const char* type : {"spaceship", "visits", "good_practice", ""}) {
    CAPTURE(type);
    const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, type, t.f.NewId(), t.ws_a, "name", "x"));
    REQUIRE(rej);
    CHECK(rej->code == RejectCode::kUnknownType);
  }
}

TEST_CASE("write: projects are for coordinators, observers change nothing") {
  TwoWorkspaces t;
  // Amina is field staff in A: she may not create a project there.
  const ChangeRefusal* rej = t.PushA(Change(++t.seq_a, "project", t.f.NewId(), t.ws_a, "workspace_id", t.ws_a));
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kForbidden);
  // Baraka coordinates B: allowed.
  auto r = t.f.Sync(t.b.who, {Change(++t.seq_b, "project", t.project_b, t.ws_b, "status", "active")});
  CHECK(r.rejects.empty());
  // Bupe is field staff in B.
  r = t.f.Sync(t.b2.who, {Change(++t.seq_b2, "project", t.project_b, t.ws_b, "status", "paused")});
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].code == RejectCode::kForbidden);
  // Field staff may still point a visit at the project.
  std::string v = t.f.NewId();
  auto changes = VisitChanges(&t.seq_b2, v, t.ws_b, t.site_b);
  changes.push_back(Change(++t.seq_b2, "visit", v, t.ws_b, "project_id", t.project_b));
  r = t.f.Sync(t.b2.who, changes);
  CHECK(r.rejects.empty());

  Staff o = AddStaff(&t.f, t.ws_a, "olu", "observer");
  sync::DeviceSeq so = 0;
  r = t.f.Sync(o.who, {Change(++so, "site", t.site_a, t.ws_a, "name", "x")});
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].code == RejectCode::kForbidden);
}

TEST_CASE("write: invalid values are rejected per change with invalid") {
  TwoWorkspaces t;
  std::string v = t.f.NewId();
  REQUIRE(t.f.Sync(t.a.who, VisitChanges(&t.seq_a, v, t.ws_a, t.site_a)).rejects.empty());
  struct Case {
    const char* what;
    FieldChange c;
  };
  std::vector<Case> cases = {
      {"pick list", Change(++t.seq_a, "visit", v, t.ws_a, "weather", "sunny")},
      {"range", Change(++t.seq_a, "site", t.site_a, t.ws_a, "lat", 200.0)},
      {"type", Change(++t.seq_a, "site", t.site_a, t.ws_a, "lat", "north")},
      {"unknown field", Change(++t.seq_a, "site", t.site_a, t.ws_a, "colour", "red")},
      {"required cleared", Change(++t.seq_a, "site", t.site_a, t.ws_a, "name", nullptr)},
      {"id not a uuid", Change(++t.seq_a, "site", "site-1", t.ws_a, "name", "x")},
      {"_deleted not bool", Change(++t.seq_a, "visit", v, t.ws_a, "_deleted", "yes")},
      {"delete of unknown record", Change(++t.seq_a, "visit", t.f.NewId(), t.ws_a, "_deleted", true)},
      {"answer to unknown question", Change(++t.seq_a, "visit", v, t.ws_a, "answers.colour", "red")},
      {"answer of wrong type", Change(++t.seq_a, "visit", v, t.ws_a, "answers.width_m", "wide")},
      {"unknown form", Change(++t.seq_a, "visit", v, t.ws_a, "form", "no_such_form@9")},
      {"ref to wrong type", Change(++t.seq_a, "visit", v, t.ws_a, "site_id", v)},
      {"id of another type", Change(++t.seq_a, "site", v, t.ws_a, "name", "x")},
      {"text too long", Change(++t.seq_a, "site", t.site_a, t.ws_a, "name", std::string(600, 'x'))},
  };
  auto bad_time = Change(++t.seq_a, "site", t.site_a, t.ws_a, "ward", "W");
  bad_time.time = "yesterday";
  cases.push_back({"time", bad_time});
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const ChangeRefusal* rej = t.PushA(c.c);
    REQUIRE(rej);
    CHECK(rej->code == RejectCode::kInvalid);
    CHECK(!rej->reason.empty());
  }
  // An answer before the visit has a form.
  std::string v2 = t.f.NewId();
  auto r = t.f.Sync(t.a.who, {Change(++t.seq_a, "visit", v2, t.ws_a, "answers.width_m", 2.5)});
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].code == RejectCode::kInvalid);
}

TEST_CASE("write: form answers are checked against the visit's form, including one set earlier in the batch") {
  TwoWorkspaces t;
  const FormDef* form = BuiltinForm(kFormKey);
  REQUIRE(form);
  // A valid answer for the first yes/no or choice question of the form.
  std::string question;
  json answer;
  for (const FormField& q : form->fields) {
    if (q.type == AnswerType::kYesNo) {
      question = q.id;
      answer = true;
      break;
    }
    if (q.type == AnswerType::kSingleChoice && !q.options.empty()) {
      question = q.id;
      answer = q.options[0].value;
      break;
    }
  }
  REQUIRE(!question.empty());
  std::string v = t.f.NewId();
  auto changes = VisitChanges(&t.seq_a, v, t.ws_a, t.site_a);  // includes "form" before the answer
  changes.push_back(Change(++t.seq_a, "visit", v, t.ws_a, "answers." + question, answer));
  changes.push_back(Change(++t.seq_a, "visit", v, t.ws_a, "answers." + question, json::array({1, 2})));
  sync::SyncResponse r = t.f.Sync(t.a.who, changes);
  CHECK(FindAck(r, changes[changes.size() - 2].device_seq));
  const ChangeRefusal* rej = FindReject(r, changes.back().device_seq);
  REQUIRE(rej);
  CHECK(rej->code == RejectCode::kInvalid);
  CHECK(Unwrap(t.f.storage->GetField(v, "answers." + question)).state.value == answer);
}

TEST_CASE("write: a new visit's answers may come before its form in the batch (fields logged in key order)") {
  TwoWorkspaces t;
  std::string v = t.f.NewId();
  std::vector<FieldChange> changes = {
      Change(++t.seq_a, "visit", v, t.ws_a, "answers.width_m", 2.5),
      Change(++t.seq_a, "visit", v, t.ws_a, "answers.width_m", "wide"),  // wrong type for any form
      Change(++t.seq_a, "visit", v, t.ws_a, "answers.nonsense", 1),
      Change(++t.seq_a, "visit", v, t.ws_a, "form", kFormKey),
      Change(++t.seq_a, "visit", v, t.ws_a, "site_id", t.site_a),
      Change(++t.seq_a, "visit", v, t.ws_a, "started_at", "2026-10-14T08:05:00+03:00"),
      Change(++t.seq_a, "visit", v, t.ws_a, "workspace_id", t.ws_a),
  };
  sync::SyncResponse r = t.f.Sync(t.a.who, changes);
  CHECK(FindAck(r, changes[0].device_seq));
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].device_seq == changes[1].device_seq);
  CHECK(r.rejects[1].device_seq == changes[2].device_seq);
  CHECK(Unwrap(t.f.storage->GetField(v, "answers.width_m")).state.value == 2.5);
  // A later form change in another visit does not count.
  std::string w = t.f.NewId();
  auto other = Change(++t.seq_a, "visit", w, t.ws_a, "answers.width_m", 1.0);
  auto form_v = Change(++t.seq_a, "visit", t.f.NewId(), t.ws_a, "form", kFormKey);
  sync::SyncResponse r2 = t.f.Sync(t.a.who, {other, form_v});
  REQUIRE(FindReject(r2, other.device_seq));
}

}  // namespace
}  // namespace ccfield::server::testing
