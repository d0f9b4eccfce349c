#pragma once
// A least-recently-used cache bounded by bytes, not entries: the map view
// keeps its tile textures here (key a TileKey, value a texture handle, bytes
// its width * height * 4) under a memory cap. Whatever leaves the cache
// (evicted for room, replaced, erased, cleared, or at destruction) goes
// through the evict callback, so a texture is freed exactly once.
// Not thread-safe: one owner (the main thread).
#include <cstddef>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

namespace ccfield::maps {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class ByteLru {
 public:
  // Called with each entry that leaves the cache, before it is destroyed.
  using EvictFn = std::function<void(const Key&, Value&)>;

  explicit ByteLru(size_t cap_bytes, EvictFn on_evict = {}) : cap_(cap_bytes), on_evict_(std::move(on_evict)) {}
  ~ByteLru() { Clear(); }
  ByteLru(const ByteLru&) = delete;
  ByteLru& operator=(const ByteLru&) = delete;

  // Stores `value` (counted as `bytes`) as the most recent entry, replacing
  // an entry with the same key, then evicts the least recent entries until
  // bytes() <= cap(). The new entry itself is never evicted by its own Put:
  // one entry larger than the cap is kept alone.
  void Put(const Key& key, Value value, size_t bytes) {
    Erase(key);
    order_.push_front(Entry{key, std::move(value), bytes});
    index_[key] = order_.begin();
    bytes_ += bytes;
    Trim(1);
  }

  // The value, now the most recent; nullptr when absent.
  Value* Get(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
  }

  // The value without changing the order; nullptr when absent.
  const Value* Peek(const Key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->value;
  }

  bool Contains(const Key& key) const { return index_.count(key) != 0; }

  // Removes the entry (through the evict callback); false when absent.
  bool Erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    Drop(it->second);
    return true;
  }

  void Clear() {
    while (!order_.empty()) Drop(std::prev(order_.end()));
  }

  // A new cap; evicts down to it at once.
  void SetCap(size_t cap_bytes) {
    cap_ = cap_bytes;
    Trim(0);
  }

  size_t bytes() const { return bytes_; }
  size_t size() const { return order_.size(); }
  size_t cap() const { return cap_; }

 private:
  struct Entry {
    Key key;
    Value value;
    size_t bytes;
  };
  using Iter = typename std::list<Entry>::iterator;

  // Evicts least recent entries while over the cap, keeping the `keep` most recent.
  void Trim(size_t keep) {
    while (bytes_ > cap_ && order_.size() > keep) Drop(std::prev(order_.end()));
  }

  void Drop(Iter it) {
    if (on_evict_) on_evict_(it->key, it->value);
    bytes_ -= it->bytes;
    index_.erase(it->key);
    order_.erase(it);
  }

  size_t cap_;
  size_t bytes_ = 0;
  EvictFn on_evict_;
  std::list<Entry> order_;  // front: the most recent
  std::unordered_map<Key, Iter, Hash> index_;
};

}  // namespace ccfield::maps
