// ByteLru: the byte cap, least recent out first, Get refreshing, the evict
// callback called once for every entry that leaves (room, replace, erase,
// clear, destruction), an entry larger than the cap, a lowered cap.
#include "ccfield/maps/byte_lru.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ccfield::maps {
namespace {

struct Log {
  std::vector<std::string> evicted;
};

using Cache = ByteLru<std::string, int>;

Cache::EvictFn Record(Log* log) {
  return [log](const std::string& key, int& value) { log->evicted.push_back(key + "=" + std::to_string(value)); };
}

TEST_CASE("the cache stays under its byte cap, least recently used out first") {
  Log log;
  Cache lru(100, Record(&log));
  lru.Put("a", 1, 40);
  lru.Put("b", 2, 40);
  CHECK(lru.bytes() == 80);
  REQUIRE(lru.Get("a") != nullptr);  // a is now more recent than b
  lru.Put("c", 3, 40);               // 120 > 100: b goes
  CHECK(log.evicted == std::vector<std::string>{"b=2"});
  CHECK(lru.bytes() == 80);
  CHECK(lru.size() == 2);
  CHECK(lru.Contains("a"));
  CHECK_FALSE(lru.Contains("b"));
  CHECK(*lru.Peek("c") == 3);
  lru.Put("d", 4, 30);  // 110: a (least recent, Peek does not refresh c... a was Got before c was put)
  CHECK(log.evicted == std::vector<std::string>{"b=2", "a=1"});
  CHECK(lru.bytes() == 70);
  CHECK(lru.Get("a") == nullptr);
}

TEST_CASE("every entry leaving the cache goes through the callback exactly once") {
  Log log;
  {
    Cache lru(1000, Record(&log));
    lru.Put("a", 1, 10);
    lru.Put("a", 11, 20);  // replaced: the old value leaves
    CHECK(lru.bytes() == 20);
    CHECK(lru.size() == 1);
    lru.Put("b", 2, 10);
    lru.Put("c", 3, 10);
    CHECK(lru.Erase("b"));
    CHECK_FALSE(lru.Erase("b"));
    lru.Clear();
    CHECK(lru.bytes() == 0);
    lru.Put("d", 4, 10);
  }  // destroyed: d leaves
  CHECK(log.evicted == std::vector<std::string>{"a=1", "b=2", "a=11", "c=3", "d=4"});
}

TEST_CASE("an entry larger than the cap is kept alone, and a lower cap evicts at once") {
  Log log;
  Cache lru(100, Record(&log));
  lru.Put("a", 1, 50);
  lru.Put("huge", 2, 500);
  CHECK(log.evicted == std::vector<std::string>{"a=1"});
  CHECK(lru.size() == 1);
  CHECK(lru.bytes() == 500);
  lru.Put("b", 3, 10);  // the huge one goes now
  CHECK(log.evicted == std::vector<std::string>{"a=1", "huge=2"});
  lru.Put("c", 4, 10);
  lru.Put("e", 5, 10);
  lru.SetCap(15);
  CHECK(lru.cap() == 15);
  CHECK(lru.size() == 1);
  CHECK(*lru.Peek("e") == 5);
  CHECK(log.evicted == std::vector<std::string>{"a=1", "huge=2", "b=3", "c=4"});
}

}  // namespace
}  // namespace ccfield::maps
