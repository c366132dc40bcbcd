// smmap/smmap.hpp — the whole public API of smmap for C++.
//
// A sliding-window memory-map manager: cursors onto page-aligned windows of
// files, with the least recently used unused window unmapped when a memory or
// handle limit is reached. See manager.hpp to start.
//
// Thread safety: as each header says; managers are thread-safe, cursors and
// buffers are used by one thread at a time.
//
//   #include <smmap/smmap.hpp>
//   smmap::SlidingWindowMapManager manager;
//   smmap::WindowCursor cursor = manager.make_cursor("data.bin");
//   smmap::SlidingWindowMapBuffer buf(cursor);
//   std::byte last = buf[buf.size() - 1];
#pragma once

#include "smmap/buffer.hpp"
#include "smmap/cursor.hpp"
#include "smmap/manager.hpp"
#include "smmap/region.hpp"
#include "smmap/region_list.hpp"
#include "smmap/stats.hpp"
#include "smmap/util.hpp"
#include "smmap/version.hpp"
#include "smmap/window.hpp"
