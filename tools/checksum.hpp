// tools/checksum.hpp — the checksum `smmap scan` prints: 64-bit FNV-1a.
//
// FNV-1a, 64 bits: start from 0xcbf29ce484222325; for each byte, xor it in
// and multiply by 0x100000001b3 (mod 2^64). Printed as 16 lower-case hex
// digits. Simple enough to recompute anywhere (tools/tests do it in Python).
//
//   Fnv1a64 hash;
//   hash.update(bytes);
//   std::string hex = to_hex(hash.value());
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace smmap::tools {

class Fnv1a64 {
 public:
  static constexpr std::uint64_t kOffsetBasis = 0xcbf29ce484222325ULL;
  static constexpr std::uint64_t kPrime = 0x100000001b3ULL;

  void update(std::span<const std::byte> bytes) noexcept {
    std::uint64_t hash = hash_;
    for (std::byte b : bytes) hash = (hash ^ static_cast<std::uint8_t>(b)) * kPrime;
    hash_ = hash;
  }
  std::uint64_t value() const noexcept { return hash_; }

 private:
  std::uint64_t hash_ = kOffsetBasis;
};

// 16 lower-case hex digits.
inline std::string to_hex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4)
    text[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return text;
}

}  // namespace smmap::tools
