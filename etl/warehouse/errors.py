"""The warehouse's exceptions: it cannot be used as asked, or another process held it for too long."""

from __future__ import annotations

from etl.errors import AptmonError


class WarehouseError(AptmonError, RuntimeError):
    """The warehouse cannot be used as asked; the message says what to do."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse for longer than we are willing to wait."""
