// tools/progress.hpp — a one-line progress bar on stderr.
//
// Drawn only when stderr is a terminal, so logs and pipes stay clean; it is
// redrawn at most once per percent and erased by finish() or the destructor.
//
//   ProgressBar bar("scan", total_bytes);
//   for (...) bar.advance(chunk);
//   bar.finish();
#pragma once

#include <cstdint>
#include <string>

namespace smmap::tools {

class ProgressBar {
 public:
  // |label| precedes the bar; |total| is the amount that makes 100%.
  ProgressBar(std::string label, std::uint64_t total);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  void advance(std::uint64_t amount) {
    done_ += amount;
    if (enabled_ && done_ >= next_draw_) draw();
  }
  // Erases the bar. Idempotent.
  void finish() noexcept;

 private:
  void draw();

  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::uint64_t next_draw_ = 0;
  bool enabled_;
};

}  // namespace smmap::tools
