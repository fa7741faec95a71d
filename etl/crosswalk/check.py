"""Checking a read crosswalk workbook: its two plans, and each row's measure and the measures it continues."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.crosswalk.layout import COLUMN_BY_FIELD, FROM_LABEL, ID_SEPARATORS, TO_LABEL
from etl.errors import AptmonError
from etl.plan.catalogue import normalise_measure_id
from etl.plan.plans import PlanTimeframe
from etl.returns.cells import cell_text, is_blank
from etl.returns.issue_codes import ERROR, Issue, IssueCounts, make_issue
from etl.returns.issue_log import IssueLog, issue_order
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import RawReturn

_SEPARATORS = re.compile(ID_SEPARATORS)


class CrosswalkRefused(AptmonError, ValueError):
    """A crosswalk that cannot be made or loaded as asked (its plans); nothing was changed."""

    exit_code = 1


@dataclass(frozen=True)
class Link:
    from_measure_id: str
    to_measure_id: str


@dataclass
class CheckedCrosswalk(IssueCounts):
    """A crosswalk workbook after checking: its plans, the links ready to load, and every issue found."""

    from_plan: str | None
    to_plan: str | None
    links: list[Link]
    measures: int  # rows read (measures of the later plan listed)
    issues: list[Issue] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.errors == 0


def check_plan_pair(earlier: PlanTimeframe, later: PlanTimeframe) -> str | None:
    """Why a crosswalk cannot go from `earlier` to `later`, or None."""
    if earlier.plan_id == later.plan_id:
        return f"a crosswalk links two plans; {earlier.plan_id} is given as both."
    if earlier.first_year > later.first_year:
        return (
            f"a crosswalk goes from an earlier plan to a later one; {earlier.plan_id} ({earlier.span}) starts after "
            f"{later.plan_id} ({later.span}): swap --from and --to."
        )
    return None


def read_plans(raw: RawReturn, plans: dict[str, PlanTimeframe]) -> tuple[PlanTimeframe | None, PlanTimeframe | None,
                                                                       list[Issue]]:  # fmt: skip
    """The two plans the Cover names, each None with a finding when missing or unknown."""
    issues: list[Issue] = []
    found: list[PlanTimeframe | None] = []
    known = ", ".join(sorted(plans))
    for key, label in (("from_plan", FROM_LABEL), ("to_plan", TO_LABEL)):
        cell = raw.cover.get(key)
        if cell is None or is_blank(cell.value):
            issues.append(make_issue("crosswalk-plans", detail=f"the Cover gives no {label}; write the workbook with "
                                     "aptmon plan crosswalk template"))  # fmt: skip
            found.append(None)
            continue
        plan = plans.get(str(cell.value).strip().lower())
        if plan is None:
            where = dict(sheet=raw.cover_sheet, row=cell.row, column=label, column_index=cell.column_index)
            issues.append(make_issue("unknown-plan", value=cell.value, where=f"Row {cell.row}, {label}", plans=known,
                                     **where))  # fmt: skip
        found.append(plan)
    earlier, later = found
    if earlier is not None and later is not None and (problem := check_plan_pair(earlier, later)):
        issues.append(make_issue("crosswalk-plans", detail=f"the Cover's plans: {problem}"))
    return earlier, later, issues


def check_crosswalk(
    raw: RawReturn, earlier: MeasureLookup | None, later: MeasureLookup | None, plan_issues: list[Issue]
) -> CheckedCrosswalk:
    """Check each row: its measure is the later plan's, each id in 'Continues' the earlier plan's (whole measures),
    no measure listed twice. Any error rejects the whole file."""
    issues = IssueLog([*raw.issues, *plan_issues])
    table = raw.table
    from_plan = earlier.plan_id if earlier else None
    to_plan = later.plan_id if later else None
    if (
        table is None
        or earlier is None
        or later is None
        or any(i.code in ("missing-column", "duplicate-column") for i in issues)
    ):
        return CheckedCrosswalk(from_plan, to_plan, [], 0, sorted(issues, key=issue_order))
    links: list[Link] = []
    first_row: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        values = {
            name: (table.values[name][i] if name in table.values else None) for name in ("measure_id", "continues")
        }
        to_id = _measure(values["measure_id"], later, table, "measure_id", row, issues)
        if to_id is None:
            continue
        first = first_row.setdefault(to_id, row)
        if first != row:
            issues.append(make_issue("duplicate-crosswalk-measure", value=to_id, detail=first,
                                     **_place(table, "measure_id", row)))  # fmt: skip
            continue
        text = cell_text(values["continues"])
        for piece in _SEPARATORS.split(text or ""):
            if piece.strip():
                from_id = _measure(piece.strip(), earlier, table, "continues", row, issues)
                if from_id is not None and Link(from_id, to_id) not in links:
                    links.append(Link(from_id, to_id))
    found = sorted([*issues, *issues.summaries()], key=issue_order)
    accepted = not any(i.severity == ERROR for i in found)
    return CheckedCrosswalk(from_plan, to_plan, links if accepted else [], len(first_row), found)


def _measure(value: object, lookup: MeasureLookup, table, name: str, row: int, issues: IssueLog) -> str | None:
    """The measure a cell names in the lookup's plan, or None with a finding (blank: None, no finding)."""
    typed = cell_text(value)
    if typed is None:
        if name == "measure_id":
            hint = "type the later plan's measure id, e.g. 2.1.6, or clear the row"
            issues.append(make_issue("missing-value", detail=hint, **_place(table, name, row)))
        return None
    resolved = lookup.resolve(normalise_measure_id(typed))
    if resolved is None:
        detail = lookup.hint(typed, normalise_measure_id(typed))
        issues.append(make_issue("unknown-measure", value=typed, detail=detail, **_place(table, name, row)))
        return None
    if resolved[1] is not None:
        issues.append(make_issue("crosswalk-sub-item", value=typed, detail=resolved[0], **_place(table, name, row)))
        return None
    return resolved[0]


def _place(table, name: str, row: int) -> dict:
    # Messages use the template's column name, whatever spelling the header had.
    column = table.columns.get(name)
    return dict(
        sheet=table.sheet, row=row, column=COLUMN_BY_FIELD[name].header, column_index=column.index if column else None
    )
