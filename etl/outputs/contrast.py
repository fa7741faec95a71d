"""Colour contrast as WCAG 2.1 defines it: which text colour stays legible on a given fill."""

from __future__ import annotations

# WCAG 2.1 AA: normal text needs a contrast ratio of at least 4.5:1 with what is behind it.
MIN_TEXT_CONTRAST = 4.5
DARK_TEXT = "#000000"
LIGHT_TEXT = "#FFFFFF"


def _channels(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))


def relative_luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour such as '#E69F00' (WCAG 2.1's definition)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (for every colour one of them reaches 4.5:1)."""
    return DARK_TEXT if contrast_ratio(DARK_TEXT, fill) >= contrast_ratio(LIGHT_TEXT, fill) else LIGHT_TEXT


def tint(colour: str, towards_white: float) -> str:
    """`colour` mixed with white: 0 leaves it as it is, 1 makes it white."""
    mixed = (round(c * 255 + (255 - c * 255) * towards_white) for c in _channels(colour))
    return "#" + "".join(f"{c:02X}" for c in mixed)
