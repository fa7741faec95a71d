"""The Work Plan catalogue: pillars, sections, measures and sub-items parsed from the plan text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import AptmonError
from etl.paths import SEED_PLAN_FILE

DEFAULT_PLAN_ID = "apt-2013-2017"

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}

# Measures that sit directly under a pillar (4.1, all of V and VI) form one group per
# pillar in section-level metrics; it gets the id "<pillar>.0", which no real section uses.
DIRECT_GROUP_SUFFIX = ".0"

_ID_AT_START = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?\.?(?=\s|$)")
_SUB_ITEM_AT_START = re.compile(r"^\(([a-z])\)\s*")
_ROMAN_LINE = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s*(.*)$")
# A new numbered item that a copy-paste has glued onto the end of the previous one.
_RUN_TOGETHER = re.compile(r"(?<=[;.])\s+(?=\d{1,2}\.\d{1,2}(?:\.\d{1,2})?\.?\s+[A-Z])")
_SPACES = re.compile(r"\s+")


class CatalogueError(AptmonError, ValueError):
    """The plan text cannot be read as a numbered work plan."""


@dataclass
class SubItem:
    sub_item_id: str
    measure_id: str
    letter: str
    text: str


@dataclass
class Measure:
    measure_id: str
    pillar: int
    section_id: str
    ordinal: int
    text: str
    sub_items: list[SubItem] = field(default_factory=list)

    @property
    def parent_id(self) -> str:
        """The section the measure belongs to, or the pillar number for a direct measure."""
        return str(self.pillar) if self.section_id.endswith(DIRECT_GROUP_SUFFIX) else self.section_id


@dataclass
class Section:
    section_id: str
    pillar: int
    title: str
    ordinal: int
    is_direct_group: bool = False


@dataclass
class Pillar:
    pillar: int
    roman: str
    title: str


@dataclass
class Catalogue:
    plan_id: str
    title: str
    pillars: list[Pillar]
    sections: list[Section]
    measures: list[Measure]

    @property
    def sub_items(self) -> list[SubItem]:
        return [s for m in self.measures for s in m.sub_items]

    def measure(self, measure_id: str) -> Measure:
        return self._by_id()[measure_id]

    def known_ids(self) -> set[str]:
        """Every id a return may name: measures and their sub-items."""
        return {m.measure_id for m in self.measures} | {s.sub_item_id for s in self.sub_items}

    def _by_id(self) -> dict[str, Measure]:
        return {m.measure_id: m for m in self.measures}


def normalise_measure_id(raw: object) -> str:
    """Turn any way a person writes a measure id into its canonical form.

    '2.1.6.', 'Measure 2.1.6', ' 2.1.6 ' -> '2.1.6'; '3.1.2 (a)', '3.1.2a', '3.1.2.a' -> '3.1.2(a)'.
    Returns the cleaned text unchanged in shape when it is not an id, so the caller can report it.
    """
    text = _SPACES.sub(" ", str(raw if raw is not None else "")).strip()
    text = re.sub(r"^(?:measure|item|no\.?(?=\s*\d)|#)\s*", "", text, flags=re.IGNORECASE)
    match = re.fullmatch(r"(\d{1,2}(?:\s*\.\s*\d{1,2}){1,2})\s*\.?\s*(?:\(?\s*([A-Za-z])\s*\)?)?\s*\.?", text)
    if not match:
        return text
    numbers = re.sub(r"\s", "", match.group(1))
    numbers = ".".join(str(int(part)) for part in numbers.split("."))
    letter = match.group(2)
    return f"{numbers}({letter.lower()})" if letter else numbers


def parse_catalogue(text: str, plan_id: str = DEFAULT_PLAN_ID) -> Catalogue:
    """Parse a work plan written in the APT numbered style into its catalogue."""
    paragraphs = _paragraphs(text)
    title = next((p for p in paragraphs if p.strip()), "").strip()
    # A two-level id (4.3) is a section heading when the plan has three-level ids under it,
    # and a measure directly under its pillar otherwise (4.1, 5.2, 6.6).
    section_ids = {f"{m.group(1)}.{m.group(2)}" for p in paragraphs if (m := _ID_AT_START.match(p)) and m.group(3)}

    pillars: list[Pillar] = []
    sections: list[Section] = []
    measures: list[Measure] = []
    current_pillar: Pillar | None = None
    current_section: Section | None = None
    current_item: Measure | SubItem | None = None
    awaiting_pillar_title = False

    for paragraph in paragraphs:
        if awaiting_pillar_title and current_pillar is not None:
            current_pillar.title = paragraph.strip()
            awaiting_pillar_title = False
            continue
        if roman := _ROMAN_LINE.match(paragraph):
            current_pillar = Pillar(ROMAN[roman.group(1)], roman.group(1), roman.group(2).strip())
            pillars.append(current_pillar)
            awaiting_pillar_title = not current_pillar.title
            current_section, current_item = None, None
            continue
        if current_pillar is None:
            continue  # preamble before pillar I
        if id_match := _ID_AT_START.match(paragraph):
            major, minor, third = (int(g) if g else None for g in id_match.groups())
            body = paragraph[id_match.end() :].strip()
            if major != current_pillar.pillar:
                raise CatalogueError(f"item {id_match.group(0)} appears under pillar {current_pillar.roman}")
            if third is None and f"{major}.{minor}" in section_ids:
                current_section = Section(f"{major}.{minor}", major, body, len(sections) + 1)
                sections.append(current_section)
                current_item = None
                continue
            if third is None:
                current_section = _direct_group(sections, current_pillar)
                measure_id = f"{major}.{minor}"
            else:
                if current_section is None or current_section.section_id != f"{major}.{minor}":
                    raise CatalogueError(f"measure {major}.{minor}.{third} appears before its section heading")
                measure_id = f"{major}.{minor}.{third}"
            current_item = Measure(measure_id, major, current_section.section_id, len(measures) + 1, body)
            measures.append(current_item)
            continue
        if sub := _SUB_ITEM_AT_START.match(paragraph):
            parent = measures[-1] if measures and current_item is not None else None
            if parent is None:
                raise CatalogueError(f"sub-item ({sub.group(1)}) has no measure above it")
            letter = sub.group(1)
            current_item = SubItem(f"{parent.measure_id}({letter})", parent.measure_id, letter, paragraph[sub.end() :])
            parent.sub_items.append(current_item)
            continue
        # A paragraph with no number continues the item above it (a stray blank line split it).
        if current_item is not None:
            current_item.text = f"{current_item.text} {paragraph}"

    for measure in measures:
        measure.text = _clean(measure.text)
        for sub_item in measure.sub_items:
            sub_item.text = _clean(sub_item.text)
    if not measures:
        raise CatalogueError("no numbered measures found")
    return Catalogue(plan_id, title, pillars, sections, measures)


def load_catalogue(path: Path | str = SEED_PLAN_FILE, plan_id: str = DEFAULT_PLAN_ID) -> Catalogue:
    """Read and parse the plan text at `path`."""
    return parse_catalogue(Path(path).read_text(encoding="utf-8"), plan_id)


def _direct_group(sections: list[Section], pillar: Pillar) -> Section:
    group_id = f"{pillar.pillar}{DIRECT_GROUP_SUFFIX}"
    for section in sections:
        if section.section_id == group_id:
            return section
    group = Section(group_id, pillar.pillar, f"{pillar.title.title()} (measures directly under the pillar)", 0, True)
    sections.append(group)
    return group


def _paragraphs(text: str) -> list[str]:
    """Split into logical paragraphs: one per line, with glued-together items pulled apart."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [part for line in lines if line for part in _RUN_TOGETHER.split(line)]


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
