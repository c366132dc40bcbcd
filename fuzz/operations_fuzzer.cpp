// A libFuzzer target: random sequences of manager, cursor and buffer
// operations on small files, checked against a reference that reads the same
// files with pread, and against the manager's invariants:
//   - every byte a cursor or buffer shows is the file's byte at that offset;
//   - use_region() and the buffer report the offsets and sizes docs/design.md
//     promises ("Cursors", "The buffer");
//   - a read-through (docs/design.md, "Read-throughs") holds exactly the
//     bytes asked for, is the cursor's alone and no region of the manager;
//   - regions of one file entry never overlap;
//   - live regions never exceed the handle limit;
//   - after mapping, memory exceeds the limit only if every region is pinned;
//   - each region's client count is 1 + the cursors pinning it;
//   - use_region() fails only when the handle limit is reached with every
//     region pinned (EMFILE).
// Input: three bytes choose the manager, then each operation takes a byte and
// its arguments (FuzzedDataProvider).
#include <fcntl.h>
#include <unistd.h>

#include <fuzzer/FuzzedDataProvider.h>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "core/read_through_region.hpp"
#include "invariants.hpp"
#include "policy/window_costs.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace {

using smmap::MapRegion;
using smmap::MapRegionList;
using smmap::SlidingWindowMapBuffer;
using smmap::StaticWindowMapManager;
using smmap::WindowCursor;

// True when |region| is a cursor's read-through, not a region of the manager.
bool is_read_through(const MapRegion* region) {
  return dynamic_cast<const smmap::detail::ReadThroughRegion*>(region) != nullptr;
}

constexpr std::uint64_t kPage = 4096;
constexpr std::size_t kSlots = 8;

// A file and a descriptor of our own for the reference reads.
struct TestFile {
  std::filesystem::path path;
  std::uint64_t size;
  int fd;
};

smmap::testing::TempDir* directory = nullptr;
std::vector<TestFile> files;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

std::vector<std::byte> reference(const TestFile& file, std::uint64_t offset, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size == 0) return bytes;
  const ssize_t got = ::pread(file.fd, bytes.data(), size, static_cast<off_t>(offset));
  check(got == static_cast<ssize_t>(size), "reference pread");
  return bytes;
}

bool same(std::span<const std::byte> bytes, const TestFile& file, std::uint64_t offset) {
  const std::vector<std::byte> expected = reference(file, offset, bytes.size());
  return std::equal(bytes.begin(), bytes.end(), expected.begin());
}

// One cursor slot: the cursor, which file it is on, and maybe a buffer over it.
struct Slot {
  WindowCursor cursor;
  int file = -1;  // index into |files|, -1 when unassociated
  std::unique_ptr<SlidingWindowMapBuffer> buffer;

  void drop_buffer() { buffer.reset(); }
};

class Session {
 public:
  explicit Session(FuzzedDataProvider& input) : input_(input) {
    whole_files_ = input_.ConsumeBool();
    static constexpr std::int64_t kWindows[] = {-1, 0, 1, 2, 3, 4, 8, 16, 33};
    const std::int64_t pages = input_.PickValueInArray(kWindows);
    window_ = pages <= 0 ? pages : pages * static_cast<std::int64_t>(kPage);
    const std::uint64_t memory_pages = input_.ConsumeIntegralInRange<std::uint64_t>(0, 80);
    memory_ = memory_pages * kPage;  // 0: the default
    const std::uint64_t handles = input_.ConsumeIntegralInRange<std::uint64_t>(1, 9);
    handles_ = handles == 9 ? smmap::kUnlimitedHandles : handles;
    make_manager();
    manager_->set_adaptive(input_.ConsumeBool());
    pin_window_costs(input_.ConsumeBool());
  }

  void run() {
    while (input_.remaining_bytes() > 0) {
      step();
      check_invariants();
    }
    for (auto& slot : slots_) slot.drop_buffer();
  }

 private:
  void make_manager() {
    if (whole_files_) {
      manager_.emplace(window_ < 0 ? 0 : window_, memory_, handles_);
    } else {
      manager_.emplace(smmap::SlidingWindowMapManager(window_, memory_, handles_));
    }
  }

  Slot& pick_slot() { return slots_[input_.ConsumeIntegralInRange<std::size_t>(0, kSlots - 1)]; }

  std::uint64_t pick_offset(const Slot& slot) {
    const std::uint64_t size = slot.file >= 0 ? files[slot.file].size : 0;
    switch (input_.ConsumeIntegralInRange(0, 4)) {
      case 0:
        return input_.ConsumeIntegral<std::uint64_t>();
      case 1:  // around a page boundary
        return input_.ConsumeIntegralInRange<std::uint64_t>(0, 80) * kPage +
               input_.ConsumeIntegralInRange<std::uint64_t>(0, 2) - 1;
      default:
        return input_.ConsumeIntegralInRange<std::uint64_t>(0, size + 2);
    }
  }

  std::uint64_t pick_size() {
    switch (input_.ConsumeIntegralInRange(0, 3)) {
      case 0:
        return 0;
      case 1:
        return input_.ConsumeIntegral<std::uint64_t>();
      default:
        return input_.ConsumeIntegralInRange<std::uint64_t>(1, 40 * kPage);
    }
  }

  void step() {
    const std::uint64_t maps_before = manager_->stats().maps;
    bool mapping_op = false;
    Slot& slot = pick_slot();
    switch (input_.ConsumeIntegralInRange(0, 17)) {
      case 0: {  // make_cursor from a path or a descriptor
        const int file = input_.ConsumeIntegralInRange<int>(0, static_cast<int>(files.size()) - 1);
        slot.drop_buffer();
        slot.cursor = input_.ConsumeBool() ? manager_->make_cursor(files[file].path)
                                           : manager_->make_cursor(files[file].fd);
        slot.file = file;
        check(slot.cursor.is_associated() && !slot.cursor.is_valid(), "fresh cursor state");
        check(slot.cursor.file_size() == files[file].size, "file_size");
        break;
      }
      case 1:
      case 2: {  // use_region
        const std::uint64_t offset = pick_offset(slot);
        const std::uint64_t size = pick_size();
        mapping_op = true;
        use_region(slot, offset, size);
        break;
      }
      case 3:
        slot.cursor.unuse_region();
        check(!slot.cursor.is_valid(), "unuse_region leaves the cursor invalid");
        break;
      case 4: {  // copy assignment
        Slot& from = pick_slot();
        if (&from == &slot) break;
        slot.drop_buffer();
        slot.cursor.assign(from.cursor);
        slot.file = from.file;
        if (is_read_through(from.cursor.region())) {
          // A read-through is copied: the same bytes, in the copy's own memory.
          const MapRegion* copy = slot.cursor.region();
          check(is_read_through(copy) && copy != from.cursor.region() &&
                    copy->ofs_begin() == from.cursor.region()->ofs_begin() &&
                    same(copy->buffer(), files[slot.file], copy->ofs_begin()),
                "a copied read-through holds the same bytes");
        } else {
          check(slot.cursor.region() == from.cursor.region(), "copy shares the region");
        }
        break;
      }
      case 5: {  // move
        Slot& from = pick_slot();
        if (&from == &slot) break;
        slot.drop_buffer();
        from.drop_buffer();
        slot.cursor = std::move(from.cursor);
        slot.file = std::exchange(from.file, -1);
        check(!from.cursor.is_associated(), "moved-from cursor is unassociated");
        break;
      }
      case 6:  // destroy
        slot.drop_buffer();
        slot.cursor = WindowCursor();
        slot.file = -1;
        break;
      case 7:
        manager_->collect();
        break;
      case 8:
        manager_->collect_lru_region(input_.ConsumeIntegralInRange<std::uint64_t>(0, 64) * kPage);
        break;
      case 9: {  // a buffer over the slot's cursor
        const std::uint64_t offset = pick_offset(slot);
        const std::uint64_t size =
            input_.ConsumeBool() ? SlidingWindowMapBuffer::kToEnd : pick_size();
        mapping_op = true;
        begin_buffer(slot, offset, size);
        break;
      }
      case 10:
      case 11:  // buffer reads
        mapping_op = true;
        read_buffer(slot);
        break;
      case 12:
        if (slot.buffer) slot.buffer->end_access();
        break;
      case 14:  // adaptive windows on or off
        manager_->set_adaptive(input_.ConsumeBool());
        break;
      case 15: {  // a burst of small random reads, to move the detector
        const int count = input_.ConsumeIntegralInRange(1, 64);
        for (int i = 0; i < count && input_.remaining_bytes() > 0; ++i) {
          const std::uint64_t size = slot.file >= 0 ? files[slot.file].size : 1;
          const std::uint64_t maps = manager_->stats().maps;
          use_region(slot, input_.ConsumeIntegralInRange<std::uint64_t>(0, size),
                     input_.ConsumeIntegralInRange<std::uint64_t>(1, 2 * kPage));
          // Each map, not the burst: a later hit may release a region that
          // an earlier map, with every region pinned, left over the limit.
          if (manager_->stats().maps != maps) check_memory_after_map();
        }
        break;
      }
      case 16:  // the window costs, for managers that have not measured them yet
        pin_window_costs(input_.ConsumeBool());
        break;
      case 17: {  // a run of sized reads, sequential or clustered, to grow copy windows
        const int count = input_.ConsumeIntegralInRange(1, 48);
        const std::uint64_t size = input_.ConsumeIntegralInRange<std::uint64_t>(1, 2 * kPage);
        const std::uint64_t step = input_.ConsumeIntegralInRange<std::uint64_t>(0, 2 * kPage);
        std::uint64_t offset = pick_offset(slot);
        for (int i = 0; i < count && input_.remaining_bytes() > 0; ++i, offset += step) {
          const std::uint64_t maps = manager_->stats().maps;
          use_region(slot, offset, size);
          if (manager_->stats().maps != maps) check_memory_after_map();
        }
        break;
      }
      case 13:  // the manager goes first; its cursors keep working, then go
        for (auto& each : slots_) {
          if (each.cursor.is_valid() && each.file >= 0) {
            check(same(each.cursor.buffer(), files[each.file], each.cursor.ofs_begin()),
                  "bytes after the manager went");
          }
        }
        manager_.reset();
        for (auto& each : slots_) {
          if (each.file >= 0 && input_.ConsumeBool()) {
            const TestFile& file = files[each.file];
            try {
              if (file.size > 0 && each.cursor.use_region(file.size - 1).is_valid()) {
                check(same(each.cursor.buffer(), file, file.size - 1), "orphaned cursor bytes");
              }
            } catch (const std::system_error& error) {
              // The old manager's handle limit, every region pinned.
              check(error.code() == std::errc::too_many_files_open, error.what());
            }
          }
          each.drop_buffer();
          each.cursor = WindowCursor();
          each.file = -1;
        }
        make_manager();
        return;
    }
    if (mapping_op && manager_->stats().maps != maps_before) check_memory_after_map();
  }

  // The machine's window costs as adaptive windows see them (measured, they
  // would depend on the machine): mapping a window pays, or it does not.
  static void pin_window_costs(bool mapping_pays) {
    smmap::detail::override_window_costs(
        mapping_pays ? smmap::detail::WindowCosts{.map_ns = 1, .copy_ns = 2}
                     : smmap::detail::WindowCosts{.map_ns = 2, .copy_ns = 1});
  }

  void use_region(Slot& slot, std::uint64_t offset, std::uint64_t size) {
    slot.drop_buffer();
    WindowCursor& cursor = slot.cursor;
    const MapRegion* before = cursor.region();
    const std::uint64_t before_begin = before != nullptr ? before->ofs_begin() : 0;
    const std::uint64_t before_end = before != nullptr ? before->ofs_end() : 0;
    try {
      cursor.use_region(offset, size);
    } catch (const std::system_error& error) {
      expected_failure(error);
      check(!cursor.is_valid(), "invalid after a failed use_region");
      return;
    }
    if (slot.file < 0) {
      check(!cursor.is_valid(), "unassociated cursor became valid");
      return;
    }
    const TestFile& file = files[slot.file];
    if (offset >= file.size) {
      check(!cursor.is_valid(), "valid past the end");
      return;
    }
    check(cursor.is_valid(), "invalid inside the file");
    const MapRegion* region = cursor.region();
    check(region->includes_ofs(offset), "region holds the offset");
    const std::uint64_t window = manager_->window_size() ? manager_->window_size() : file.size;
    const std::uint64_t wanted = std::min(size ? size : file.size, window);
    check(cursor.ofs_begin() == offset, "ofs_begin");
    check(cursor.size() == std::min(wanted, region->ofs_end() - offset), "size");
    check(same(cursor.buffer(), file, offset), "cursor bytes");
    check(same(cursor.map(), file, region->ofs_begin()), "region bytes");
    check(region->ofs_end() <= file.size, "region inside the file");
    if (is_read_through(region)) {
      // Read now: exactly the bytes asked for. Or a hit on the bytes the
      // cursor read through before, which hold the offset.
      const bool read_now =
          region->ofs_begin() == offset && region->size() == std::min(wanted, file.size - offset);
      const bool hit = region == before && region->ofs_begin() == before_begin &&
                       region->ofs_end() == before_end && before_begin <= offset &&
                       offset < before_end;
      check(read_now || hit, "a read-through holds exactly the bytes asked for");
      check(size != 0 || hit, "a request without a size was read through");
      check(region->client_count() == 1, "a read-through is the cursor's alone");
    }
    // A request without a size gets a mapped window, unless the cursor or
    // another one already held a copy window there.
    if (size == 0 && region->is_copy()) {
      check(region == before || region->client_count() > 2, "size-0 request got a copy window");
    }
  }

  void begin_buffer(Slot& slot, std::uint64_t offset, std::uint64_t size) {
    slot.drop_buffer();
    slot.buffer = std::make_unique<SlidingWindowMapBuffer>();
    bool ok = false;
    try {
      ok = slot.buffer->begin_access(slot.cursor, offset, size);
    } catch (const std::system_error& error) {
      expected_failure(error);
      slot.drop_buffer();
      return;
    }
    const std::uint64_t file_size = slot.file >= 0 ? files[slot.file].size : 0;
    check(ok == (slot.file >= 0 && offset < file_size), "begin_access result");
    if (ok) check(slot.buffer->size() == std::min(size, file_size - offset), "buffer size");
    if (!ok) check(slot.buffer->size() == 0, "failed buffer is empty");
  }

  void read_buffer(Slot& slot) {
    if (!slot.buffer || slot.file < 0) return;
    SlidingWindowMapBuffer& buffer = *slot.buffer;
    const TestFile& file = files[slot.file];
    const std::uint64_t index =
        input_.ConsumeBool() ? input_.ConsumeIntegral<std::uint64_t>()
                             : input_.ConsumeIntegralInRange<std::uint64_t>(0, buffer.size() + 1);
    try {
      if (input_.ConsumeBool()) {
        if (index >= buffer.size()) {
          bool threw = false;
          try {
            buffer[index];
          } catch (const std::out_of_range&) {
            threw = true;
          }
          check(threw, "operator[] out of range");
          return;
        }
        check(buffer[index] == reference(file, buffer.offset() + index, 1)[0], "operator[]");
        return;
      }
      std::vector<std::byte> out(input_.ConsumeIntegralInRange<std::size_t>(0, 48 * kPage));
      const std::size_t got = buffer.read(index, out);
      const std::uint64_t expected =
          index >= buffer.size() ? 0 : std::min<std::uint64_t>(out.size(), buffer.size() - index);
      check(got == expected, "read count");
      check(same(std::span(out).first(got), file, buffer.offset() + index), "read bytes");
    } catch (const std::system_error& error) {
      expected_failure(error);
    }
  }

  // Regions of the manager pinned by the slots' cursors, with how many
  // cursors pin each (a read-through is no region of the manager).
  std::map<const MapRegion*, int> pinned() const {
    std::map<const MapRegion*, int> count;
    for (const auto& slot : slots_) {
      const MapRegion* region = slot.cursor.region();
      if (region != nullptr && !is_read_through(region)) ++count[region];
    }
    return count;
  }

  // A failure is allowed only at the handle limit with every region pinned.
  void expected_failure(const std::system_error& error) {
    if (error.code() != std::errc::too_many_files_open) fail(std::string("error: ") + error.what());
    check(manager_->num_file_handles() >= manager_->max_file_handles(),
          "EMFILE below the handle limit");
    check(pinned().size() == manager_->num_file_handles(), "EMFILE with an unpinned region");
  }

  void check_memory_after_map() {
    if (manager_->mapped_memory_size() <= manager_->max_mapped_memory_size()) return;
    check(pinned().size() == manager_->num_file_handles(),
          "over the memory limit with an unpinned region");
  }

  // The manager's own consistency check (the library is built with
  // SMMAP_CHECK_INVARIANTS, so it also runs inside every operation), then
  // what the fuzzer can see from outside.
  void check_invariants() {
    try {
      smmap::testing::check_invariants(*manager_);
    } catch (const std::logic_error& broken) {
      fail(broken.what());
    }
    const std::size_t live = manager_->num_file_handles();
    check(live <= manager_->max_file_handles(), "handle limit");
    const auto pins = pinned();
    check(pins.size() <= live, "more pinned regions than live ones");
    std::uint64_t pinned_bytes = 0;
    std::map<const MapRegionList*, std::vector<const MapRegion*>> by_file;
    for (const auto& [region, cursors] : pins) {
      check(region->client_count() == 1 + cursors, "client count");
      pinned_bytes += region->size();
      for (const auto& slot : slots_) {
        if (slot.cursor.region() == region) {
          by_file[slot.cursor.region_list()].push_back(region);
          break;
        }
      }
    }
    check(pinned_bytes <= manager_->mapped_memory_size(), "mapped bytes count pinned regions");
    for (const auto& [list, regions] : by_file) {
      for (std::size_t i = 0; i < regions.size(); ++i) {
        for (std::size_t j = i + 1; j < regions.size(); ++j) {
          check(regions[i]->ofs_end() <= regions[j]->ofs_begin() ||
                    regions[j]->ofs_end() <= regions[i]->ofs_begin(),
                "regions of one file overlap");
        }
      }
    }
  }

  FuzzedDataProvider& input_;
  bool whole_files_ = false;
  std::int64_t window_ = -1;
  std::uint64_t memory_ = 0;
  std::uint64_t handles_ = 0;
  std::optional<StaticWindowMapManager> manager_;
  std::array<Slot, kSlots> slots_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  directory = new smmap::testing::TempDir();
  static constexpr std::uint64_t kSizes[] = {
      0, 1, kPage - 1, kPage, kPage + 1, 3 * kPage + 5, 17 * kPage + 100, 64 * kPage + 17};
  for (std::uint64_t size : kSizes) {
    const auto path = directory->make_file("f" + std::to_string(size), size);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open " + path.string());
    files.push_back(TestFile{path, size, fd});
  }
  std::atexit([] { delete directory; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  Session session(input);
  session.run();
  return 0;
}
