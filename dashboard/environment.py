"""Settings an operator gives the server through the environment: numbers with a default, and on/off flags."""

from __future__ import annotations

import os


def env_number(name: str, default: float) -> float:
    """$name as a number; the default when it is unset, blank or not a number (a typo must not stop the server)."""
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def env_flag(name: str) -> bool:
    """Whether $name is set to a yes (1, true, yes, on; any case)."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
