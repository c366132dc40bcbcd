// The manager's region components on their own, with plain objects standing
// in for its regions: RegionIndex (src/core/region_index.hpp), one file's
// regions by offset; PageTable (src/core/page_table.hpp), its copy windows
// by page; CopyWindows (src/core/copy_windows.hpp), its copy windows kept
// apart from the rest; RegionLru (src/core/region_lru.hpp), the live
// regions counted with the unused ones in eviction order; and NodePool
// (src/util/node_pool.hpp), the nodes of the regions' maps. EvictionTest and
// PlacementTest check the same rules through managers.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/copy_windows.hpp"
#include "core/page_table.hpp"
#include "core/region_index.hpp"
#include "core/region_lru.hpp"
#include "util/node_pool.hpp"

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace smmap::detail {
namespace {

// A region of the index: [begin, begin + size).
struct Span {
  Span(std::uint64_t ofs, std::uint64_t length) : begin(ofs), size(length) {}
  std::uint64_t ofs_begin() const { return begin; }
  std::uint64_t ofs_end() const { return begin + size; }
  std::uint64_t begin;
  std::uint64_t size;
};

class RegionIndexComponentTest : public ::testing::Test {
 protected:
  // Regions [100, 200), [300, 350) and [500, 600) of a 1000-byte file.
  RegionIndexComponentTest() {
    for (const auto& [begin, size] : {std::pair{300, 50}, {100, 100}, {500, 100}}) {
      index_.emplace(begin, begin, size);
    }
  }

  std::vector<std::uint64_t> starts() {
    std::vector<std::uint64_t> found;
    index_.for_each([&](Span& span) { found.push_back(span.begin); });
    return found;
  }

  NodePool nodes_;
  RegionIndex<Span> index_{nodes_, 1000};
};

TEST_F(RegionIndexComponentTest, FindsTheRegionHoldingAnOffset) {
  EXPECT_EQ(index_.find(99), nullptr);
  EXPECT_EQ(index_.find(100)->begin, 100u);
  EXPECT_EQ(index_.find(199)->begin, 100u);
  EXPECT_EQ(index_.find(200), nullptr);
  EXPECT_EQ(index_.find(349)->begin, 300u);
  EXPECT_EQ(index_.find(350), nullptr);
  EXPECT_EQ(index_.find(599)->begin, 500u);
  EXPECT_EQ(index_.find(999), nullptr);
  EXPECT_EQ(index_.starting_at(300)->size, 50u);
  EXPECT_EQ(index_.starting_at(301), nullptr);
}

TEST_F(RegionIndexComponentTest, GapsRunFromTheRegionBeforeToTheRegionAfterOrTheFileEnds) {
  const auto gap = [&](std::uint64_t offset) {
    const Gap found = index_.gap_at(offset);
    return std::pair{found.begin, found.end};
  };
  EXPECT_EQ(gap(0), (std::pair<std::uint64_t, std::uint64_t>{0, 100}));
  EXPECT_EQ(gap(250), (std::pair<std::uint64_t, std::uint64_t>{200, 300}));
  EXPECT_EQ(gap(400), (std::pair<std::uint64_t, std::uint64_t>{350, 500}));
  EXPECT_EQ(gap(600), (std::pair<std::uint64_t, std::uint64_t>{600, 1000}));
  EXPECT_EQ(gap(999), (std::pair<std::uint64_t, std::uint64_t>{600, 1000}));
}

TEST_F(RegionIndexComponentTest, KeepsRegionsInOffsetOrderWhateverTheInsertionOrder) {
  EXPECT_EQ(starts(), (std::vector<std::uint64_t>{100, 300, 500}));
  // Inserted into the gap a lookup found, as a miss does.
  EXPECT_EQ(index_.find(250), nullptr);
  index_.emplace(200, 200, 100);
  EXPECT_EQ(starts(), (std::vector<std::uint64_t>{100, 200, 300, 500}));
  EXPECT_EQ(index_.size(), 4u);
}

TEST_F(RegionIndexComponentTest, ErasesWhatItIsToldAndCanEraseWhileWalking) {
  index_.erase(*index_.find(300));
  EXPECT_EQ(starts(), (std::vector<std::uint64_t>{100, 500}));
  index_.for_each([&](Span& span) { index_.erase(span); });
  EXPECT_TRUE(index_.empty());
  EXPECT_EQ(index_.first(), nullptr);
}

// A region of the LRU: a size (its block's too), a kind, a pin count and links.
struct Counted {
  explicit Counted(std::uint64_t size, bool copy = false) : bytes(size), copy_window(copy) {}
  std::uint64_t size() const { return bytes; }
  bool is_copy_window() const { return copy_window; }
  std::uint64_t block_size() const { return bytes; }
  int pins() const { return pin_count; }
  void set_pins(int pins) { pin_count = pins; }
  std::uint64_t bytes;
  bool copy_window;
  int pin_count = 1;
  LruLinks<Counted> links;
  LruLinks<Counted> copy_links;
};
using Lru = RegionLru<Counted, &Counted::links, &Counted::copy_links>;

TEST(RegionLruComponentTest, CountsRegionsBytesAndPeaks) {
  Lru lru(1000, 10, 1000);
  Counted a(100), b(300);
  lru.added(&a);
  lru.added(&b);
  EXPECT_EQ(lru.count(), 2u);
  EXPECT_EQ(lru.bytes(), 400u);
  lru.unpin(&b);
  lru.removed(&b);
  EXPECT_EQ(lru.count(), 1u);
  EXPECT_EQ(lru.bytes(), 100u);
  EXPECT_EQ(lru.peak_count(), 2u);
  EXPECT_EQ(lru.peak_bytes(), 400u);
}

TEST(RegionLruComponentTest, EvictsTheUnusedInTheOrderTheirLastPinWasReleased) {
  Lru lru(1000, 10, 1000);
  std::array<Counted, 3> regions{Counted(1), Counted(1), Counted(1)};
  for (Counted& region : regions) lru.added(&region);
  EXPECT_EQ(lru.coldest(), nullptr);  // every one is in use
  lru.unpin(&regions[2]);
  lru.unpin(&regions[0]);
  lru.unpin(&regions[1]);
  EXPECT_EQ(lru.coldest(), &regions[2]);
  // Used again, a region leaves the list and rejoins it as the newest.
  lru.pin(&regions[2]);
  EXPECT_EQ(regions[2].pins(), 1);
  EXPECT_EQ(lru.coldest(), &regions[0]);
  lru.unpin(&regions[2]);
  lru.removed(&regions[0]);
  EXPECT_EQ(lru.coldest(), &regions[1]);
  lru.removed(&regions[1]);
  EXPECT_EQ(lru.coldest(), &regions[2]);
}

TEST(RegionLruComponentTest, NamesAVictimOnlyWhenTheIncomingBytesWouldNotFit) {
  Lru lru(1000, 10, 1000);
  Counted a(600), b(300);
  lru.added(&a);
  lru.added(&b);
  lru.unpin(&a);
  EXPECT_EQ(lru.over_memory(100), nullptr);  // 900 + 100 fits exactly
  EXPECT_EQ(lru.over_memory(101), &a);
  EXPECT_EQ(lru.over_memory(2000), &a);  // larger than the limit: evict what can be
  lru.removed(&a);
  EXPECT_EQ(lru.over_memory(2000), nullptr);  // soft: the used region stays
}

TEST(RegionLruComponentTest, NamesAVictimAtTheHandleLimitOnly) {
  Lru lru(1000, 2, 1000);
  Counted a(1), b(1);
  lru.added(&a);
  EXPECT_FALSE(lru.at_handle_limit());
  EXPECT_EQ(lru.over_handles(), nullptr);
  lru.added(&b);
  EXPECT_TRUE(lru.at_handle_limit());
  EXPECT_EQ(lru.over_handles(), nullptr);  // hard, but nothing can go
  lru.unpin(&b);
  EXPECT_EQ(lru.over_handles(), &b);
}

TEST(RegionLruComponentTest, CopyWindowsHaveABudgetOfTheirOwnAndEvictOnlyCopyWindows) {
  Lru lru(1000, 10, 300);
  Counted mapped(100), old_copy(200, true), new_copy(100, true);
  for (Counted* region : {&mapped, &old_copy, &new_copy}) lru.added(region);
  EXPECT_EQ(lru.copy_bytes(), 300u);
  EXPECT_EQ(lru.peak_copy_bytes(), 300u);
  EXPECT_FALSE(lru.copy_fits(1));
  EXPECT_EQ(lru.over_copy_budget(1), nullptr);  // every copy window in use
  lru.unpin(&mapped);
  lru.unpin(&new_copy);
  lru.unpin(&old_copy);
  // The mapped region is the coldest of all, but never a victim of the budget.
  EXPECT_EQ(lru.coldest(), &mapped);
  EXPECT_EQ(lru.over_copy_budget(1), &new_copy);
  EXPECT_EQ(lru.over_copy_budget(0), nullptr);
  lru.pin(&new_copy);  // in use again: off the list
  EXPECT_EQ(lru.over_copy_budget(1), &old_copy);
  lru.removed(&old_copy);
  EXPECT_EQ(lru.copy_bytes(), 100u);
  EXPECT_TRUE(lru.copy_fits(200));
  EXPECT_FALSE(lru.copy_fits(201));
  lru.set_max_copy_bytes(50);
  lru.unpin(&new_copy);
  EXPECT_EQ(lru.over_copy_budget(0), &new_copy);
  EXPECT_FALSE(lru.copy_fits(std::uint64_t{1} << 63));
}

TEST(PageTableComponentTest, FindsEveryPageOfAWindowAndNoneAfterItGoes) {
  PageTable<Span> table;
  Span first(0, 3), second(10, 1);
  table.insert(0, 3, &first);
  table.insert(10, 1, &second);
  EXPECT_EQ(table.pages(), 4u);
  for (std::uint64_t page : {0, 1, 2}) EXPECT_EQ(table.find(page), &first) << page;
  EXPECT_EQ(table.find(10), &second);
  for (std::uint64_t page : {3, 9, 11}) EXPECT_EQ(table.find(page), nullptr) << page;
  table.erase(0, 3);
  for (std::uint64_t page : {0, 1, 2}) EXPECT_EQ(table.find(page), nullptr) << page;
  EXPECT_EQ(table.find(10), &second);
  EXPECT_EQ(table.pages(), 1u);
}

TEST(PageTableComponentTest, AgreesWithAMapThroughGrowthAndDeletionsInLongRuns) {
  // Windows of 1 to 8 pages over few pages, so probe runs are long, wrap
  // around the table and are cut by deletions; checked against a map after
  // every step.
  std::mt19937_64 random(7);
  PageTable<Span> table;
  std::map<std::uint64_t, Span*> model;  // first page of each window
  std::vector<std::unique_ptr<Span>> spans;
  auto holder = [&](std::uint64_t page) -> Span* {
    auto after = model.upper_bound(page);
    if (after == model.begin()) return nullptr;
    Span* span = std::prev(after)->second;
    return page < span->ofs_end() ? span : nullptr;
  };
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t page = random() % 600;
    const std::uint64_t pages = 1 + random() % 8;
    if (Span* span = holder(page)) {
      table.erase(span->begin, span->size);
      model.erase(span->begin);
    } else {
      auto after = model.upper_bound(page);
      const std::uint64_t end =
          std::min(page + pages, after == model.end() ? page + pages : after->first);
      spans.push_back(std::make_unique<Span>(page, end - page));
      table.insert(page, end - page, spans.back().get());
      model.emplace(page, spans.back().get());
    }
    if (step % 97 == 0) {
      std::size_t pages_held = 0;
      for (const auto& [first, span] : model) pages_held += span->size;
      ASSERT_EQ(table.pages(), pages_held);
      for (std::uint64_t at = 0; at < 610; ++at) ASSERT_EQ(table.find(at), holder(at)) << at;
    }
  }
}

// A copy window standing in for the manager's: bytes [ofs, ofs + size),
// counted alive while constructed; |fail| makes its constructor throw.
struct CopySpan {
  CopySpan(std::uint64_t ofs, std::uint64_t bytes, int& alive, bool fail = false)
      : begin(ofs), length(bytes), alive_count(alive) {
    if (fail) throw std::runtime_error("no copy");
    ++alive_count;
  }
  ~CopySpan() { --alive_count; }
  std::uint64_t ofs_begin() const { return begin; }
  std::uint64_t ofs_end() const { return begin + length; }
  std::uint64_t size() const { return length; }
  std::uint64_t begin;
  std::uint64_t length;
  int& alive_count;
  LruLinks<CopySpan> links;
};
using Copies = CopyWindows<CopySpan, &CopySpan::links>;
const std::uint64_t kG = ALLOCATIONGRANULARITY;

TEST(CopyWindowsComponentTest, FindsWindowsByOffsetAndReusesTheNodesOfThoseErased) {
  NodePool nodes;
  int alive = 0;
  {
    Copies copies(nodes);
    CopySpan& one = copies.emplace(0, kG, alive);
    CopySpan& three = copies.emplace(10 * kG, 3 * kG, alive);
    CopySpan& tail = copies.emplace(20 * kG, 100, alive);  // the file's end, in part of a page
    EXPECT_EQ(alive, 3);
    EXPECT_EQ(copies.size(), 3u);
    EXPECT_EQ(copies.pages(), 5u);
    EXPECT_EQ(copies.find(0), &one);
    EXPECT_EQ(copies.find(kG - 1), &one);
    EXPECT_EQ(copies.find(kG), nullptr);
    for (std::uint64_t at : {10 * kG, 11 * kG + 7, 13 * kG - 1}) EXPECT_EQ(copies.find(at), &three);
    EXPECT_EQ(copies.find(13 * kG), nullptr);
    EXPECT_EQ(copies.find(20 * kG + 99), &tail);
    // Erased, a window's pages are free and its node serves the next one.
    copies.erase(three);
    EXPECT_EQ(alive, 2);
    EXPECT_EQ(copies.find(11 * kG), nullptr);
    EXPECT_EQ(copies.pages(), 2u);
    CopySpan& again = copies.emplace(5 * kG, kG, alive);
    EXPECT_EQ(static_cast<void*>(&again), static_cast<void*>(&three));
    // Listed oldest first; a walk may erase the window it is given.
    std::vector<std::uint64_t> seen;
    copies.for_each([&](CopySpan& window) {
      seen.push_back(window.ofs_begin());
      if (window.ofs_begin() == 20 * kG) copies.erase(window);
    });
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, 20 * kG, 5 * kG}));
    EXPECT_EQ(copies.size(), 2u);
    EXPECT_EQ(copies.first(), &one);
  }
  EXPECT_EQ(alive, 0);  // the rest went with the windows
}

TEST(CopyWindowsComponentTest, AWindowThatCannotBeMadeLeavesNothingBehind) {
  NodePool nodes;
  int alive = 0;
  Copies copies(nodes);
  CopySpan& kept = copies.emplace(0, kG, alive);
  EXPECT_THROW(copies.emplace(4 * kG, 2 * kG, alive, true), std::runtime_error);
  EXPECT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies.pages(), 1u);
  EXPECT_EQ(copies.find(4 * kG), nullptr);
  EXPECT_EQ(copies.first(), &kept);
  EXPECT_EQ(alive, 1);
}

TEST(CopyWindowsComponentTest, FindsTheFirstPageHeldAndTheFreeGapAroundAnOffset) {
  NodePool nodes;
  int alive = 0;
  Copies copies(nodes);
  // Nothing held: every gap stays as it is.
  EXPECT_EQ(copies.first_held(0, 50 * kG), 50 * kG);
  Gap whole = copies.free_around(7 * kG, Gap{0, 100 * kG}, 8 * kG);
  EXPECT_EQ(whole.begin, 0u);
  EXPECT_EQ(whole.end, 100 * kG);
  copies.emplace(4 * kG, 2 * kG, alive);  // pages 4 and 5
  copies.emplace(9 * kG, kG, alive);      // page 9
  EXPECT_EQ(copies.first_held(0, 50 * kG), 4 * kG);
  EXPECT_EQ(copies.first_held(6 * kG, 50 * kG), 9 * kG);
  EXPECT_EQ(copies.first_held(6 * kG, 9 * kG), 9 * kG);  // none before the end
  EXPECT_EQ(copies.first_held(10 * kG, 50 * kG), 50 * kG);
  // Between them: from the end of one to the start of the other.
  Gap between = copies.free_around(7 * kG + 100, Gap{0, 100 * kG}, 8 * kG);
  EXPECT_EQ(between.begin, 6 * kG);
  EXPECT_EQ(between.end, 9 * kG);
  // A narrower gap stays narrower.
  Gap narrow = copies.free_around(7 * kG + 100, Gap{7 * kG, 8 * kG}, 8 * kG);
  EXPECT_EQ(narrow.begin, 7 * kG);
  EXPECT_EQ(narrow.end, 8 * kG);
  // Windows beyond the reach are not looked for.
  Gap near = copies.free_around(7 * kG + 100, Gap{0, 100 * kG}, kG);
  EXPECT_EQ(near.begin, 0u);
  EXPECT_EQ(near.end, 100 * kG);
  // Before every window, and after them all.
  Gap first = copies.free_around(kG, Gap{0, 100 * kG}, 8 * kG);
  EXPECT_EQ(first.begin, 0u);
  EXPECT_EQ(first.end, 4 * kG);
  Gap last = copies.free_around(12 * kG, Gap{0, 100 * kG}, 8 * kG);
  EXPECT_EQ(last.begin, 10 * kG);
  EXPECT_EQ(last.end, 100 * kG);
}

TEST(CopyWindowsComponentTest, ProbingAndWalkingAgreeWithAModelOfEveryPage) {
  // Ranges shorter than the count of windows are probed page by page, longer
  // ones found by walking the windows: both against a page-by-page model.
  std::mt19937_64 random(11);
  NodePool nodes;
  int alive = 0;
  Copies copies(nodes);
  constexpr std::uint64_t kPages = 400;
  std::vector<CopySpan*> holder(kPages, nullptr);
  for (int step = 0; step < 3000; ++step) {
    const std::uint64_t page = random() % kPages;
    if (CopySpan* window = holder[page]) {
      for (std::uint64_t at = window->begin / kG; at < window->ofs_end() / kG; ++at) {
        holder[at] = nullptr;
      }
      copies.erase(*window);
    } else if (random() % 3 != 0) {
      std::uint64_t end = page + 1;
      while (end < kPages && end < page + 1 + random() % 4 && holder[end] == nullptr) ++end;
      CopySpan& made = copies.emplace(page * kG, (end - page) * kG, alive);
      for (std::uint64_t at = page; at < end; ++at) holder[at] = &made;
    }
    // A free page, and a gap and reach around it.
    const std::uint64_t free = random() % kPages;
    if (holder[free] != nullptr) continue;
    const std::uint64_t reach = (random() % 200) * kG;
    const Gap gap{(random() % (free + 1)) * kG, (free + 1 + random() % (kPages - free)) * kG};
    const std::uint64_t offset = free * kG + random() % kG;
    std::uint64_t want_begin = gap.begin;
    for (std::uint64_t at = free; at-- > 0 && at * kG >= gap.begin && free - at <= reach / kG;) {
      if (holder[at] != nullptr) {
        want_begin = (at + 1) * kG;
        break;
      }
    }
    std::uint64_t want_end = gap.end;
    for (std::uint64_t at = free + 1; at * kG < std::min(gap.end, offset + reach); ++at) {
      if (holder[at] != nullptr) {
        want_end = at * kG;
        break;
      }
    }
    const Gap found = copies.free_around(offset, gap, reach);
    ASSERT_EQ(found.begin, want_begin) << step;
    ASSERT_EQ(found.end, want_end) << step;
    // From any page, held or not, to the gap's end.
    const std::uint64_t from = random() % kPages;
    const std::uint64_t first = from * kG;
    const std::uint64_t last = std::max(gap.end, first);
    std::uint64_t want_held = last;
    for (std::uint64_t at = from; at * kG < last; ++at) {
      if (holder[at] != nullptr) {
        want_held = at * kG;
        break;
      }
    }
    ASSERT_EQ(copies.first_held(first, last), want_held) << step;
  }
  EXPECT_GT(copies.size(), 20u);  // long enough for both ways to be taken
}

TEST(NodePoolComponentTest, HandsOutNodesInOrderAndTouchesOnlyThePagesHandedOut) {
  NodePool pool;
  constexpr std::size_t kAlign = alignof(std::max_align_t);
  const std::size_t slot = (40 + kAlign - 1) / kAlign * kAlign;
  std::vector<std::byte*> nodes;
  for (int i = 0; i < 100; ++i) {
    nodes.push_back(static_cast<std::byte*>(pool.allocate(40)));
    std::fill_n(nodes.back(), 40, std::byte{0x5a});  // as a container builds its node
  }
  ASSERT_EQ(reinterpret_cast<std::uintptr_t>(nodes[0]) % kChunkSize, 0u);  // a chunk's start
  for (std::size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(nodes[i], nodes[0] + i * slot) << i;
  // Nodes given back go out again first, the last given back first.
  pool.deallocate(nodes[5], 40);
  pool.deallocate(nodes[7], 40);
  EXPECT_EQ(pool.allocate(40), nodes[7]);
  EXPECT_EQ(pool.allocate(40), nodes[5]);
  std::byte* const last = static_cast<std::byte*>(pool.allocate(40));
  EXPECT_EQ(last, nodes[99] + slot);
  std::fill_n(last, 40, std::byte{0x5a});
  // A chunk holds as many whole nodes as fit; the next starts a new chunk.
  NodePool filled;
  auto* const first = static_cast<std::byte*>(filled.allocate(40));
  std::byte* in_first = first;
  for (std::size_t i = 1; i < kChunkSize / slot; ++i) {
    in_first = static_cast<std::byte*>(filled.allocate(40));
  }
  EXPECT_LE(in_first + slot, first + kChunkSize);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(filled.allocate(40)) % kChunkSize, 0u);
#ifdef __linux__
  // Of the chunk, only the pages of the nodes handed out are in memory: the
  // pool writes none of the others.
  // (Where every fitting anonymous mapping gets a large page, or under an
  // emulator, the count says nothing.)
  std::ifstream large_pages("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string mode((std::istreambuf_iterator<char>(large_pages)),
                         std::istreambuf_iterator<char>());
  if (mode.find("[always]") != std::string::npos || std::getenv("SMMAP_TEST_EMULATED")) {
    GTEST_SKIP() << "large pages for every mapping, or an emulator";
  }
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident(kChunkSize / page);
  ASSERT_EQ(::mincore(nodes[0], kChunkSize, resident.data()), 0);
  const auto in_memory =
      std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; });
  EXPECT_EQ(static_cast<std::size_t>(in_memory), (101 * slot + page - 1) / page);
#endif
}

}  // namespace
}  // namespace smmap::detail
