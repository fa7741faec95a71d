"""Counted nouns in messages: "1 error", "2 errors", "1 activity"."""

from __future__ import annotations

_IRREGULAR = {"activity": "activities", "country": "countries", "sub-item": "sub-items", "entry": "entries"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count and the noun in the number it takes: plural(1, 'error') -> '1 error'."""
    if int(count) == 1:
        return f"{count} {singular}"
    return f"{count} {plural_form or _IRREGULAR.get(singular, singular + 's')}"
