"""Writers give way to readers: a load or a snapshot rebuild runs at a lower CPU priority than the dashboard."""

from __future__ import annotations

import contextlib
import os
import threading

# The kernel gives a process or thread at nice 10 about a tenth of the CPU that one at 0 gets when both want it,
# and all of it when the readers are idle: a 100 000-row load slows no chart, and alone runs as fast as before.
WRITER_NICENESS = 10


def give_way_to_readers(this_thread_only: bool = False) -> None:
    """Lower the CPU priority of this process (a command-line load) or of this thread alone (a server's background
    rebuild; on Linux each thread has its own, and threads it starts, DuckDB's among them, inherit it)."""
    with contextlib.suppress(OSError, AttributeError):  # a platform without them: the work runs as before
        if this_thread_only:
            who = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, who, os.getpriority(os.PRIO_PROCESS, who) + WRITER_NICENESS)
        else:
            os.nice(WRITER_NICENESS)
