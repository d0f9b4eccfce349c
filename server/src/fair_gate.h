#pragma once
// FairGate: who may use the storage next (issue 10, finding 8: one member
// sending big requests back to back raised everyone else's latency 15-fold).
//
// - At most one sync per user in flight: a second concurrent sync of the same
//   user waits a little, then is told to come back (429 busy, Retry-After: 1).
//   So one account, however many connections it opens, holds one place in the
//   queue.
// - Turns are handed out in arrival order (a ticket lock): a request never
//   waits behind an unbounded stream of someone else's; with one place per
//   user, each waits for at most one request of each other user.
//
// Thread-safety: all methods are thread-safe.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ccfield::server {

class FairGate {
 public:
  // Holds the user's place until destroyed.
  class UserSlot {
   public:
    UserSlot() = default;
    UserSlot(UserSlot&& o) noexcept : gate_(o.gate_), user_(std::move(o.user_)) { o.gate_ = nullptr; }
    UserSlot& operator=(UserSlot&&) = delete;
    ~UserSlot();
    bool held() const { return gate_ != nullptr; }

   private:
    friend class FairGate;
    FairGate* gate_ = nullptr;
    std::string user_;
  };

  // Holds the turn until destroyed.
  class Turn {
   public:
    Turn(Turn&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    friend class FairGate;
    explicit Turn(FairGate* gate) : gate_(gate) {}
    FairGate* gate_;
  };

  // The user's place; waits up to `wait_ms` while another sync of the same
  // user runs. !held() when it is still running then.
  UserSlot EnterUser(const std::string& user_id, int wait_ms);
  // Waits until every request that asked before has had its turn.
  Turn WaitTurn();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;  // users with a sync in flight
  uint64_t next_ticket_ = 0;
  uint64_t serving_ = 0;
};

}  // namespace ccfield::server
