"""The report's content model: sections of paragraphs, tables, headings and charts, which both renderers lay out."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA: these returns were generated for demonstration and describe no real activity."


@dataclass(frozen=True)
class Status:
    """A progress status, shown in its band's colour."""

    name: str


@dataclass(frozen=True)
class Code:
    """A column or setting name, in a code font."""

    text: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Rated:
    """A matrix cell: its text, with the progress status that colours it."""

    text: str
    status: str


Inline = str | Status | Code | Strong | Rated


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Inline]]
    css: str = ""


@dataclass
class Paragraph:
    parts: list[Inline]
    css: str = ""


@dataclass
class Heading:
    text: str  # a heading inside a section (level 3)


@dataclass
class Chart:
    index: int  # into Content.charts


Block = Paragraph | Table | Chart | Heading


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block]
    page_break: bool = False


@dataclass
class Content:
    title: str
    as_of_year: int
    generated: str
    fingerprint: str
    synthetic: bool
    schedule_note: str
    schedule_is_example: bool
    headline: list[tuple[str, str, str]]  # (label, value, note) per figure
    overall_status: str
    sections: list[Section]
    charts: list[go.Figure]
