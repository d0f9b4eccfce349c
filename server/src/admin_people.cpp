// Admin commands about people: users, memberships, devices and sign-ins
// (issue 10, finding 7: people can leave). Removing a member, disabling a
// user and resetting a password take effect on the next request of any of
// their devices, because auth reads users, tokens and memberships afresh for
// every request (auth.h) and the sync response lists the memberships
// (docs/sync-protocol.md).
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <istream>
#include <optional>
#include <set>
#include <variant>
#include <ostream>

#include "admin.h"
#include "admin_internal.h"
#include "ccfield/core/text.h"
#include "ccfield/core/uuid.h"

namespace ccfield::server {

using namespace admin_detail;

Result<std::string> CreateUser(ServerStorage* s, Env* env, const std::string& username, const std::string& password,
                               bool admin, PasswordCost cost) {
  CCF_RETURN_IF_ERROR(CheckUsername(username));
  CCF_RETURN_IF_ERROR(CheckPassword(password));
  CCF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, cost));
  UserRow u;
  u.id = NewUuid(env);
  u.username = NormalizeUsername(username);
  u.password_hash = hash;
  u.admin = admin;
  u.created_ms = env->WallMillis();
  CCF_RETURN_IF_ERROR(RunInTransaction(s, [&] { return s->CreateUser(u); }));
  return u.id;
}

Result<std::string> AddMember(ServerStorage* s, Env* env, const std::string& workspace_id, const std::string& username,
                              const std::string& role, const std::string& display_name) {
  CCF_RETURN_IF_ERROR(CheckFieldValue(RecordType::kMember, "role", role).status());
  std::string member_id;
  Status st = RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(std::optional<RecordMeta> ws, s->GetRecord(workspace_id));
    if (!ws || ws->type != ChangeType::kWorkspace || ws->deleted) {
      return Status::NotFound("there is no workspace with id " + workspace_id);
    }
    CCF_ASSIGN_OR_RETURN(std::optional<UserRow> user, s->FindUserByName(NormalizeUsername(username)));
    if (!user) return Status::NotFound("there is no user named \"" + username + "\"; create it first");
    CCF_ASSIGN_OR_RETURN(std::vector<Membership> ms, s->MembershipsOf(user->id));
    for (const Membership& m : ms) {
      if (m.workspace_id == workspace_id) member_id = m.member_id;
    }
    if (!member_id.empty()) {  // already a member: change the role
      CCF_ASSIGN_OR_RETURN(StoredField cur, s->GetField(member_id, "role"));
      if (!cur.state.exists || cur.state.value != role) {
        CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kMember, member_id, workspace_id, "role", role, false));
      }
      return s->PutMembership(Membership{user->id, workspace_id, role, member_id});
    }
    member_id = NewUuid(env);
    CCF_RETURN_IF_ERROR(CreateRecord(s, ChangeType::kMember, member_id, workspace_id));
    const std::string name = display_name.empty() ? user->username : display_name;
    CCF_RETURN_IF_ERROR(
        WriteField(s, env, RecordType::kMember, member_id, workspace_id, "workspace_id", workspace_id, true));
    CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kMember, member_id, workspace_id, "name", name, false));
    CCF_RETURN_IF_ERROR(WriteField(s, env, RecordType::kMember, member_id, workspace_id, "role", role, false));
    return s->PutMembership(Membership{user->id, workspace_id, role, member_id});
  });
  if (!st.ok()) return st;
  return member_id;
}

Status RevokeDevice(ServerStorage* s, const std::string& device_id) {
  return RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(std::optional<DeviceRow> d, s->FindDevice(device_id));
    if (!d) return Status::NotFound("there is no device with id " + device_id + " (see list-devices)");
    return s->SetDeviceRevoked(device_id);
  });
}

Status RevokeTokenById(ServerStorage* s, const std::string& token_id) {
  return RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(std::optional<TokenRow> t, s->FindToken(token_id));
    if (!t) return Status::NotFound("there is no token with id " + token_id + " (see list-tokens USER)");
    return s->RevokeToken(token_id);
  });
}

namespace {

Result<UserRow> FindUserOrFail(ServerStorage* s, const std::string& username) {
  CCF_ASSIGN_OR_RETURN(std::optional<UserRow> u, s->FindUserByName(NormalizeUsername(username)));
  if (!u) return Status::NotFound("there is no user named \"" + username + "\"");
  return *u;
}

}  // namespace

Status RemoveMember(ServerStorage* s, const std::string& workspace_id, const std::string& username) {
  return RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(UserRow u, FindUserOrFail(s, username));
    CCF_ASSIGN_OR_RETURN(bool removed, s->RemoveMembership(u.id, workspace_id));
    if (!removed) {
      return Status::NotFound("\"" + u.username + "\" is not a member of workspace " + workspace_id);
    }
    return Status::Ok();
  });
}

Status DisableUser(ServerStorage* s, const std::string& username, bool disabled) {
  return RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(UserRow u, FindUserOrFail(s, username));
    CCF_RETURN_IF_ERROR(s->SetUserDisabled(u.id, disabled));
    // Enabling again does not bring old sign-ins back: they were ended.
    return disabled ? s->RevokeUserTokens(u.id) : Status::Ok();
  });
}

Status ResetPassword(ServerStorage* s, const std::string& username, const std::string& password, PasswordCost cost) {
  CCF_RETURN_IF_ERROR(CheckPassword(password));
  CCF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, cost));
  return RunInTransaction(s, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(UserRow u, FindUserOrFail(s, username));
    CCF_RETURN_IF_ERROR(s->SetPasswordHash(u.id, hash));
    return s->RevokeUserTokens(u.id);  // whoever knew the old password is signed out
  });
}

Result<std::string> ReadPasswordFromTerminal(const std::string& prompt) {
  // The terminal settings to put back, reachable from a signal handler
  // (tcsetattr is async-signal-safe).
  static termios saved;
  static volatile sig_atomic_t restore = 0;
  struct Handler {
    static void RestoreAndRaise(int sig) {
      if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
      signal(sig, SIG_DFL);
      raise(sig);
    }
  };
  if (tcgetattr(STDIN_FILENO, &saved) != 0) return Status::IoError("cannot read the terminal settings");
  constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction sa = {};
  sa.sa_handler = Handler::RestoreAndRaise;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_actions[3];
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &old_actions[i]);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;  // the Enter key still moves to the next line
  restore = 1;
  Status st;
  std::string line;
  if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
    st = Status::IoError("cannot turn off the terminal echo");
  } else {
    std::cerr << prompt << std::flush;
    while (true) {
      char c = 0;
      const ssize_t n = read(STDIN_FILENO, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = Status::IoError("cannot read from the terminal");
        break;
      }
      if (n == 0 && line.empty()) {
        st = Status::Invalid("no password given (end of input)");
        break;
      }
      if (n == 0 || c == '\n') break;
      line += c;
    }
  }
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  restore = 0;
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &old_actions[i], nullptr);
  if (!st.ok()) return st;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

namespace admin_detail {

namespace {

// The new password of create-user / reset-password: from --password,
// --password-stdin, or asked twice on the terminal. An exit code when there is none.
std::variant<std::string, int> ReadNewPassword(const AdminCall& c, const Args& a, const std::string& nothing_done) {
  std::string password;
  if (a.options.count("--password") && a.options.count("--password-stdin")) {
    return c.usage("give either --password or --password-stdin, not both");
  } else if (a.options.count("--password")) {
    password = Opt(a, "--password");
  } else if (a.options.count("--password-stdin")) {
    std::getline(c.in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (c.options.read_password) {
    const std::string rule = "at least " + std::to_string(kMinPasswordLength) + " characters";
    Result<std::string> first = c.options.read_password("Password (" + rule + "): ");
    if (!first.ok()) return c.fail(first.status());
    Status check = CheckPassword(*first);
    if (!check.ok()) return c.fail(check.WithContext(nothing_done));
    Result<std::string> again = c.options.read_password("The same password again: ");
    if (!again.ok()) return c.fail(again.status());
    if (*again != *first) return c.fail(Status::Invalid("the two passwords differ; " + nothing_done));
    password = *first;
  } else {
    return c.usage("standard input is not a terminal: pipe the password in with --password-stdin (at least " +
                   std::to_string(kMinPasswordLength) + " characters)");
  }
  return password;
}

// create-user and reset-password.
int RunSetPassword(const AdminCall& c, const Args& a) {
  const std::string& cmd = c.args[0];
  if (a.positional.size() != 1) return c.usage(cmd + " takes one user name");
  const bool create = cmd == "create-user";
  std::variant<std::string, int> pw =
      ReadNewPassword(c, a, create ? "no user was created" : "the password was not changed");
  if (int* rc = std::get_if<int>(&pw)) return *rc;
  const std::string& password = std::get<std::string>(pw);
  if (!create) {
    Status st = ResetPassword(c.s, a.positional[0], password, c.options.password_cost);
    if (!st.ok()) return c.fail(st);
    c.out << "the password of " << NormalizeUsername(a.positional[0])
          << " is changed; all of their sign-ins were ended\n";
    return kExitOk;
  }
  Result<std::string> id =
      CreateUser(c.s, c.env, a.positional[0], password, a.options.count("--admin") > 0, c.options.password_cost);
  if (!id.ok()) return c.fail(id.status());
  c.out << *id << "\n";
  return kExitOk;
}

// remove-member WORKSPACE_ID USER works too (as add-member takes them).
int RunRemoveMember(const AdminCall& c, const Args& given) {
  Args a = given;
  if (a.positional.empty() && a.options.count("--workspace") && a.options.count("--user")) {
    a.positional = {Opt(a, "--workspace"), Opt(a, "--user")};
  }
  if (a.positional.size() != 2) return c.usage("remove-member takes WORKSPACE_ID USER (as add-member does)");
  Status st = RemoveMember(c.s, a.positional[0], a.positional[1]);
  if (!st.ok()) return c.fail(st);
  c.out << NormalizeUsername(a.positional[1]) << " is no longer a member of workspace " << a.positional[0]
        << "; their devices stop receiving it on their next sync\n";
  return kExitOk;
}

// disable-user and enable-user.
int RunDisableUser(const AdminCall& c, const Args& a) {
  const std::string& cmd = c.args[0];
  if (a.positional.size() != 1) return c.usage(cmd + " takes one user name");
  const bool disable = cmd == "disable-user";
  Status st = DisableUser(c.s, a.positional[0], disable);
  if (!st.ok()) return c.fail(st);
  c.out << "user " << NormalizeUsername(a.positional[0])
        << (disable ? " is disabled; their sign-ins ended and new ones are refused\n" : " can sign in again\n");
  return kExitOk;
}

int RunAddMember(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 2) return c.usage("add-member takes WORKSPACE_ID USER");
  if (!a.options.count("--role")) return c.usage("add-member needs --role field_staff or --role coordinator");
  Result<std::string> id =
      AddMember(c.s, c.env, a.positional[0], a.positional[1], Opt(a, "--role"), Opt(a, "--name"));
  if (!id.ok()) return c.fail(id.status());
  c.out << *id << "\n";
  return kExitOk;
}

int RunRevokeDevice(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 1) return c.usage("revoke-device takes one device id");
  Status st = RevokeDevice(c.s, a.positional[0]);
  if (!st.ok()) return c.fail(st);
  c.out << "device " << a.positional[0] << " is blocked; its sign-ins no longer work\n";
  return kExitOk;
}

int RunListDevices(const AdminCall& c, const Args& a) {
  if (!a.positional.empty()) return c.usage("list-devices takes no arguments");
  Result<std::vector<DeviceRow>> ds = c.s->ListDevices();
  if (!ds.ok()) return c.fail(ds.status());
  c.out << "DEVICE_ID\tUSER\tNAME\tSTATUS\tLAST_SYNC\n";
  for (const DeviceRow& d : *ds) {
    Result<std::optional<UserRow>> u = c.s->FindUserById(d.user_id);
    std::string user = u.ok() && *u ? (*u)->username : d.user_id;
    c.out << d.id << "\t" << user << "\t" << d.name << "\t" << (d.revoked ? "revoked" : "active") << "\t"
          << FormatMs(d.last_sync_ms) << "\n";
  }
  return kExitOk;
}

int RunListTokens(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 1) return c.usage("list-tokens takes one user name");
  Result<std::optional<UserRow>> u = c.s->FindUserByName(NormalizeUsername(a.positional[0]));
  if (!u.ok()) return c.fail(u.status());
  if (!*u) return c.fail(Status::NotFound("there is no user named \"" + a.positional[0] + "\""));
  Result<std::vector<TokenRow>> ts = c.s->ListTokens((*u)->id);
  if (!ts.ok()) return c.fail(ts.status());
  const int64_t now = c.env->WallMillis();
  c.out << "TOKEN_ID\tDEVICE_ID\tCREATED\tEXPIRES\tSTATUS\n";
  for (const TokenRow& t : *ts) {
    const char* status = t.revoked ? "revoked" : (now >= t.expires_ms ? "expired" : "active");
    c.out << t.id << "\t" << t.device_id << "\t" << FormatMs(t.created_ms) << "\t" << FormatMs(t.expires_ms) << "\t"
          << status << "\n";
  }
  return kExitOk;
}

int RunRevokeToken(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 1) return c.usage("revoke-token takes one token id");
  Status st = RevokeTokenById(c.s, a.positional[0]);
  if (!st.ok()) return c.fail(st);
  c.out << "token " << a.positional[0] << " is revoked\n";
  return kExitOk;
}

}  // namespace

const std::vector<AdminCommand>& PeopleCommands() {
  static const std::vector<AdminCommand> kCommands = {
      {"create-user", "create-user USER [--password P | --password-stdin] [--admin]",
       "Creates a user; prints the user id. The password needs at least " + std::to_string(kMinPasswordLength) +
           " characters. Without a password option it is asked for twice\n"
           "(not shown) when standard input is a terminal; from a script, pipe it in with --password-stdin\n"
           "(--password P leaves it in the shell history and the process list).\n",
       {"--password"}, {"--password-stdin", "--admin"}, RunSetPassword},
      {"add-member", "add-member WORKSPACE_ID USER --role field_staff|coordinator|observer|admin [--name \"Display name\"]",
       "Makes the user a member of the workspace, or changes the role; prints the member id.\n",
       {"--role", "--name"}, {}, RunAddMember},
      {"remove-member", "remove-member WORKSPACE_ID USER   (or --workspace WORKSPACE_ID --user USER)",
       "Ends the user's membership of the workspace. On their devices' next sync the server refuses\n"
       "their changes there (the device keeps them, marked refused) and sends nothing more of it; the\n"
       "device drops its copy once those changes are dealt with. The member record stays in the history.\n",
       {"--workspace", "--user"}, {}, RunRemoveMember},
      {"disable-user", "disable-user USER",
       "Stops a person's access at once: every sign-in ends and new sign-ins are refused. Nothing of\n"
       "theirs is deleted; enable-user lets them sign in again.\n",
       {}, {}, RunDisableUser},
      {"enable-user", "enable-user USER", "Lets a disabled user sign in again (old sign-ins stay ended).\n", {}, {},
       RunDisableUser},
      {"reset-password", "reset-password USER [--password P | --password-stdin]",
       "Sets a new password and ends all of the user's sign-ins. Asked for twice when standard input\n"
       "is a terminal, like create-user.\n",
       {"--password"}, {"--password-stdin"}, RunSetPassword},
      {"revoke-device", "revoke-device DEVICE_ID", "Blocks a lost device and its sign-ins.\n", {}, {},
       RunRevokeDevice},
      {"list-devices", "list-devices", "Lists devices: id, user, name, status, last sync.\n", {}, {}, RunListDevices},
      {"list-tokens", "list-tokens USER", "Lists a user's sign-ins (tokens) by id, never the secret.\n", {}, {},
       RunListTokens},
      {"revoke-token", "revoke-token TOKEN_ID", "Ends one sign-in.\n", {}, {}, RunRevokeToken},
  };
  return kCommands;
}

}  // namespace admin_detail

}  // namespace ccfield::server
