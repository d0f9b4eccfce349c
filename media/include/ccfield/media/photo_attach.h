#pragma once
// Attaching a photo file to a visit or a site, and exporting one: the steps
// between a file on disk and a photo record (issue 12). Reads the file,
// refuses what is not a usable photo (photo_codec.h), makes the send copy at
// the workspace's photo size and the thumbnail, stores the original, the send
// copy and the thumbnail as blobs (BlobFiles) and then commits the photo
// record (PhotoStore::Add), which queues the blobs for upload.
//
// Nothing is committed on error. Blobs are written before the record, so a
// crash in between leaves at most blobs nothing points at (the same bytes are
// reused by a second try), never a record without its bytes.

#include <string>
#include <string_view>

#include "ccfield/core/records.h"
#include "ccfield/core/status.h"
#include "ccfield/media/photo_codec.h"

namespace ccfield {
class Env;
class Store;
}  // namespace ccfield

namespace ccfield::media {

struct AttachRequest {
  RecordType parent_type = RecordType::kVisit;  // kVisit or kSite
  std::string parent_id;
  std::string caption;
};

struct AttachResult {
  std::string photo_id;
  PhotoMeta meta;          // what the file said (size, time taken, EXIF position)
  int64_t original_bytes = 0;
  int64_t send_bytes = 0;  // the send copy, what the upload costs
  int64_t thumb_bytes = 0;
};

// The file at `path` (refused unreadable, over the limit, or not a photo
// with a plain sentence that names the file).
Result<AttachResult> AttachPhotoFile(Store* store, Env* env, const AttachRequest& request, const std::string& path);
// The same for bytes in memory (a camera capture, a dropped file already read).
Result<AttachResult> AttachPhotoBytes(Store* store, Env* env, const AttachRequest& request, std::string_view bytes,
                                      const std::string& file_name);

// Writes the photo to `dir`: the original when it is kept on this device,
// else the send copy (kNotFound when neither is here: only the thumbnail was
// downloaded). Named after the original file (or the photo id), never
// overwriting a file there. Returns the path written.
Result<std::string> ExportPhoto(Store* store, Env* env, const std::string& photo_id, const std::string& dir);

}  // namespace ccfield::media
