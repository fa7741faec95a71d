"""Display labels for pillars and sections from the catalogue's own titles, shared by the dashboard and the report."""

from __future__ import annotations

import re
import textwrap

from etl.plan.catalogue import ROMAN as _NUMBER_OF_NUMERAL

# A pillar's number as the plan writes it: 3 -> 'III'.
ROMAN = {number: numeral for numeral, number in _NUMBER_OF_NUMERAL.items()}
# Words a title keeps in lower case inside it ("Deepening Political and Security Cooperation").
_MINOR_WORDS = {"And", "Of", "In", "The", "For", "To", "On", "With", "At", "By", "Or", "A", "An"}


def wrap(text: str, width: int, separator: str = "<br>") -> str:
    """Break text into lines of about `width` characters at word boundaries (plotly breaks lines at <br>)."""
    return separator.join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most `limit` characters, marking the cut with an ellipsis (hover text)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def title_words(title: str) -> str:
    """'Strengthening Peace And Stability' -> 'Strengthening Peace and Stability'."""
    words = title.split(" ")
    return " ".join(w.lower() if i and w in _MINOR_WORDS else w for i, w in enumerate(words))


def pillar_name(title: str) -> str:
    """'ECONOMIC AND FINANCIAL COOPERATION' -> 'Economic & Financial'."""
    name = re.sub(r"\bCooperation\b", "", title.title()).replace(" And ", " & ")
    return re.sub(r"\s+", " ", name).strip(" ,")


def pillar_short_name(title: str) -> str:
    """The name up to its first comma or '&': 'Environment', 'Socio-Cultural', 'Institutional Support'."""
    return re.split(r",| & ", pillar_name(title), maxsplit=1)[0].strip()


def pillar_label(pillar: str | int, title: str, limit: int | None = 30) -> str:
    """'II Economic & Financial', or the short name when the whole one is longer than `limit`: 'III Environment';
    with no limit, always the whole name (a table's header wraps it)."""
    roman = ROMAN.get(int(pillar), str(pillar))
    name = pillar_name(title)
    return f"{roman} {name if limit is None or len(name) <= limit else pillar_short_name(title)}"


def section_label(section_id: str, title: str, is_direct_group: bool, width: int | None = None) -> str:
    """'2.7 Enhancing Energy Cooperation', or '5.0 Measures directly under pillar V' for a direct group; with a
    width, wrapped onto lines of about that many characters for a chart."""
    if is_direct_group:
        pillar = int(section_id.split(".")[0])
        label = f"{section_id} Measures directly under pillar {ROMAN.get(pillar, pillar)}"
    else:
        label = f"{section_id} {title_words(title)}"
    return wrap(label, width) if width else label
