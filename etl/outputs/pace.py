"""How a pace index is shown: two decimals, cut rather than rounded, so the figure never reaches a band's threshold
that the pace itself has not reached (docs/metrics.md).

The views band the unrounded pace (on track from 0.95, acceleration needed from 0.60). Rounded, Cambodia's
15/31 / 0.81 = 0.597 showed as "0.60" beside "limited progress", which the legend says starts below 0.60.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pandas as pd

_HUNDREDTHS = Decimal("0.01")


def pace_figure(pace: float | None) -> str:
    """The pace to two decimals, cut toward zero (0.597 -> '0.59', 0.6 -> '0.60'); '–' when the view leaves it empty.

    The cut starts from the shortest decimal that reads back as the same float (repr), not from the float's exact
    binary value: the double nearest 0.6 is a hair below 0.6, yet it equals the threshold 0.6 the view compares it
    with, so it must show as 0.60; a quotient that came out at 0.5999999999999999 is below it and shows as 0.59.
    """
    if pace is None or pd.isna(pace):
        return "–"
    return str(Decimal(repr(float(pace))).quantize(_HUNDREDTHS, rounding=ROUND_FLOOR))
