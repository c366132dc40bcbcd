#include "smmap/stats.hpp"

#include <ostream>

namespace smmap {

std::ostream& operator<<(std::ostream& out, const ManagerStats& stats) {
  for (const ManagerStatsField& field : kManagerStatsFields) {
    out << field.label << ": " << stats.*field.member << '\n';
  }
  return out;
}

}  // namespace smmap
