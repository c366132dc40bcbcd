#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "options.hpp"

namespace smmap::tools {

ProgressBar::ProgressBar(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

void ProgressBar::draw() {
  constexpr int kWidth = 30;
  const std::uint64_t done = std::min(done_, total_);
  const int percent = total_ == 0 ? 100 : static_cast<int>(done * 100 / total_);
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r%s [%.*s%.*s] %3d%%  %s of %s\x1b[K", label_.c_str(), filled,
               "##############################", kWidth - filled, "                              ",
               percent, format_size(done).c_str(), format_size(total_).c_str());
  std::fflush(stderr);
  next_draw_ = total_ / 100 * static_cast<std::uint64_t>(percent + 1);
}

void ProgressBar::finish() noexcept {
  if (!enabled_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  enabled_ = false;
}

}  // namespace smmap::tools
