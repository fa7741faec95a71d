"""The worked example of the metric definitions: its returns and every number of its table."""

from __future__ import annotations

# (country, reporting year) -> activities (activity_id, status, measure ids), as docs/metrics.md lists them.
RETURNS: dict[tuple[str, int], list[tuple[str, str, list[str]]]] = {
    ("KHM", 2014): [("A1", "ongoing", ["5.1"]), ("A2", "completed", ["5.2", "5.3"]), ("A3", "planned", ["5.4"])],
    ("KHM", 2015): [("A1", "completed", ["5.1"]), ("A3", "cancelled", ["5.4"])],
    ("JPN", 2015): [("J1", "ongoing", ["5.2"]), ("J2", "suspended", ["5.6"])],
}

COLUMNS = (
    "measures_covered",
    "coverage_rate",
    "measures_completed",
    "completion_rate",
    "measures_engaged",
    "measures_in_scope",
    "measures_delivered",
    "delivery_rate",
    "expected_rate",
    "pace_index",
    "activities_total",
    "activities_completed",
    "reporting_rate",
    "progress_status",
)

# Under the default schedule: (as_of_year, country) for pillar 5 -> the table's row, in COLUMNS order (rates to
# 4 decimals, None for NULL).
PILLAR_5: dict[tuple[int, str], tuple] = {
    (2014, "KHM"): (3, 0.5, 2, 0.3333, 4, 4, 2, 0.5, 0.4, 1.25, 3, 1, 0.5, "on track"),
    (2015, "KHM"): (3, 0.5, 3, 0.5, 3, 3, 3, 1.0, 0.6, 1.6667, 2, 2, 0.6667, "on track"),
    (2015, "JPN"): (1, 0.1667, 0, 0, 2, 2, 0, 0, 0.6, 0, 2, 0, 0.3333, "insufficient data"),
    (2015, "ALL"): (3, 0.5, 3, 0.5, 4, 6, 3, 0.5, 0.6, 0.8333, 4, 2, 0.0769, "insufficient data"),
    (2015, "KOR"): (0, 0, 0, 0, 0, 0, 0, None, None, None, 0, 0, 0, "insufficient data"),
}

# The schedule of the second table, as the Secretariat would type it: 5.1 recurring from 2013; 5.6 one-off, start
# 2015, due 2016, leads JPN and KOR; the other measures not listed (the default).
SCHEDULE: list[dict] = [
    {"measure_id": "5.1", "kind": "recurring", "start_year": 2013, "due_year": None, "lead_countries": None},
    {"measure_id": "5.6", "kind": "one-off", "start_year": 2015, "due_year": 2016, "lead_countries": "JPN; KOR"},
]

SCHEDULED_COLUMNS = (
    "measures_engaged",
    "measures_in_scope",
    "measures_delivered",
    "delivery_rate",
    "expected_rate",
    "pace_index",
    "measures_overdue",
)

# With SCHEDULE loaded: (as_of_year, country) for pillar 5 -> the second table's row, in SCHEDULED_COLUMNS order.
PILLAR_5_SCHEDULED: dict[tuple[int, str], tuple] = {
    (2014, "KHM"): (4, 4, 3, 0.75, 0.55, 1.3636, 0),
    (2015, "KHM"): (3, 3, 3, 1.0, 0.7333, 1.3636, 0),
    (2015, "JPN"): (2, 2, 0, 0, 0.55, 0, 0),
    (2015, "KOR"): (0, 1, 0, 0, 0.5, 0, 0),
    (2014, "ALL"): (4, 6, 3, 0.5, 0.4333, 1.1538, 0),
    (2015, "ALL"): (4, 6, 3, 0.5, 0.65, 0.7692, 0),
    (2016, "ALL"): (4, 6, 2, 0.3333, 0.8667, 0.3846, 1),
}

# measure_progress for 5.2, ALL, as of 2015.
MEASURE_5_2_ALL_2015 = {
    "activities_total": 2,
    "activities_implemented": 2,
    "activities_completed": 1,
    "countries_implementing": 2,
}


def pillar_5_rows(
    con, table: dict = PILLAR_5, columns: tuple = COLUMNS, plan_id: str = "apt-2013-2017", pillar: str = "5"
) -> dict[tuple[int, str], tuple]:
    """The view's rows of the plan's pillar for the table's scopes, rounded as the table prints them."""
    got = {}
    for year, country in table:
        row = con.execute(
            f"SELECT measures_total, {', '.join(columns)} FROM metrics_pillar_country "
            "WHERE as_of_year = ? AND country = ? AND pillar = ? AND plan_id = ?",
            [year, country, pillar, plan_id],
        ).fetchone()
        if plan_id == "apt-2013-2017":
            assert row[0] == 6, "pillar 5 has six measures"
        got[(year, country)] = tuple(round(v, 4) if isinstance(v, float) else v for v in row[1:])
    return got
