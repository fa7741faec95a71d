"""Checking a read schedule workbook against the catalogue and the plan's years: one entry per listed measure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.plan.catalogue import normalise_measure_id
from etl.plan.countries import ISO3_CODES, country_code
from etl.returns.cells import CELL_ERRORS, cell_text, cell_year
from etl.returns.issue_codes import ERROR, Issue, IssueCounts, make_issue
from etl.returns.issue_log import IssueLog, issue_order
from etl.returns.layout import header_key
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import RawReturn
from etl.schedule.layout import COLUMN_BY_FIELD, KIND_LOOKUP

_LEAD_SEPARATORS = re.compile(r"[;,\n\r]+")
_SCHEDULE_FIELDS = ("measure_id", "kind", "start_year", "due_year", "lead_countries", "note")


@dataclass(frozen=True)
class ScheduleEntry:
    """What the schedule says of one measure; None is a blank field, which takes its default."""

    measure_id: str
    kind: str | None = None
    start_year: int | None = None
    due_year: int | None = None
    lead_countries: tuple[str, ...] | None = None  # ISO3 codes, in the order of the 13 countries
    note: str | None = None
    row: int | None = field(default=None, compare=False)  # where it sits in the file; not part of what it says


@dataclass
class CheckedSchedule(IssueCounts):
    """A schedule workbook after checking: the entries ready to load, and every issue found."""

    entries: list[ScheduleEntry]
    issues: list[Issue] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.errors == 0


def check_schedule(raw: RawReturn, lookup: MeasureLookup) -> CheckedSchedule:
    """Check each row of a read schedule workbook (etl.returns.read, the schedule layout); blank rows are gone.

    Rows may list only some measures, and leave fields blank: those take the default. Any error rejects the file.
    """
    issues = IssueLog(raw.issues)
    table = raw.table
    if table is None or any(i.code in ("missing-column", "duplicate-column") for i in issues):
        return CheckedSchedule([], list(issues))
    entries: list[ScheduleEntry] = []
    first_row: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        entry = _check_row(table, i, row, lookup, issues)
        if entry is None:
            continue
        first = first_row.setdefault(entry.measure_id, row)
        if first != row:
            place = _place(table, "measure_id", row)
            issues.append(make_issue("duplicate-measure", value=entry.measure_id, detail=first, **place))
            continue
        entries.append(entry)
    found = sorted([*issues, *issues.summaries()], key=issue_order)
    return CheckedSchedule(entries if not any(i.severity == ERROR for i in found) else [], found)


def _place(table, name: str, row: int) -> dict:
    # Messages use the template's column name, whatever spelling the header had.
    column = table.columns.get(name)
    return dict(
        sheet=table.sheet, row=row, column=COLUMN_BY_FIELD[name].header, column_index=column.index if column else None
    )


def _check_row(table, i: int, row: int, lookup: MeasureLookup, log: IssueLog) -> ScheduleEntry | None:
    """The entry one row makes, or None when the row has an error (its issues, added to `log`, say which)."""
    issues: list[Issue] = []
    values: dict[str, object] = {}
    for name in _SCHEDULE_FIELDS:
        value = table.values[name][i] if name in table.values else None
        if isinstance(value, str) and value.strip() in CELL_ERRORS:
            issues.append(make_issue("cell-error", value=value.strip(), **_place(table, name, row)))
            value = ""
        values[name] = value

    typed = cell_text(values["measure_id"])
    measure_id = None
    if typed is None:
        if not issues or issues[0].column != COLUMN_BY_FIELD["measure_id"].header:
            hint = "type the measure's id, e.g. 2.1.6, or clear the row"
            issues.append(make_issue("missing-value", detail=hint, **_place(table, "measure_id", row)))
    else:
        normalised = normalise_measure_id(typed)
        resolved = lookup.resolve(normalised)
        if resolved is None:
            detail = lookup.hint(typed, normalised)
            issues.append(make_issue("unknown-measure", value=typed, detail=detail, **_place(table, "measure_id", row)))
        elif resolved[1] is not None:
            issues.append(
                make_issue("schedule-sub-item", value=typed, detail=resolved[0], **_place(table, "measure_id", row))
            )
        else:
            measure_id = resolved[0]

    kind = None
    kind_text = cell_text(values["kind"])
    if kind_text is not None:
        kind = KIND_LOOKUP.get(header_key(kind_text))
        if kind is None:
            issues.append(make_issue("unknown-kind", value=kind_text, **_place(table, "kind", row)))

    # The plan's own years bound the schedule and fill its blanks (the lookup is the plan's catalogue).
    first, last = lookup.first_year, lookup.last_year
    defaults = {"start_year": first, "due_year": last}
    years: dict[str, int | None] = {}
    for name in ("start_year", "due_year"):
        years[name] = None
        if cell_text(values[name]) is None:
            continue
        year = cell_year(values[name])
        if year is None or not first <= year <= last:
            issues.append(
                make_issue(
                    "invalid-schedule-year",
                    value=values[name],
                    first=first,
                    last=last,
                    detail=defaults[name],
                    **_place(table, name, row),
                )
            )
        else:
            years[name] = year
    start = years["start_year"] if years["start_year"] is not None else first
    due = years["due_year"] if years["due_year"] is not None else last
    if due < start:
        # Named where the Secretariat typed a year: the due year, or the start year when the due year is blank.
        column = "due_year" if years["due_year"] is not None else "start_year"
        issues.append(make_issue("due-before-start", value=due, detail=start, **_place(table, column, row)))

    leads = _lead_countries(values["lead_countries"], table, row, issues)
    log.extend(issues)
    if measure_id is None or any(issue.severity == ERROR for issue in issues):
        return None
    return ScheduleEntry(
        measure_id, kind, years["start_year"], years["due_year"], leads, cell_text(values["note"]), row=row
    )


def _lead_countries(value: object, table, row: int, issues: list[Issue]) -> tuple[str, ...] | None:
    """The lead countries named in a cell, as ISO3 codes in the order of the 13 countries; None when blank."""
    text = cell_text(value)
    if text is None:
        return None
    found = set()
    for piece in _LEAD_SEPARATORS.split(text):
        if not piece.strip():
            continue
        iso3 = country_code(piece.strip())
        if iso3 is None:
            issues.append(
                make_issue("unknown-lead-country", value=piece.strip(), **_place(table, "lead_countries", row))
            )
        else:
            found.add(iso3)
    return tuple(code for code in ISO3_CODES if code in found) or None
