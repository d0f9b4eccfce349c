// The photo queue's pure decisions (photo_budget.h).
#include "ccfield/sync/photo_budget.h"

#include <algorithm>

#include "ccfield/sync/page_budget.h"

namespace ccfield::sync {

namespace {

PhotoBudgetDecision Hold(PhotoHold hold, int64_t cap_mb) {
  return PhotoBudgetDecision{false, hold, PhotoHoldReason(hold, cap_mb)};
}

// The rule's answer alone (no cap).
PhotoHold RuleHold(PhotoRule rule, LinkMetered link, BlobKind kind) {
  const bool thumb = kind == BlobKind::kThumb;
  switch (rule) {
    case PhotoRule::kAlways:
      return PhotoHold::kNone;
    case PhotoRule::kThumbnails:
      return thumb ? PhotoHold::kNone : PhotoHold::kThumbnails;
    case PhotoRule::kUnmetered:
      // An unknown link may be a phone's hotspot: count it as metered.
      return thumb || link == LinkMetered::kUnmetered ? PhotoHold::kNone : PhotoHold::kUnmetered;
    case PhotoRule::kNever:
      return PhotoHold::kNever;
  }
  return PhotoHold::kNever;
}

}  // namespace

PhotoBudgetDecision DecidePhotoTransfer(const PhotoSettings& settings, const DataUsage& usage, LinkMetered link,
                                        const BlobTransfer& t) {
  if (t.wanted) return PhotoBudgetDecision{};
  const PhotoHold rule = RuleHold(settings.rule, link, t.kind);
  if (rule != PhotoHold::kNone) return Hold(rule, settings.monthly_cap_mb);
  if (settings.monthly_cap_mb > 0 && usage.photos_up + usage.photos_down >= settings.monthly_cap_mb * kBytesPerCapMb) {
    return Hold(PhotoHold::kCap, settings.monthly_cap_mb);
  }
  return PhotoBudgetDecision{};
}

std::string PhotoHoldReason(PhotoHold hold, int64_t cap_mb) {
  switch (hold) {
    case PhotoHold::kNone:
      return "";
    case PhotoHold::kUnmetered:
      return "photos wait for an unmetered network";
    case PhotoHold::kThumbnails:
      return "photos wait until you ask for them (photo data rule: thumbnails only)";
    case PhotoHold::kNever:
      return "photos wait until you ask for them (photo data rule: never)";
    case PhotoHold::kCap:
      return "this month's photo data cap (" + std::to_string(cap_mb) + " MB) is reached";
    case PhotoHold::kNoServer:
      return "the server does not take photos yet; they stay on this device until it does";
  }
  return "";
}

std::string PhotosWaitingPhrase(int64_t up, int64_t down, PhotoHold hold, const std::string& reason) {
  const int64_t n = up + down;
  if (n == 0) return "";
  std::string out = n == 1 ? "1 photo waiting" : std::to_string(n) + " photos waiting";
  switch (hold) {
    case PhotoHold::kNone:
      if (up > 0 && down == 0) return out + " to be sent";
      if (down > 0 && up == 0) return out + " to be downloaded";
      return out;
    case PhotoHold::kUnmetered:
      return out + " for an unmetered network";
    case PhotoHold::kThumbnails:
    case PhotoHold::kNever:
      return out + " until you ask for them";
    case PhotoHold::kCap:
    case PhotoHold::kNoServer:
      return out + ": " + reason;
  }
  return out;
}

// The pace rule is page_budget.h's, shared with the record pull's pages.
static_assert(ChunkSizer::kFastMs == kPaceFastMs && ChunkSizer::kSlowMs == kPaceSlowMs);

void ChunkSizer::AfterChunk(int64_t elapsed_ms) { size_ = PaceAfterTransfer(size_, elapsed_ms, true, {kMin, kMax}); }

void ChunkSizer::AfterCut() { size_ = PaceAfterCut(size_, {kMin, kMax}); }

}  // namespace ccfield::sync
