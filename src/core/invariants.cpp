// ManagerCore::check_invariants(): the consistency rules of docs/design.md,
// "Invariants", checked one by one.
#include <stdexcept>
#include <string>

#include "core/manager_core.hpp"

namespace smmap::detail {
namespace {

void require(bool holds, const std::string& rule) {
  if (!holds) throw std::logic_error("smmap: manager invariant broken: " + rule);
}

// Whether |region| is one of its entry's live regions, found where its kind
// is kept.
bool is_live(const ManagedRegion& region) {
  const FileEntry& owner = region.owner();
  return region.is_copy_window() ? owner.copies().find(region.ofs_begin()) == &region
                                 : owner.regions().starting_at(region.ofs_begin()) == &region;
}

}  // namespace

void ManagerCore::check_invariants_locked() const {
  std::uint64_t bytes = 0;
  std::size_t regions = 0;
  std::size_t unpinned = 0;
  std::uint64_t copy_bytes = 0;
  std::size_t unused_copies = 0;
  std::size_t descriptors = 0;

  auto check_entry = [&](const FileEntry& entry, bool current) {
    const std::string& what = entry.description();
    require(entry.is_current() == current, what + ": current flag matches the table it is in");
    if (entry.is_released()) {
      require(!entry.file_is_open(), what + ": a released entry holds no file");
    } else if (entry.owns_descriptor()) {
      if (entry.file_is_open()) ++descriptors;
    } else {
      require(entry.file_is_open(), what + ": a caller's descriptor stays in use");
    }
    require(entry.cursors() > 0 || (current && entry.has_regions()),
            what + ": an entry with no cursor is current and has regions");
    const ManagedRegion* previous = nullptr;
    std::uint64_t copy_pages = 0;
    // Rules for a region of either kind.
    auto check_region = [&](const ManagedRegion& region, const std::string& where) {
      const std::uint64_t ofs = region.ofs_begin();
      require(&region.owner() == &entry, where + ": owned by its entry");
      require(region.size() > 0, where + ": not empty");
      require(ofs % ALLOCATIONGRANULARITY == 0, where + ": starts on the granularity");
      require(region.ofs_end() <= entry.file_size(), where + ": inside the file");
      if (limits_.largest_window == 0) {
        require(ofs == 0 && region.size() == entry.file_size(), where + ": maps the whole file");
      } else {
        require(region.size() <= limits_.largest_window + ALLOCATIONGRANULARITY,
                where + ": at most one page over the window size");
      }
      require(region.pins() >= 0, where + ": pin count not negative");
      require(!region.is_copy_window() || region.is_copy(), where + ": a copy window is a copy");
      require(!region.is_copy_window() || limits_.largest_window != 0,
              where + ": whole-file managers make no copy windows");
      require(region.uses() >= 1, where + ": served the request it was made for");
      if (region.pins() == 0) ++unpinned;
      if (region.pins() == 0 && region.is_copy_window()) ++unused_copies;
      if (region.is_copy_window()) copy_bytes += region.block_size();
      // Each page of a mapped window is in no copy window, and each page of
      // a copy window in it alone and in no mapped window: none overlap.
      for (std::uint64_t at = ofs; at < region.ofs_end(); at += ALLOCATIONGRANULARITY) {
        require(entry.copies().find(at) == (region.is_copy_window() ? &region : nullptr),
                where + ": its pages are in the page table iff it is a copy window");
        if (region.is_copy_window()) {
          ++copy_pages;
          require(entry.regions().find(at) == nullptr, where + ": no mapped window holds it");
        }
      }
      bytes += region.size();
      ++regions;
    };
    entry.regions().for_each([&](const ManagedRegion& region) {
      const std::uint64_t ofs = region.ofs_begin();
      const std::string where = what + " region at " + std::to_string(ofs);
      require(entry.regions().starting_at(ofs) == &region, what + ": indexed by its start");
      require(!region.is_copy_window(), where + ": copy windows are kept apart");
      require(previous == nullptr || previous->ofs_end() <= ofs, where + ": no overlap");
      check_region(region, where);
      previous = &region;
    });
    entry.copies().for_each([&](const ManagedRegion& region) {
      const std::string where = what + " copy window at " + std::to_string(region.ofs_begin());
      require(region.is_copy_window(), where + ": only copy windows are kept as such");
      check_region(region, where);
    });
    require(entry.copies().pages() == copy_pages,
            what + ": the page table holds the copy windows' pages and nothing else");
  };
  for (const auto& [key, entry] : current_) {
    require(key == key_of(entry->path_or_fd()), entry->description() + ": keyed by its source");
    check_entry(*entry, true);
  }
  for (const auto& entry : replaced_) check_entry(*entry, false);

  require(bytes == lru_.bytes(), "mapped bytes are the sum of the region sizes");
  require(copy_bytes == lru_.copy_bytes(), "copy window bytes are the sum of their blocks");
  require(lru_.peak_copy_bytes() >= lru_.copy_bytes(), "peak copy bytes reached the current");
  require(regions == lru_.count(), "region count is the number of regions");
  require(lru_.count() <= limits_.max_open_handles, "live regions within the handle limit");
  require(lru_.peak_bytes() >= lru_.bytes(), "peak mapped bytes reached the current");
  require(lru_.peak_count() >= lru_.count(), "peak regions reached the current");
  require(stats_.copy_windows <= stats_.copies && stats_.copies <= stats_.maps,
          "copy windows are counted among copies, copies among maps");

  // The LRU list holds exactly the unpinned regions, linked both ways.
  std::size_t linked = 0;
  const ManagedRegion* older = nullptr;
  for (const ManagedRegion* region = lru_.unused().oldest(); region != nullptr;
       region = Lru::List::newer(region)) {
    require(Lru::List::older(region) == older, "LRU links agree both ways");
    require(region->pins() == 0, "every region in the LRU list is unpinned");
    require(is_live(*region), "LRU regions are live regions");
    older = region;
    ++linked;
  }
  require(older == lru_.unused().newest(), "the LRU list ends at its newest region");
  require(linked == lru_.unused().size(), "the LRU list's size is its length");
  require(linked == unpinned, "the LRU list holds every unpinned region");

  // The list of unused copy windows holds exactly those, linked both ways.
  std::size_t copies = 0;
  const ManagedRegion* older_copy = nullptr;
  for (const ManagedRegion* region = lru_.unused_copies().oldest(); region != nullptr;
       region = Lru::CopyList::newer(region)) {
    require(Lru::CopyList::older(region) == older_copy, "copy LRU links agree both ways");
    require(region->pins() == 0 && region->is_copy_window(),
            "every region in the copy LRU list is an unused copy window");
    older_copy = region;
    ++copies;
  }
  require(copies == unused_copies, "the copy LRU list holds every unused copy window");

  // The descriptor list holds exactly the path entries with an open
  // descriptor, within the budget.
  std::size_t open = 0;
  const FileEntry* older_entry = nullptr;
  using List = Descriptors::List;
  for (const FileEntry* entry = descriptors_.list().oldest(); entry != nullptr;
       entry = List::newer(entry)) {
    require(List::older(entry) == older_entry, "descriptor links agree both ways");
    require(entry->owns_descriptor() && entry->file_is_open() && !entry->is_released(),
            entry->description() + ": listed entries hold their own descriptor");
    older_entry = entry;
    ++open;
  }
  require(open == descriptors_.open(), "the descriptor list's size is its length");
  require(open == descriptors, "the descriptor list holds every open path descriptor");
  require(open <= descriptors_.limit(), "open descriptors within the budget");
}

}  // namespace smmap::detail
