"""Counted nouns in messages: "1 error", "2 errors", "1 activity", "100,000 activities"."""

from __future__ import annotations

_IRREGULAR = {"activity": "activities", "country": "countries", "sub-item": "sub-items", "entry": "entries"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count, its thousands grouped as the product's other messages group them, and the noun in the number it
    takes: plural(1, 'error') -> '1 error', plural(100000, 'activity') -> '100,000 activities'."""
    number = int(count)  # a NumPy integer from a query too
    noun = singular if number == 1 else plural_form or _IRREGULAR.get(singular, singular + "s")
    return f"{number:,} {noun}"
