#pragma once
// Background threads (sync, login) never touch app state: they post a task
// here and wake the event loop; the main thread runs the tasks between frames
// (the Tracy run-queue idea in STYLE.md).
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace ccfield::app {

class MainQueue {
 public:
  // `wake` must be callable from any thread (SDL_PushEvent is); may be empty.
  explicit MainQueue(std::function<void()> wake = {}) : wake_(std::move(wake)) {}

  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    if (wake_) wake_();
  }

  // Runs the tasks posted so far, in order; returns how many ran.
  size_t Drain() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
    return tasks.size();
  }

 private:
  std::function<void()> wake_;
  std::mutex mu_;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace ccfield::app
