// tools/interrupt.hpp — Ctrl-C and SIGTERM as an exception, so that
// temporary files are removed on the way out.
//
//   catch_interrupts();          // once, in main()
//   for (...) { throw_if_interrupted(); ... }
#pragma once

#include <stdexcept>

namespace smmap::tools {

// Thrown by throw_if_interrupted(); main() exits with 128 + the signal.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signal) : std::runtime_error("interrupted"), signal_(signal) {}
  int signal() const noexcept { return signal_; }

 private:
  int signal_;
};

// Installs handlers for SIGINT and SIGTERM that only set a flag.
void catch_interrupts();

// Throws Interrupted when a signal arrived since catch_interrupts().
void throw_if_interrupted();

}  // namespace smmap::tools
