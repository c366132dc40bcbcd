#include "smmap/version.hpp"

namespace smmap {

const char* version() noexcept {
  return SMMAP_VERSION_STRING;
}

}  // namespace smmap
