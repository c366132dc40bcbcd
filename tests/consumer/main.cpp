// Maps this program's own file and checks that it starts like an ELF file.
#include <smmap/smmap.hpp>

#include <cstdio>

int main(int, char** argv) {
  smmap::SlidingWindowMapManager manager;
  smmap::WindowCursor cursor = manager.make_cursor(argv[0]);
  smmap::SlidingWindowMapBuffer buf(cursor);
  const bool elf = buf.size() > 4 && buf[0] == std::byte{0x7f} && buf[1] == std::byte{'E'} &&
                   buf[2] == std::byte{'L'} && buf[3] == std::byte{'F'};
  std::printf("%s\n", elf ? "consumer ok" : "consumer read the wrong bytes");
  return elf ? 0 : 1;
}
