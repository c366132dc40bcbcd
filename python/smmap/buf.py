"""SlidingWindowMapBuffer: a bytes-like view of a file, crossing windows.

Indices are relative to the buffer's offset: buf[0] is the byte at the offset
given to the constructor or to begin_access().
"""
from ._smmap import SlidingWindowMapBuffer

__all__ = ["SlidingWindowMapBuffer"]

SlidingWindowMapBuffer.__module__ = __name__
