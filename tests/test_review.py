"""Since the last review: the changes between two dates read from the warehouse, and the meetings an admin records."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from support.factories import add_return

from etl import reviews, warehouse
from etl.plan.plans import SEED_PLAN

APTMON = str(Path(sys.executable).with_name("aptmon"))
FIRST_REVIEW, SECOND_REVIEW = date(2015, 6, 1), date(2016, 6, 1)
PLAN = SEED_PLAN.plan_id


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> Path:
    """A year between two reviews: two first arrivals, a new version of an older return, and every kind of change."""
    path = tmp_path_factory.mktemp("review") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_return(
        path, "KHM", 2014, [("A1", "ongoing", ["5.1"]), ("A2", "planned", ["5.2"])], received_on=date(2015, 2, 1)
    )
    reviews.add_meeting(FIRST_REVIEW, "First review", "admin", path)
    khm_2015 = [("A1", "completed", ["5.1"]), ("A2", "cancelled", ["5.2"]), ("A3", "planned", ["5.3"])]
    add_return(path, "KHM", 2015, khm_2015, received_on=date(2016, 3, 1))
    khm_2014_v2 = [("A1", "ongoing", ["5.1"]), ("A2", "planned", ["5.2"]), ("A4", "ongoing", ["5.4"])]
    add_return(path, "KHM", 2014, khm_2014_v2, received_on=date(2016, 4, 1))
    add_return(path, "JPN", 2015, [("J1", "ongoing", ["5.2"])], received_on=date(2016, 5, 1))
    reviews.add_meeting(SECOND_REVIEW, "Second review", "admin", path)
    # After the second review: not part of it.
    add_return(path, "LAO", 2015, [("L1", "ongoing", ["5.2"])], received_on=date(2016, 7, 1))
    return path


def rows(path: Path, sql: str, params: list) -> list[tuple]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).fetchall()


def test_returns_received_between_the_reviews(reviewed):
    received = rows(
        reviewed,
        "SELECT country, reporting_year, version, first_received, on_time FROM review_returns(?, ?, ?)",
        [PLAN, FIRST_REVIEW, SECOND_REVIEW],
    )
    assert received == [
        ("KHM", 2015, 1, True, True),  # by 31 March 2016
        ("KHM", 2014, 2, False, False),  # a new version of a return known at the first review
        ("JPN", 2015, 1, True, False),
    ]


def test_activities_added_completed_and_gone_back(reviewed):
    changed = rows(
        reviewed,
        "SELECT activity_id, status_before, status_now, change FROM review_activities(?, ?, ?)",
        [PLAN, FIRST_REVIEW, SECOND_REVIEW],
    )
    assert sorted(changed, key=lambda r: r[0]) == [
        ("A1", "ongoing", "completed", "completed"),
        ("A2", "planned", "cancelled", "went back"),
        ("A3", None, "planned", "added"),
        ("A4", None, "ongoing", "added"),  # listed in the 2014 return's second version
        ("J1", None, "ongoing", "added"),
    ]
    # Nothing changes between a date and itself, or before anything arrived.
    assert rows(reviewed, "SELECT * FROM review_activities(?, ?, ?)", [PLAN, SECOND_REVIEW, SECOND_REVIEW]) == []
    assert rows(reviewed, "SELECT * FROM review_returns(?, ?, ?)", [PLAN, date(2013, 1, 1), date(2015, 1, 1)]) == []


def test_a_date_speaks_for_the_last_year_whose_returns_were_due(reviewed):
    years = rows(
        reviewed,
        "SELECT review_as_of_year($plan, DATE '2016-06-01'), review_as_of_year($plan, DATE '2016-03-30'), "
        "review_as_of_year($plan, DATE '2014-03-30'), review_as_of_year($plan, DATE '2024-01-01')",
        {"plan": PLAN},
    )
    assert years == [(2015, 2014, None, 2017)]


def test_default_dates_are_the_last_two_meetings_else_the_last_uploads(reviewed, tmp_path):
    import os

    from dashboard.app import create_app
    from dashboard.data import connection, review

    before = os.environ.get("APTMON_WAREHOUSE")
    try:
        create_app(reviewed)
        connection.clear_cache()
        assert review.review_default_dates() == (FIRST_REVIEW, SECOND_REVIEW)
        bare = tmp_path / "bare.duckdb"
        warehouse.initialise(bare)
        add_return(bare, "KHM", 2014, [("A1", "ongoing", ["5.1"])], received_on=date(2015, 2, 1))
        create_app(bare)
        assert review.review_default_dates() is None  # one upload day: nothing to compare yet
        add_return(bare, "KHM", 2015, [("A1", "ongoing", ["5.1"])], received_on=date(2016, 2, 1))
        connection.clear_cache()
        assert review.review_default_dates() == (date(2015, 2, 1), date(2016, 2, 1))
        reviews.add_meeting(date(2015, 6, 1), "", "admin", bare)
        connection.clear_cache()
        assert review.review_default_dates() == (date(2015, 6, 1), date(2016, 2, 1))
    finally:
        if before is None:
            os.environ.pop("APTMON_WAREHOUSE", None)
        else:
            os.environ["APTMON_WAREHOUSE"] = before


def aptmon(*args, db: Path):
    return subprocess.run([APTMON, *args, "--warehouse", str(db)], capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # aptmon in a subprocess
def test_an_admin_records_lists_and_removes_meetings_from_the_command_line(warehouse_file):
    added = aptmon(
        "reviews", "add", "2016-06-15", "--title", "CPR Plus Three, June 2016", "--by", "sec", db=warehouse_file
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Recorded CPR Plus Three, June 2016 on 2016-06-15."
    assert aptmon("reviews", "add", "2017-06-15", db=warehouse_file).returncode == 0
    listed = aptmon("reviews", "list", db=warehouse_file).stdout.splitlines()
    assert listed[0].startswith("2017-06-15  CPR Plus Three meeting of 15 June 2017")
    assert listed[1] == "2016-06-15  CPR Plus Three, June 2016  (recorded by sec)"
    again = aptmon("reviews", "add", "2016-06-15", db=warehouse_file)
    assert again.returncode == 2 and "already recorded" in again.stderr and "Traceback" not in again.stderr
    future = aptmon("reviews", "add", "2999-01-01", db=warehouse_file)
    assert future.returncode == 2 and "in the future" in future.stderr
    assert aptmon("reviews", "remove", "2017-06-15", db=warehouse_file).returncode == 0
    assert [m.meeting_on for m in reviews.list_meetings(warehouse_file)] == [date(2016, 6, 15)]
    missing = aptmon("reviews", "remove", "2017-06-15", db=warehouse_file)
    assert missing.returncode == 2 and "No meeting on 2017-06-15" in missing.stderr


def test_measures_newly_delivered_between_the_years_the_reviews_speak_for(reviewed):
    # 1 June 2015 speaks for the end of 2014, 1 June 2016 for the end of 2015: A1 completed 5.1 in the 2015 return.
    changed = rows(
        reviewed,
        "SELECT measure_id, year_before, year_now, change FROM review_measures(?, ?, ?)",
        [PLAN, FIRST_REVIEW, SECOND_REVIEW],
    )
    assert changed == [("5.1", 2014, 2015, "newly delivered")]
    delivered = rows(
        reviewed,
        "SELECT as_of_year, delivered FROM measure_progress WHERE measure_id = '5.1' AND country = 'ALL' "
        "AND as_of_year IN (2014, 2015) ORDER BY as_of_year",
        [],
    )
    assert delivered == [(2014, False), (2015, True)]


# ---- the Review page's meeting form (admins) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def review_app(tmp_path_factory):
    """The dashboard over a warehouse with two upload days and no meeting, with one test user per role."""
    from support.dash_requests import sign_in
    from support.signing_in import add_test_users

    from dashboard.app import create_app

    path = tmp_path_factory.mktemp("review-page") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_return(path, "KHM", 2014, [("A1", "ongoing", ["5.1"])], received_on=date(2015, 2, 1))
    add_return(path, "KHM", 2015, [("A1", "completed", ["5.1"])], received_on=date(2016, 2, 1))
    add_test_users(path)
    app = create_app(path)
    app.warehouse = path
    sign_in(app.server.test_client(), "viewer").get("/_dash-layout")  # Dash adds its page callbacks on first use
    return app


@pytest.fixture
def serve_review_app(review_app, monkeypatch):
    # The app serves the warehouse named in the environment, which any other app created since may have changed.
    monkeypatch.setenv("APTMON_WAREHOUSE", str(review_app.warehouse))
    return review_app


FROM, TO = '{"name":"from","type":"filter"}', '{"name":"to","type":"filter"}'  # the date filters' ids


def change_meetings(app, role: str, day: str | None, title: str | None = None):
    """Type a date and a title on the Review page and click Record, as a signed-in user of `role`."""
    return _click(app, role, [1, None], [day, title, None, SEED_PLAN.plan_id], 0)


def remove_meeting(app, role: str, chosen: str | None):
    """Choose a recorded meeting on the Review page and click Remove, as a signed-in user of `role`."""
    return _click(app, role, [None, 1], [None, None, chosen, SEED_PLAN.plan_id], 1)


def _click(app, role: str, clicks: list, state: list, changed: int):
    from support.dash_requests import call_callback, sign_in

    client = sign_in(app.server.test_client(), role)
    return call_callback(client, app, "change_meetings", clicks, state, changed=changed)


def shown(response) -> dict:
    """Each output the callback changed, as {component id: value}; the alert as its colour and text."""
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = {key: next(iter(props.values())) for key, props in response.get_json()["response"].items()}
    alert = changed.pop("review-meeting-result")["props"]
    return {"alert": (alert["color"], alert["children"])} | changed


def test_an_admin_records_and_removes_meetings_on_the_review_page(serve_review_app):
    app = serve_review_app
    first = shown(change_meetings(app, "admin", "2015-06-15", "  CPR Plus Three,   June 2015 "))
    assert first["alert"] == ("success", "Recorded CPR Plus Three, June 2015 on 2015-06-15.")  # as the CLI says
    assert [(m.meeting_on, m.title, m.recorded_by) for m in reviews.list_meetings(app.warehouse)] == [
        (date(2015, 6, 15), "CPR Plus Three, June 2015", "admin")
    ]
    assert "CPR Plus Three, June 2015 (15 Jun 2015)" in json.dumps(first["review-meetings"])
    # One meeting: the dates compare it with the latest upload after it.
    assert (first[FROM], first[TO]) == ("2015-06-15", "2016-02-01")
    # A blank title is named from the date; the dates now compare the last two meetings.
    second = shown(change_meetings(app, "admin", "2016-06-15", "   "))
    assert second["alert"] == ("success", "Recorded CPR Plus Three meeting of 15 June 2016 on 2016-06-15.")
    assert (second[FROM], second[TO]) == ("2015-06-15", "2016-06-15")
    assert [c["value"] for c in second["review-meeting-choice"]] == ["2016-06-15", "2015-06-15"]
    # The CLI's refusals, in its words; nothing else on the page changes.
    for day, colour, message in [
        ("2015-06-15", "danger", "A meeting on 2015-06-15 is already recorded."),
        ("2999-01-01", "danger", "2999-01-01 is in the future; record a meeting once it has taken place."),
        ("2012-12-31", "danger", "2012-12-31 is before the plan began (2013); give the meeting's date."),
        (None, "warning", "Give the meeting's date (YYYY-MM-DD)."),
        ("15/06/2016", "warning", "Give the meeting's date (YYYY-MM-DD)."),
    ]:
        assert shown(change_meetings(app, "admin", day, "Another")) == {"alert": (colour, message)}, day
    assert len(reviews.list_meetings(app.warehouse)) == 2
    removed = shown(remove_meeting(app, "admin", "2016-06-15"))
    assert removed["alert"] == ("success", "Removed the meeting of 2016-06-15.")
    assert [c["value"] for c in removed["review-meeting-choice"]] == ["2015-06-15"]
    assert (removed[FROM], removed[TO]) == ("2015-06-15", "2016-02-01")
    again = shown(remove_meeting(app, "admin", "2016-06-15"))
    assert again == {"alert": ("danger", "No meeting on 2016-06-15 is recorded.")}
    assert shown(remove_meeting(app, "admin", None)) == {"alert": ("warning", "Choose the meeting to remove.")}
    assert [m.meeting_on for m in reviews.list_meetings(app.warehouse)] == [date(2015, 6, 15)]


@pytest.mark.parametrize("role", ["viewer", "analyst", "evaluator"])
def test_only_an_admin_may_record_or_remove_a_meeting(serve_review_app, role):
    app = serve_review_app
    before = reviews.list_meetings(app.warehouse)
    assert change_meetings(app, role, "2015-06-15", "Not mine to record").status_code == 403
    assert remove_meeting(app, role, "2015-06-15").status_code == 403
    assert reviews.list_meetings(app.warehouse) == before


@pytest.mark.parametrize(("role", "sees_form"), [("viewer", False), ("evaluator", False), ("admin", True)])
def test_the_meeting_form_shows_only_to_admins(serve_review_app, role, sees_form):
    import dash
    from flask_login import login_user

    from dashboard.security.sessions import SignedInUser
    from etl.accounts import User

    # The page module as Dash imported it (importing it again under another name would register it twice).
    review = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/review")]
    with serve_review_app.server.test_request_context():
        login_user(SignedInUser(User(f"a-{role}", role, None, "fingerprint")))
        layout = json.dumps(review.layout().to_plotly_json(), default=lambda c: c.to_plotly_json())
    assert ('"id": "review-meeting-form"' in layout) is sees_form
    assert "admins record the meetings on this page (or with aptmon reviews add)" in layout


# ---- plans whose years overlap -----------------------------------------------------------------------------------

OVERLAPPING = "example-2015-2016"
PLAN_TEXTS = Path(__file__).resolve().parent / "plan_texts"


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory) -> Path:
    """The seed plan and a two-year plan over 2015-2016 (its 5 measures: 1.1-1.3, 2.1.1, 2.1.2), each with a 2015
    return of its own received between the same two dates."""
    from etl.warehouse.plan_loading import add_plan

    path = tmp_path_factory.mktemp("two-plans") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_plan(path, PLAN_TEXTS / "example-2020-2021.txt", OVERLAPPING, (2015, 2016), "Overlapping plan", is_example=True)
    add_return(path, "KHM", 2015, [("A1", "completed", ["2.1.1"])], received_on=date(2016, 3, 1))
    add_return(path, "KHM", 2015, [("B1", "ongoing", ["2.1.1"]), ("B2", "completed", ["1.1"])],
               received_on=date(2016, 3, 2), plan_id=OVERLAPPING)  # fmt: skip
    return path


def test_a_review_reads_only_its_own_plan(two_plans):
    between = [date(2016, 1, 1), date(2016, 6, 1)]
    for plan_id, activity_ids in ((PLAN, ["A1"]), (OVERLAPPING, ["B1", "B2"])):
        returns = rows(two_plans, "SELECT country, reporting_year, version FROM review_returns(?, ?, ?)",
                       [plan_id, *between])  # fmt: skip
        assert returns == [("KHM", 2015, 1)], plan_id
        changed = rows(two_plans, "SELECT activity_id, change FROM review_activities(?, ?, ?) ORDER BY activity_id",
                       [plan_id, *between])  # fmt: skip
        assert changed == [(a, "added") for a in activity_ids], plan_id
    # A date speaks for a year of the plan asked about: the two-year plan ends in 2016, the seed plan in 2017.
    assert rows(two_plans, "SELECT review_as_of_year(?, DATE '2020-06-01')", [OVERLAPPING]) == [(2016,)]
    assert rows(two_plans, "SELECT review_as_of_year(?, DATE '2020-06-01')", [PLAN]) == [(2017,)]
    # 1.1 was delivered in the two-year plan (B2) by the end of 2015; the seed plan has no measure 1.1.
    measures = rows(two_plans, "SELECT measure_id, change FROM review_measures(?, ?, ?)",
                    [OVERLAPPING, date(2015, 6, 1), date(2016, 6, 1)])  # fmt: skip
    assert ("1.1", "newly delivered") in measures
    assert len(measures) == len({m for m, _ in measures})  # one row per measure: no other plan's 1.1 joined in


def test_where_it_lags_reads_only_its_own_plan(two_plans):
    with warehouse.read_connection(two_plans) as con:
        ids = {p: {m for (m,) in con.execute("SELECT measure_id FROM measures WHERE plan_id = ?", [p]).fetchall()}
               for p in (PLAN, OVERLAPPING)}  # fmt: skip
    assert len(ids[OVERLAPPING]) == 5
    for plan_id in (PLAN, OVERLAPPING):
        not_taken_up = rows(two_plans, "SELECT * FROM measures_not_taken_up(?, 2016, NULL)", [plan_id])
        taken_up = 2 if plan_id == OVERLAPPING else 1  # 2.1.1 and 1.1 in the two-year plan, 2.1.1 in the seed
        assert not_taken_up == [(len(ids[plan_id]) - taken_up, len(ids[plan_id]))], plan_id
        overdue = [m for (m, *_) in rows(two_plans, "SELECT * FROM overdue_measures(?, 2016, 'ALL', NULL)", [plan_id])]
        if plan_id == PLAN:
            assert overdue == []  # 2016 is before the seed plan's default due year (its last, 2017)
        else:  # 2016 is the two-year plan's last year: what is not delivered is overdue
            assert overdue and set(overdue) <= ids[plan_id] and len(overdue) == len(set(overdue))
        sections = rows(two_plans, "SELECT section_id FROM lagging_sections(?, 2016, 'ALL', NULL)", [plan_id])
        with warehouse.read_connection(two_plans) as con:
            own = {s for (s,) in con.execute("SELECT section_id FROM sections WHERE plan_id = ?", [plan_id]).fetchall()}
        assert {s for (s,) in sections} <= own, plan_id
