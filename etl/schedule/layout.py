"""The layout of the implementation schedule workbook (Work Plan item 6.3): its sheet, columns and kind words."""

from __future__ import annotations

from dataclasses import dataclass

from etl.returns.layout import header_key
from etl.returns.table_layout import TableLayout

SCHEDULE_SHEET = "Schedule"
LISTS_SHEET = "Lists"
ONE_OFF, RECURRING = "one-off", "recurring"
KINDS: tuple[str, ...] = (ONE_OFF, RECURRING)


@dataclass(frozen=True)
class ScheduleColumn:
    field: str
    header: str  # the template's header text
    width: int  # template column width, in characters
    aliases: tuple[str, ...] = ()  # other headers people use for it


COLUMNS: tuple[ScheduleColumn, ...] = (
    ScheduleColumn("measure_id", "Measure ID", 12, ("Measure no", "Measure number", "Measure code", "ID")),
    # The measure's text, for reference only: never read into the schedule.
    ScheduleColumn("measure_text", "Measure", 70, ("Measure text", "Text", "Description")),
    ScheduleColumn("kind", "Kind", 12, ("Type", "Kind of measure", "One-off or recurring")),
    ScheduleColumn("start_year", "Start year", 11, ("Start", "From", "First year", "Starting year")),
    ScheduleColumn("due_year", "Due year", 11, ("Due", "Due by", "Deadline", "End year", "Until", "Last year")),
    ScheduleColumn("lead_countries", "Lead countries", 24, ("Lead", "Leads", "Lead country", "Lead countries")),
    ScheduleColumn("note", "Note", 40, ("Notes", "Comment", "Comments", "Remarks")),
)
COLUMN_BY_FIELD: dict[str, ScheduleColumn] = {c.field: c for c in COLUMNS}
HEADER_LOOKUP: dict[str, str] = {header_key(name): c.field for c in COLUMNS for name in (c.header, c.field, *c.aliases)}

# Kind is matched forgivingly, ignoring case, spaces and punctuation.
_KIND_WORDS = {
    ONE_OFF: ("oneoff", "once", "single", "onetime", "one"),
    RECURRING: ("recurring", "annual", "annually", "yearly", "everyyear", "continuous", "continuing", "ongoing",
                "repeated", "regular"),
}  # fmt: skip
KIND_LOOKUP: dict[str, str] = {word: kind for kind, words in _KIND_WORDS.items() for word in words}

# How the reader finds the Schedule table (etl.returns.read): the same reader, and finding shape, as a return's.
SCHEDULE_LAYOUT = TableLayout(
    sheet=SCHEDULE_SHEET,
    header_lookup=HEADER_LOOKUP,
    required=("measure_id",),
    headers={c.field: c.header for c in COLUMNS},
    rows_noun="measures",
    template_hint="fill in the schedule workbook (aptmon schedule template)",
)
