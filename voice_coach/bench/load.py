"""A busy neighbour for the benchmark's `--load` run: one ordinary process keeping one core at 100%,
as a backup, a browser tab or a compile would on the little machine by the bed. It ends with the
block, and by itself after BUSY_LIMIT_S whatever happens to the benchmark."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager

BUSY_LIMIT_S = 7200


@contextmanager
def busy_core():
    spin = (f"import time\nend = time.monotonic() + {BUSY_LIMIT_S:d}\n"
            "while time.monotonic() < end:\n    pass\n")
    neighbour = subprocess.Popen([sys.executable, "-c", spin], stdin=subprocess.DEVNULL)
    try:
        yield neighbour
    finally:
        neighbour.kill()
        neighbour.wait()
