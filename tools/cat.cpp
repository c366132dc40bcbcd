// smmap cat — writes bytes of a file to stdout, read through a
// SlidingWindowMapManager.
#include <unistd.h>
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include <algorithm>
#include <cerrno>
#include <vector>

#include <smmap/smmap.hpp>

#include "commands.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "manager_options.hpp"

namespace smmap::tools {

const char kCatUsage[] =
    "Usage: smmap cat [--window SIZE] [--max-memory SIZE] [--max-handles N] "
    "[--adaptive on|off] [--max-copy-memory SIZE] FILE [OFFSET "
    "[LENGTH]]\n"
    "\n"
    "Writes LENGTH bytes of FILE starting at OFFSET to standard output, read\n"
    "through a sliding-window manager. OFFSET defaults to 0 and LENGTH to the\n"
    "rest of the file; both take sizes (4096, 64K, 1M). A LENGTH past the end\n"
    "stops at the end; an OFFSET past the end is an error.\n"
    "\n"
    "  --window SIZE       largest window (default: 1 GiB; 0: whole files)\n"
    "  --max-memory SIZE   soft limit of mapped bytes (default: 8 GiB)\n"
    "  --max-handles N     most windows mapped at once (default: no limit)\n"
    "  --adaptive on|off   adaptive windows: copy windows where they cost less\n"
    "                      (default: on)\n"
    "  --max-copy-memory SIZE  the most bytes copy windows hold (default: 64 MiB;\n"
    "                      16 MiB on 32-bit)\n";

namespace {

void write_all(std::span<const std::byte> bytes) {
#ifdef _WIN32
  // Bytes as they are, not text with line ends translated.
  static const int binary = ::_setmode(STDOUT_FILENO, _O_BINARY);
  (void)binary;
#endif
  while (!bytes.empty()) {
    const std::size_t chunk = std::min<std::size_t>(bytes.size(), 1 << 30);
    const auto wrote = ::write(STDOUT_FILENO, bytes.data(), static_cast<unsigned>(chunk));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) throw_error({.operation = "write", .file = "standard output"}, errno);
    bytes = bytes.subspan(static_cast<std::size_t>(wrote));
  }
}

}  // namespace

int run_cat(const Args& arguments) {
  ManagerOptions options;
  const std::vector<std::string> positional = options.parse_all(arguments);
  if (positional.empty()) throw UsageError("cat needs a FILE");
  if (positional.size() > 3) throw UsageError("too many arguments for cat");
  const std::string& path = positional[0];
  const std::uint64_t offset =
      positional.size() > 1 ? parse_size_or_throw(positional[1], "OFFSET") : 0;
  std::uint64_t length = positional.size() > 2 ? parse_size_or_throw(positional[2], "LENGTH")
                                               : SlidingWindowMapBuffer::kToEnd;

  SlidingWindowMapManager manager = options.make_manager();
  WindowCursor cursor = manager.make_cursor(std::filesystem::path(path));
  const std::uint64_t file_size = cursor.file_size();
  if (offset > file_size) {
    throw_error({.operation = "read", .file = path, .offset = offset},
                "past the end of the file (" + std::to_string(file_size) + " bytes)");
  }
  length = std::min(length, file_size - offset);
  if (length == 0) return 0;

  SlidingWindowMapBuffer buffer(cursor, offset, length);
  std::vector<std::byte> chunk(std::size_t{1} << 16);
  for (std::uint64_t done = 0; done < buffer.size();) {
    throw_if_interrupted();
    const std::size_t got = buffer.read(done, chunk);
    if (got == 0) {
      throw_error({.operation = "read",
                   .file = path,
                   .offset = offset + done,
                   .size = std::min<std::uint64_t>(chunk.size(), buffer.size() - done)},
                  "unexpected end of file");
    }
    write_all(std::span(chunk.data(), got));
    done += got;
  }
  return 0;
}

}  // namespace smmap::tools
