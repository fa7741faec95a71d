"""The CPU priority of a load from the command line: below the dashboard's readers."""

from __future__ import annotations

import contextlib
import os

# A load from the command line shares the machine with the dashboard's readers: it runs at a lower CPU priority, so
# the kernel gives it what the readers leave (all of it on an idle machine) and a 100 000-row return slows no chart.
LOAD_NICENESS = 10


def give_way_to_readers() -> None:
    """Lower this process's CPU priority by LOAD_NICENESS (never raised back: the command ends with the load)."""
    with contextlib.suppress(OSError):  # a platform without nice: the load runs as before
        os.nice(LOAD_NICENESS)
