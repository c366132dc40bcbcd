// A program that uses an installed smmap: maps its own file, checks that it
// starts like an ELF file, and that the library it runs with is the version
// its headers are.
#include <smmap/smmap.hpp>

#include <cstdio>
#include <cstring>

int main(int, char** argv) {
  smmap::SlidingWindowMapManager manager;
  smmap::WindowCursor cursor = manager.make_cursor(argv[0]);
  smmap::SlidingWindowMapBuffer buf(cursor);
  const bool elf = buf.size() > 4 && buf[0] == std::byte{0x7f} && buf[1] == std::byte{'E'} &&
                   buf[2] == std::byte{'L'} && buf[3] == std::byte{'F'};
  if (!elf) {
    std::printf("consumer read the wrong bytes\n");
    return 1;
  }
  if (std::strcmp(smmap::version(), SMMAP_VERSION_STRING) != 0) {
    std::printf("consumer built with smmap %s runs with %s\n", SMMAP_VERSION_STRING,
                smmap::version());
    return 1;
  }
  std::printf("consumer ok: smmap %s, %llu map(s)\n", smmap::version(),
              static_cast<unsigned long long>(manager.stats().maps));
  return 0;
}
