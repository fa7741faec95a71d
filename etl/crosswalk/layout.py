"""The layout of the crosswalk workbook: its Cover (the two plans) and its Crosswalk sheet, one row per measure."""

from __future__ import annotations

from dataclasses import dataclass

from etl.returns.layout import header_key
from etl.returns.table_layout import TableLayout

CROSSWALK_SHEET = "Crosswalk"
COVER_SHEET = "Cover"
FROM_MEASURES_SHEET = "Earlier plan"
INSTRUCTIONS_SHEET = "How to fill"
SUGGESTIONS = 3  # the suggested matches shown beside each measure, best first
# Between several measure ids in one cell (a measure that continues two of the earlier plan).
ID_SEPARATORS = r"[;,\n\r]+"


@dataclass(frozen=True)
class CrosswalkColumn:
    field: str
    header: str
    width: int
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[CrosswalkColumn, ...] = (
    CrosswalkColumn("measure_id", "Measure ID", 12, ("Measure", "Later measure", "To measure", "ID")),
    CrosswalkColumn("measure_text", "Measure text", 60, ("Text",)),  # for reference only: never read
    # The officer's answer: the earlier plan's measures this one continues ("" for none).
    CrosswalkColumn("continues", "Continues (earlier measure IDs)", 22, ("Continues", "From measure", "From")),
    *(
        column
        for n in range(1, SUGGESTIONS + 1)
        for column in (
            CrosswalkColumn(f"suggestion_{n}", f"Suggestion {n}", 12),
            CrosswalkColumn(f"similarity_{n}", f"Similarity {n}", 11),
            CrosswalkColumn(f"suggestion_{n}_text", f"Suggestion {n} text", 50),
        )
    ),
    CrosswalkColumn("note", "Note", 30, ("Notes", "Comment", "Remarks")),
)
COLUMN_BY_FIELD: dict[str, CrosswalkColumn] = {c.field: c for c in COLUMNS}
HEADER_LOOKUP: dict[str, str] = {header_key(name): c.field for c in COLUMNS for name in (c.header, c.field, *c.aliases)}

FROM_LABEL, TO_LABEL = "From plan", "To plan"
COVER_LOOKUP: dict[str, str] = {
    header_key(FROM_LABEL): "from_plan",
    header_key("Earlier plan"): "from_plan",
    header_key(TO_LABEL): "to_plan",
    header_key("Later plan"): "to_plan",
}

# How the reader finds the table (etl.returns.read): the same reader, and finding shape, as a return's.
CROSSWALK_LAYOUT = TableLayout(
    sheet=CROSSWALK_SHEET,
    header_lookup=HEADER_LOOKUP,
    required=("measure_id", "continues"),
    headers={c.field: c.header for c in COLUMNS},
    rows_noun="measures",
    template_hint="write the crosswalk workbook (aptmon plan crosswalk template)",
    cover_sheet=COVER_SHEET,
    cover_lookup=COVER_LOOKUP,
)
