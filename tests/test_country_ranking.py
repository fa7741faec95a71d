"""The country_ranking view: the 13 countries per as-of year and pillar, the furthest behind first."""

from __future__ import annotations

import math

import pytest

from etl import warehouse
from etl.warehouse import metrics

# The order the view ranks statuses in, from the furthest behind; the statuses that judge nothing come last.
BEHIND_FIRST = ["limited progress", "acceleration needed", "on track", "not yet due", "no commitments",
                "insufficient data"]  # fmt: skip


def rows(path, sql: str, params: list | None = None) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params or []).df().to_dict("records")


def _nan_last(value: float) -> tuple:
    return (value is None or math.isnan(value), 0 if value is None or math.isnan(value) else value)


@pytest.mark.parametrize(("year", "pillar"), [(2017, "ALL"), (2015, "ALL"), (2016, "3"), (2013, "5")])
def test_the_ranking_puts_the_countries_in_status_then_pace_order(demo_warehouse, year, pillar):
    ranked = rows(
        demo_warehouse,
        "SELECT * FROM country_ranking WHERE as_of_year = ? AND pillar = ? ORDER BY lag_rank",
        [year, pillar],
    )
    assert [r["lag_rank"] for r in ranked] == list(range(1, 14))
    # The same 13 countries and numbers as metrics_pillar_country, put in order here from its own columns.
    judged = rows(
        demo_warehouse,
        "SELECT m.*, c.ordinal FROM metrics_pillar_country m JOIN countries c ON c.iso3 = m.country "
        "WHERE as_of_year = ? AND pillar = ?",
        [year, pillar],
    )

    def gap(r):
        if r["expected_rate"] is None or r["delivery_rate"] is None:
            return math.nan
        return r["expected_rate"] - r["delivery_rate"]

    expected = sorted(
        judged,
        key=lambda r: (
            BEHIND_FIRST.index(r["progress_status"]),
            _nan_last(r["pace_index"]),
            _nan_last(-gap(r) if not math.isnan(gap(r)) else math.nan),
            -r["measures_overdue"],
            r["ordinal"],
        ),
    )
    assert [r["country"] for r in ranked] == [r["country"] for r in expected]
    by_country = {r["country"]: r for r in judged}
    for row in ranked:
        source = by_country[row["country"]]
        assert (row["progress_status"], row["measures_delivered"], row["measures_in_scope"]) == (
            source["progress_status"],
            source["measures_delivered"],
            source["measures_in_scope"],
        )


def test_the_demo_ranks_brunei_furthest_behind_at_the_end_of_2017(demo_warehouse):
    first = rows(demo_warehouse, "SELECT * FROM country_ranking WHERE as_of_year = 2017 AND pillar = 'ALL' "
                 "AND lag_rank = 1")[0]  # fmt: skip
    assert (first["country"], first["country_name"], first["progress_status"]) == (
        "BRN",
        "Brunei Darussalam",
        "limited progress",
    )
    # Pace is delivered over what the schedule expects of the measures Brunei took up or leads.
    assert first["pace_index"] == pytest.approx(
        first["measures_delivered"] / first["measures_in_scope"] / first["expected_rate"]
    )


def test_the_ranking_read_from_the_snapshot_is_the_views(demo_warehouse):
    with warehouse.read_connection(demo_warehouse) as con:
        assert metrics.snapshots_current(con)
        view = con.execute("SELECT * FROM country_ranking ORDER BY ALL").fetchall()
        snapshot = con.execute(
            "SELECT * FROM country_lag_ranking(pillar_metrics := 'metrics_pillar_country_snapshot') ORDER BY ALL"
        ).fetchall()
    assert view == snapshot and len(view) == 13 * 7 * 5  # countries x (6 pillars and ALL) x as-of years


def test_a_warehouse_without_returns_ranks_every_country_unjudged_in_their_own_order(warehouse_file):
    ranked = rows(warehouse_file, "SELECT * FROM country_ranking WHERE as_of_year = 2013 AND pillar = 'ALL' "
                  "ORDER BY lag_rank")  # fmt: skip
    order = [r["iso3"] for r in rows(warehouse_file, "SELECT iso3 FROM countries ORDER BY ordinal")]
    assert [r["country"] for r in ranked] == order
    assert {r["progress_status"] for r in ranked} == {"insufficient data"}
