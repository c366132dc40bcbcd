#include "errors.hpp"

#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <smmap/util.hpp>

namespace smmap::tools {

std::string FileOperation::describe() const {
  std::string text = operation + " '" + file + "'";
  if (offset) text += " at offset " + std::to_string(*offset);
  if (size) text += " size " + std::to_string(*size);
  return text;
}

std::string file_name(const std::filesystem::path& path) {
  return smmap::describe(PathOrFd(path));
}

std::string FileOperation::message(std::string_view reason) const {
  return describe() + ": " + std::string(reason);
}

void throw_error(const FileOperation& where, std::string_view reason) {
  throw std::runtime_error(where.message(reason));
}

void throw_error(const FileOperation& where, int err) {
  throw std::system_error(err, std::generic_category(), where.describe());
}

namespace {

// The standard library's "filesystem error: cannot get file size: No such
// file or directory [x]" as "cannot get file size 'x': No such file or
// directory".
std::string filesystem_message(const std::filesystem::filesystem_error& error) {
  std::string_view what = error.what();
  constexpr std::string_view kPrefix = "filesystem error: ";
  if (what.starts_with(kPrefix)) what.remove_prefix(kPrefix.size());
  const std::string reason = error.code().message();
  const std::size_t end = what.find(": " + reason);
  if (end == std::string_view::npos) return error.what();
  const std::string operation(what.substr(0, end));
  if (error.path1().empty()) return operation + ": " + reason;
  return FileOperation{.operation = operation, .file = file_name(error.path1())}.message(reason);
}

}  // namespace

std::string error_message(const std::exception& error) {
  if (const auto* filesystem = dynamic_cast<const std::filesystem::filesystem_error*>(&error)) {
    return filesystem_message(*filesystem);
  }
  return error.what();
}

void print_error(std::string_view message) noexcept {
  std::fflush(stdout);
  std::fputs("smmap: ", stderr);
  for (const char c : message) std::fputc(c == '\n' || c == '\r' ? ' ' : c, stderr);
  std::fputc('\n', stderr);
}

void print_error(const std::exception& error) noexcept {
  try {
    print_error(error_message(error));
  } catch (...) {
    print_error(error.what());
  }
}

}  // namespace smmap::tools
