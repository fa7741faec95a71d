"""Which plan a return reports on: --plan or the upload's choice, else the Cover's Work plan, else its year."""

from __future__ import annotations

from etl.plan.plans import PlanTimeframe
from etl.returns.cells import cell_year, is_blank
from etl.returns.issue_codes import Issue, make_issue
from etl.returns.read import RawReturn


def choose_plan(
    raw: RawReturn,
    plans: list[PlanTimeframe],
    default: PlanTimeframe,
    given_plan: str | None = None,
    given_year: int | str | None = None,
) -> tuple[PlanTimeframe, list[Issue]]:
    """The plan to check the return against, and the findings that say why it could not be told (an unknown plan,
    or a year two plans share with nothing to choose between them); with a finding, the default plan is used and
    the return is rejected by that finding."""
    by_id = {plan.plan_id.lower(): plan for plan in plans}
    known = ", ".join(plan.plan_id for plan in plans)
    if given_plan:
        found = by_id.get(str(given_plan).strip().lower())
        if found is None:
            return default, [make_issue("unknown-plan", value=given_plan, where="The upload", plans=known)]
        return found, []
    cell = raw.cover.get("plan")
    if cell is not None and not is_blank(cell.value):
        found = by_id.get(str(cell.value).strip().lower())
        if found is None:
            where = dict(sheet=raw.cover_sheet, row=cell.row, column="Work plan", column_index=cell.column_index)
            issue = make_issue(
                "unknown-plan", value=cell.value, where=f"Row {cell.row}, Work plan", plans=known, **where
            )
            return default, [issue]
        return found, []
    year = _year(raw, given_year)
    if year is None:
        return default, []  # the year's own finding says what is missing
    holding = [plan for plan in plans if plan.holds(year)]
    if len(holding) == 1:
        return holding[0], []
    if not holding:
        return default, []  # the year-outside-plan finding says so, against the default plan's years
    names = ", ".join(f"{plan.plan_id} {plan.span}" for plan in holding)
    return default, [make_issue("plan-ambiguous", value=year, where="The return", plans=names)]


def _year(raw: RawReturn, given_year: int | str | None) -> int | None:
    if given_year not in (None, ""):
        return cell_year(given_year)
    cell = raw.cover.get("year")
    return None if cell is None or is_blank(cell.value) else cell_year(cell.value)
