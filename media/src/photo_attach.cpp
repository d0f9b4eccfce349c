#include "ccfield/media/photo_attach.h"

#include <cmath>

#include "ccfield/core/blob_files.h"
#include "ccfield/core/store.h"
#include "ccfield/core/text.h"
#include "ccfield/platform/env.h"

namespace ccfield::media {

using nlohmann::json;

namespace {

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "2026-10-14T08:05:00" plus the file's offset, or this device's offset now
// (the camera was most likely in the same time zone), when it is a valid time.
std::optional<std::string> TakenAt(const PhotoMeta& meta, Env* env) {
  if (!meta.taken_local) return std::nullopt;
  std::string offset = meta.taken_offset.value_or("");
  if (offset.empty()) {
    const std::string now = FormatLocalWithOffset(env->WallMillis());  // ...+03:00
    offset = now.size() >= 6 ? now.substr(now.size() - 6) : "Z";
  }
  std::string t = *meta.taken_local + offset;
  if (!ParseTimestamp(t)) return std::nullopt;
  return t;
}

// The position of the photo: its own GPS, else the visit's.
void SetPosition(const PhotoMeta& meta, const Record& parent, NewPhoto* p) {
  if (meta.lat && meta.lon) {
    // EXIF's degree/minute/second fractions give binary noise past the 7th
    // decimal (1 cm): keep what the receiver measured.
    p->lat = std::round(*meta.lat * 1e7) / 1e7;
    p->lon = std::round(*meta.lon * 1e7) / 1e7;
    p->position_source = "exif";
    return;
  }
  const json& lat = parent.Get(parent.type == RecordType::kVisit ? "gps_lat" : "lat");
  const json& lon = parent.Get(parent.type == RecordType::kVisit ? "gps_lon" : "lon");
  if (lat.is_number() && lon.is_number()) {
    p->lat = lat.get<double>();
    p->lon = lon.get<double>();
    p->position_source = "visit";
  }
}

std::string Short(const std::string& name) { return name.empty() ? std::string("the photo") : name; }

}  // namespace

Result<AttachResult> AttachPhotoBytes(Store* store, Env* env, const AttachRequest& request, std::string_view bytes,
                                      const std::string& file_name) {
  if (request.parent_type != RecordType::kVisit && request.parent_type != RecordType::kSite) {
    return Status::Invalid("photos are attached to a visit or a site");
  }
  CCF_ASSIGN_OR_RETURN(Record parent, store->Get(request.parent_type, request.parent_id));
  const json& ws = parent.Get("workspace_id");
  CCF_ASSIGN_OR_RETURN(int long_edge, store->photos().LongEdgeFor(ws.is_string() ? ws.get<std::string>() : ""));
  PhotoSize size;
  size.long_edge = long_edge;
  Result<PhotoCopies> made = MakePhotoCopies(bytes, size);
  if (!made.ok()) return made.status().WithContext(Short(file_name));
  PhotoCopies copies = std::move(made).value();

  const std::string dir = store->photos().BlobDir();
  if (dir.empty()) return Status::Invalid("this store cannot keep photos (it is not a file)");
  BlobFiles blobs(env, dir);
  NewPhoto p;
  p.parent_type = request.parent_type;
  p.parent_id = request.parent_id;
  CCF_ASSIGN_OR_RETURN(p.thumb, blobs.Put(copies.thumb.bytes));
  CCF_ASSIGN_OR_RETURN(p.blob, blobs.Put(copies.send.bytes));
  CCF_ASSIGN_OR_RETURN(std::string original, blobs.Put(bytes));
  p.original = original;
  p.original_bytes = static_cast<int64_t>(bytes.size());
  p.bytes = static_cast<int64_t>(copies.send.bytes.size());
  p.thumb_bytes = static_cast<int64_t>(copies.thumb.bytes.size());
  p.width = copies.send.width;
  p.height = copies.send.height;
  p.taken_at = TakenAt(copies.meta, env);
  SetPosition(copies.meta, parent, &p);
  p.caption = request.caption;
  p.file_name = file_name.size() <= 255 && !FindInvalidUtf8(file_name) ? file_name : std::string();
  CCF_ASSIGN_OR_RETURN(std::string id, store->photos().Add(p));
  AttachResult r;
  r.photo_id = id;
  r.meta = copies.meta;
  r.original_bytes = p.original_bytes;
  r.send_bytes = p.bytes;
  r.thumb_bytes = p.thumb_bytes;
  return r;
}

Result<AttachResult> AttachPhotoFile(Store* store, Env* env, const AttachRequest& request, const std::string& path) {
  const std::string name = BaseName(path);
  std::string error;
  std::optional<uint64_t> size = env->FileSize(path, &error);
  if (!size) return Status::NotFound(name + ": cannot read the file (" + error + ")");
  const PhotoLimits limits;
  if (*size > limits.max_file_bytes) {
    return Status::Invalid(name + ": the photo is larger than " + std::to_string(limits.max_file_bytes >> 20) +
                           " MB; photos that big are refused");
  }
  std::optional<std::string> bytes = env->ReadFile(path, &error);
  if (!bytes) return Status::IoError(name + ": cannot read the file (" + error + ")");
  return AttachPhotoBytes(store, env, request, *bytes, name);
}

Result<std::string> ExportPhoto(Store* store, Env* env, const std::string& photo_id, const std::string& dir) {
  const std::string blob_dir = store->photos().BlobDir();
  BlobFiles blobs(env, blob_dir);
  CCF_ASSIGN_OR_RETURN(PhotoRow row, store->photos().Get(photo_id, blobs));
  std::string hash;
  if (row.original) {
    hash = *row.original;
  } else if (row.have_full) {
    hash = row.record.Get("blob").get<std::string>();
  } else {
    return Status::NotFound("only the thumbnail of this photo is on this device; download it first");
  }
  CCF_ASSIGN_OR_RETURN(std::string bytes, blobs.Read(hash));
  const json& file_name = row.record.Get("file_name");
  std::string base = file_name.is_string() && !file_name.get<std::string>().empty() ? file_name.get<std::string>()
                                                                                       : photo_id + ".jpg";
  if (base.find('/') != std::string::npos || base == "." || base == "..") base = photo_id + ".jpg";
  if (!row.original) {  // the send copy is always a JPEG
    size_t dot = base.find_last_of('.');
    base = (dot == std::string::npos ? base : base.substr(0, dot)) + ".jpg";
  }
  if (!env->CreateDirs(dir)) return Status::IoError("cannot create the folder " + dir);
  std::string path = dir + "/" + base;
  for (int n = 2; env->FileSize(path, nullptr).has_value(); ++n) {
    size_t dot = base.find_last_of('.');
    path = dir + "/" + (dot == std::string::npos ? base : base.substr(0, dot)) + "-" + std::to_string(n) +
           (dot == std::string::npos ? "" : base.substr(dot));
  }
  std::string error;
  if (!env->WriteFileAtomic(path, bytes, &error)) return Status::IoError("cannot write " + path + ": " + error);
  return path;
}

}  // namespace ccfield::media
