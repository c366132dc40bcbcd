from typing import Tuple

from ._smmap import ManagerStats as ManagerStats
from ._smmap import MappedBytes as MappedBytes
from .buf import SlidingWindowMapBuffer as SlidingWindowMapBuffer
from .mman import SlidingWindowMapManager as SlidingWindowMapManager
from .mman import StaticWindowMapManager as StaticWindowMapManager
from .mman import WindowCursor as WindowCursor
from .util import ALLOCATIONGRANULARITY as ALLOCATIONGRANULARITY
from .util import MapRegion as MapRegion
from .util import MapRegionList as MapRegionList
from .util import MapWindow as MapWindow
from .util import align_to_mmap as align_to_mmap
from .util import is_64_bit as is_64_bit

version_info: Tuple[int, int, int]
__version__: str
__backend__: str
