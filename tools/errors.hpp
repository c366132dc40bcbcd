// tools/errors.hpp — how the smmap command reports errors: in one form, the
// library's own.
//
// Every error is one line on standard error, "smmap: <message>". An error
// about a file reads as the library's std::system_error messages do
// ("mmap 'x.pack' at offset 4096 size 65536: Cannot allocate memory"):
//
//   <operation> '<file>'[ at offset N][ size M]: <reason>
//
// Commands throw such errors (throw_error) or let the library's through, and
// print_error() writes whatever they end in:
//
//   throw_error({.operation = "read", .file = path, .offset = offset}, "past the end of the file");
//   ...
//   catch (const std::exception& error) { print_error(error); }
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace smmap::tools {

// What was being done to which file, and where in it.
struct FileOperation {
  std::string operation;  // "read", "mmap", "write"...
  std::string file;       // as the library names it: the path, or "fd N"
  std::optional<std::uint64_t> offset = std::nullopt;
  std::optional<std::uint64_t> size = std::nullopt;

  // "<operation> '<file>'[ at offset N][ size M]".
  std::string describe() const;
  // describe() + ": " + |reason|.
  std::string message(std::string_view reason) const;
};

// The name of |path| in messages: the library's (smmap::describe), which is
// UTF-8 on Windows.
std::string file_name(const std::filesystem::path& path);

// Throws std::runtime_error("<where>: <reason>"), for failures that have no
// errno (a file too short, a wrong checksum).
[[noreturn]] void throw_error(const FileOperation& where, std::string_view reason);

// Throws std::system_error(|err|), "<where>: <the system's text for err>".
[[noreturn]] void throw_error(const FileOperation& where, int err);

// The line to print for |error|: its message on one line. A
// std::filesystem::filesystem_error gets the form above too
// ("<operation> '<path>': <reason>") instead of the standard library's.
std::string error_message(const std::exception& error);

// Flushes standard output, then writes "smmap: <message>" on one line to
// standard error.
void print_error(std::string_view message) noexcept;
void print_error(const std::exception& error) noexcept;

}  // namespace smmap::tools
