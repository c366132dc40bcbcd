// Reads records at random offsets of a file through a sliding manager with a
// small memory limit, the way a pack-file reader would, and prints what the
// manager did.
//
//   smmap_example_random_reads FILE [READS]
#include <smmap/smmap.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " FILE [READS]\n";
    return 2;
  }
  const long reads = argc > 2 ? std::atol(argv[2]) : 100000;
  try {
    // 1 MiB windows, at most 16 MiB mapped at once.
    smmap::SlidingWindowMapManager manager(1 << 20, 16 << 20);
    smmap::WindowCursor cursor = manager.make_cursor(argv[1]);
    if (cursor.file_size() == 0) {
      std::cerr << argv[1] << ": empty file\n";
      return 1;
    }
    std::mt19937_64 random(1);
    std::uint64_t sum = 0;
    for (long i = 0; i < reads; ++i) {
      const std::uint64_t offset = random() % cursor.file_size();
      // 64 bytes, or fewer at the end of a window or of the file.
      for (std::byte b : cursor.use_region(offset, 64).buffer())
        sum += std::to_integer<unsigned>(b);
    }
    cursor.unuse_region();
    std::cout << "byte sum: " << sum << '\n' << manager.stats();
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
