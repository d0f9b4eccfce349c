#pragma once
// PhotoStore: photos on this device (issue 12; docs/sync-protocol.md,
// "Photos: blobs"). A photo is an ordinary record (type photo: change
// capture, history, delete/restore, sync) whose bytes are blobs in
// BlobFiles. This part keeps what only this device needs, in the store's
// file and transactions:
// - the photo queue (blob_transfers): each blob to upload or download, per
//   workspace, with the bytes done so far, so a transfer resumes after a cut
//   or a restart;
// - the originals picked or taken here, kept until the send copy is on the
//   server and then as the person's "keep originals" setting says;
// - the photo settings (data rule, monthly cap, keep originals) and the bytes
//   used per month (records and photos, up and down).
// Lives in its Store (Store::photos()) on the store's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ccfield/core/status.h"
#include "ccfield/core/store_types.h"

namespace ccfield {

class BlobFiles;

// When photos move without a person asking (records always move).
enum class PhotoRule {
  kAlways,      // send and fetch thumbnails and send copies on any link
  kThumbnails,  // thumbnails only; a send copy moves when a person asks
  kUnmetered,   // as kAlways on an unmetered link, as kThumbnails on a metered (or unknown) one
  kNever,       // nothing moves until a person asks
};
std::string_view PhotoRuleName(PhotoRule rule);  // "always", "thumbnails", "unmetered", "never"
std::optional<PhotoRule> ParsePhotoRule(std::string_view name);

struct PhotoSettings {
  PhotoRule rule = PhotoRule::kAlways;
  int64_t monthly_cap_mb = 0;  // photo bytes (up + down) per month moved without asking; 0: no cap
  bool keep_originals = false;  // keep the original file once its send copy is on the server
};

inline constexpr int kDefaultPhotoLongEdge = 1600;
inline constexpr int kMinPhotoLongEdge = 320, kMaxPhotoLongEdge = 4096;

// A photo about to be attached: its blobs are already in BlobFiles.
struct NewPhoto {
  RecordType parent_type = RecordType::kVisit;  // kVisit or kSite
  std::string parent_id;
  std::string blob, thumb;  // hashes of the send copy and the thumbnail
  int64_t bytes = 0, thumb_bytes = 0;
  int width = 0, height = 0;
  std::optional<std::string> taken_at;  // ISO 8601 with offset
  std::optional<double> lat, lon;
  std::string position_source;  // "exif", "visit", ... or ""
  std::string caption, file_name;
  std::optional<std::string> original;  // hash of the original file kept here
  int64_t original_bytes = 0;
};

enum class TransferDirection { kUp, kDown };
enum class BlobKind { kThumb, kFull };

struct BlobTransfer {
  std::string hash;
  TransferDirection direction = TransferDirection::kUp;
  std::string workspace_id;
  BlobKind kind = BlobKind::kFull;
  int64_t size = 0;  // 0 when not known yet (a download before its first answer)
  int64_t done = 0;
  bool wanted = false;  // a person asked for it
  std::string error;    // the last failure, "" when none
  int64_t queued_ms = 0;  // device wall clock when it was queued (Waiting fills it)
};

// What a photo strip shows for one photo.
enum class PhotoState {
  kWaiting,        // taken here, nothing of it on the server yet
  kSending,        // taken here, part of the send copy on the server (progress)
  kSent,           // the send copy is on the server
  kRefused,        // the server refused its bytes (error says why)
  kThumbnailOnly,  // from another device: the thumbnail is here, the photo is not
  kDownloading,    // from another device: the photo is coming (progress)
  kHere,           // from another device: the photo is here
  kNothingHere,    // from another device: not even the thumbnail yet
};

struct PhotoRow {
  Record record;
  PhotoState state = PhotoState::kWaiting;
  int64_t done = 0, size = 0;  // progress of the transfer the state speaks of
  std::string error;
  bool have_thumb = false, have_full = false;
  std::optional<std::string> original;  // hash of the original kept here
};

struct DataUsage {
  int64_t records_up = 0, records_down = 0, photos_up = 0, photos_down = 0;
};
enum class UsageKind { kRecords, kPhotos };

class PhotoStore : public StorePart {
 public:
  explicit PhotoStore(Store* store) : StorePart(store) {}

  // Where this store keeps its blobs ("<store dir>/blobs"; "" for a
  // ":memory:" store, which cannot hold photos).
  std::string BlobDir() const;

  // Creates the photo record and queues its blobs for upload, in one
  // transaction (blobs of demo workspaces are never queued). The parent must
  // exist and not be deleted. Returns the new photo's id.
  Result<std::string> Add(const NewPhoto& photo);
  // The photos of a visit or a site, oldest first, with their states.
  Result<std::vector<PhotoRow>> Of(const std::string& parent_id, bool include_deleted, const BlobFiles& blobs);
  Result<PhotoRow> Get(const std::string& photo_id, const BlobFiles& blobs);
  // The send copies' long edge for a workspace's photos: as the platform
  // set it (SetLongEdge, from the server), else kDefaultPhotoLongEdge.
  Result<int> LongEdgeFor(const std::string& workspace_id);
  // kInvalidArgument outside kMinPhotoLongEdge..kMaxPhotoLongEdge.
  Status SetLongEdge(const std::string& workspace_id, int long_edge);

  // ---- The photo queue ----
  // Queues the thumbnails of photos from elsewhere that are not here yet.
  Status QueueMissingThumbnails();
  // A person asked for the photo itself (tap to download) / for all of them.
  Status WantFull(const std::string& photo_id);
  Status WantAllFull();
  // A person asked to send this photo's send copy now (whatever the rule).
  Status SendNow(const std::string& photo_id);
  // Waiting transfers in the order they go: wanted first, thumbnails before
  // send copies, oldest first. Blobs of deleted photos are skipped.
  Result<std::vector<BlobTransfer>> Waiting(TransferDirection direction, int limit);
  Status Progress(const BlobTransfer& t, int64_t size, int64_t done);
  // The transfer is complete (uploaded and confirmed, or downloaded and
  // checked). An upload of a send copy lets its originals go when the
  // person does not keep them: returns the original hashes to remove.
  Result<std::vector<std::string>> Done(const BlobTransfer& t);
  // The other side refuses it for good (quota, forbidden): kept, not retried
  // until a person retries (SendNow / WantFull).
  Status Refused(const BlobTransfer& t, const std::string& reason);
  // Counts of waiting transfers by direction.
  Result<int64_t> CountWaiting(TransferDirection direction);

  // ---- Settings and data use ----
  Result<PhotoSettings> Settings();
  // Saving with keep_originals off lets go of originals already sent:
  // returns their hashes to remove.
  Result<std::vector<std::string>> SaveSettings(const PhotoSettings& settings);
  Status AddUsage(UsageKind kind, int64_t up, int64_t down);
  // Bytes used in a month ("2026-12"; "" = this month by the device clock, UTC).
  Result<DataUsage> Usage(const std::string& month = "");
};

}  // namespace ccfield
