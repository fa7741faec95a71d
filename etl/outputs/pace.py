"""How a pace index is shown: to two decimals, rounded as usual, except that it is never rounded across a threshold
of the status bands, so the figure always sits in the band its status names (docs/metrics.md).

The views band the unrounded pace (on track from 0.95, acceleration needed from 0.60). Rounded plainly, Cambodia's
0.595 showed as "0.60" beside "limited progress", which the legend says starts below 0.60; it now shows as 0.59.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pandas as pd

from etl.plan.definitions import SETTING_VALUES

_HUNDREDTHS = Decimal("0.01")
# The thresholds the legend states, from the one place they are set (aptmon init writes them for the views).
THRESHOLDS = tuple(Decimal(repr(SETTING_VALUES[name])) for name in ("acceleration_pace", "on_track_pace"))


def pace_figure(pace: float | None) -> str:
    """The pace to two decimals ('1.67' for 5/3), or '–' when the view leaves it empty; a pace just below a threshold
    is cut instead of rounded up onto it (0.597 -> '0.59', not '0.60'), and one at or above it is never shown below.

    The figure starts from the shortest decimal that reads back as the same float (repr), not from the float's exact
    binary value: the double nearest 0.6 is a hair below 0.6, yet it equals the threshold the view compares it with,
    so it shows as 0.60; a quotient that came out at 0.5999999999999999 is below it and shows as 0.59.
    """
    if pace is None or pd.isna(pace):
        return "–"
    value = Decimal(repr(float(pace)))
    shown = value.quantize(_HUNDREDTHS, rounding=ROUND_HALF_UP)
    if any(value < threshold <= shown for threshold in THRESHOLDS):
        shown = value.quantize(_HUNDREDTHS, rounding=ROUND_FLOOR)
    elif any(shown < threshold <= value for threshold in THRESHOLDS):  # only for a threshold finer than 0.01
        shown = value.quantize(_HUNDREDTHS, rounding=ROUND_CEILING)
    return str(shown)
