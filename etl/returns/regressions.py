"""What a new version of a return would undo in the country's record: activities going back from completed,
completed or ongoing activities leaving, activities changing measures. Each is a warning finding."""

from __future__ import annotations

import duckdb

from etl.returns import layout as fmt
from etl.returns.issue_codes import REGRESSION_CODES, Issue, RecordChange, make_issue

# The record a new return for (country, year) is held against, one row per activity: the current version of the
# same return for every activity it lists, and, for an activity it does not list, the latest earlier year's
# current return that does. reporting_year is NULL for the same return's version. An activity's links are compared
# as sets of ids (several sub-items of one measure share one link row, joined by ';').
_REGRESSIONS = """
WITH same_return AS (
    SELECT activity_id, status, submission_id, NULL::INTEGER AS reporting_year
    FROM activities
    WHERE submission_id = $previous
),
earlier_years AS (
    SELECT a.activity_id, a.status, a.submission_id, s.reporting_year
    FROM activities a
    JOIN current_submissions s USING (submission_id)
    WHERE s.plan_id = $plan AND s.country = $country AND s.reporting_year < $year
      AND a.activity_id NOT IN (SELECT activity_id FROM same_return)
    QUALIFY row_number() OVER (PARTITION BY a.activity_id ORDER BY s.reporting_year DESC) = 1
),
record AS (
    SELECT * FROM same_return
    UNION ALL
    SELECT * FROM earlier_years
),
record_links AS (
    SELECT r.activity_id,
        array_to_string(list_sort(list_distinct(flatten(list(string_split(coalesce(m.sub_item, m.measure_id), ';'))))),
            '; ') AS measures
    FROM record r
    JOIN activity_measures m ON m.submission_id = r.submission_id AND m.activity_id = r.activity_id
    GROUP BY r.activity_id
),
incoming AS (
    SELECT activity_id, status, source_sheet, source_row FROM ({activities})
),
incoming_links AS (
    SELECT activity_id,
        array_to_string(list_sort(list_distinct(flatten(list(string_split(coalesce(sub_item, measure_id), ';'))))),
            '; ') AS measures
    FROM ({measures})
    GROUP BY activity_id
)
SELECT r.activity_id, r.reporting_year, r.status, n.activity_id IS NOT NULL AS listed, n.status, n.source_sheet,
    n.source_row,
    rl.measures, nl.measures
FROM record r
LEFT JOIN incoming n USING (activity_id)
LEFT JOIN record_links rl USING (activity_id)
LEFT JOIN incoming_links nl USING (activity_id)
WHERE (n.activity_id IS NULL AND r.reporting_year IS NULL AND r.status IN ('completed', 'ongoing'))
   OR (n.activity_id IS NOT NULL AND r.status = 'completed' AND n.status <> 'completed')
   OR (n.activity_id IS NOT NULL AND rl.measures IS DISTINCT FROM nl.measures)
ORDER BY n.source_row NULLS LAST, r.activity_id
"""


def find_regressions(
    con: duckdb.DuckDBPyConnection,
    country: str,
    year: int,
    previous: tuple[int, int] | None,
    activities_select: str,
    measures_select: str,
    plan_id: str | None = None,
) -> list[Issue]:
    """The findings of a checked return against the record of its plan: `previous` is the current version's
    (submission_id, version), the selects give the new rows (see etl.returns.load.staged)."""
    (has_earlier,) = con.execute(
        "SELECT EXISTS (SELECT 1 FROM current_submissions WHERE plan_id = ? AND country = ? AND reporting_year < ?)",
        [plan_id, country, year],
    ).fetchone()
    if previous is None and not has_earlier:
        return []  # nothing to undo: a country's first return
    rows = con.execute(
        _REGRESSIONS.format(activities=activities_select, measures=measures_select),
        {"previous": previous[0] if previous else None, "plan": plan_id, "country": country, "year": year},
    ).fetchall()
    findings: list[Issue] = []
    for activity, held_year, old_status, listed, new_status, sheet, row, old_links, new_links in rows:
        source = f"version {previous[1]} of this return" if held_year is None else f"the {held_year} return"
        if not listed:
            findings.append(
                make_issue(
                    "activity-removed",
                    sheet=fmt.ACTIVITIES_SHEET,
                    column=fmt.COLUMN_BY_FIELD["activity_id"].header,
                    value=activity,
                    activity=activity,
                    old=old_status,
                    source=source,
                    change=RecordChange(activity, old_status, None),
                )
            )
            continue
        if old_status == "completed" and new_status != "completed":
            findings.append(_row_finding("completed-undone", "status", (sheet, row), activity, old_status, new_status,
                                         source))  # fmt: skip
        if old_links != new_links:
            findings.append(_row_finding("measures-changed", "measure_ids", (sheet, row), activity,
                                         old_links or "none", new_links, source))  # fmt: skip
    return findings


def _row_finding(
    code: str, field: str, where: tuple[str, int], activity: str, old: str, new: str | None, source: str
) -> Issue:
    sheet, row = where
    return make_issue(
        code,
        sheet=sheet,
        row=row,
        column=fmt.COLUMN_BY_FIELD[field].header,
        value=new,
        activity=activity,
        old=old,
        source=source,
        change=RecordChange(activity, old, new),
    )


def summary(findings: list[Issue]) -> str:
    """What confirming the findings does, in a few words: "2 activities go back from completed, 1 removed"."""
    counts = {code: sum(1 for f in findings if f.code == code) for code in REGRESSION_CODES}
    parts = []
    if n := counts["completed-undone"]:
        parts.append(f"{n} {'activity goes' if n == 1 else 'activities go'} back from completed")
    if n := counts["activity-removed"]:
        parts.append(f"{n} removed")
    if n := counts["measures-changed"]:
        parts.append(f"{n} {'changes' if n == 1 else 'change'} measures")
    return ", ".join(parts)


def change_keys(findings: list[Issue]) -> frozenset[tuple[str, str]]:
    """(code, activity id) of each change to the record: what a confirmation names (see etl.returns.load.plan_load)."""
    return frozenset((f.code, f.change.activity_id) for f in findings if f.change is not None)


def confirms(confirm_changes: bool | frozenset[tuple[str, str]], findings: list[Issue]) -> bool:
    """Whether `confirm_changes` (True: any change; a set: the changes an analyst was shown) covers `findings`."""
    if confirm_changes is True:
        return True
    return bool(confirm_changes) and change_keys(findings) <= confirm_changes
