"""Waiting for the machine to go quiet before a measurement: the last benchmark's processes take a while to end."""

from __future__ import annotations

import time

QUIET_IDLE_SHARE = 0.85  # of the machine's CPU time idle over one second
QUIET_SECONDS = 2  # in a row
MAX_WAIT_S = 90.0


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle and iowait count as idle


def idle_share(seconds: float = 1.0) -> float:
    """The share of CPU time the machine spent idle over the next `seconds`."""
    idle, total = _cpu_times()
    time.sleep(seconds)
    idle_after, total_after = _cpu_times()
    return (idle_after - idle) / max(total_after - total, 1)


def wait_until_quiet(max_wait_s: float = MAX_WAIT_S) -> str:
    """Wait until the machine has been mostly idle for QUIET_SECONDS seconds in a row (at most `max_wait_s`);
    says how long it waited and how idle it was, for the figure's note.

    The load average is no guide here: it decays over minutes, and a benchmark starts seconds after the last one
    ended, its server still stopping and its files still being removed.
    """
    started = time.monotonic()
    quiet = 0
    share = idle_share()
    while time.monotonic() - started < max_wait_s:
        quiet = quiet + 1 if share >= QUIET_IDLE_SHARE else 0
        if quiet >= QUIET_SECONDS:
            break
        share = idle_share()
    waited = time.monotonic() - started
    return f"after {waited:.0f} s waiting for a quiet machine ({share:.0%} idle)"


if __name__ == "__main__":
    print(wait_until_quiet())
