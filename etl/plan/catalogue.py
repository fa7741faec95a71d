"""The Work Plan catalogue: pillars, sections, measures and sub-items parsed from the plan text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import AptmonError
from etl.plan.plans import SEED_PLAN

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}

# Measures that sit directly under a pillar (4.1, all of V and VI) form one group per
# pillar in section-level metrics; it gets the id "<pillar>.0", which no real section uses.
DIRECT_GROUP_SUFFIX = ".0"

_ID_AT_START = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?\.?(?=\s|$)")
# A lettered sub-item: "(a) ..." or "a) ...".
_SUB_ITEM_AT_START = re.compile(r"^\(?([a-z])\)\s*")
_ROMAN_LINE = re.compile(r"^(?i:pillar\s+)?(I|II|III|IV|V|VI|VII|VIII|IX|X)[.:]\s*(.*)$")
# A new numbered item (or lettered sub-item) that a copy-paste has glued onto the end of the previous one.
_NEXT_ID = r"(?=\d{1,2}\.\d{1,2}(?:\.\d{1,2})?\.?\s+[A-Z])"
_RUN_TOGETHER = re.compile(rf"(?<=[;:])\s*{_NEXT_ID}|(?<=\.)\s+{_NEXT_ID}|(?<=[;:,])\s+(?=\([a-z]\)\s)")
_SPACES = re.compile(r"\s+")
# Page furniture a PDF-to-text copy leaves between paragraphs: "Page 3 of 12", "- 3 -", "3", "3/12".
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-\u2013\u2014]?\s*\d{1,3}\s*(?:(?:of|/)\s*\d{1,3})?\s*[-\u2013\u2014]?$", re.IGNORECASE
)
# Footnote markers glued to a word ("Convention\u00b9", "Convention[2]") and the footnotes' own lines.
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_FOOTNOTE_MARKER = re.compile(rf"(?<=[\w\)\.,;:])(?:[{_SUPERSCRIPTS}]+|\[\d{{1,2}}\])")
_FOOTNOTE_LINE = re.compile(rf"^(?:[{_SUPERSCRIPTS}]+|\[\d{{1,2}}\])\s*\S")
# A line repeated this often, numbered nowhere, is a running page header or footer.
_RUNNING_LINE_REPEATS = 3


class CatalogueError(AptmonError, ValueError):
    """The plan text cannot be read as a numbered work plan."""


@dataclass
class SubItem:
    sub_item_id: str
    measure_id: str
    letter: str
    text: str
    line: int = 0  # where the text starts, for messages


@dataclass
class Measure:
    measure_id: str
    pillar: int
    section_id: str
    ordinal: int
    text: str
    sub_items: list[SubItem] = field(default_factory=list)
    line: int = 0  # where the text starts, for messages

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
    # The plan's timeframe, when known (the warehouse's plans table, or the seed plan's entry); the text has none.
    first_year: int | None = None
    last_year: int | None = None

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


def parse_catalogue(text: str, plan_id: str = SEED_PLAN.plan_id) -> Catalogue:
    """Parse a work plan written in the APT numbered style into its catalogue.

    A CatalogueError names the line (1-based, in `text`) it stopped at."""
    paragraphs = _paragraphs(text)
    title = next((p for _, p in paragraphs if p.strip()), "").strip()
    # A two-level id (4.3) is a section heading when the plan has three-level ids under it,
    # and a measure directly under its pillar otherwise (4.1, 5.2, 6.6).
    section_ids = {f"{m.group(1)}.{m.group(2)}" for _, p in paragraphs if (m := _ID_AT_START.match(p)) and m.group(3)}

    pillars: list[Pillar] = []
    sections: list[Section] = []
    measures: list[Measure] = []
    seen: dict[str, int] = {}  # measure or section id -> the line it was first given on
    current_pillar: Pillar | None = None
    current_section: Section | None = None
    current_item: Measure | SubItem | None = None
    awaiting_pillar_title = False

    for line, paragraph in paragraphs:
        if awaiting_pillar_title and current_pillar is not None:
            current_pillar.title = paragraph.strip()
            awaiting_pillar_title = False
            continue
        if roman := _ROMAN_LINE.match(paragraph):
            current_pillar = Pillar(ROMAN[roman.group(1)], roman.group(1), roman.group(2).strip())
            if any(p.pillar == current_pillar.pillar for p in pillars):
                raise CatalogueError(f"line {line}: pillar {roman.group(1)} appears a second time")
            pillars.append(current_pillar)
            awaiting_pillar_title = not current_pillar.title
            current_section, current_item = None, None
            continue
        if current_pillar is None:
            continue  # preamble before pillar I
        if id_match := _ID_AT_START.match(paragraph):
            major, minor, third = (int(g) if g else None for g in id_match.groups())
            body = paragraph[id_match.end() :].strip()
            given = id_match.group(0)
            if major != current_pillar.pillar:
                raise CatalogueError(f"line {line}: item {given} appears under pillar {current_pillar.roman}")
            item_id = f"{major}.{minor}" if third is None else f"{major}.{minor}.{third}"
            if item_id in seen:
                raise CatalogueError(f"line {line}: {item_id} repeats (first on line {seen[item_id]})")
            seen[item_id] = line
            if third is None and item_id in section_ids:
                current_section = Section(item_id, major, body, len(sections) + 1)
                sections.append(current_section)
                current_item = None
                continue
            if third is None:
                current_section = _direct_group(sections, current_pillar)
            elif current_section is None or current_section.section_id != f"{major}.{minor}":
                raise CatalogueError(f"line {line}: measure {item_id} appears before its section heading")
            current_item = Measure(item_id, major, current_section.section_id, len(measures) + 1, body, line=line)
            measures.append(current_item)
            continue
        if sub := _SUB_ITEM_AT_START.match(paragraph):
            parent = measures[-1] if measures and current_item is not None else None
            if parent is None:
                raise CatalogueError(f"line {line}: sub-item ({sub.group(1)}) has no measure above it")
            letter = sub.group(1)
            if any(item.letter == letter for item in parent.sub_items):
                raise CatalogueError(f"line {line}: {parent.measure_id}({letter}) repeats")
            current_item = SubItem(
                f"{parent.measure_id}({letter})", parent.measure_id, letter, paragraph[sub.end() :], line=line
            )
            parent.sub_items.append(current_item)
            continue
        # A paragraph with no number continues the item above it (the line wrapped, or a blank line split it).
        if current_item is not None:
            current_item.text = _continue(current_item.text, paragraph)

    for measure in measures:
        measure.text = _clean(measure.text)
        for sub_item in measure.sub_items:
            sub_item.text = _clean(sub_item.text)
    if not measures:
        raise CatalogueError(
            f"no numbered measures found in {len(text.splitlines())} lines (a measure starts a line with its id, "
            "e.g. 2.1.6, under a pillar line such as 'II.')"
        )
    return Catalogue(plan_id, title, pillars, sections, measures)


def load_catalogue(path: Path | str | None = None, plan_id: str = SEED_PLAN.plan_id) -> Catalogue:
    """Read and parse the plan text at `path` (the seed plan's text and years by default)."""
    catalogue = parse_catalogue(Path(path or SEED_PLAN.source).read_text(encoding="utf-8"), plan_id)
    if path is None and plan_id == SEED_PLAN.plan_id:
        catalogue.first_year, catalogue.last_year = SEED_PLAN.first_year, SEED_PLAN.last_year
    return catalogue


def _direct_group(sections: list[Section], pillar: Pillar) -> Section:
    group_id = f"{pillar.pillar}{DIRECT_GROUP_SUFFIX}"
    for section in sections:
        if section.section_id == group_id:
            return section
    group = Section(group_id, pillar.pillar, f"{pillar.title.title()} (measures directly under the pillar)", 0, True)
    sections.append(group)
    return group


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Split into logical paragraphs with their line numbers: one per line, page furniture and footnotes dropped,
    footnote markers removed, and glued-together items pulled apart."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [_FOOTNOTE_MARKER.sub("", line) for line in lines]
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    kept = []
    for number, line in enumerate(lines, 1):
        if not line or _PAGE_NUMBER.match(line) or _FOOTNOTE_LINE.match(line):
            continue
        running = counts[line] >= _RUNNING_LINE_REPEATS and not _ID_AT_START.match(line)
        if running and not _SUB_ITEM_AT_START.match(line) and not _ROMAN_LINE.match(line):
            continue  # a running header or footer: the same line on every page
        kept.extend((number, part) for part in _RUN_TOGETHER.split(line) if part)
    return kept


def _continue(text: str, more: str) -> str:
    """Join a wrapped line to the text above: a word broken by a hyphen at the line's end is mended."""
    if re.search(r"[a-z]-$", text) and more[:1].islower():
        return text[:-1] + more
    return f"{text} {more}"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
