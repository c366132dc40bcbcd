"""smmap: a sliding-window memory-map manager, backed by a C++ core.

A drop-in for the pure-Python smmap package: the same modules (smmap.mman,
smmap.util, smmap.buf, smmap.test.lib) and names. See docs/python.md for the
differences.
"""

# The project's one version (CMakeLists.txt), which the distribution's
# metadata, the C++ headers and `smmap --version` carry too; its major is
# smmap's API level (docs/design.md, "Versions and the ABI").
from ._smmap import __version__  # noqa: E402
version_info = tuple(int(part) for part in __version__.split("."))

#: True: this smmap is the C++-backed one (the pure-Python smmap lacks it).
__backend__ = "c++"

# everything is available in the root package, as in smmap
from .mman import *  # noqa: E402,F401,F403
from .buf import *  # noqa: E402,F401,F403
from .util import ALLOCATIONGRANULARITY, MapRegion, MapRegionList, MapWindow, align_to_mmap, is_64_bit  # noqa: E402,F401
from ._smmap import ManagerStats, MappedBytes  # noqa: E402,F401
