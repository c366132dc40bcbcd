#include "smmap/region_list.hpp"

#include "port/open_file.hpp"

namespace smmap {

MapRegionList::MapRegionList(const PathOrFd& source)
    : MapRegionList(source, detail::OpenFile(source).size()) {}

}  // namespace smmap
