"""The country an analyst's pages open on: their own, when the address names none."""

from __future__ import annotations

import pandas as pd

from dashboard.security import auth


def own_country(countries: pd.DataFrame) -> str | None:
    """The signed-in user's country (an analyst's) when it is one of the 13, else None."""
    country = getattr(auth.signed_in_user(), "country", None)
    return country if country in set(countries.iso3) else None
