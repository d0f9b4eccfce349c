#include "fair_gate.h"

#include <chrono>

namespace ccfield::server {

FairGate::UserSlot::~UserSlot() {
  if (!gate_) return;
  {
    std::lock_guard<std::mutex> lock(gate_->mu_);
    gate_->in_flight_.erase(user_);
  }
  gate_->cv_.notify_all();
}

FairGate::Turn::~Turn() {
  if (!gate_) return;
  {
    std::lock_guard<std::mutex> lock(gate_->mu_);
    ++gate_->serving_;
  }
  gate_->cv_.notify_all();
}

FairGate::UserSlot FairGate::EnterUser(const std::string& user_id, int wait_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool free = cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                                 [&] { return in_flight_.find(user_id) == in_flight_.end(); });
  UserSlot slot;
  if (!free) return slot;
  in_flight_[user_id] = 1;
  slot.gate_ = this;
  slot.user_ = user_id;
  return slot;
}

FairGate::Turn FairGate::WaitTurn() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_++;
  cv_.wait(lock, [&] { return serving_ == ticket; });
  return Turn(this);
}

}  // namespace ccfield::server
