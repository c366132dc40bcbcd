// smmap — the command-line program: reads files through a
// SlidingWindowMapManager. See docs/cli.md.
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>

#include "commands.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "options.hpp"
#include "smmap/version.hpp"

namespace smmap::tools {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  const char* usage;
  int (*run)(const Args& args);
};

int help(const Args& args);

constexpr char kHelpUsage[] =
    "Usage: smmap help [COMMAND]\n"
    "\n"
    "Prints the list of commands, or the usage of COMMAND. The same as\n"
    "`smmap --help` and `smmap COMMAND --help`.\n";

constexpr Command kCommands[] = {
    {"scan", "read files through a sliding-window manager; print checksums and statistics",
     kScanUsage, run_scan},
    {"cat", "write bytes of a file to stdout, read through the manager", kCatUsage, run_cat},
    {"bench", "compare the manager with pread and plain mmap on the same reads", kBenchUsage,
     run_bench},
    {"help", "show this text, or `smmap help COMMAND` for one command", kHelpUsage, help},
};

const Command* find_command(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void print_usage(std::FILE* out) {
  std::fputs(
      "Usage: smmap COMMAND [ARGUMENTS...]\n"
      "\n"
      "Reads files through smmap's sliding-window memory-map manager.\n"
      "\n"
      "Commands:\n",
      out);
  for (const Command& command : kCommands) {
    std::fprintf(out, "  %-8.*s%.*s\n", static_cast<int>(command.name.size()), command.name.data(),
                 static_cast<int>(command.summary.size()), command.summary.data());
  }
  std::fputs(
      "\n"
      "`smmap --version` prints the version.\n"
      "Sizes take binary units: 4096, 64K, 1M, 64MiB, 2G.\n"
      "Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n",
      out);
}

// The library's version, which is the command's (one version for the whole
// project); a program run with another shared library than it was built
// with says both.
void print_version() {
  std::printf("smmap %s\n", smmap::version());
  if (std::string_view(smmap::version()) != SMMAP_VERSION_STRING) {
    std::printf("built with the headers of smmap %s\n", SMMAP_VERSION_STRING);
  }
}

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h";
}

int help(const Args& args) {
  if (args.empty()) {
    print_usage(stdout);
    return 0;
  }
  if (args.size() > 1) throw UsageError("help takes one COMMAND; see 'smmap --help'");
  // `smmap help --help` is `smmap help help`.
  const Command* command = find_command(is_help(args[0]) ? "help" : args[0]);
  if (command == nullptr) throw UsageError("no command '" + args[0] + "'; see 'smmap --help'");
  std::fputs(command->usage, stdout);
  return 0;
}

int dispatch(const Args& args) {
  if (args.empty()) {
    print_usage(stderr);
    return 2;
  }
  const std::string& name = args[0];
  const Args rest(args.begin() + 1, args.end());
  if (is_help(name)) return help({});
  if (name == "--version") {
    if (rest.size() > 0) throw UsageError("--version takes no arguments");
    print_version();
    return 0;
  }
  if (name == "help") return help(rest);
  const Command* command = find_command(name);
  if (command == nullptr) throw UsageError("no command '" + name + "'; see 'smmap --help'");
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (is_help(arg)) {
      std::fputs(command->usage, stdout);
      return 0;
    }
  }
  try {
    return command->run(rest);
  } catch (const UsageError& error) {
    throw UsageError(std::string(error.what()) + "; see 'smmap help " + name + "'");
  }
}

}  // namespace
}  // namespace smmap::tools

int main(int argc, char** argv) {
  using namespace smmap::tools;
  catch_interrupts();
  const Args args(argv + 1, argv + argc);
  int status = 1;
  try {
    status = dispatch(args);
  } catch (const UsageError& error) {
    print_error(error);
    return 2;
  } catch (const Interrupted& error) {
    print_error(error);
    return 128 + error.signal();
  } catch (const std::exception& error) {
    print_error(error);
    return 1;
  } catch (...) {
    print_error("unexpected error");
    return 1;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error(std::system_error(
        errno, std::generic_category(),
        FileOperation{.operation = "write", .file = "standard output"}.describe()));
    return 1;
  }
  return status;
}
