#include "pattern.hpp"

namespace smmap::tools {

void fill_pattern(std::uint64_t seed, std::uint64_t offset, std::span<std::byte> out) noexcept {
  for (std::size_t i = 0; i < out.size();) {
    const std::uint64_t position = offset + i;
    const std::uint64_t word = splitmix64(seed + position / 8);
    for (std::uint64_t b = position % 8; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::byte>(word >> (8 * b));
    }
  }
}

}  // namespace smmap::tools
