// `ccfield visit attach`, `site attach`, `photos ID` and `photo ...`: photos
// of visits and sites (issue 12). Attaching reads, checks and shrinks each
// file (media/photo_attach.h); a file that is not a usable photo is named
// with the reason and the others still attach.
#include <cstdio>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/json_text.h"
#include "ccfield/media/photo_attach.h"
#include "ccfield/platform/env.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace ccfield::cli {

using nlohmann::json;

namespace {

constexpr const char* kPhotosHelp = R"(Usage:
  ccfield photos ID [--deleted]   the photos of a visit or a site, with their state

States: waiting (nothing sent yet), N % sent, sent, refused (with the server's
reason), only thumbnail here (`ccfield photo download ID`), downloading, here.
)";

constexpr const char* kPhotoHelp = R"(Usage:
  ccfield photo export ID DIR     write the photo to DIR (the original when it is
                                  kept here, else the send copy)
  ccfield photo caption ID TEXT   set the caption
  ccfield photo delete ID         (can be undone with restore)
  ccfield photo restore ID
  ccfield photo download ID       fetch the whole photo at the next sync
  ccfield photo download --all    fetch every photo (as the data rule allows)
  ccfield photo send ID           send it at the next sync whatever the data rule
  ccfield photo settings [--rule always|thumbnails|unmetered|never]
                         [--cap-mb N] [--keep-originals yes|no]
                                  how photos use mobile data; without options: show
  ccfield photo usage             bytes used this month, records and photos
)";

// "0.2 MB", "38 KB": data plans are counted in megabytes, small syncs in kilobytes.
std::string Megabytes(int64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>((bytes + 1023) / 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

const char* StateName(PhotoState s) {
  switch (s) {
    case PhotoState::kWaiting: return "waiting";
    case PhotoState::kSending: return "sending";
    case PhotoState::kSent: return "sent";
    case PhotoState::kRefused: return "refused";
    case PhotoState::kThumbnailOnly: return "thumbnail_only";
    case PhotoState::kDownloading: return "downloading";
    case PhotoState::kHere: return "here";
    case PhotoState::kNothingHere: return "not_here";
  }
  return "unknown";
}

std::string StateText(const PhotoRow& row) {
  const int pct = row.size > 0 ? static_cast<int>(100 * row.done / row.size) : 0;
  switch (row.state) {
    case PhotoState::kWaiting: return "waiting";
    case PhotoState::kSending: return std::to_string(pct) + " % sent";
    case PhotoState::kSent: return "sent";
    case PhotoState::kRefused: return "refused: " + row.error;
    case PhotoState::kThumbnailOnly: return "only thumbnail here";
    case PhotoState::kDownloading: return "downloading " + std::to_string(pct) + " %";
    case PhotoState::kHere: return "here";
    case PhotoState::kNothingHere: return "not here yet";
  }
  return "";
}

json PhotoJson(const PhotoRow& row) {
  json j = RecordJson(row.record);
  j["photo_state"] = StateName(row.state);
  j["progress"] = {{"done", row.done}, {"size", row.size}};
  if (!row.error.empty()) j["photo_error"] = row.error;
  j["here"] = {{"thumbnail", row.have_thumb}, {"photo", row.have_full}, {"original", row.original.has_value()}};
  return j;
}

std::string PhotoLine(const PhotoRow& row) {
  const Record& r = row.record;
  std::string line = ShortId(r.id) + "  " + PlainValue(r.Get("width")) + "×" + PlainValue(r.Get("height")) + "  " +
                     Megabytes(r.Get("bytes").is_number() ? r.Get("bytes").get<int64_t>() : 0) + "  " +
                     StateText(row);
  if (r.Get("taken_at").is_string()) line += "  taken " + r.Get("taken_at").get<std::string>();
  if (r.Get("caption").is_string()) line += "  \"" + r.Get("caption").get<std::string>() + "\"";
  if (r.deleted) line += "  (deleted)";
  return line;
}

BlobFiles Blobs(Context& ctx, Store* store) { return BlobFiles(ctx.env, store->photos().BlobDir()); }

Result<PhotoRow> FindPhoto(Context& ctx, Store* store, const std::string& id) {
  CCF_ASSIGN_OR_RETURN(Record r, FindTyped(store, id, RecordType::kPhoto));
  BlobFiles blobs = Blobs(ctx, store);
  return store->photos().Get(r.id, blobs);
}

int PhotoSettingsCommand(Context& ctx, Store* store, const Args& a) {
  Result<PhotoSettings> s = store->photos().Settings();
  if (!s.ok()) return Fail(ctx, s.status());
  bool changed = false;
  if (std::optional<std::string> rule = a.Get("rule")) {
    std::optional<PhotoRule> r = ParsePhotoRule(*rule);
    if (!r) return Usage(ctx, "--rule is always, thumbnails, unmetered or never", kPhotoHelp);
    s->rule = *r;
    changed = true;
  }
  if (a.Has("cap-mb")) {
    Result<double> cap = ParseNumber(*a.Get("cap-mb"), "--cap-mb");
    if (!cap.ok() || *cap < 0 || *cap != static_cast<int64_t>(*cap)) {
      return Usage(ctx, "--cap-mb takes a whole number of megabytes (0: no cap)", kPhotoHelp);
    }
    s->monthly_cap_mb = static_cast<int64_t>(*cap);
    changed = true;
  }
  if (std::optional<std::string> keep = a.Get("keep-originals")) {
    if (*keep != "yes" && *keep != "no") return Usage(ctx, "--keep-originals is yes or no", kPhotoHelp);
    s->keep_originals = *keep == "yes";
    changed = true;
  }
  if (changed) {
    Result<std::vector<std::string>> release = store->photos().SaveSettings(*s);
    if (!release.ok()) return Fail(ctx, release.status());
    BlobFiles blobs = Blobs(ctx, store);
    for (const std::string& hash : *release) (void)blobs.Remove(hash);  // a leftover file is harmless
  }
  if (ctx.json) {
    return PrintJson(ctx, {{"rule", PhotoRuleName(s->rule)},
                           {"monthly_cap_mb", s->monthly_cap_mb},
                           {"keep_originals", s->keep_originals}});
  }
  ctx.out << (changed ? "Saved. " : "") << "Photos move: " << PhotoRuleName(s->rule)
          << "; monthly cap: " << (s->monthly_cap_mb ? std::to_string(s->monthly_cap_mb) + " MB" : "none")
          << "; originals: " << (s->keep_originals ? "kept" : "removed once sent") << "\n";
  return kExitOk;
}

int PhotoUsageCommand(Context& ctx, Store* store) {
  Result<DataUsage> u = store->photos().Usage();
  if (!u.ok()) return Fail(ctx, u.status());
  Result<int64_t> up = store->photos().CountWaiting(TransferDirection::kUp);
  Result<int64_t> down = store->photos().CountWaiting(TransferDirection::kDown);
  if (!up.ok()) return Fail(ctx, up.status());
  if (!down.ok()) return Fail(ctx, down.status());
  if (ctx.json) {
    return PrintJson(ctx, {{"records", {{"up", u->records_up}, {"down", u->records_down}}},
                           {"photos", {{"up", u->photos_up}, {"down", u->photos_down}}},
                           {"waiting", {{"up", *up}, {"down", *down}}}});
  }
  ctx.out << "This month: records " << Megabytes(u->records_up) << " up, " << Megabytes(u->records_down)
          << " down; photos " << Megabytes(u->photos_up) << " up, " << Megabytes(u->photos_down) << " down\n"
          << "Photo files waiting: " << *up << " to send, " << *down << " to fetch\n";
  return kExitOk;
}

}  // namespace

int AttachPhotos(Context& ctx, Store* store, RecordType parent_type, const std::string& parent_id,
                 const std::vector<std::string>& files, const std::string& caption) {
  json attached = json::array(), refused = json::array();
  media::AttachRequest req;
  req.parent_type = parent_type;
  req.parent_id = parent_id;
  req.caption = caption;
  for (const std::string& file : files) {
    Result<media::AttachResult> r = media::AttachPhotoFile(store, ctx.env, req, file);
    if (!r.ok()) {
      refused.push_back({{"file", file}, {"error", r.status().message()}});
      if (!ctx.json) ctx.err << "Not attached: " << r.status().message() << "\n";
      continue;
    }
    attached.push_back({{"file", file}, {"id", r->photo_id}, {"bytes", r->send_bytes}, {"original_bytes",
                                                                                        r->original_bytes}});
    if (!ctx.json) {
      ctx.out << "Attached " << file << " as photo " << ShortId(r->photo_id) << " (" << Megabytes(r->send_bytes)
              << " to send, from " << Megabytes(r->original_bytes) << ")\n";
    }
  }
  if (ctx.json) ctx.out << JsonForOutput({{"attached", attached}, {"refused", refused}}) << "\n";
  return refused.empty() ? kExitOk : kExitInvalid;
}

int CmdPhotos(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{kPhotosHelp, {{"deleted", false}}, {1, 1, "say which visit or site"}};
  int code;
  std::optional<CommandStart> c = BeginCommand(ctx, args, kSpec, &code);
  if (!c) return code;
  Result<Record> parent = c->store->FindAny(c->args.positional()[0]);
  if (!parent.ok()) return Fail(ctx, parent.status());
  if (parent->type != RecordType::kVisit && parent->type != RecordType::kSite) {
    return Fail(ctx, Status::Invalid(ShortId(parent->id) + " is a " + std::string(TypeName(parent->type)) +
                                     "; photos belong to visits and sites"));
  }
  BlobFiles blobs = Blobs(ctx, c->store);
  Result<std::vector<PhotoRow>> rows = c->store->photos().Of(parent->id, c->args.Has("deleted"), blobs);
  if (!rows.ok()) return Fail(ctx, rows.status());
  if (ctx.json) {
    json items = json::array();
    for (const PhotoRow& row : *rows) items.push_back(PhotoJson(row));
    return PrintJson(ctx, ItemsJson(items));
  }
  if (rows->empty()) ctx.out << "No photos. Attach some: ccfield visit attach " << ShortId(parent->id) << " FILE...\n";
  for (const PhotoRow& row : *rows) ctx.out << PhotoLine(row) << "\n";
  return kExitOk;
}

int CmdPhoto(Context& ctx, const std::vector<std::string>& args) {
  static const CommandSpec kSpec{
      kPhotoHelp,
      {{"rule", true}, {"cap-mb", true}, {"keep-originals", true}, {"all", false}},
      {1, 3, "say export, caption, delete, restore, download, send, settings or usage"}};
  int code;
  std::optional<CommandStart> c = BeginCommand(ctx, args, kSpec, &code);
  if (!c) return code;
  Store* store = c->store;
  const auto& pos = c->args.positional();
  const std::string& verb = pos[0];
  if (verb == "settings") return PhotoSettingsCommand(ctx, store, c->args);
  if (verb == "usage") return PhotoUsageCommand(ctx, store);
  if (verb == "download" && c->args.Has("all")) {
    Status st = store->photos().WantAllFull();
    if (!st.ok()) return Fail(ctx, st);
    ctx.out << "Every photo will be fetched as the data rule allows (`ccfield photo settings`).\n";
    return kExitOk;
  }
  if (pos.size() < 2) return Usage(ctx, "photo " + verb + " needs the photo id", kPhotoHelp);
  Result<PhotoRow> row = FindPhoto(ctx, store, pos[1]);
  if (!row.ok()) return Fail(ctx, row.status());
  const std::string id = row->record.id;
  Status st;
  std::string done;
  if (verb == "export") {
    if (pos.size() != 3) return Usage(ctx, "photo export needs the photo id and a folder", kPhotoHelp);
    Result<std::string> path = media::ExportPhoto(store, ctx.env, id, pos[2]);
    if (!path.ok()) return Fail(ctx, path.status());
    if (ctx.json) return PrintJson(ctx, {{"id", id}, {"path", *path}});
    ctx.out << "Wrote " << *path << "\n";
    return kExitOk;
  } else if (verb == "caption") {
    if (pos.size() != 3) return Usage(ctx, "photo caption needs the photo id and the text", kPhotoHelp);
    st = store->Commit({SetFields{RecordType::kPhoto, id, {{"caption", pos[2]}}}}).status();
    done = "Caption saved";
  } else if (verb == "delete" || verb == "restore") {
    Op op = verb == "delete" ? Op(DeleteRecord{RecordType::kPhoto, id}) : Op(RestoreRecord{RecordType::kPhoto, id});
    st = store->Commit({op}).status();
    done = verb == "delete" ? "Deleted (undo: ccfield photo restore " + ShortId(id) + ")" : "Restored";
  } else if (verb == "download") {
    if (row->have_full) {
      done = "The photo is already here";
    } else {
      st = store->photos().WantFull(id);
      done = "The photo will be fetched at the next sync";
    }
  } else if (verb == "send") {
    st = store->photos().SendNow(id);
    done = "The photo will be sent at the next sync";
  } else {
    return Usage(ctx, "unknown photo command \"" + verb + "\"", kPhotoHelp);
  }
  if (!st.ok()) return Fail(ctx, st);
  if (ctx.json) return PrintJson(ctx, {{"id", id}, {"done", verb}});
  ctx.out << done << ": photo " << ShortId(id) << "\n";
  return kExitOk;
}

}  // namespace ccfield::cli
