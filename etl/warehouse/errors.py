"""The warehouse's exceptions: it cannot be used as asked, another process held it too long, or the disk is full."""

from __future__ import annotations

import errno

from etl.errors import AptmonError


class WarehouseError(AptmonError, RuntimeError):
    """The warehouse cannot be used as asked; the message says what to do."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse for longer than we are willing to wait."""


class DiskFull(WarehouseError):
    """The server's disk (or the account's quota) is full: the work was undone and nothing half-written kept."""

    def __init__(self, what: str = "the file"):
        super().__init__(
            f"The server's disk is full, so {what} could not be kept; nothing was changed. "
            "Tell the administrator (free some space on the server), then try again."
        )


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error is the disk (or a quota) being full: an OSError's errno, or DuckDB's or SQLite's words."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left on device" in text or "disk is full" in text or "disk quota exceeded" in text
