// `refused`: the records the server refused, and the ways out (retry, move,
// discard; docs/cli.md, "Refused records").
#include <iostream>

#include "ccfield/core/json_text.h"
#include "ccfield/sync/client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

constexpr const char* kRefusedHelp = R"(Usage: ccfield refused [--limit N]
       ccfield refused retry ID
       ccfield refused move ID --workspace WS
       ccfield refused discard ID --yes

Lists the records the server refused, with its reason (newest first, at most N: default 50),
and the ways out. A refused record stays on this device and is never counted as sent.
  retry     send it again on the next sync (after the cause was fixed: the record edited,
            your membership restored)
  move      move it (a site with its visits) to a workspace you may write to, and send it
  discard   give up the refused changes on this device: a record the server never had is
            removed, otherwise the refused fields go back to the server's values. Needs --yes.
ID is the record's id (or its first 6+ characters) as listed.
)";

int CmdRefused(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<CommandStart> cmd =
      BeginCommand(ctx, args, {kRefusedHelp, {{"limit", true}, {"workspace", true}, {"yes", false}}}, &code);
  if (!cmd) return code;
  const Args& a = cmd->args;
  const auto& pos = a.positional();
  Store* store = cmd->store;
  if (pos.empty()) {
    Result<int> limit = ParseLimit(a, "limit", 50, 10000);
    if (!limit.ok()) return Usage(ctx, limit.status().message(), kRefusedHelp);
    Result<std::vector<std::pair<Record, RecordStatus>>> list = store->screens().RefusedRecords(*limit);
    if (!list.ok()) return Fail(ctx, list.status());
    if (ctx.json) {
      json items = json::array();
      for (const auto& [r, st] : *list) {
        json j = RecordJson(r);
        AddStateJson(&j, st);
        j["title"] = r.Title();
        items.push_back(std::move(j));
      }
      return PrintJson(ctx, ItemsJson(items));
    }
    if (list->empty()) {
      ctx.out << "The server has refused nothing from this device.\n";
      return kExitOk;
    }
    ctx.out << "Refused by the server (kept on this device, not sent):\n";
    for (const auto& [r, st] : *list) {
      ctx.out << "  " << TypeName(r.type) << " " << RecordLine(store, r, ctx.lang) << "\n"
              << "      the server said: " << st.reason << "\n";
    }
    ctx.out << "Ways out:\n"
            << "  ccfield refused retry ID                  send it again (after fixing the cause)\n"
            << "  ccfield refused move ID --workspace WS    move it to a workspace you may write to\n"
            << "  ccfield refused discard ID --yes          give it up on this device\n";
    return kExitOk;
  }
  const std::string& verb = pos[0];
  if (verb != "retry" && verb != "move" && verb != "discard") {
    return Usage(ctx, "say retry, move or discard, or nothing to list", kRefusedHelp);
  }
  if (pos.size() != 2) return Usage(ctx, "refused " + verb + " needs the record's id", kRefusedHelp);
  if (verb != "move" && a.Has("workspace")) return Usage(ctx, "--workspace is for refused move", kRefusedHelp);
  if (verb != "discard" && a.Has("yes")) return Usage(ctx, "--yes is for refused discard", kRefusedHelp);
  Result<Record> r = store->FindAny(pos[1]);
  if (!r.ok()) return Fail(ctx, r.status());
  Result<RecordStatus> before = store->screens().RecordStateOf(r->type, r->id);
  if (!before.ok()) return Fail(ctx, before.status());
  if (before->state != RecordState::kRefused) {
    return Fail(ctx, Status::Invalid(std::string(TypeName(r->type)) + " " + ShortId(r->id) +
                                     " has nothing refused by the server (it is " + StateWords(before->state) +
                                     "); see `ccfield refused`"));
  }
  const std::string title = r->type == RecordType::kVisit
                                ? "visit " + ShortId(r->id)
                                : std::string(TypeName(r->type)) + " \"" + r->Title() + "\" (" + ShortId(r->id) + ")";
  std::string done;
  if (verb == "retry") {
    Result<CommitResult> c = store->RetryRefused(r->type, r->id);
    if (!c.ok()) return Fail(ctx, c.status());
    done = "It is sent again with the next `ccfield sync`.";
  } else if (verb == "move") {
    if (!a.Has("workspace")) {
      return Usage(ctx, "say where to with --workspace WS (ccfield list workspaces)", kRefusedHelp);
    }
    Result<Record> ws = FindWorkspace(store, *a.Get("workspace"));
    if (!ws.ok()) return Fail(ctx, ws.status());
    Result<CommitResult> c = store->MoveToWorkspace(r->type, r->id, ws->id);
    if (!c.ok()) return Fail(ctx, c.status());
    done = "Moved to " + ws->Title() + "; it is sent with the next `ccfield sync`.";
  } else {
    if (!a.Has("yes")) {
      return Usage(ctx,
                   "discarding cannot be undone; add --yes to confirm (ccfield refused discard " + pos[1] + " --yes)",
                   kRefusedHelp);
    }
    if (Status st = store->DiscardRefused(r->type, r->id); !st.ok()) return Fail(ctx, st);
    done = "Its refused changes were given up on this device; nothing was sent.";
  }
  Result<RecordStatus> after = store->screens().RecordStateOf(r->type, r->id);
  if (ctx.json) {
    json j = {{"action", verb}, {"record_type", TypeName(r->type)}, {"record_id", r->id}};
    if (after.ok()) {
      j["state"] = RecordStateName(after->state);
    } else if (after.status().code() == Code::kNotFound) {
      j["state"] = "removed";
    } else {
      return Fail(ctx, after.status());
    }
    return PrintJson(ctx, j);
  }
  ctx.out << title << ": " << done << "\n";
  return kExitOk;
}
}  // namespace ccfield::cli
