"""Helpers: alignment, architecture, windows, regions and region lists."""
import sys

from ._smmap import ALLOCATIONGRANULARITY, MapRegion, MapRegionList

__all__ = ["align_to_mmap", "is_64_bit",
           "MapWindow", "MapRegion", "MapRegionList", "ALLOCATIONGRANULARITY"]

for _cls in (MapRegion, MapRegionList):
    _cls.__module__ = __name__
del _cls


def align_to_mmap(num, round_up):
    """Aligns num to a multiple of ALLOCATIONGRANULARITY: down, or up when round_up
    is true (align_to_mmap(1, False) == 0, align_to_mmap(1, True) == ALLOCATIONGRANULARITY).
    Exact for any integer."""
    res = (num // ALLOCATIONGRANULARITY) * ALLOCATIONGRANULARITY
    if round_up and res != num:
        res += ALLOCATIONGRANULARITY
    return res


def is_64_bit():
    """True if pointers are 64 bits wide; the managers' defaults depend on it."""
    return sys.maxsize > (1 << 32) - 1


class MapWindow:
    """The arithmetic of placing a window [ofs, ofs + size): plain integers, any values."""

    __slots__ = ("ofs", "size")

    def __init__(self, offset, size):
        self.ofs = offset
        self.size = size

    def __repr__(self):
        return "MapWindow(%i, %i)" % (self.ofs, self.size)

    def __eq__(self, other):
        if not isinstance(other, MapWindow):
            return NotImplemented
        return self.ofs == other.ofs and self.size == other.size

    __hash__ = None

    @classmethod
    def from_region(cls, region):
        """The window a region occupies."""
        return cls(region.ofs_begin(), region.size())

    def ofs_end(self):
        return self.ofs + self.size

    def align(self):
        """Aligns the start down and the end up; the new window contains the old one."""
        nofs = align_to_mmap(self.ofs, False)
        self.size = align_to_mmap(self.size + (self.ofs - nofs), True)
        self.ofs = nofs

    def extend_left_to(self, window, max_size):
        """Moves the start left to where window ends, but grows to max_size at most;
        the end stays."""
        grow = min(self.ofs - window.ofs_end(), max_size - self.size)
        self.ofs -= grow
        self.size += grow

    def extend_right_to(self, window, max_size):
        """Moves the end to where window starts, but not beyond max_size in total."""
        self.size = min(window.ofs - self.ofs, max_size)
