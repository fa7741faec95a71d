"""Short display labels for pillars, sections and countries, derived from the catalogue's own titles."""

from __future__ import annotations

import re

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def pillar_name(title: str) -> str:
    """'ECONOMIC AND FINANCIAL COOPERATION' -> 'Economic & Financial'."""
    name = re.sub(r"\bCooperation\b", "", title.title()).replace(" And ", " & ")
    return re.sub(r"\s+", " ", name).strip(" ,")


def pillar_label(pillar: str | int, title: str, limit: int = 30) -> str:
    """'II Economic & Financial': the Roman numeral and a short name."""
    roman = ROMAN.get(int(pillar), str(pillar))
    return f"{roman} {shorten(pillar_name(title), limit)}"


def section_label(section_id: str, title: str, is_direct_group: bool, limit: int = 42) -> str:
    """'2.7 Enhancing Energy Cooperation', or '5.0 Measures directly under pillar V' for a direct group."""
    if is_direct_group:
        pillar = int(section_id.split(".")[0])
        return f"{section_id} Measures directly under pillar {ROMAN.get(pillar, pillar)}"
    return f"{section_id} {shorten(title, limit)}"
