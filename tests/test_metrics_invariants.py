"""Invariants of the metric views over the demo data, and a few cells recomputed here from the raw returns."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import pytest

from etl import warehouse
from etl.plan.countries import ISO3_CODES
from etl.plan.definitions import SETTING_VALUES
from etl.plan.plans import SEED_PLAN


@pytest.fixture(scope="module")
def con(demo_warehouse):
    with warehouse.read_connection(demo_warehouse) as connection:
        yield connection


def _scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_the_demo_has_what_the_invariants_are_about(con):
    assert _scalar(con, "SELECT count(*) FROM submissions WHERE superseded_by IS NOT NULL") >= 1
    assert _scalar(con, "SELECT count(*) FROM submissions WHERE status = 'rejected'") >= 1
    assert _scalar(con, "SELECT count(*) FROM activities WHERE status = 'cancelled'") >= 1
    assert _scalar(con, "SELECT max(activities_total) FROM metrics_pillar_country") > 0


@pytest.mark.parametrize(
    ("view", "columns"),
    [
        ("metrics_pillar_country", ["coverage_rate", "completion_rate", "activity_completion_rate", "time_elapsed",
                                    "reporting_rate"]),
        ("metrics_section_country", ["coverage_rate", "completion_rate", "activity_completion_rate", "reporting_rate"]),
        ("metrics_reporting", ["reporting_rate", "on_time_rate"]),
    ],
)  # fmt: skip
def test_rates_lie_within_0_and_1(con, view, columns):
    for column in columns:
        low, high = con.execute(f"SELECT min({column}), max({column}) FROM {view}").fetchone()
        assert 0 <= low <= high <= 1, (view, column, low, high)
    assert _scalar(con, f"SELECT count(*) FROM {view} WHERE reporting_rate IS NULL") == 0


def test_counts_never_exceed_their_totals(con):
    bad = _scalar(
        con,
        "SELECT count(*) FROM metrics_pillar_country WHERE measures_completed > measures_covered"
        " OR measures_covered > measures_total OR activities_completed > activities_total OR pace_index < 0",
    )
    assert bad == 0
    assert _scalar(con, "SELECT count(*) FROM measure_progress WHERE activities_implemented > activities_total") == 0
    assert _scalar(con, "SELECT count(*) FROM metrics_reporting WHERE returns_on_time > returns_received") == 0


def test_all_covers_at_least_what_any_one_country_covers(con):
    for view, key in (("metrics_pillar_country", "pillar"), ("metrics_section_country", "section_id")):
        violations = _scalar(
            con,
            f"""
            SELECT count(*) FROM {view} c
            JOIN {view} a ON a.as_of_year = c.as_of_year AND a.{key} = c.{key} AND a.country = 'ALL'
            WHERE c.country <> 'ALL' AND (c.measures_covered > a.measures_covered
                OR c.measures_completed > a.measures_completed OR c.activities_total > a.activities_total)
            """,
        )
        assert violations == 0, view
    # Activities are identified per country, so ALL's activities are exactly the sum of the countries'.
    mismatched = _scalar(
        con,
        """
        SELECT count(*) FROM (
            SELECT as_of_year, pillar, sum(activities_total) FILTER (WHERE country <> 'ALL') AS countries,
                max(activities_total) FILTER (WHERE country = 'ALL') AS every
            FROM metrics_pillar_country GROUP BY ALL
        ) WHERE countries <> every
        """,
    )
    assert mismatched == 0


def test_measure_progress_all_row_sums_the_countries(con):
    mismatched = _scalar(
        con,
        """
        SELECT count(*) FROM (
            SELECT as_of_year, measure_id,
                sum(activities_total) FILTER (WHERE country <> 'ALL') AS total,
                max(activities_total) FILTER (WHERE country = 'ALL') AS every,
                count(*) FILTER (WHERE country <> 'ALL' AND activities_implemented > 0) AS implementing,
                max(countries_implementing) FILTER (WHERE country = 'ALL') AS every_implementing
            FROM measure_progress GROUP BY ALL
        ) WHERE total <> every OR implementing <> every_implementing
        """,
    )
    assert mismatched == 0


def test_pillar_measures_total_sums_to_the_catalogue(con):
    catalogue = dict(con.execute("SELECT pillar::VARCHAR, count(*) FROM measures GROUP BY ALL").fetchall())
    totals = dict(
        con.execute(
            "SELECT DISTINCT pillar, measures_total FROM metrics_pillar_country WHERE as_of_year = 2017"
        ).fetchall()
    )
    assert totals == {**catalogue, "ALL": sum(catalogue.values())}
    assert sum(catalogue.values()) == 183
    varying = _scalar(
        con, "SELECT count(*) FROM (SELECT pillar FROM metrics_pillar_country GROUP BY pillar HAVING count(DISTINCT "
        "measures_total) > 1)"
    )  # fmt: skip
    assert varying == 0


def test_section_rows_roll_up_to_pillar_rows(con):
    rolled = con.execute(
        """
        SELECT s.as_of_year, sec.pillar::VARCHAR AS pillar, s.country,
            sum(s.measures_total), sum(s.measures_covered), sum(s.measures_completed),
            sum(s.activities_total), max(s.activities_total)
        FROM metrics_section_country s
        JOIN sections sec USING (plan_id, section_id)
        GROUP BY ALL
        """
    ).fetchall()
    pillars = {
        (y, p, c): (total, covered, completed, activities)
        for y, p, c, total, covered, completed, activities in con.execute(
            "SELECT as_of_year, pillar, country, measures_total, measures_covered, measures_completed,"
            " activities_total FROM metrics_pillar_country WHERE pillar <> 'ALL'"
        ).fetchall()
    }
    assert len(rolled) == len(pillars) == 5 * 6 * 14
    for y, p, c, total, covered, completed, activities_sum, activities_max in rolled:
        pillar_total, pillar_covered, pillar_completed, pillar_activities = pillars[(y, p, c)]
        assert (total, covered, completed) == (pillar_total, pillar_covered, pillar_completed)
        # An activity may link measures of two sections of one pillar: counted in each, once in the pillar.
        assert activities_max <= pillar_activities <= activities_sum


def test_superseded_and_rejected_uploads_never_count(con):
    leaked = _scalar(
        con,
        """
        SELECT count(*) FROM activity_status st
        JOIN submissions s USING (submission_id)
        WHERE s.status <> 'accepted' OR s.superseded_by IS NOT NULL
        """,
    )
    assert leaked == 0
    received = _scalar(
        con, "SELECT returns_received FROM metrics_reporting WHERE as_of_year = 2017 AND country = 'ALL'"
    )
    current_pairs = _scalar(
        con,
        "SELECT count(DISTINCT (country, reporting_year)) FROM submissions WHERE status = 'accepted'"
        " AND superseded_by IS NULL",
    )
    uploads = _scalar(con, "SELECT count(*) FROM submissions")
    assert received == current_pairs < uploads


# --- The same numbers computed independently, in plain Python, from the raw rows -----------------------------


def _raw(con):
    submissions = con.execute(
        "SELECT submission_id, country, reporting_year, version, status, superseded_by, received_on FROM submissions"
    ).fetchall()
    activities = con.execute("SELECT submission_id, country, activity_id, status FROM activities").fetchall()
    links = con.execute("SELECT submission_id, activity_id, measure_id FROM activity_measures").fetchall()
    measures = dict(con.execute("SELECT measure_id, pillar::VARCHAR FROM measures").fetchall())
    # The schedule's newest accepted version, as stored; the defaults are applied below, not by the views.
    entries = con.execute(
        "SELECT measure_id, kind, start_year, due_year, lead_countries FROM schedule_entries WHERE load_id = "
        "(SELECT load_id FROM schedule_loads WHERE status = 'accepted' ORDER BY version DESC LIMIT 1)"
    ).fetchall()
    return submissions, activities, links, measures, entries


def _schedule(measures: dict, entries: list) -> dict[str, tuple[str, int, int, set[str]]]:
    """measure -> (kind, start, due, leads), the default for what the schedule leaves out or blank."""
    schedule = {m: ("one-off", SEED_PLAN.first_year, SEED_PLAN.last_year, set()) for m in measures}
    for measure_id, kind, start, due, leads in entries:
        schedule[measure_id] = (
            kind or "one-off",
            SEED_PLAN.first_year if start is None else start,
            SEED_PLAN.last_year if due is None else due,
            set(leads or ()),
        )
    return schedule


def _expected_share(kind: str, start: int, due: int, year: int) -> Fraction:
    if kind == "recurring":
        return Fraction(1 if year >= start else 0)
    return min(Fraction(1), max(Fraction(0), Fraction(year - start + 1, due - start + 1)))


def _recompute(con, as_of: int, country: str, pillar: str) -> dict:
    submissions, activities, links, measures, entries = _raw(con)
    schedule = _schedule(measures, entries)
    # Current version of each (country, year): the newest accepted upload.
    current: dict[tuple[str, int], tuple[int, int]] = {}
    for sid, c, year, version, status, _superseded, _received_on in submissions:
        if status != "accepted":
            continue
        if (c, year) not in current or version > current[(c, year)][0]:
            current[(c, year)] = (version, sid)
    current_ids = {sid: key for key, (_, sid) in current.items()}
    countries = set(ISO3_CODES) if country == "ALL" else {country}
    # Status as of Y: the latest listing with R <= Y.
    latest: dict[tuple[str, str], tuple[int, int, str]] = {}
    for sid, c, activity_id, status in activities:
        if sid not in current_ids or c not in countries:
            continue
        year = current_ids[sid][1]
        if year <= as_of and ((c, activity_id) not in latest or year > latest[(c, activity_id)][0]):
            latest[(c, activity_id)] = (year, sid, status)
    linked = defaultdict(set)
    for sid, activity_id, measure_id in links:
        linked[(sid, activity_id)].add(measure_id)
    in_pillar = {m for m, p in measures.items() if pillar == "ALL" or p == pillar}
    covered, completed, engaged, implemented_this_year = set(), set(), set(), set()
    acts = acts_done = 0
    for (_c, activity_id), (year, sid, status) in latest.items():
        if status == "cancelled":
            continue
        ms = linked[(sid, activity_id)] & in_pillar
        if not ms:
            continue
        acts += 1
        acts_done += status == "completed"
        engaged |= ms
        if status in ("ongoing", "completed"):
            covered |= ms
            if year == as_of:
                implemented_this_year |= ms
        if status == "completed":
            completed |= ms
    # ALL is judged on every measure; a country on what it took up and what it leads.
    leads = {m for m in in_pillar if country in schedule[m][3]}
    in_scope = set(in_pillar) if country == "ALL" else engaged | leads
    delivered = {m for m in in_scope if m in (implemented_this_year if schedule[m][0] == "recurring" else completed)}
    overdue = {m for m in in_scope - delivered if schedule[m][0] == "one-off" and schedule[m][2] <= as_of}
    expected_total = sum((_expected_share(*schedule[m][:3], as_of) for m in in_scope), Fraction(0))
    years = as_of - SEED_PLAN.first_year + 1
    received = sum(1 for (c, year) in current if c in countries and year <= as_of)
    reporting_rate = received / (len(countries) * years)
    pace = Fraction(len(delivered)) / expected_total if expected_total else None
    if reporting_rate < SETTING_VALUES["min_reporting_rate"]:
        status = "insufficient data"
    elif not in_scope:
        status = "no commitments"
    elif expected_total == 0:
        status = "not yet due"
    elif pace >= Fraction(str(SETTING_VALUES["on_track_pace"])):
        status = "on track"
    elif pace >= Fraction(str(SETTING_VALUES["acceleration_pace"])):
        status = "acceleration needed"
    else:
        status = "limited progress"
    return {
        "measures_total": len(in_pillar),
        "measures_covered": len(covered),
        "measures_completed": len(completed),
        "measures_engaged": len(engaged),
        "measures_in_scope": len(in_scope),
        "measures_delivered": len(delivered),
        "measures_overdue": len(overdue),
        "activities_total": acts,
        "activities_completed": acts_done,
        "coverage_rate": pytest.approx(len(covered) / len(in_pillar)),
        "expected_rate": pytest.approx(float(expected_total / len(in_scope))) if in_scope else None,
        "pace_index": pytest.approx(float(pace)) if pace is not None else None,
        "reporting_rate": pytest.approx(reporting_rate),
        "progress_status": status,
    }


@pytest.mark.parametrize(
    ("as_of", "country", "pillar"),
    [
        (2017, "ALL", "ALL"), (2016, "KHM", "2"), (2015, "THA", "4"), (2014, "ALL", "1"), (2017, "PHL", "ALL"),
        # under the demo's example schedule: a lead with no activity, not yet due, overdue, recurring measures
        (2014, "JPN", "5"), (2016, "JPN", "5"), (2015, "THA", "3"), (2016, "ALL", "6"), (2015, "KOR", "1"),
    ],
)  # fmt: skip
def test_cells_match_an_independent_recomputation(con, as_of, country, pillar):
    expected = _recompute(con, as_of, country, pillar)
    row = con.execute(
        f"SELECT {', '.join(expected)} FROM metrics_pillar_country WHERE as_of_year = ? AND country = ? AND pillar = ?",
        [as_of, country, pillar],
    ).fetchone()
    assert dict(zip(expected, row, strict=True)) == expected
    assert expected["activities_total"] > 0 or expected["measures_in_scope"] > 0  # a cell with something to judge


def test_the_demo_judges_against_its_example_schedule_and_shows_every_status(con):
    loaded = con.execute("SELECT version, loaded_by, is_example FROM current_schedule").fetchall()
    assert loaded == [(1, "demo", True)]
    kinds = dict(con.execute("SELECT kind, count(*) FROM measure_schedule GROUP BY ALL").fetchall())
    assert kinds["recurring"] >= 1 and kinds["one-off"] >= 1
    statuses = {s for (s,) in con.execute("SELECT DISTINCT progress_status FROM metrics_pillar_country").fetchall()}
    assert statuses == {"on track", "acceleration needed", "limited progress", "not yet due", "no commitments",
                        "insufficient data"}  # fmt: skip
    assert _scalar(con, "SELECT count(*) FROM measure_progress WHERE overdue AND due_year < 2017") >= 1


def test_delivered_never_exceeds_in_scope_and_all_judges_every_measure(con):
    for view in ("metrics_pillar_country", "metrics_section_country"):
        bad = _scalar(
            con,
            f"SELECT count(*) FROM {view} WHERE measures_delivered > measures_in_scope"
            " OR measures_engaged > measures_in_scope OR measures_in_scope > measures_total"
            " OR measures_overdue > measures_in_scope - measures_delivered"
            " OR delivery_rate NOT BETWEEN 0 AND 1 OR expected_rate NOT BETWEEN 0 AND 1"
            " OR (country = 'ALL' AND measures_in_scope <> measures_total)"
            " OR ((measures_in_scope = 0) <> (delivery_rate IS NULL))",
        )
        assert bad == 0, view
    assert _scalar(con, "SELECT count(*) FROM measure_progress WHERE country = 'ALL' AND NOT in_scope") == 0
    assert _scalar(con, "SELECT count(*) FROM measure_progress WHERE delivered AND NOT in_scope") == 0


def test_a_lead_country_is_in_scope_for_its_measures_even_with_no_activity(con):
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE in_scope), count(*) FILTER (WHERE NOT engaged) FROM measure_progress"
        " WHERE country <> 'ALL' AND list_contains(string_split(lead_countries, '; '), country)"
    ).fetchone()
    led, in_scope, without_activity = rows
    assert led == in_scope > 0 and without_activity > 0


def test_measures_on_the_default_schedule_are_judged_as_before(con):
    # A measure the schedule leaves at its default is delivered when completed and expected by time elapsed.
    differing = _scalar(
        con,
        "SELECT count(*) FROM measure_progress mp JOIN measure_schedule ms USING (plan_id, measure_id) "
        "WHERE ms.is_default AND (mp.delivered <> mp.completed OR mp.expected_share <> (mp.as_of_year - 2012) / 5"
        " OR mp.overdue <> (mp.as_of_year = 2017 AND NOT mp.completed AND mp.in_scope))",
    )
    assert differing == 0


def test_every_as_of_year_and_scope_is_present(con):
    assert _scalar(con, "SELECT count(DISTINCT as_of_year) FROM metrics_pillar_country") == len(SEED_PLAN.years)
    scopes = {c for (c,) in con.execute("SELECT DISTINCT country FROM metrics_reporting").fetchall()}
    assert scopes == {*ISO3_CODES, "ALL"}
