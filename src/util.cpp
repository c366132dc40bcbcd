#include "smmap/util.hpp"

#include <unistd.h>

namespace smmap {

std::string describe(const PathOrFd& source) {
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) return path->string();
  return "fd " + std::to_string(std::get<int>(source));
}

std::uint64_t allocation_granularity() noexcept {
  static const std::uint64_t granularity = [] {
    const long page = ::sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<std::uint64_t>(page) : std::uint64_t{4096};
  }();
  return granularity;
}

}  // namespace smmap
