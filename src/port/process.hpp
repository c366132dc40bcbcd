// The process: which one runs the code now. A manager's prefetcher thread
// belongs to the process that started it; a child made by fork() has no such
// thread, and must neither wait for it nor queue work for it.
//
// Thread safety: thread-safe.
#pragma once

#include <cstdint>

namespace smmap::detail {

// The calling process's id (getpid(); GetCurrentProcessId() on Windows).
std::uint64_t current_process_id() noexcept;

}  // namespace smmap::detail
