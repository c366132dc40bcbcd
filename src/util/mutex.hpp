// Mutex and MutexLock: std::mutex with the annotations Clang's thread-safety
// analysis needs (libstdc++'s std::mutex carries none).
//
// Thread safety: a mutex.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>

#include "util/thread_annotations.hpp"

namespace smmap::detail {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() {
    mutex_.lock();
    owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  }
  void unlock() RELEASE() {
    owner_.store(std::thread::id(), std::memory_order_relaxed);
    mutex_.unlock();
  }
  // Tells the analysis that the caller holds this mutex, for code it cannot
  // follow there (through a pointer); the builds that check preconditions
  // (util/check.hpp) also check it at run time.
  void assert_held() const ASSERT_CAPABILITY(this);

 private:
  std::mutex mutex_;
  // The thread holding mutex_, for assert_held(). Relaxed suffices on any
  // memory model (ARM64's too): only the holder writes it while holding, a
  // thread always reads its own last store back, and no other thread can
  // store that thread's id; nothing else is reached through it.
  std::atomic<std::thread::id> owner_{};
};

// Holds |mutex| for its lifetime, but between unlock() and the next lock().
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mutex_.unlock();
  }
  // REQUIRES: held. lock() takes it back.
  void unlock() RELEASE() {
    held_ = false;
    mutex_.unlock();
  }
  // REQUIRES: not held, after unlock().
  void lock() ACQUIRE() {
    mutex_.lock();
    held_ = true;
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
  bool held_ = true;
};

}  // namespace smmap::detail
