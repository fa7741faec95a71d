"""The product's one set of colours: the Okabe-Ito palette, the series colours and the progress status colours.

The dashboard's charts and the progress report (HTML and Word) both draw with these, so a status or a series has
the same colour wherever it is shown.
"""

from __future__ import annotations

# Okabe & Ito (2008), safe for the common forms of colour blindness.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#E5E5E5"
PALETTE = [BLUE, ORANGE, BLUISH_GREEN, VERMILLION, SKY_BLUE, REDDISH_PURPLE, YELLOW, BLACK]

COVERAGE_COLOUR = BLUE
COMPLETION_COLOUR = BLUISH_GREEN
# Black: reddish purple (the report's colour for it before) is also the "no commitments" status colour, and a
# Delivered line in a status colour reads as that status; yellow is too faint for a line on white.
DELIVERED_COLOUR = BLACK
TARGET_COLOUR = GREY

# Progress status bands (docs/metrics.md): the order is best to worst, then the statuses that judge nothing yet
# (nothing due by the schedule, nothing taken up), then withheld.
STATUS_ORDER = ["on track", "acceleration needed", "limited progress", "not yet due", "no commitments",
                "insufficient data"]  # fmt: skip
STATUS_COLOURS = {
    "on track": BLUISH_GREEN,
    "acceleration needed": ORANGE,
    "limited progress": VERMILLION,
    "not yet due": SKY_BLUE,
    "no commitments": REDDISH_PURPLE,
    "insufficient data": GREY,
}

# A sequential scale from the palette's blue, light to dark, readable in grey print too.
RATE_SCALE = [[0.0, "#F2F7FB"], [0.5, SKY_BLUE], [1.0, BLUE]]
