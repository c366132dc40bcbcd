#include "smmap/util.hpp"

#include "port/memory.hpp"
#include "port/open_file.hpp"

namespace smmap {

std::string describe(const PathOrFd& source) {
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) {
    return detail::path_text(*path);
  }
  return "fd " + std::to_string(std::get<int>(source));
}

std::uint64_t allocation_granularity() noexcept {
  return detail::system_allocation_granularity();
}

}  // namespace smmap
