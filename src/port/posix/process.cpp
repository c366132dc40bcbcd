#include "port/process.hpp"

#include <unistd.h>

namespace smmap::detail {

std::uint64_t current_process_id() noexcept {
  return static_cast<std::uint64_t>(::getpid());
}

}  // namespace smmap::detail
