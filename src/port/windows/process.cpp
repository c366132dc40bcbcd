#include "port/process.hpp"

#include "system_calls.hpp"  // <windows.h>

namespace smmap::detail {

std::uint64_t current_process_id() noexcept {
  return static_cast<std::uint64_t>(::GetCurrentProcessId());
}

}  // namespace smmap::detail
