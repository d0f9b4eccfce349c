// Admin commands about photo blobs (docs/sync-protocol.md, "Photos: blobs"):
// blob-stats, what the blob directory holds and what each workspace uses of
// its quota. Reads only; safe while the server runs.
#include <climits>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "admin_internal.h"
#include "ccfield/core/photo_store.h"
#include "blob_store.h"

namespace ccfield::server::admin_detail {

namespace {

using nlohmann::json;

std::string Mb(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// "3 h 5 min", "12 min", "2 days 4 h".
std::string Age(int64_t ms) {
  const int64_t minutes = ms / 60000;
  if (minutes < 60) return std::to_string(minutes) + " min";
  const int64_t hours = minutes / 60;
  if (hours < 48) return std::to_string(hours) + " h " + std::to_string(minutes % 60) + " min";
  return std::to_string(hours / 24) + " days " + std::to_string(hours % 24) + " h";
}

struct BlobStats {
  BlobStore::Totals stored;
  int64_t partial_count = 0;
  int64_t partial_bytes = 0;
  int64_t oldest_partial_age_ms = -1;  // -1: none
  std::vector<BlobWorkspaceUsage> workspaces;
};

Result<BlobStats> CollectBlobStats(ServerStorage* s, Env* env, const std::string& blob_dir) {
  BlobStats st;
  FileBlobStore store(env, blob_dir);
  CCF_RETURN_IF_ERROR(store.Open());
  CCF_ASSIGN_OR_RETURN(st.stored, store.BlobTotals());
  CCF_ASSIGN_OR_RETURN(std::vector<BlobUpload> uploads, s->BlobUploadsBefore(INT64_MAX));
  for (const BlobUpload& u : uploads) {
    ++st.partial_count;
    st.partial_bytes += u.offset;
    st.oldest_partial_age_ms = std::max(st.oldest_partial_age_ms, env->WallMillis() - u.updated_ms);
  }
  CCF_ASSIGN_OR_RETURN(st.workspaces, s->BlobUsage());
  return st;
}

json StatsJson(const BlobStats& st, int64_t quota) {
  json ws = json::array();
  for (const BlobWorkspaceUsage& u : st.workspaces) {
    ws.push_back({{"id", u.ws},
                  {"claimed_count", u.claimed_count},
                  {"claimed_bytes", u.claimed_bytes},
                  {"uploads", u.upload_count},
                  {"upload_bytes", u.upload_bytes},
                  {"quota_bytes", quota}});
  }
  json partial = {{"count", st.partial_count}, {"bytes", st.partial_bytes}};
  partial["oldest_age_s"] = st.oldest_partial_age_ms < 0 ? json(nullptr) : json(st.oldest_partial_age_ms / 1000);
  return {
      {"blobs", {{"count", st.stored.count}, {"bytes", st.stored.bytes}}}, {"partial", partial}, {"workspaces", ws}};
}

void PrintStats(std::ostream& out, const BlobStats& st, int64_t quota) {
  out << "blobs stored: " << st.stored.count << " (" << Mb(st.stored.bytes) << ")\n";
  out << "partial uploads: " << st.partial_count << " (" << Mb(st.partial_bytes) << ")";
  if (st.oldest_partial_age_ms >= 0) out << ", oldest untouched for " << Age(st.oldest_partial_age_ms);
  out << "\n";
  for (const BlobWorkspaceUsage& u : st.workspaces) {
    out << "workspace " << u.ws << ": " << u.claimed_count << " claimed (" << Mb(u.claimed_bytes) << ") of quota "
        << (quota > 0 ? Mb(quota) : std::string("none"));
    if (u.upload_count > 0) out << "; " << u.upload_count << " uploading (" << Mb(u.upload_bytes) << ")";
    out << "\n";
  }
}

int RunBlobStats(const AdminCall& c, const Args& a) {
  if (!a.positional.empty()) return c.usage("blob-stats takes no positional arguments");
  if (c.options.blob_dir.empty()) return c.usage("blob-stats needs the blob directory (--blob-dir DIR)");
  Result<BlobStats> st = CollectBlobStats(c.s, c.env, c.options.blob_dir);
  if (!st.ok()) return c.fail(st.status());
  if (a.options.count("--json")) {
    c.out << StatsJson(*st, c.options.blob_quota_bytes).dump(2) << "\n";
  } else {
    PrintStats(c.out, *st, c.options.blob_quota_bytes);
  }
  return kExitOk;
}

int RunSetPhotoSize(const AdminCall& c, const Args& a) {
  if (a.positional.size() != 2) return c.usage("set-photo-size takes WORKSPACE_ID PIXELS");
  const std::string& ws = a.positional[0];
  char* end = nullptr;
  const long px = std::strtol(a.positional[1].c_str(), &end, 10);
  if (end == a.positional[1].c_str() || *end != '\0' || px < kMinPhotoLongEdge || px > kMaxPhotoLongEdge) {
    return c.usage("the photo size is the long edge in pixels, " + std::to_string(kMinPhotoLongEdge) + " to " +
                   std::to_string(kMaxPhotoLongEdge) + " (devices use " + std::to_string(kDefaultPhotoLongEdge) +
                   " until it is set)");
  }
  if (Status st = RequireWorkspace(c.s, ws); !st.ok()) return c.fail(st);
  Status st = RunInTransaction(c.s, [&] { return c.s->SetPhotoLongEdge(ws, static_cast<int>(px)); });
  if (!st.ok()) return c.fail(st);
  c.out << "photos of workspace " << ws << " are sent at " << px << " px on the long edge from each device's next sync\n";
  return kExitOk;
}

}  // namespace

const std::vector<AdminCommand>& BlobCommands() {
  static const std::vector<AdminCommand> kCommands = {
      {"blob-stats",
       "blob-stats [--json]",
       "Shows the photo blobs: how many are stored and their size, partial uploads (count, size, the\n"
       "oldest one's age), and per workspace the photos it claimed against its quota (--blob-quota-mb,\n"
       "given before `admin` like --blob-dir). Safe while the server runs.\n",
       {},
       {"--json"},
       RunBlobStats},
      {"set-photo-size",
       "set-photo-size WORKSPACE_ID PIXELS",
       "Sets the long edge (in pixels) of the photo copies the workspace's devices send; they learn it at\n"
       "their next sync and shrink photos attached after that to it. Photos already sent keep their size.\n"
       "The default, until this is set, is 1600 (JPEG quality 80).\n",
       {},
       {},
       RunSetPhotoSize},
  };
  return kCommands;
}

}  // namespace ccfield::server::admin_detail
