// The status line: what is waiting, when sync last worked, what blocks it.
#include "ccfield/sync/client.h"

namespace ccfield::sync {

Result<SyncStatus> ReadSyncStatus(Store* store) {
  CCF_ASSIGN_OR_RETURN(SyncSettings settings, store->replica().GetSyncSettings());
  CCF_ASSIGN_OR_RETURN(ChangeStateCounts counts, store->replica().CountChangeStates());
  CCF_ASSIGN_OR_RETURN(std::vector<FieldConflict> open, store->replica().Conflicts(/*open_only=*/true));
  SyncStatus s;
  s.logged_in = !settings.server_url.empty() && !settings.token.empty();
  s.server_url = settings.server_url;
  s.username = settings.username;
  s.waiting = counts.waiting + counts.sent;
  s.rejected = counts.rejected;
  for (const FieldConflict& c : open) {
    if (!c.resolving_locally && c.mine) ++s.open_conflicts;  // others' are not this person's to resolve
  }
  s.last_ok = settings.last_ok;
  s.blocked_by = settings.last_error;
  CCF_ASSIGN_OR_RETURN(s.photos_up, store->photos().CountWaiting(TransferDirection::kUp));
  CCF_ASSIGN_OR_RETURN(s.photos_down, store->photos().CountWaiting(TransferDirection::kDown));
  return s;
}

std::string FormatSyncTime(const std::string& iso) {
  // 2026-11-26T16:40:00.000Z
  if (iso.size() >= 17 && iso[10] == 'T' && iso.back() == 'Z')
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
  return iso;
}

std::string StatusSentence(const SyncStatus& s) {
  std::string out = s.waiting == 0   ? "nothing waiting"
                    : s.waiting == 1 ? "1 change waiting"
                                     : std::to_string(s.waiting) + " changes waiting";
  // Refused changes are never "sent": say so every time until they are dealt with.
  if (s.rejected > 0) {
    out += s.rejected == 1 ? ", 1 change refused by the server"
                           : ", " + std::to_string(s.rejected) + " changes refused by the server";
  }
  const std::string photos = PhotosWaitingPhrase(s.photos_up, s.photos_down, s.photo_hold, s.photo_hold_reason);
  if (!photos.empty()) out += ", " + photos;
  out += s.last_ok.empty() ? ", never synced" : ", last successful sync at " + FormatSyncTime(s.last_ok);
  if (!s.logged_in) {
    out += ", not logged in to a server";
  } else if (s.running) {
    out += ", syncing now";
  } else if (!s.blocked_by.empty()) {
    out += ", blocked by: " + s.blocked_by;
  }
  return out;
}

}  // namespace ccfield::sync

namespace ccfield::sync {

std::string OthersUnsentSentence(const std::vector<std::pair<std::string, int64_t>>& others) {
  std::string out;
  for (const auto& [name, n] : others) {
    if (!out.empty()) out += "\n";
    out += name + " has " + (n == 1 ? std::string("1 unsent change") : std::to_string(n) + " unsent changes") +
           " on this tablet; they stay here and are sent when " + name + " signs in again.";
  }
  return out;
}

}  // namespace ccfield::sync
