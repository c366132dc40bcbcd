#include "util/errors.hpp"

#include <string>
#include <system_error>

namespace smmap::detail {

void throw_system_error(int err, std::string_view operation, std::string_view file,
                        std::uint64_t offset, std::uint64_t size) {
  std::string message(operation);
  message += " '";
  message += file;
  message += "'";
  if (size != 0) {
    message += " at offset " + std::to_string(offset) + " size " + std::to_string(size);
  }
  throw std::system_error(err, std::generic_category(), message);
}

}  // namespace smmap::detail
