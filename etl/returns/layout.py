"""The layout of the activity return: sheets, Cover labels, Activities columns and their allowed values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from etl.returns.table_layout import TableLayout

COVER_SHEET = "Cover"
ACTIVITIES_SHEET = "Activities"
MEASURES_SHEET = "Measures"
LISTS_SHEET = "Lists"
ISSUES_SHEET = "Issues"

STATUSES: tuple[str, ...] = ("planned", "ongoing", "suspended", "completed", "cancelled")
FUNDING_SOURCES: tuple[str, ...] = ("APT Cooperation Fund", "National budget", "Plus Three partner", "Other")
SYNTHETIC_MARK = "Synthetic"


@dataclass(frozen=True)
class Column:
    field: str  # the warehouse column it loads into
    header: str  # the template's header text
    required: bool
    width: int  # template column width, in characters
    aliases: tuple[str, ...] = ()  # other headers people use for it


COLUMNS: tuple[Column, ...] = (
    Column("activity_id", "Activity ID", True, 14, ("ID", "Activity code", "Activity no", "Activity number")),
    Column("measure_ids", "Measure IDs", True, 16, ("Measure ID", "Measures", "Measure", "Measure no", "Measure(s)")),
    Column("title", "Title", True, 48, ("Activity title", "Activity", "Activity name", "Name")),
    Column("status", "Status", True, 13, ("Activity status", "Implementation status")),
    Column("start_date", "Start date", False, 12, ("Start", "Date started", "Starting date", "From")),
    Column("end_date", "End date", False, 12, ("End", "Date ended", "Completion date", "Ending date", "To")),
    Column("lead_agency", "Lead agency", False, 28, ("Agency", "Lead", "Implementing agency", "Lead ministry")),
    Column("partners", "Partner countries", False, 22, ("Partners", "Partner country", "Partner")),
    Column("funding_source", "Funding source", False, 22, ("Funding", "Source of funding", "Fund")),
    Column("budget_usd", "Budget (USD)", False, 14, ("Budget", "Budget USD", "Amount (USD)", "Budget (US$)")),
    Column("description", "Description / outputs", False, 60, ("Description", "Outputs", "Description and outputs")),
)

COLUMN_BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
REQUIRED_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.required)


@dataclass(frozen=True)
class CoverField:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


COVER_FIELDS: tuple[CoverField, ...] = (
    CoverField("country", "Country", ("Member state", "Country name")),
    CoverField("year", "Reporting year", ("Year", "Report year", "Reporting period")),
    CoverField("prepared_by", "Prepared by", ("Name", "Focal point", "Officer")),
    CoverField("email", "Email", ("E-mail", "Email address")),
    CoverField("date_prepared", "Date prepared", ("Date",)),
    # The plan the return reports on, by id (a return belongs to one plan; see etl.returns.plan_choice).
    CoverField("plan", "Work plan", ("Plan", "Plan id")),
    CoverField("data", "Data", ("Data type",)),
)


_NOT_ASCII_KEY = re.compile(r"[^a-z0-9]")


def header_key(text: object) -> str:
    """Compare headers, labels and sheet names ignoring case, spacing and punctuation, in any script.

    Letters, digits and the marks that belong to them (Thai vowels, Hebrew points) count; full-width and other
    compatibility forms count as their plain letters.
    """
    text = str(text)
    if text.isascii():
        return _NOT_ASCII_KEY.sub("", text.lower())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum() or unicodedata.category(ch).startswith("M"))


HEADER_LOOKUP: dict[str, str] = {header_key(name): c.field for c in COLUMNS for name in (c.header, c.field, *c.aliases)}
COVER_LOOKUP: dict[str, str] = {header_key(name): f.key for f in COVER_FIELDS for name in (f.label, *f.aliases)}

# How the reader finds the Activities table and the Cover of a return.
RETURN_LAYOUT = TableLayout(
    sheet=ACTIVITIES_SHEET,
    header_lookup=HEADER_LOOKUP,
    required=REQUIRED_FIELDS,
    headers={c.field: c.header for c in COLUMNS},
    rows_noun="activities",
    template_hint="fill in the return template (aptmon template)",
    cover_sheet=COVER_SHEET,
    cover_lookup=COVER_LOOKUP,
)
