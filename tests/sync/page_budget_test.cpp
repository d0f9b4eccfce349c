// The pull page budget and the pace rule it shares with the photo chunks
// (sync/page_budget.h).
#include "ccfield/sync/page_budget.h"

#include <doctest/doctest.h>

#include "ccfield/sync/photo_budget.h"

namespace ccfield::sync {

TEST_CASE("page budget: starts at 2 MiB and doubles after fast full pages, up to 4 MiB") {
  PageBudget b;
  CHECK(b.bytes() == 2 * 1024 * 1024);
  b.AfterPage(1999, true);
  CHECK(b.bytes() == 4 * 1024 * 1024);
  b.AfterPage(100, true);
  CHECK(b.bytes() == 4 * 1024 * 1024);
  b.AfterCut();
  b.AfterCut();
  CHECK(b.bytes() == 1024 * 1024);
  b.AfterPage(100, true);
  CHECK(b.bytes() == 2 * 1024 * 1024);
}

TEST_CASE("page budget: a short last page says nothing unless it was slow") {
  PageBudget b;
  b.AfterPage(10, false);
  CHECK(b.bytes() == PageBudget::kStart);
  b.AfterPage(2000, true);  // not under 2 s: stays
  CHECK(b.bytes() == PageBudget::kStart);
  b.AfterPage(8000, true);  // not over 8 s: stays
  CHECK(b.bytes() == PageBudget::kStart);
  b.AfterPage(8001, false);  // slow, even when short: halves
  CHECK(b.bytes() == PageBudget::kStart / 2);
}

TEST_CASE("page budget: slow pages and cuts halve it, never below 32 KiB") {
  PageBudget b;
  b.AfterCut();
  CHECK(b.bytes() == 1024 * 1024);
  b.AfterPage(9000, true);
  CHECK(b.bytes() == 512 * 1024);
  for (int i = 0; i < 10; ++i) b.AfterCut();
  CHECK(b.bytes() == 32 * 1024);
  b.AfterPage(500, true);
  CHECK(b.bytes() == 64 * 1024);
}

TEST_CASE("pace rule: the photo chunk sizer follows the same rule with its own limits") {
  ChunkSizer s;
  CHECK(s.size() == ChunkSizer::kStart);
  s.AfterChunk(kPaceFastMs - 1);
  CHECK(s.size() == PaceAfterTransfer(ChunkSizer::kStart, kPaceFastMs - 1, true, {ChunkSizer::kMin, ChunkSizer::kMax}));
  CHECK(s.size() == 2 * ChunkSizer::kStart);
  s.AfterCut();
  s.AfterCut();
  s.AfterCut();
  CHECK(s.size() == ChunkSizer::kMin);
  CHECK(PaceAfterCut(100, {16, 1000}) == 50);
  CHECK(PaceAfterCut(20, {16, 1000}) == 16);
  CHECK(PaceAfterTransfer(600, 1, true, {16, 1000}) == 1000);
  CHECK(PaceAfterTransfer(600, 5000, true, {16, 1000}) == 600);
}

}  // namespace ccfield::sync
