// ManagerAccess: the shared state behind a public manager, for the library's
// own code outside the manager class — its tests, benchmarks and fuzzer
// check the invariants through it. Internal: not installed.
//
// Thread safety: that of ManagerCore.
#pragma once

#include "core/manager_core.hpp"
#include "smmap/manager.hpp"

namespace smmap::detail {

struct ManagerAccess {
  // Throws std::logic_error when |manager| was moved from.
  static ManagerCore& core(const StaticWindowMapManager& manager) { return manager.core(); }
};

}  // namespace smmap::detail
