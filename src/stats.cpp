#include "smmap/stats.hpp"

#include <ostream>

namespace smmap {

std::ostream& operator<<(std::ostream& out, const ManagerStats& stats) {
  return out << "cursor hits: " << stats.cursor_hits << '\n'
             << "region hits: " << stats.region_hits << '\n'
             << "maps: " << stats.maps << '\n'
             << "copies (read with pread): " << stats.copies << '\n'
             << "copy windows (adaptive): " << stats.copy_windows << '\n'
             << "switches to copy windows: " << stats.switches_to_copy << '\n'
             << "switches to mapped windows: " << stats.switches_to_map << '\n'
             << "unmaps by eviction: " << stats.unmaps_by_eviction << '\n'
             << "unmaps by collect: " << stats.unmaps_by_collect << '\n'
             << "map retries: " << stats.map_retries << '\n'
             << "peak mapped bytes: " << stats.peak_mapped_bytes << '\n'
             << "peak regions: " << stats.peak_regions << '\n'
             << "replaced files: " << stats.replaced_files << '\n';
}

}  // namespace smmap
