// The installed packs of a data directory; see ccfield/maps/map_packs.h.
// DATA/maps/ID.mbtiles are the packs; DATA/maps/packs.txt lists their ids in
// the order they were added (a pack copied there by hand comes after them,
// by name). A pack is copied in as ID.mbtiles.part, chunk by chunk (never
// whole in memory), and renamed into place only when complete.
#include "ccfield/maps/map_packs.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ccfield/platform/env.h"

namespace ccfield::maps {
namespace {

constexpr const char* kOrderFile = "packs.txt";
constexpr const char* kExt = ".mbtiles";
constexpr size_t kCopyChunk = 8 << 20;
constexpr uint64_t kSpareBytes = 32 << 20;  // left free after a copy, for the store and photos

// Env reports errors as sentences that end with strerror's text.
bool IsDiskFull(const std::string& error) {
  return error.find(std::strerror(ENOSPC)) != std::string::npos ||
         error.find(std::strerror(EDQUOT)) != std::string::npos ||
         error.find(std::strerror(EFBIG)) != std::string::npos;
}

std::string Megabytes(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB"; }

// An id made of the file name's stem: letters, digits, '-', '_' kept, the rest '-'.
std::string IdFromName(const std::string& source) {
  std::string stem = std::filesystem::path(source).stem().string();
  std::string id;
  for (char c : stem) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    id += keep ? c : '-';
    if (id.size() >= 60) break;
  }
  if (id.empty() || id[0] == '-') id = "map" + id;
  return id;
}

bool IsValidId(const std::string& id) {
  if (id.empty() || id[0] == '.') return false;
  return std::none_of(id.begin(), id.end(), [](char c) { return c == '/' || c == '\\' || c == '\0'; });
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::vector<PackChoice> RankPacksForTile(const std::vector<PackInfo>& packs, int z) {
  std::vector<PackChoice> native, overzoom;
  for (size_t i = packs.size(); i-- > 0;) {  // the most recently added first
    const PackInfo& p = packs[i];
    if (p.min_zoom > z) continue;
    if (p.max_zoom >= z) {
      native.push_back({i, z});
    } else {
      overzoom.push_back({i, p.max_zoom});
    }
  }
  // Stable: among equal max zooms the most recently added stays first.
  std::stable_sort(overzoom.begin(), overzoom.end(),
                   [](const PackChoice& a, const PackChoice& b) { return a.zoom > b.zoom; });
  native.insert(native.end(), overzoom.begin(), overzoom.end());
  return native;
}

MapPacks::MapPacks(Env* env, std::string data_dir) : env_(env), dir_(std::move(data_dir) + "/maps") {}

std::string MapPacks::PathOf(const std::string& id) const { return dir_ + "/" + id + kExt; }

bool MapPacks::Has(const std::string& id) const {
  std::error_code ec;
  return IsValidId(id) && std::filesystem::is_regular_file(PathOf(id), ec);
}

// The ids of the installed files, in the order of packs.txt, then the others by name.
Result<std::vector<std::string>> MapPacks::InstalledIds() {
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) return std::vector<std::string>();
  std::string error;
  std::optional<std::vector<std::string>> names = env_->ListDir(dir_, &error);
  if (!names) return Status::IoError("cannot list the map packs: " + error);
  std::vector<std::string> on_disk;
  for (const std::string& n : *names) {
    if (n[0] != '.' && EndsWith(n, kExt)) on_disk.push_back(n.substr(0, n.size() - std::strlen(kExt)));
  }
  std::vector<std::string> ids;
  std::optional<std::string> order = env_->ReadFile(dir_ + "/" + kOrderFile, nullptr);
  size_t start = 0;
  while (order && start < order->size()) {
    size_t end = order->find('\n', start);
    if (end == std::string::npos) end = order->size();
    std::string id = order->substr(start, end - start);
    start = end + 1;
    const bool present = std::find(on_disk.begin(), on_disk.end(), id) != on_disk.end();
    if (present && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  for (const std::string& id : on_disk) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

Status MapPacks::WriteOrder(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text += id + "\n";
  std::string error;
  if (env_->WriteFileAtomic(dir_ + "/" + kOrderFile, text, &error)) return Status::Ok();
  if (IsDiskFull(error)) return Status::DiskFull("the device's storage is full (" + error + ")");
  return Status::IoError("cannot save the list of map packs: " + error);
}

Status MapPacks::Register(const std::string& id) {
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> ids, InstalledIds());
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  return WriteOrder(ids);
}

// Copies `source` (`bytes` long) to ID.mbtiles.part chunk by chunk; the
// part file's path, or an error with the part file removed.
Result<std::string> MapPacks::CopyIn(const std::string& source, const std::string& id, uint64_t bytes) {
  const std::string part = PathOf(id) + ".part";
  std::string error;
  env_->RemoveFile(part, nullptr);
  uint64_t done = 0;
  bool ok = true;
  while (ok && done < bytes) {
    std::optional<std::string> chunk = env_->ReadFileRange(source, done, kCopyChunk, &error);
    if (!chunk || chunk->empty()) {
      if (chunk) error = source + " became shorter while it was being copied";
      ok = false;
      break;
    }
    ok = env_->AppendFile(part, *chunk, &error);
    done += chunk->size();
  }
  if (ok) return part;
  env_->RemoveFile(part, nullptr);
  const std::string what = "copying " + source + " into the app's maps";
  if (IsDiskFull(error)) {
    return Status::DiskFull(what + ": the device's storage is full; free some space and try again (" + error + ")");
  }
  return Status::IoError(what + ": " + error);
}

Result<PackInfo> MapPacks::Add(const std::string& source) {
  CCF_ASSIGN_OR_RETURN(std::unique_ptr<MbTiles> pack, MbTiles::Open(source));
  CCF_RETURN_IF_ERROR(pack->CheckIntegrity());
  PackInfo info = pack->info();
  pack.reset();
  if (!env_->CreateDirs(dir_)) return Status::IoError("cannot create the maps folder " + dir_);
  const uint64_t bytes = static_cast<uint64_t>(info.file_bytes);
  std::optional<uint64_t> free_bytes = env_->FreeDiskBytes(dir_);
  if (free_bytes && *free_bytes < bytes + kSpareBytes) {
    return Status::DiskFull("not enough free space to add " + source + ": the pack needs " + Megabytes(bytes) +
                            " and the device has " + Megabytes(*free_bytes) + " free (" + Megabytes(kSpareBytes) +
                            " are kept spare); free some space and try again");
  }
  const std::string base = IdFromName(source);
  std::string id = base;
  for (int n = 2; Has(id) || std::filesystem::exists(PathOf(id) + ".part"); ++n) id = base + "-" + std::to_string(n);
  CCF_ASSIGN_OR_RETURN(std::string part, CopyIn(source, id, bytes));
  std::string error;
  if (!env_->RenameFile(part, PathOf(id), &error)) {
    env_->RemoveFile(part, nullptr);
    return Status::IoError("cannot put the map pack in place: " + error);
  }
  Status registered = Register(id);
  if (!registered.ok()) {
    env_->RemoveFile(PathOf(id), nullptr);
    return registered.WithContext("adding " + source);
  }
  info.id = id;
  info.path = PathOf(id);
  return info;
}

Result<PackInfo> MapPacks::AddBytes(const std::string& id, std::string_view bytes) {
  if (!IsValidId(id)) return Status::Invalid("'" + id + "' cannot name a map pack");
  if (!env_->CreateDirs(dir_)) return Status::IoError("cannot create the maps folder " + dir_);
  std::string error;
  if (!env_->WriteFileAtomic(PathOf(id), bytes, &error)) {
    if (IsDiskFull(error)) return Status::DiskFull("the device's storage is full (" + error + ")");
    return Status::IoError("cannot write the map pack " + id + ": " + error);
  }
  Result<std::unique_ptr<MbTiles>> pack = MbTiles::Open(PathOf(id));
  if (!pack.ok()) {
    env_->RemoveFile(PathOf(id), nullptr);
    return pack.status();
  }
  CCF_RETURN_IF_ERROR(Register(id));
  return (*pack)->info();
}

Result<std::vector<PackInfo>> MapPacks::List() {
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> ids, InstalledIds());
  std::vector<PackInfo> out;
  for (const std::string& id : ids) {
    Result<std::unique_ptr<MbTiles>> pack = MbTiles::Open(PathOf(id));
    if (pack.ok()) {
      out.push_back((*pack)->info());
      continue;
    }
    PackInfo broken;
    broken.id = id;
    broken.path = PathOf(id);
    broken.name = id + kExt;
    broken.file_bytes = static_cast<int64_t>(env_->FileSize(broken.path, nullptr).value_or(0));
    broken.problem = pack.status().message();
    out.push_back(std::move(broken));
  }
  return out;
}

Status MapPacks::Remove(const std::string& id) {
  if (!Has(id)) {
    return Status::NotFound("no map pack '" + id + "' is installed; `ccfield maps list` shows the installed ones");
  }
  std::string error;
  if (!env_->RemoveFile(PathOf(id), &error)) return Status::IoError("cannot remove the map pack " + id + ": " + error);
  CCF_ASSIGN_OR_RETURN(std::vector<std::string> ids, InstalledIds());
  return WriteOrder(ids);
}

std::vector<std::unique_ptr<MbTiles>> MapPacks::OpenAll(std::vector<std::string>* errors) {
  std::vector<std::unique_ptr<MbTiles>> out;
  Result<std::vector<std::string>> ids = InstalledIds();
  if (!ids.ok()) {
    if (errors) errors->push_back(ids.status().message());
    return out;
  }
  for (const std::string& id : *ids) {
    Result<std::unique_ptr<MbTiles>> pack = MbTiles::Open(PathOf(id));
    if (pack.ok()) {
      out.push_back(std::move(*pack));
    } else if (errors) {
      errors->push_back(pack.status().message());
    }
  }
  return out;
}

}  // namespace ccfield::maps
