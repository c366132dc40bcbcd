#include "guarded_copy.hpp"

#include <cstring>

namespace smmap::detail {

void guarded_copy(std::byte* to, const std::byte* from, std::size_t size) {
  std::memcpy(to, from, size);
}

}  // namespace smmap::detail
