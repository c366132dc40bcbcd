from ._smmap import SlidingWindowMapManager as SlidingWindowMapManager
from ._smmap import StaticWindowMapManager as StaticWindowMapManager
from ._smmap import WindowCursor as WindowCursor
# Imported by smmap.mman as in smmap, though not in __all__.
from .util import MapRegion as MapRegion
from .util import MapRegionList as MapRegionList
from .util import MapWindow as MapWindow
from .util import is_64_bit as is_64_bit

__all__ = ["StaticWindowMapManager", "SlidingWindowMapManager", "WindowCursor"]
