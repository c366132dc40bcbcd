// tools/manager_options.hpp — the options that configure a
// SlidingWindowMapManager, shared by the subcommands:
//   --window SIZE       largest window (0: whole files)
//   --max-memory SIZE   soft limit of mapped bytes (0: the library default)
//   --max-handles N     most regions alive at once
//   --adaptive on|off   adaptive windows (default: the library's)
//   --max-copy-memory SIZE  the copy budget (default: the library's)
//
//   ManagerOptions options;
//   while (args.next()) if (!options.parse(args)) ...;
//   smmap::SlidingWindowMapManager manager = options.make_manager();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <smmap/manager.hpp>

#include "options.hpp"

namespace smmap::tools {

struct ManagerOptions {
  std::optional<std::uint64_t> window;
  std::optional<std::uint64_t> max_memory;
  std::optional<std::uint64_t> max_handles;
  std::optional<bool> adaptive;
  std::optional<std::uint64_t> max_copy_memory;

  // Takes the current argument (and its value) if it is one of the options
  // above and returns true; false for any other argument.
  // Throws UsageError for a bad value.
  bool parse(ArgScanner& args);

  // Parses a whole command line that takes only these options; returns the
  // positional arguments. Throws UsageError for any other option.
  std::vector<std::string> parse_all(const std::vector<std::string>& arguments);

  // A manager with these settings; unset ones take the given defaults
  // (-1 / 0 / kUnlimitedHandles are the library's own).
  SlidingWindowMapManager make_manager(std::int64_t default_window = -1,
                                       std::uint64_t default_max_memory = 0) const;
};

// "window 1 MiB, memory limit 64 MiB, handle limit none, adaptive windows,
// copy budget 64 MiB".
std::string describe_limits(const StaticWindowMapManager& manager);

}  // namespace smmap::tools
