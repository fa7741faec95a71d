"""The product's one set of colours: the Okabe-Ito palette, the series colours and the progress status colours.

The dashboard's charts and the progress report (HTML and Word) both draw with these, so a status or a series has
the same colour wherever it is shown. Every colour that carries meaning stands at least 3:1 against white (WCAG 2.1
1.4.11) and takes black text at least 4.5:1 (1.4.3), so a chart's label on a coloured cell is always black; words
written in a status colour use its darker twin in STATUS_TEXT_COLOURS (4.5:1 on white).
"""

from __future__ import annotations

# Okabe & Ito (2008), safe for the common forms of colour blindness, each kept at its hue and saturation but moved
# into the lightness band where it stands 3:1 on white and takes black text 4.5:1 (the originals' orange, sky blue,
# yellow, reddish purple and grey were too light to stand on white, 1.3-3.1:1).
BLACK = "#000000"
WHITE = "#FFFFFF"
ORANGE = "#BA8000"
SKY_BLUE = "#1C93D6"
BLUISH_GREEN = "#009E73"
YELLOW = "#978E0C"
BLUE = "#0072B2"  # a line's colour only: too dark for black text on it (the rate scale ends on SKY_BLUE)
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#C86EA0"
GREY = "#8B8B8B"
LIGHT_GREY = "#E5E5E5"  # a background (withheld, missing): its meaning is in the words on it
VERMILLION_TEXT = "#C05500"  # vermillion words on white (a warning), 4.6:1
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

# The same statuses as words on white: each status colour darkened until it reads 4.5:1 (the report's coloured words).
STATUS_TEXT_COLOURS = {
    "on track": "#008561",
    "acceleration needed": "#9C6C00",
    "limited progress": VERMILLION_TEXT,
    "not yet due": "#177BB4",
    "no commitments": "#BB4D8A",
    "insufficient data": "#757575",
}

# A sequential scale in the palette's blue, light to mid, readable in grey print too; black labels read on all of it.
RATE_SCALE = [[0.0, "#F2F7FB"], [0.5, "#8DC4EA"], [1.0, SKY_BLUE]]


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #RRGGBB colour, 0 (black) to 1 (white)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two #RRGGBB colours, 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (a badge's text, a label on a coloured cell)."""
    return BLACK if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE) else WHITE
