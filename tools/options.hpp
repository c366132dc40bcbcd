// tools/options.hpp — command-line parsing shared by the smmap subcommands.
//
// Sizes are a number with an optional binary unit: 4096, 64K, 1M, 64MiB,
// 256MB, 2G (K/M/G/T, optionally followed by "B" or "iB", any case, all powers
// of 1024). Options are "--name VALUE" or "--name=VALUE"; "--" ends them.
//
//   ArgScanner args(argv_of_the_subcommand);
//   while (args.next()) {
//     if (args.is_option("--window")) window = parse_size_or_throw(args.value(), "--window");
//     else files.push_back(args.positional());
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smmap::tools {

// A mistake in the command line; main() prints it and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The number of bytes |text| stands for, or nullopt when it is not a size or
// does not fit in 64 bits.
std::optional<std::uint64_t> parse_size(std::string_view text);

// parse_size(), throwing UsageError naming |what| when |text| is not a size.
std::uint64_t parse_size_or_throw(std::string_view text, std::string_view what);

// A plain decimal count; throws UsageError naming |what| unless it is >= |min|.
std::uint64_t parse_count_or_throw(std::string_view text, std::string_view what,
                                   std::uint64_t min = 0);

// "64 MiB", "1.5 KiB", "17 bytes": a size for people to read.
std::string format_size(std::uint64_t bytes);

// Walks a subcommand's arguments, telling options from positional arguments.
class ArgScanner {
 public:
  explicit ArgScanner(std::vector<std::string> args) : args_(std::move(args)) {}

  // Moves to the next argument; false at the end.
  bool next();
  // True iff the current argument is the option |name|, given as "name" or
  // "name=VALUE".
  bool is_option(std::string_view name) const;
  // True iff the current argument looks like an option (starts with '-',
  // is not "-", and "--" was not seen).
  bool is_any_option() const;
  // The option's value: after '=' or the next argument.
  // Throws UsageError when there is none.
  std::string value();
  // The current argument as a positional argument.
  const std::string& positional() const { return args_[index_]; }

 private:
  std::vector<std::string> args_;
  std::size_t index_ = 0;
  bool started_ = false;
  bool options_ended_ = false;
};

}  // namespace smmap::tools
