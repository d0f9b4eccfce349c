// Pull pages by bytes and by limit (server/src/pull_page.h,
// docs/sync-protocol.md "Pages by bytes"), on a real SQLite server storage.
#include "pull_page.h"

#include <doctest/doctest.h>

#include <numeric>

#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

// A workspace whose history holds `notes` visits with notes of `notes_bytes`,
// and one open conflict (two staff renamed the site from the same version),
// and a third member's fresh device that pulls it all.
struct PagedWorkspace {
  ServerFixture f;
  std::string ws = f.AddWorkspace();
  Staff a = AddStaff(&f, ws, "amina");
  Staff b = AddStaff(&f, ws, "bakari");
  Staff c = AddStaff(&f, ws, "chiku");
  sync::DeviceSeq seq_a = 0, seq_b = 0;

  PagedWorkspace(int notes, size_t notes_bytes) {
    const std::string site = f.NewId();
    std::vector<FieldChange> changes = SiteChanges(&seq_a, site, ws);
    REQUIRE(f.Sync(a.who, changes).rejects.empty());
    const sync::ServerVersion base = Unwrap(f.storage->GetField(site, "name")).state.version;
    REQUIRE(f.Sync(a.who, {Change(++seq_a, "site", site, ws, "name", "Amina's name", base)}).rejects.empty());
    REQUIRE(f.Sync(b.who, {Change(++seq_b, "site", site, ws, "name", "Bakari's name", base)}).conflicts.size() == 1);
    changes.clear();
    for (int i = 0; i < notes; ++i) {
      const std::string visit = f.NewId();
      Append(&changes, VisitChanges(&seq_a, visit, ws, site));
      changes.push_back(Change(++seq_a, "visit", visit, ws, "notes", std::string(notes_bytes, 'a' + i % 26)));
    }
    REQUIRE(f.Sync(a.who, changes).rejects.empty());
  }

  PullQuery Query() const {
    PullQuery q;
    q.workspaces = c.who.Workspaces();
    q.device_id = c.device_id;
    return q;
  }

  PullPage Page(const PageRule& rule) {
    auto to_wire = [](HistoryEntry&& e) -> Result<FieldChange> { return FieldChange(std::move(e)); };
    return Unwrap(BuildPullPage(f.storage.get(), Query(), rule, to_wire));
  }

  // The sizes of every item C may pull, in version order, as the page counts them.
  std::vector<size_t> ItemSizes() {
    PullPage all = Page(PageRule{sync::kMaxPageItems, size_t{1} << 30});
    REQUIRE_FALSE(all.more);
    std::vector<std::pair<sync::ServerVersion, size_t>> items;
    // An entry is one item, counted as protocol 3 writes it (PageRule::entries).
    for (size_t i = 0; i < all.changes.size(); i = EntryEnd(all.changes, i)) {
      items.emplace_back(all.changes[i].version, sync::ServerEntryBytes(all.changes, i, EntryEnd(all.changes, i)));
    }
    for (const FieldConflict& x : all.conflicts) items.emplace_back(x.version, sync::ToJson(x).dump().size());
    std::sort(items.begin(), items.end());
    std::vector<size_t> sizes;
    for (const auto& [v, n] : items) sizes.push_back(n);
    CHECK(std::accumulate(sizes.begin(), sizes.end(), size_t{0}) == all.bytes);
    return sizes;
  }
};

// Entries and conflict updates.
size_t Items(const PullPage& p) {
  size_t entries = 0;
  for (size_t i = 0; i < p.changes.size(); i = EntryEnd(p.changes, i)) ++entries;
  return entries + p.conflicts.size();
}

}  // namespace

TEST_CASE("pull page: the rule clamps page_bytes to the server's range and keeps old clients' limit") {
  sync::SyncRequest req;
  const size_t cap = size_t{4} << 20;
  req.page_bytes = 1;
  CHECK(PageRuleFor(req, cap).max_bytes == size_t{16} << 10);
  req.page_bytes = int64_t{1} << 40;
  CHECK(PageRuleFor(req, cap).max_bytes == cap);
  req.page_bytes = 100'000;
  CHECK(PageRuleFor(req, cap).max_bytes == 100'000);
  req.limit = 0;
  CHECK(PageRuleFor(req, cap).max_items == sync::kMaxPageItems);
  req.limit = 7;
  CHECK(PageRuleFor(req, cap).max_items == 7);
  // A server whose own cap is below the minimum keeps its cap.
  CHECK(PageRuleFor(req, 1000).max_bytes == 1000);
  // Without page_bytes: today's rule.
  req.page_bytes = 0;
  req.limit = 9999;
  CHECK(PageRuleFor(req, cap).max_items == sync::kMaxPullLimit);
  CHECK(PageRuleFor(req, cap).max_bytes == cap);
  req.limit = 0;
  CHECK(PageRuleFor(req, cap).max_items == 1);
}

TEST_CASE("pull page: the codec carries page_bytes, and a request without it keeps its limit") {
  sync::SyncRequest req;
  req.device_id = "0f3c2b1a-7d6e-4f5a-9b8c-1d2e3f4a5b6c";
  req.limit = 0;
  req.page_bytes = 65536;
  json j = sync::ToJson(req);
  CHECK_FALSE(j.contains("limit"));
  CHECK(j["page_bytes"] == 65536);
  sync::SyncRequest back = Unwrap(sync::ParseSyncRequest(j));
  CHECK(back.page_bytes == 65536);
  CHECK(back.limit == 0);
  j["limit"] = 10'000'000;
  CHECK(Unwrap(sync::ParseSyncRequest(j)).limit == sync::kMaxPageItems);
  // An older client: no page_bytes; its limit (or the default) as before.
  j.erase("page_bytes");
  j["limit"] = 9999;
  CHECK(Unwrap(sync::ParseSyncRequest(j)).limit == sync::kMaxPullLimit);
  CHECK(Unwrap(sync::ParseSyncRequest(j)).page_bytes == 0);
  j.erase("limit");
  CHECK(Unwrap(sync::ParseSyncRequest(j)).limit == sync::kDefaultPullLimit);
  j["page_bytes"] = 0;
  CHECK_FALSE(sync::ParseSyncRequest(j).ok());
}

TEST_CASE("pull page: at every byte budget boundary the page ends at the last item that fits, and more is right") {
  PagedWorkspace w(6, 300);
  const std::vector<size_t> sizes = w.ItemSizes();
  REQUIRE(sizes.size() > 20);
  size_t prefix = 0;
  for (size_t k = 1; k <= sizes.size(); ++k) {
    prefix += sizes[k - 1];  // the first k items take exactly `prefix` bytes
    for (size_t budget : {prefix - 1, prefix, prefix + 1}) {
      CAPTURE(k);
      CAPTURE(budget);
      const PullPage p = w.Page(PageRule{sync::kMaxPageItems, budget});
      // The page ends exactly at the budget when the budget is a prefix sum.
      const size_t want = budget < prefix ? std::max<size_t>(k - 1, 1) : k;
      CHECK(Items(p) == want);
      CHECK(p.bytes <= std::max(budget, sizes[0]));
      CHECK(p.more == (want < sizes.size()));
    }
  }
}

TEST_CASE("pull page: a page is never empty: an item bigger than the budget travels alone") {
  PagedWorkspace w(2, 40'000);
  const std::vector<size_t> sizes = w.ItemSizes();
  // Walk the pages with a budget smaller than a note: every page has an item.
  PullQuery q = w.Query();
  size_t pages = 0, items = 0;
  bool more = true;
  while (more) {
    auto to_wire = [](HistoryEntry&& e) -> Result<FieldChange> { return FieldChange(std::move(e)); };
    PullPage p = Unwrap(BuildPullPage(w.f.storage.get(), q, PageRule{sync::kMaxPageItems, 16 << 10}, to_wire));
    REQUIRE(Items(p) >= 1);
    for (const FieldChange& c : p.changes) {
      if (c.field == "notes") CHECK(Items(p) == 1);  // alone: it exceeds the budget
    }
    q.after = p.last;
    more = p.more;
    ++pages;
    items += Items(p);
    REQUIRE(pages < 100);
  }
  CHECK(items == sizes.size());
}

TEST_CASE("pull page: the sync service pages by bytes for a page_bytes request and by limit for an old one") {
  PagedWorkspace w(30, 2000);
  const std::vector<size_t> sizes = w.ItemSizes();
  const size_t total = std::accumulate(sizes.begin(), sizes.end(), size_t{0});
  auto walk = [&](int limit, int64_t page_bytes) {
    std::vector<size_t> pages;
    sync::SyncRequest req;
    req.device_id = w.c.device_id;
    req.limit = limit;
    req.page_bytes = page_bytes;
    for (bool more = true; more;) {
      sync::SyncResponse r = Unwrap(w.f.service->Sync(w.c.who, req));
      pages.push_back(r.changes.size() + r.conflicts.size());
      more = r.more;
      req.cursor = r.cursor;
      REQUIRE(pages.size() < 1000);
    }
    CHECK(std::accumulate(pages.begin(), pages.end(), size_t{0}) == sizes.size());
    return pages;
  };
  // An old client: exactly `limit` items per page, the rest in the last.
  std::vector<size_t> old = walk(7, 0);
  REQUIRE(old.size() == (sizes.size() + 6) / 7);
  for (size_t i = 0; i + 1 < old.size(); ++i) CHECK(old[i] == 7);
  // The default old request: 1000 items, so everything in one page.
  CHECK(walk(sync::kDefaultPullLimit, 0).size() == 1);
  // By bytes: 16 KiB pages, each as full as the next item allows.
  std::vector<size_t> by_bytes = walk(0, 16 << 10);
  CHECK(by_bytes.size() >= total / (16 << 10));
  CHECK(by_bytes.size() <= total / (8 << 10) + 1);
  // page_bytes with a limit: the limit still caps the items.
  for (size_t n : walk(5, 1 << 20)) CHECK(n <= 5);
}

}  // namespace ccfield::server::testing
