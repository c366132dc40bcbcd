"""Memory managers and cursors: a sliding window onto any number of files.

StaticWindowMapManager maps whole files; SlidingWindowMapManager maps windows
of at most window_size bytes. Both unmap the least recently used unused
region when a memory or handle limit is reached, and are thread-safe.
"""
from ._smmap import SlidingWindowMapManager, StaticWindowMapManager, WindowCursor
from .util import MapRegion, MapRegionList, MapWindow, is_64_bit  # noqa: F401  (as in smmap)

__all__ = ["StaticWindowMapManager", "SlidingWindowMapManager", "WindowCursor"]

for _cls in (StaticWindowMapManager, SlidingWindowMapManager, WindowCursor):
    _cls.__module__ = __name__

# smmap's configuration attributes, kept for code that reads them.
StaticWindowMapManager.MapRegionListCls = MapRegionList
StaticWindowMapManager.MapWindowCls = MapWindow
StaticWindowMapManager.MapRegionCls = MapRegion
StaticWindowMapManager.WindowCursorCls = WindowCursor
del _cls
