// tools/commands.hpp — the subcommands of the smmap program.
//
// Each subcommand is one function taking the arguments after its name and
// returning the exit status, plus its usage text. main.cpp lists them in its
// table; a new subcommand adds one declaration here and one row there.
//
// A subcommand throws UsageError (options.hpp) for a bad command line (exit
// status 2) and any other std::exception for a runtime failure (status 1),
// about a file in the form of errors.hpp; main() prints it with print_error().
#pragma once

#include <string>
#include <vector>

namespace smmap::tools {

using Args = std::vector<std::string>;

extern const char kScanUsage[];
int run_scan(const Args& args);

extern const char kCatUsage[];
int run_cat(const Args& args);

extern const char kBenchUsage[];
int run_bench(const Args& args);

}  // namespace smmap::tools
