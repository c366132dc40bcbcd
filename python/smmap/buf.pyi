from ._smmap import SlidingWindowMapBuffer as SlidingWindowMapBuffer

__all__ = ["SlidingWindowMapBuffer"]
