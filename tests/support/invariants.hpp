// The manager's invariants, checked from tests and the fuzzer (the check
// itself is the library's: docs/design.md, "Invariants").
#pragma once

#include <smmap/manager.hpp>

namespace smmap::testing {

// Checks |manager|'s internal consistency: regions sorted and disjoint
// inside their files, byte and region counts, the LRU list holding exactly
// the unpinned regions, the handle limit, the descriptor budget.
// Throws std::logic_error naming the first broken rule. O(regions + files).
void check_invariants(const StaticWindowMapManager& manager);

}  // namespace smmap::testing
