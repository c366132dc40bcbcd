#include "util/mutex.hpp"

#include "util/check.hpp"

namespace smmap::detail {

void Mutex::assert_held() const {
  SMMAP_DCHECK(owner_.load(std::memory_order_relaxed) == std::this_thread::get_id());
}

}  // namespace smmap::detail
