#include "options.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace smmap::tools {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The shift of a unit suffix ("" → 0, "K"/"KiB"/"kb" → 10, ...), or -1.
int unit_shift(std::string_view unit) {
  if (unit.empty() || equals_ignoring_case(unit, "b")) return 0;
  static constexpr std::string_view kPrefixes = "kmgt";
  const auto prefix =
      kPrefixes.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit.front()))));
  if (prefix == std::string_view::npos) return -1;
  const std::string_view rest = unit.substr(1);
  if (!rest.empty() && !equals_ignoring_case(rest, "b") && !equals_ignoring_case(rest, "ib")) {
    return -1;
  }
  return 10 * static_cast<int>(prefix + 1);
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || stop == text.data()) return std::nullopt;
  const int shift = unit_shift(std::string_view(stop, static_cast<std::size_t>(end - stop)));
  if (shift < 0) return std::nullopt;
  if (shift > 0 && number > (UINT64_MAX >> shift)) return std::nullopt;
  return number << shift;
}

std::uint64_t parse_size_or_throw(std::string_view text, std::string_view what) {
  if (auto size = parse_size(text)) return *size;
  throw UsageError("invalid size '" + std::string(text) + "' for " + std::string(what) +
                   " (examples: 4096, 64K, 1M, 64MiB, 2G)");
}

std::uint64_t parse_count_or_throw(std::string_view text, std::string_view what,
                                   std::uint64_t min) {
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || stop != end || text.empty() || number < min) {
    throw UsageError("invalid number '" + std::string(text) + "' for " + std::string(what) +
                     " (a whole number, at least " + std::to_string(min) + ")");
  }
  return number;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  const bool whole = value == static_cast<double>(static_cast<std::uint64_t>(value));
  std::snprintf(text, sizeof text, whole ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

bool ArgScanner::next() {
  if (started_) {
    ++index_;
  } else {
    started_ = true;
  }
  if (index_ < args_.size() && !options_ended_ && args_[index_] == "--") {
    options_ended_ = true;
    ++index_;
  }
  return index_ < args_.size();
}

bool ArgScanner::is_any_option() const {
  const std::string& arg = args_[index_];
  return !options_ended_ && arg.size() > 1 && arg[0] == '-';
}

bool ArgScanner::is_option(std::string_view name) const {
  if (!is_any_option()) return false;
  const std::string_view arg = args_[index_];
  return arg == name ||
         (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
}

std::string ArgScanner::value() {
  const std::string& arg = args_[index_];
  if (const auto equals = arg.find('='); equals != std::string::npos) return arg.substr(equals + 1);
  if (index_ + 1 >= args_.size()) throw UsageError("option '" + arg + "' needs a value");
  return args_[++index_];
}

}  // namespace smmap::tools
