"""The SIGBUS handler that turns reads of a truncated file into OSError(EIO)
keeps working when Python's faulthandler is enabled after the first read, as
test runners do. faulthandler's handler then runs first: it prints its report
("Fatal Python error: Bus error"), puts smmap's back and raises again, and the
read raises OSError(EIO). Run in a fresh interpreter: in this one pytest
enabled faulthandler before smmap's first read."""
import os
import subprocess
import sys

from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

CHILD = r"""
import errno, faulthandler, os, sys
from smmap import SlidingWindowMapBuffer, SlidingWindowMapManager
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

path = sys.argv[1]
buf = SlidingWindowMapBuffer(SlidingWindowMapManager().make_cursor(path))
assert buf[5 * G] == file_bytes(8 * G)[5 * G]  # the first guarded read
faulthandler.enable()  # installs its SIGBUS handler over smmap's
os.truncate(path, G)
for read in (lambda: buf[5 * G], lambda: buf[0:6 * G], lambda: buf[6 * G]):
    try:
        read()
    except OSError as error:
        print("errno", errno.errorcode[error.errno], flush=True)
print("alive", buf[10] == file_bytes(20)[10], flush=True)
"""


def test_truncated_read_raises_eio_after_faulthandler_enable(tmp_path):
    path = tmp_path / "shrinking"
    path.write_bytes(file_bytes(8 * G))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    child = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split("\n") == ["errno EIO"] * 3 + ["alive True", ""], child.stderr
