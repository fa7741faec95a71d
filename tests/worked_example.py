"""The worked example of the metric definitions: its returns and every number of its table."""

from __future__ import annotations

# (country, reporting year) -> activities (activity_id, status, measure ids), as METRICS.md lists them.
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
    "activities_total",
    "activities_completed",
    "time_elapsed",
    "pace_index",
    "reporting_rate",
    "progress_status",
)

# (as_of_year, country) for pillar 5 -> the table's row, in COLUMNS order (rates to 4 decimals).
PILLAR_5: dict[tuple[int, str], tuple] = {
    (2014, "KHM"): (3, 0.5, 2, 0.3333, 3, 1, 0.4, 0.8333, 0.5, "acceleration needed"),
    (2015, "KHM"): (3, 0.5, 3, 0.5, 2, 2, 0.6, 0.8333, 0.6667, "acceleration needed"),
    (2015, "JPN"): (1, 0.1667, 0, 0, 2, 0, 0.6, 0, 0.3333, "insufficient data"),
    (2015, "ALL"): (3, 0.5, 3, 0.5, 4, 2, 0.6, 0.8333, 0.0769, "insufficient data"),
}

# measure_progress for 5.2, ALL, as of 2015.
MEASURE_5_2_ALL_2015 = {
    "activities_total": 2,
    "activities_implemented": 2,
    "activities_completed": 1,
    "countries_implementing": 2,
}


def pillar_5_rows(con) -> dict[tuple[int, str], tuple]:
    """The view's rows for the table's scopes, rounded as the table prints them."""
    got = {}
    for year, country in PILLAR_5:
        row = con.execute(
            f"SELECT measures_total, {', '.join(COLUMNS)} FROM metrics_pillar_country "
            "WHERE as_of_year = ? AND country = ? AND pillar = '5'",
            [year, country],
        ).fetchone()
        assert row[0] == 6, "pillar 5 has six measures"
        got[(year, country)] = tuple(round(v, 4) if isinstance(v, float) else v for v in row[1:])
    return got
