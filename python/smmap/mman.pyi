from ._smmap import SlidingWindowMapManager as SlidingWindowMapManager
from ._smmap import StaticWindowMapManager as StaticWindowMapManager
from ._smmap import WindowCursor as WindowCursor

__all__ = ["StaticWindowMapManager", "SlidingWindowMapManager", "WindowCursor"]
