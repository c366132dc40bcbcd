#include "invariants.hpp"

#include "api/manager_access.hpp"

namespace smmap::testing {

void check_invariants(const StaticWindowMapManager& manager) {
  detail::ManagerAccess::core(manager).check_invariants();
}

}  // namespace smmap::testing
