#include "interrupt.hpp"

#include <csignal>

namespace smmap::tools {
namespace {

volatile std::sig_atomic_t caught_signal = 0;

extern "C" void on_signal(int signal) {
  caught_signal = signal;
}

}  // namespace

void catch_interrupts() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

void throw_if_interrupted() {
  if (caught_signal != 0) throw Interrupted(caught_signal);
}

}  // namespace smmap::tools
