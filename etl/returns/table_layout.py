"""What the forgiving reader needs to know of a workbook: which sheet holds its table and how the header reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableLayout:
    """One kind of workbook the reader reads (a country return, the implementation schedule).

    The reader finds the sheet named `sheet` (a CSV is that sheet), the header row by the names in
    `header_lookup`, and reports a missing required column by its template header; the words fill the
    messages of the findings that name the kind of file.
    """

    sheet: str  # the sheet that holds the table
    header_lookup: dict[str, str]  # header_key(header as typed) -> field
    required: tuple[str, ...]  # fields whose column must be in the header
    headers: dict[str, str]  # field -> the template's header text
    rows_noun: str  # what a row of the table is, in the plural: "activities"
    template_hint: str  # how to get the template, for an empty file
    cover_sheet: str | None = None  # a sheet of labelled values read as well (a return's Cover)
    cover_lookup: dict[str, str] = field(default_factory=dict)  # header_key(label) -> key

    @property
    def words(self) -> dict[str, str]:
        """The details the file-level messages use (missing-sheet, missing-header, empty-workbook)."""
        examples = ", ".join(list(self.headers.values())[:4])
        return {"wanted": self.sheet, "rows_noun": self.rows_noun, "columns": examples,
                "template": self.template_hint}  # fmt: skip
