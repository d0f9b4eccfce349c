// Sync commands: login, logout, sync, status (conflicts and resolve:
// commands_conflicts.cpp; refused: commands_refused.cpp). They call the sync
// client (sync/client.h) and the store; no HTTP or curl here.
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "ccfield/core/json_text.h"
#include "ccfield/platform/network_info.h"
#include "ccfield/sync/client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;
namespace {

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A line of standard input; with echo off when it is a terminal.
std::optional<std::string> ReadPassword(Context& ctx, bool prompt) {
  const bool tty = isatty(STDIN_FILENO) == 1;
  termios saved{};
  bool echo_off = false;
  if (tty && prompt) {
    ctx.err << "Password: " << std::flush;
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (echo_off) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    ctx.err << "\n";
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Opens the CLI's store (creating the data directory) and a sync client on
// its own connection to the same file.
Result<std::unique_ptr<sync::SyncClient>> OpenClient(Context& ctx, sync::SyncClientOptions options = {}) {
  CCF_RETURN_IF_ERROR(ctx.OpenStore().status());
  return sync::SyncClient::Open(ctx.env, ctx.StorePath(), std::move(options));
}

// Refused records per type (live ones; what Home and `ccfield refused` count).
struct RefusedCounts {
  int64_t visits = 0, sites = 0;
};

Result<RefusedCounts> CountRefused(Store* store) {
  RefusedCounts n;
  CCF_ASSIGN_OR_RETURN(RecordStateCounts v, store->screens().CountRecordStates(RecordType::kVisit));
  CCF_ASSIGN_OR_RETURN(RecordStateCounts s, store->screens().CountRecordStates(RecordType::kSite));
  n.visits = v.refused;
  n.sites = s.refused;
  return n;
}

void PrintRefused(Context& ctx, const RefusedCounts& n) {
  if (n.visits > 0) ctx.out << RefusedSentence(n.visits, RecordType::kVisit) << ".\n";
  if (n.sites > 0) ctx.out << RefusedSentence(n.sites, RecordType::kSite) << ".\n";
}

json RefusedJson(const RefusedCounts& n) { return {{"visit", n.visits}, {"site", n.sites}}; }

// "11,000": a count as people read it in English.
std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n);
  const int sign = n < 0 ? 1 : 0;
  for (int i = static_cast<int>(digits.size()) - 3; i > sign; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

// "1,000 visits", "1 site", "3 photo records".
std::string RecordCount(ChangeType type, int64_t n) {
  std::string noun = type == ChangeType::kPhoto     ? "photo record"
                     : type == ChangeType::kUnknown ? "other record"
                                                    : std::string(ChangeTypeName(type));
  return Thousands(n) + " " + noun + (n == 1 ? "" : "s");
}

// The records a sync moved, then the field changes they took (issue 14):
// "1,000 visits and 3 sites (11,012 field changes)"; "nothing".
std::string RecordsPhrase(const sync::RecordTally& records, int64_t field_changes) {
  const std::vector<std::pair<ChangeType, int64_t>> types = records.ByType();
  if (types.empty()) return field_changes == 0 ? "nothing" : Plural(field_changes, "field change", "field changes");
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) s += i + 1 == types.size() ? " and " : ", ";
    s += RecordCount(types[i].first, types[i].second);
  }
  return s + " (" + Thousands(field_changes) + (field_changes == 1 ? " field change)" : " field changes)");
}

// {"visit": 1000, "site": 3}: the records per type, for --json.
json RecordsJson(const sync::RecordTally& records) {
  json j = json::object();
  for (const auto& [type, n] : records.ByType()) j[std::string(ChangeTypeName(type))] = n;
  return j;
}

}  // namespace

constexpr const char* kLoginHelp =
    R"(Usage: ccfield login URL --user NAME [--password P | --password-stdin] [--device-name N] [--ca-file F]

Logs this device in to a sync server and saves the login in the store.
Without --password the password is read from standard input (a prompt on a terminal).

Options:
  --user NAME        your user name on the server
  --password P       the password (visible to other users of this machine: prefer --password-stdin)
  --password-stdin   read the password from the first line of standard input
  --device-name N    how the server lists this device (default: "device" and its short id)
  --ca-file F        trust this CA certificate file (PEM), for a self-hosted server

The address must start with https:// (plain http:// only to this machine: http://127.0.0.1:PORT
or http://localhost:PORT, for testing).
)";

int CmdLogin(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{
      kLoginHelp,
      {{"user", true}, {"password", true}, {"password-stdin", false}, {"device-name", true}, {"ca-file", true}},
      {1, 1, "give the server address"}};
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, kSpec, &code);
  if (!a) return code;
  if (!a->Has("user")) return Usage(ctx, "give your user name with --user", kLoginHelp);
  if (a->Has("password") && a->Has("password-stdin")) {
    return Usage(ctx, "give either --password or --password-stdin", kLoginHelp);
  }
  std::string ca_file = a->Get("ca-file").value_or("");
  if (!ca_file.empty()) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(ca_file, ec);
    if (!ec) ca_file = abs.string();
    if (!std::ifstream(ca_file).good()) return Fail(ctx, Status::NotFound("cannot read the CA file " + ca_file));
  }
  std::string password;
  if (auto p = a->Get("password")) {
    password = *p;
  } else {
    std::optional<std::string> line = ReadPassword(ctx, !a->Has("password-stdin"));
    if (!line) return Usage(ctx, "no password on standard input", kLoginHelp);
    password = *line;
  }
  if (password.empty()) return Usage(ctx, "the password is empty", kLoginHelp);
  Result<std::unique_ptr<sync::SyncClient>> client = OpenClient(ctx);
  if (!client.ok()) return Fail(ctx, client.status());
  Store* store = ctx.store.get();
  const std::string device_name = a->Get("device-name").value_or("device " + ShortId(store->device_id()));
  Result<sync::LoginResult> r = (*client)->Login(a->positional()[0], *a->Get("user"), password, device_name, ca_file);
  if (!r.ok()) return Fail(ctx, r.status().WithContext("login failed"));
  // The first login to a real server is the moment to offer to drop the demo.
  const bool demo = store->HasDemoData().value_or(false);
  if (ctx.json) {
    json ws = json::array();
    for (const auto& w : r->workspaces) ws.push_back({{"id", w.id}, {"role", w.role}});
    return PrintJson(ctx, json{{"server_url", r->server_url},
                               {"username", *a->Get("user")},
                               {"user_id", r->user_id},
                               {"expires_at", r->expires_at},
                               {"device_id", store->device_id()},
                               {"workspaces", ws},
                               {"demo_data", demo},
                               {"others_unsent", json(r->others_unsent)}});
  }
  ctx.out << "Logged in to " << r->server_url << " as " << *a->Get("user") << " ("
          << Plural(static_cast<int64_t>(r->workspaces.size()), "workspace", "workspaces") << ").\n"
          << "Run `ccfield sync` to send and receive changes.\n";
  // A shared tablet: another person's unsent work stays theirs (issue 10 #5).
  if (std::string others = sync::OthersUnsentSentence(r->others_unsent); !others.empty()) ctx.out << others << "\n";
  if (demo) {
    ctx.out << "This device still has the demo data set. It stays on this device and is never sent;\n"
            << "remove it with `ccfield demo remove` (what you typed into real workspaces is kept).\n";
  }
  return kExitOk;
}

constexpr const char* kSyncHelp = R"(Usage: ccfield sync [--stall-timeout SECONDS] [--no-photos]

Sends this device's changes to the server and receives the others' (log in first:
`ccfield login`). Safe to interrupt and to repeat: nothing is sent or applied twice.

  --stall-timeout SECONDS  give a transfer up when almost nothing (under 10 bytes/s)
                           has moved for this long (1-3600; default 60, for 2G links)
  --no-photos              records only: photo files wait for the next sync
Records go first; then photo files move as `ccfield photo settings` allows
(whether the link is metered is asked of NetworkManager; unknown counts as metered).
)";

int CmdSync(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, {kSyncHelp, {{"stall-timeout", true}, {"no-photos", false}}, NoWords("sync")}, &code);
  if (!a) return code;
  sync::SyncClientOptions options;
  options.photos = !a->Has("no-photos");
  std::shared_ptr<NetworkInfo> network = NewNetworkManagerInfo();
  options.link_metered = [network] { return network->Metered(); };
  if (auto v = a->Get("stall-timeout")) {
    Result<double> s = ParseNumber(*v, "--stall-timeout");
    if (!s.ok() || *s != static_cast<int>(*s) || *s < sync::kMinStallSeconds || *s > sync::kMaxStallSeconds) {
      return Usage(ctx, "--stall-timeout takes whole seconds from 1 to 3600", kSyncHelp);
    }
    options.stall_seconds = static_cast<int>(*s);
  }
  Result<std::unique_ptr<sync::SyncClient>> client = OpenClient(ctx, std::move(options));
  if (!client.ok()) return Fail(ctx, client.status());
  const sync::SyncOutcome out = (*client)->Sync();
  const sync::SyncReport& r = out.report;
  if (!out.status.ok()) {
    const int exit_code = Fail(ctx, out.status.WithContext("sync failed"));
    if (!ctx.json) {
      if (out.action == sync::SyncAction::kLogInAgain) {
        ctx.err << "Log in again: ccfield login URL --user NAME\n";
      } else if (out.action == sync::SyncAction::kRetryLater) {
        ctx.err << "Nothing is lost: the changes stay on this device; run `ccfield sync` again later.\n";
      }
    }
    return exit_code;
  }
  Result<RefusedCounts> refused = CountRefused(ctx.store.get());
  if (!refused.ok()) return Fail(ctx, refused.status());
  if (ctx.json) {
    return PrintJson(ctx, json{{"requests", r.requests},
                               {"bytes_up", r.bytes_up},
                               {"bytes_down", r.bytes_down},
                               {"pushed", r.pushed},
                               {"rejected", r.rejected},
                               {"received", r.received},
                               {"pushed_records", RecordsJson(r.pushed_records)},
                               {"received_records", RecordsJson(r.received_records)},
                               {"conflicts", r.conflicts},
                               {"complete", r.complete},
                               {"refused_records", RefusedJson(*refused)},
                               {"photos", {{"sent", r.photos_up},
                                           {"received", r.photos_down},
                                           {"bytes_up", r.photo_bytes_up},
                                           {"bytes_down", r.photo_bytes_down},
                                           {"refused", r.photos_refused},
                                           {"held", r.photos_held},
                                           {"held_because", r.photo_hold_reason}}},
                               {"removed_workspaces", r.removed_workspaces}});
  }
  // "Pushed" counts only what the server accepted: a refused change is never "sent".
  // In records, with the field changes they took (issue 14).
  ctx.out << "Pushed " << RecordsPhrase(r.pushed_records, r.pushed) << ", received "
          << RecordsPhrase(r.received_records, r.received) << ", " << Plural(r.conflicts, "conflict", "conflicts")
          << "\n";
  if (r.photos_up + r.photos_down > 0) {
    ctx.out << "Photo files: " << r.photos_up << " sent, " << r.photos_down << " received ("
            << (r.photo_bytes_up + r.photo_bytes_down) / 1024 << " KB)\n";
  }
  if (r.photos_refused > 0) {
    ctx.out << Plural(r.photos_refused, "photo was", "photos were")
            << " refused by the server — see `ccfield photos VISIT_ID` for the reason\n";
  }
  if (r.photos_held > 0) ctx.out << Plural(r.photos_held, "photo file waits", "photo files wait") << ": "
                                 << r.photo_hold_reason << "\n";
  PrintRefused(ctx, *refused);
  for (const std::string& ws : r.removed_workspaces) {
    ctx.out << "You were removed from workspace " << ws << "; its records were removed from this tablet.\n";
  }
  if (r.conflicts > 0) ctx.out << "See `ccfield conflicts` to resolve them.\n";
  if (!r.complete) ctx.out << "More remains: run `ccfield sync` again.\n";
  return kExitOk;
}

constexpr const char* kStatusHelp = R"(Usage: ccfield status [--limit N]

What is waiting to be synced, when sync last worked, what blocks it, the changes the
server rejected (with its reasons, at most N: default 20) and how many conflicts are open.
)";

int CmdStatus(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a = ParseCommand(ctx, args, {kStatusHelp, {{"limit", true}}, NoWords("status")}, &code);
  if (!a) return code;
  Result<int> limit = ParseLimit(*a, "limit", 20, 10000);
  if (!limit.ok()) return Usage(ctx, limit.status().message(), kStatusHelp);
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  Result<sync::SyncStatus> st = sync::ReadSyncStatus(store);
  if (!st.ok()) return Fail(ctx, st.status());
  Result<std::vector<std::pair<ChangeEntry, std::string>>> rejected =
      store->replica().ChangesInState(ChangeState::kRejected, *limit);
  if (!rejected.ok()) return Fail(ctx, rejected.status());
  Result<RefusedCounts> refused = CountRefused(store);
  if (!refused.ok()) return Fail(ctx, refused.status());
  if (ctx.json) {
    json items = json::array();
    for (const auto& [e, reason] : *rejected) {
      json j = ChangeJson(e);
      j["record_title"] = RecordTitle(store, std::string(ChangeTypeName(e.type)), e.record_id);
      j["reason"] = reason;
      items.push_back(std::move(j));
    }
    return PrintJson(ctx, json{{"summary", sync::StatusSentence(*st)},
                               {"logged_in", st->logged_in},
                               {"server_url", st->server_url},
                               {"username", st->username},
                               {"waiting", st->waiting},
                               {"rejected", st->rejected},
                               {"open_conflicts", st->open_conflicts},
                               {"last_ok", st->last_ok},
                               {"blocked_by", st->blocked_by},
                               {"rejected_changes", items},
                               {"refused_records", RefusedJson(*refused)}});
  }
  std::string sentence = sync::StatusSentence(*st);
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  ctx.out << sentence << "\n";
  if (st->logged_in) {
    ctx.out << "Server: " << st->server_url << " (as " << st->username << ")\n";
  } else {
    ctx.out << "Log in with: ccfield login URL --user NAME\n";
  }
  PrintRefused(ctx, *refused);
  if (st->rejected > 0) {
    ctx.out << "Changes refused by the server (" << st->rejected << "):\n";
    // One line per record and reason: "contact Mariam (9c13db2f), name, role: <reason>".
    const auto& list = *rejected;
    for (size_t i = 0; i < list.size();) {
      const ChangeEntry& e = list[i].first;
      const std::string& reason = list[i].second;
      std::string fields;
      size_t j = i;
      for (; j < list.size() && list[j].first.record_id == e.record_id && list[j].second == reason; ++j) {
        fields += (fields.empty() ? "" : ", ") + list[j].first.field;
      }
      ctx.out << "  " << sync::FormatSyncTime(e.time) << "  " << ChangeTypeName(e.type) << " "
              << RecordTitle(store, std::string(ChangeTypeName(e.type)), e.record_id) << " (" << ShortId(e.record_id)
              << "), " << fields << ": " << reason << "\n";
      i = j;
    }
    if (st->rejected > static_cast<int64_t>(list.size())) {
      ctx.out << "  ... the newest " << list.size() << " shown (--limit N for more)\n";
    }
  }
  if (st->open_conflicts > 0) {
    ctx.out << Plural(st->open_conflicts, "open conflict", "open conflicts") << ": see `ccfield conflicts`\n";
  }
  return kExitOk;
}
constexpr const char* kLogoutHelp = R"(Usage: ccfield logout

Ends this device's login: the server is asked to revoke the token (when it can be
reached) and the token is forgotten here either way. The records on this device and the
changes not yet sent stay; they are sent after the next `ccfield login` and `ccfield sync`.
)";

int CmdLogout(Context& ctx, const std::vector<std::string>& args) {
  int code;
  if (!ParseCommand(ctx, args, {kLogoutHelp, {}, NoWords("logout")}, &code)) return code;
  Result<std::unique_ptr<sync::SyncClient>> client = OpenClient(ctx);
  if (!client.ok()) return Fail(ctx, client.status());
  Result<sync::LogoutResult> r = (*client)->Logout();
  if (!r.ok()) return Fail(ctx, r.status().WithContext("logout failed"));
  Result<ChangeStateCounts> counts = ctx.store->replica().CountChangeStates();
  if (!counts.ok()) return Fail(ctx, counts.status());
  const int64_t unsent = counts->waiting + counts->sent + counts->rejected;
  if (ctx.json) {
    return PrintJson(ctx, json{{"was_logged_in", r->was_logged_in},
                               {"revoked_on_server", r->revoked_on_server},
                               {"server_problem", r->server_problem},
                               {"unsent_changes", unsent}});
  }
  if (!r->was_logged_in) {
    ctx.out << "This device was not logged in.\n";
  } else if (r->revoked_on_server) {
    ctx.out << "Logged out: the server no longer accepts this device's token, and it is forgotten here.\n";
  } else {
    ctx.out << "Logged out on this device. The server could not be told (" << r->server_problem
            << "): the token is forgotten here; an administrator can revoke it with `ccfield-server admin "
               "revoke-token`.\n";
  }
  ctx.out << (unsent == 0 ? std::string("No unsent changes stay on this device.")
                          : Plural(unsent, "unsent change stays", "unsent changes stay") +
                                " on this device; log in again and run `ccfield sync` to send them.")
          << "\n";
  return kExitOk;
}

}  // namespace ccfield::cli
