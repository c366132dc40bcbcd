#include "manager_options.hpp"

#include <limits>

namespace smmap::tools {

bool ManagerOptions::parse(ArgScanner& args) {
  if (args.is_option("--window")) {
    window = parse_size_or_throw(args.value(), "--window");
    if (*window > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw UsageError("--window is too large");
    }
  } else if (args.is_option("--max-memory")) {
    max_memory = parse_size_or_throw(args.value(), "--max-memory");
  } else if (args.is_option("--max-handles")) {
    max_handles = parse_count_or_throw(args.value(), "--max-handles", 1);
  } else if (args.is_option("--adaptive")) {
    const std::string text = args.value();
    if (text != "on" && text != "off") throw UsageError("--adaptive takes on or off");
    adaptive = text == "on";
  } else if (args.is_option("--max-copy-memory")) {
    max_copy_memory = parse_size_or_throw(args.value(), "--max-copy-memory");
  } else {
    return false;
  }
  return true;
}

std::vector<std::string> ManagerOptions::parse_all(const std::vector<std::string>& arguments) {
  std::vector<std::string> positional;
  ArgScanner args(arguments);
  while (args.next()) {
    if (parse(args)) continue;
    if (args.is_any_option()) throw UsageError("unknown option '" + args.positional() + "'");
    positional.push_back(args.positional());
  }
  return positional;
}

SlidingWindowMapManager ManagerOptions::make_manager(std::int64_t default_window,
                                                     std::uint64_t default_max_memory) const {
  SlidingWindowMapManager manager(window ? static_cast<std::int64_t>(*window) : default_window,
                                  max_memory.value_or(default_max_memory),
                                  max_handles.value_or(kUnlimitedHandles));
  if (adaptive) manager.set_adaptive(*adaptive);
  if (max_copy_memory) manager.set_max_copy_memory(*max_copy_memory);
  return manager;
}

std::string describe_limits(const StaticWindowMapManager& manager) {
  const std::uint64_t window = manager.window_size();
  const std::uint64_t handles = manager.max_file_handles();
  return "window " + (window == 0 ? std::string("whole files") : format_size(window)) +
         ", memory limit " + format_size(manager.max_mapped_memory_size()) + ", handle limit " +
         (handles == kUnlimitedHandles ? std::string("none") : std::to_string(handles)) +
         (manager.adaptive()
              ? ", adaptive windows, copy budget " + format_size(manager.max_copy_memory())
              : ", adaptive windows off");
}

}  // namespace smmap::tools
