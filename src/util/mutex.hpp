// Mutex and MutexLock: std::mutex with the annotations Clang's thread-safety
// analysis needs (libstdc++'s std::mutex carries none).
//
// Thread safety: a mutex.
#pragma once

#include <mutex>

#include "util/thread_annotations.hpp"

namespace smmap::detail {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  // Tells the analysis that the caller holds this mutex (checked by nothing
  // at run time): for code reached only from REQUIRES(...) functions through
  // a pointer the analysis cannot follow.
  void assert_held() const ASSERT_CAPABILITY(this) {}

 private:
  std::mutex mutex_;
};

// Holds |mutex| for its lifetime.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace smmap::detail
