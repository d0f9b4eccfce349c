// The photo queue's pure decisions (sync/photo_budget.h): every data rule x
// blob kind x link x cap x wanted, the reasons' exact words, and the upload
// chunk sizes. No store, no network.
#include "ccfield/sync/photo_budget.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ccfield::sync {
namespace {

BlobTransfer Transfer(BlobKind kind, bool wanted) {
  BlobTransfer t;
  t.hash = std::string(64, 'a');
  t.kind = kind;
  t.wanted = wanted;
  return t;
}

struct Row {
  PhotoRule rule;
  BlobKind kind;
  LinkMetered link;
  PhotoHold expected;  // below the cap, not wanted
};

constexpr BlobKind kT = BlobKind::kThumb, kF = BlobKind::kFull;
constexpr LinkMetered kM = LinkMetered::kMetered, kU = LinkMetered::kUnmetered, kX = LinkMetered::kUnknown;

// Written out by hand from docs/sync-protocol.md and photo_store.h's rules.
const Row kTable[] = {
    {PhotoRule::kAlways, kT, kM, PhotoHold::kNone},           {PhotoRule::kAlways, kT, kU, PhotoHold::kNone},
    {PhotoRule::kAlways, kT, kX, PhotoHold::kNone},           {PhotoRule::kAlways, kF, kM, PhotoHold::kNone},
    {PhotoRule::kAlways, kF, kU, PhotoHold::kNone},           {PhotoRule::kAlways, kF, kX, PhotoHold::kNone},
    {PhotoRule::kThumbnails, kT, kM, PhotoHold::kNone},       {PhotoRule::kThumbnails, kT, kU, PhotoHold::kNone},
    {PhotoRule::kThumbnails, kT, kX, PhotoHold::kNone},       {PhotoRule::kThumbnails, kF, kM, PhotoHold::kThumbnails},
    {PhotoRule::kThumbnails, kF, kU, PhotoHold::kThumbnails}, {PhotoRule::kThumbnails, kF, kX, PhotoHold::kThumbnails},
    {PhotoRule::kUnmetered, kT, kM, PhotoHold::kNone},        {PhotoRule::kUnmetered, kT, kU, PhotoHold::kNone},
    {PhotoRule::kUnmetered, kT, kX, PhotoHold::kNone},        {PhotoRule::kUnmetered, kF, kM, PhotoHold::kUnmetered},
    {PhotoRule::kUnmetered, kF, kU, PhotoHold::kNone},        {PhotoRule::kUnmetered, kF, kX, PhotoHold::kUnmetered},
    {PhotoRule::kNever, kT, kM, PhotoHold::kNever},           {PhotoRule::kNever, kT, kU, PhotoHold::kNever},
    {PhotoRule::kNever, kT, kX, PhotoHold::kNever},           {PhotoRule::kNever, kF, kM, PhotoHold::kNever},
    {PhotoRule::kNever, kF, kU, PhotoHold::kNever},           {PhotoRule::kNever, kF, kX, PhotoHold::kNever},
};

TEST_CASE("Photo budget: every rule, kind, link, cap and wanted") {
  constexpr int64_t kCapMb = 500;
  int checked = 0;
  for (const Row& row : kTable) {
    for (int cap_state = 0; cap_state < 3; ++cap_state) {  // no cap, below it, reached
      for (bool wanted : {false, true}) {
        PhotoSettings settings;
        settings.rule = row.rule;
        settings.monthly_cap_mb = cap_state == 0 ? 0 : kCapMb;
        DataUsage usage;
        usage.records_up = usage.records_down = 900 * kBytesPerCapMb;  // records never count
        usage.photos_up = (cap_state == 2 ? 300 : 100) * kBytesPerCapMb;
        usage.photos_down = (cap_state == 2 ? 200 : 100) * kBytesPerCapMb;
        INFO("rule ", PhotoRuleName(row.rule), " kind ", row.kind == kT ? "thumb" : "full", " link ",
             static_cast<int>(row.link), " cap_state ", cap_state, " wanted ", wanted);
        PhotoBudgetDecision d = DecidePhotoTransfer(settings, usage, row.link, Transfer(row.kind, wanted));
        PhotoHold expected = row.expected;
        if (expected == PhotoHold::kNone && cap_state == 2) expected = PhotoHold::kCap;
        if (wanted) expected = PhotoHold::kNone;  // a person asked: always goes
        CHECK(d.hold == expected);
        CHECK(d.go == (expected == PhotoHold::kNone));
        CHECK(d.reason == PhotoHoldReason(expected, kCapMb));
        CHECK(d.reason.empty() == d.go);
        ++checked;
      }
    }
  }
  CHECK(checked == 4 * 2 * 3 * 3 * 2);
}

TEST_CASE("Photo budget: the cap holds from the byte that reaches it, up and down together") {
  PhotoSettings settings;
  settings.monthly_cap_mb = 2;
  DataUsage usage;
  usage.photos_up = kBytesPerCapMb;
  usage.photos_down = kBytesPerCapMb - 1;
  const BlobTransfer thumb = Transfer(kT, false);
  CHECK(DecidePhotoTransfer(settings, usage, kU, thumb).go);
  usage.photos_down += 1;
  PhotoBudgetDecision d = DecidePhotoTransfer(settings, usage, kU, thumb);
  CHECK_FALSE(d.go);
  CHECK(d.reason == "this month's photo data cap (2 MB) is reached");
  // The rule's reason comes first when both hold.
  settings.rule = PhotoRule::kUnmetered;
  CHECK(DecidePhotoTransfer(settings, usage, kM, Transfer(kF, false)).reason == "photos wait for an unmetered network");
}

TEST_CASE("Photo budget: the reasons and the status line in plain words") {
  CHECK(PhotoHoldReason(PhotoHold::kUnmetered, 0) == "photos wait for an unmetered network");
  CHECK(PhotoHoldReason(PhotoHold::kCap, 500) == "this month's photo data cap (500 MB) is reached");
  CHECK(PhotoHoldReason(PhotoHold::kNever, 0) == "photos wait until you ask for them (photo data rule: never)");
  CHECK(PhotoHoldReason(PhotoHold::kNone, 0).empty());
  CHECK(PhotosWaitingPhrase(3, 0, PhotoHold::kUnmetered, "") == "3 photos waiting for an unmetered network");
  CHECK(PhotosWaitingPhrase(1, 0, PhotoHold::kNone, "") == "1 photo waiting to be sent");
  CHECK(PhotosWaitingPhrase(0, 2, PhotoHold::kNone, "") == "2 photos waiting to be downloaded");
  CHECK(PhotosWaitingPhrase(1, 1, PhotoHold::kNever, "") == "2 photos waiting until you ask for them");
  CHECK(PhotosWaitingPhrase(0, 4, PhotoHold::kCap, PhotoHoldReason(PhotoHold::kCap, 50)) ==
        "4 photos waiting: this month's photo data cap (50 MB) is reached");
  CHECK(PhotosWaitingPhrase(0, 0, PhotoHold::kCap, "x").empty());
}

TEST_CASE("Chunk sizes: 32 KiB first, doubling when fast up to 1 MiB, halving when slow or cut down to 16 KiB") {
  ChunkSizer s;
  CHECK(s.size() == 32 * 1024);
  std::vector<int64_t> sizes;
  for (int i = 0; i < 7; ++i) {
    s.AfterChunk(1999);
    sizes.push_back(s.size());
  }
  CHECK(sizes == std::vector<int64_t>{65536, 131072, 262144, 524288, 1048576, 1048576, 1048576});
  s.AfterChunk(2000);  // neither fast nor slow
  CHECK(s.size() == 1048576);
  s.AfterChunk(8000);
  CHECK(s.size() == 1048576);
  s.AfterChunk(8001);
  CHECK(s.size() == 524288);
  s.AfterCut();
  CHECK(s.size() == 262144);
  for (int i = 0; i < 10; ++i) s.AfterCut();
  CHECK(s.size() == 16 * 1024);
  s.AfterChunk(60000);
  CHECK(s.size() == 16 * 1024);
  s.AfterChunk(10);
  CHECK(s.size() == 32 * 1024);
}

}  // namespace
}  // namespace ccfield::sync
