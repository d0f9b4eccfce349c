// Sync conflicts: `conflicts` lists them, `resolve` writes the chosen value as
// an ordinary edit (docs/cli.md, "Sync commands").
#include <cctype>
#include <iostream>

#include "ccfield/core/json_text.h"
#include "ccfield/sync/client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

namespace {

// The field's value on this device now (what "--keep current" keeps).
json CurrentValue(Store* store, const FieldConflict& c) {
  std::optional<RecordType> type = RecordTypeOf(c.type);
  if (!type) return c.winner;
  Result<Record> r = store->Get(*type, c.record_id);
  if (!r.ok()) return c.winner;
  if (c.field == kDeletedField) return r->deleted;
  return r->Get(c.field);
}

std::string Shown(const FieldConflict& c, const json& v) {
  if (c.field == kDeletedField) return v == true ? "(deleted)" : "(kept)";
  if (v.is_null()) return "(empty)";
  if (c.field == "condition_rating" && v.is_string()) return "\"" + ConditionWords(v.get<std::string>()) + "\"";
  std::string s = PlainValue(v);
  for (char& ch : s) {
    if (ch == '\n') ch = ' ';
  }
  if (s.size() > 200) s = s.substr(0, 197) + "...";
  return "\"" + s + "\"";
}

std::string DeviceName(const std::string& device, const std::string& this_device) {
  if (device.empty()) return "an unknown device";
  if (device == sync::kServerDeviceId) return "the server";
  if (device == this_device) return "this device";
  return "device " + ShortId(device);
}

// A --value typed on the command line as the JSON value the field holds.
json ValueFromText(const FieldConflict& c, const std::string& text) {
  if (c.field == kDeletedField) {
    if (text == "deleted" || text == "delete" || text == "true") return true;
    if (text == "kept" || text == "keep" || text == "false") return false;
    return text;  // ResolveConflict explains what is expected
  }
  std::optional<RecordType> type = RecordTypeOf(c.type);
  const FieldSpec* spec = type ? FindField(*type, c.field) : nullptr;
  if (spec) {
    switch (spec->kind) {
      case FieldKind::kText:
      case FieldKind::kLongText:
      case FieldKind::kTimestamp:
      case FieldKind::kDate:
      case FieldKind::kRef:
      case FieldKind::kBlobHash:
        return text;
      case FieldKind::kBool:
        if (text == "yes") return true;
        if (text == "no") return false;
        break;
      case FieldKind::kStringList:
        if (!text.empty() && text.front() != '[') {
          json list = json::array();
          size_t start = 0;
          while (start <= text.size()) {
            size_t comma = text.find(',', start);
            std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            while (!item.empty() && item.front() == ' ') item.erase(0, 1);
            while (!item.empty() && item.back() == ' ') item.pop_back();
            if (!item.empty()) list.push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          return list;
        }
        break;
      default:
        break;
    }
  }
  // Numbers, yes/no, lists, answers: JSON when it reads as JSON, else text.
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(text) : parsed;
}

json ConflictJson(Store* store, const FieldConflict& c) {
  return {{"id", c.id},
          {"record_type", ChangeTypeName(c.type)},
          {"record_id", c.record_id},
          {"record_title", RecordTitle(store, std::string(ChangeTypeName(c.type)), c.record_id)},
          {"workspace_id", c.workspace_id},
          {"field", c.field},
          {"current", CurrentValue(store, c)},
          {"other", c.loser},
          {"base", c.base},
          {"current_author", c.winner_author},
          {"current_device", c.winner_device},
          {"current_user", c.winner_user},
          {"other_author", c.loser_author},
          {"other_device", c.loser_device},
          {"other_user", c.loser_user},
          {"other_time", c.loser_time},
          {"version", c.version},
          {"resolved", c.resolved},
          {"resolving_locally", c.resolving_locally},
          {"mine", c.mine}};
}

// "Awa" or, when the server says another user pushed it, "Awa (signed in as bob)"
// (user names ignore case: "Bob" signed in as "bob" is bob).
std::string Who(const std::string& author, const std::string& user) {
  auto lower = [](std::string t) {
    for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return t;
  };
  if (user.empty() || lower(author) == lower(user)) return author;
  if (author.empty() || author == "local") return user;
  return author + " (signed in as " + user + ")";
}

}  // namespace

constexpr const char* kConflictsHelp = R"(Usage: ccfield conflicts [--all]

Open conflicts: two values for one field that could not both win. The current value
is kept in the record; the other is kept here so nothing is lost. Resolve each with
`ccfield resolve ID --keep current|other|base` or `--value TEXT`.

Listed are the conflicts for you to resolve: one side is yours (the user signed in
here), or you coordinate the workspace. Other people's stay on this device and keep
both values; --all shows them too.

Options:
  --all   also other people's conflicts, resolved ones, and those resolved here
          waiting to be synced
)";

int CmdConflicts(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<CommandStart> cmd =
      BeginCommand(ctx, args, {kConflictsHelp, {{"all", false}}, NoWords("conflicts")}, &code);
  if (!cmd) return code;
  Store* store = cmd->store;
  const bool with_resolved = cmd->args.Has("all");
  Result<std::vector<FieldConflict>> all = store->replica().Conflicts(!with_resolved);
  if (!all.ok()) return Fail(ctx, all.status());
  size_t others = 0;
  if (!with_resolved) {
    // Resolved here but not yet confirmed by the server: no longer the person's to do.
    std::erase_if(*all, [](const FieldConflict& c) { return c.resolving_locally; });
    // Other people's (ConflictIsMine): stored, not listed as this person's to resolve.
    others = std::erase_if(*all, [](const FieldConflict& c) { return !c.mine; });
  }
  if (ctx.json) {
    json items = json::array();
    for (const FieldConflict& c : *all) items.push_back(ConflictJson(store, c));
    return PrintJson(ctx, ItemsJson(items));
  }
  const std::string others_line =
      others == 0   ? std::string()
      : others == 1 ? std::string("1 other person's conflict is kept on this device for them to resolve: see it with --all\n")
                    : std::to_string(others) +
                          " other people's conflicts are kept on this device for them to resolve: see them with --all\n";
  if (all->empty()) {
    ctx.out << "No open conflicts.\n" << others_line;
    return kExitOk;
  }
  for (const FieldConflict& c : *all) {
    ctx.out << "Conflict " << ShortId(c.id) << ": " << ChangeTypeName(c.type) << " \""
            << RecordTitle(store, std::string(ChangeTypeName(c.type)), c.record_id) << "\", field " << c.field;
    if (c.resolved) ctx.out << "  (resolved)";
    if (c.resolving_locally && !c.resolved) ctx.out << "  (resolved here; sent on the next sync)";
    if (!c.mine) ctx.out << "  (someone else's)";
    ctx.out << "\n";
    ctx.out << "  current: " << Shown(c, CurrentValue(store, c)) << "  (by " << Who(c.winner_author, c.winner_user)
            << " on " << DeviceName(c.winner_device, store->device_id()) << ")\n";
    ctx.out << "  other:   " << Shown(c, c.loser) << "  (by " << Who(c.loser_author, c.loser_user) << " on "
            << DeviceName(c.loser_device, store->device_id()) << ", " << sync::FormatSyncTime(c.loser_time) << ")\n";
    ctx.out << "  base:    " << Shown(c, c.base) << "\n";
  }
  ctx.out << others_line << "Resolve with: ccfield resolve ID --keep current|other|base  (or --value TEXT)\n";
  return kExitOk;
}

constexpr const char* kResolveHelp = R"(Usage: ccfield resolve CONFLICT_ID (--keep current|other|base | --value TEXT)

Resolves a conflict by writing the chosen value to the field. The resolution is an
ordinary edit: it reaches the server and the other devices on the next `ccfield sync`.
CONFLICT_ID is the conflict's id as `ccfield conflicts` lists it ("Conflict 3f2a9c1e: ..."),
not the record's id; its first 6+ characters are enough.

Options:
  --keep current   keep the value the record has now
  --keep other     take the other value
  --keep base      go back to the value both edits started from
  --value TEXT     write a new value (for a delete conflict: deleted or kept)
)";

int CmdResolve(Context& ctx, const std::vector<std::string>& args) {
  int code;
  std::optional<Args> a =
      ParseCommand(ctx, args, {kResolveHelp, {{"keep", true}, {"value", true}}, {1, 1, "give one conflict id"}}, &code);
  if (!a) return code;
  if (a->Has("keep") == a->Has("value")) return Usage(ctx, "give either --keep or --value", kResolveHelp);
  const std::string keep = a->Get("keep").value_or("");
  if (a->Has("keep") && keep != "current" && keep != "other" && keep != "base") {
    return Usage(ctx, "--keep takes current, other or base", kResolveHelp);
  }
  Store* store = OpenStoreOrFail(ctx, &code);
  if (!store) return code;
  Result<std::vector<FieldConflict>> all = store->replica().Conflicts(false);
  if (!all.ok()) return Fail(ctx, all.status());
  const std::string& wanted = a->positional()[0];
  const FieldConflict* found = nullptr;
  int matches = 0;
  for (const FieldConflict& c : *all) {
    if (c.id == wanted || (wanted.size() >= 6 && c.id.rfind(wanted, 0) == 0)) {
      found = &c;
      ++matches;
    }
  }
  if (!found) {
    return Fail(ctx, Status::NotFound("no conflict with id " + wanted +
                                      "; give the conflict's id as `ccfield conflicts` lists it, not the record's"));
  }
  if (matches > 1)
    return Fail(ctx, Status::Invalid("several conflicts start with " + wanted + "; give more of the id"));
  const FieldConflict c = *found;
  json value;
  if (keep == "current") {
    value = CurrentValue(store, c);
  } else if (keep == "other") {
    value = c.loser;
  } else if (keep == "base") {
    value = c.base;
  } else {
    value = ValueFromText(c, *a->Get("value"));
  }
  if (c.field == kDeletedField && value.is_null()) value = false;  // no base: the record was alive
  Result<CommitResult> r = store->replica().ResolveConflict(c.id, value);
  if (!r.ok()) return Fail(ctx, r.status());
  if (ctx.json) {
    return PrintJson(ctx, json{{"conflict_id", c.id},
                               {"record_type", ChangeTypeName(c.type)},
                               {"record_id", c.record_id},
                               {"field", c.field},
                               {"value", value},
                               {"first_seq", r->first_seq},
                               {"last_seq", r->last_seq}});
  }
  ctx.out << "Resolved: " << c.field << " of " << ChangeTypeName(c.type) << " \""
          << RecordTitle(store, std::string(ChangeTypeName(c.type)), c.record_id) << "\" is now " << Shown(c, value)
          << ".\nIt reaches the server on the next `ccfield sync`.\n";
  return kExitOk;
}
}  // namespace ccfield::cli
