"""The dashboard's reads, callbacks and downloads for one plan of several, on the two-plan warehouse of
tests/support/two_plans.py: every number from that plan's rows of the views, every year one of its years."""

from __future__ import annotations

import os
import sys

import dash
import pytest
from support import two_plans
from support.dash_requests import sign_in

from etl import warehouse
from etl.plan.plans import SEED_PLAN

SECOND = two_plans.SECOND_PLAN


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The dashboard over two plans (the seed and the example 2018-2022 plan), their returns and a crosswalk."""
    from dashboard.app import create_app

    path = two_plans.build(tmp_path_factory.mktemp("plans") / "warehouse.duckdb")
    from support.signing_in import add_test_users

    add_test_users(path)
    before = os.environ.get("APTMON_WAREHOUSE")
    dash_app = create_app(path)
    dash_app.warehouse = path
    yield dash_app
    if before is None:
        os.environ.pop("APTMON_WAREHOUSE", None)
    else:
        os.environ["APTMON_WAREHOUSE"] = before


@pytest.fixture(autouse=True)
def serve_this_warehouse(app, monkeypatch):
    monkeypatch.setenv("APTMON_WAREHOUSE", str(app.warehouse))


def page(name: str):
    """The page module as Dash imported it."""
    module = next(p["module"] for p in dash.page_registry.values() if p["module"].rsplit(".", 1)[-1] == name)
    return sys.modules[module]


def rows(path, sql: str, params: list) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).df().to_dict("records")


def test_an_address_names_a_plan_by_its_id_in_any_case_and_anything_else_means_the_default(app):
    from dashboard.data import plans

    assert plans.resolve(SECOND.upper()) == SECOND
    assert plans.resolve(None) == plans.resolve("no-such-plan") == plans.default_plan_id() == SEED_PLAN.plan_id
    assert plans.timeframe(SECOND).years == (2018, 2019, 2020, 2021, 2022)


def test_the_heatmap_of_a_plan_has_its_pillars_and_its_numbers(app):
    figure = page("heatmap").update_heatmap("2019", "coverage", "pillars", "ALL", SECOND)
    expected = rows(
        app.warehouse,
        "SELECT pillar, coverage_rate FROM metrics_pillar_country WHERE plan_id = ? AND as_of_year = 2019 "
        "AND country = 'KHM' ORDER BY pillar",
        [SECOND],
    )
    assert len(expected) == 4  # the example plan's three pillars and ALL
    heat = figure.data[0]
    khm = list(heat.x[1]).index("Cambodia")  # the columns: (group, country) pairs
    # Cambodia's rates: the numbers in its column, whichever of the figure's heatmap layers draws them.
    shown = [row[khm] for layer in figure.data if layer.type == "heatmap" for row in layer.z]
    drawn = sorted(round(float(v), 6) for v in shown if v is not None and v == v)  # v == v: not NaN
    assert drawn == sorted(round(r["coverage_rate"], 6) for r in expected)
    assert list(heat.y) == ["I Political & Security", "II Economic & Financial", "III Socio-Cultural & Development",
                            "All pillars"]  # fmt: skip
    title = figure.layout.title.text.replace("<br>", " ")  # wrapped to be read on a phone
    assert "end 2019" in title
    assert title.endswith("the 2018-2022 plan (example)")


def test_a_measure_id_both_plans_use_reads_the_chosen_plans_rows(app):
    summary_seed, _ = page("measure").update_measure("2017", "1.1.1", SEED_PLAN.plan_id)
    summary_second, _ = page("measure").update_measure("2019", "1.1.1", SECOND)
    seed, second = (
        rows(
            app.warehouse,
            "SELECT activities_total FROM measure_progress WHERE plan_id = ? AND as_of_year = ? AND measure_id = "
            "'1.1.1' AND country = 'ALL'",
            [plan, year],
        )[0]["activities_total"]
        for plan, year in ((SEED_PLAN.plan_id, 2017), (SECOND, 2019))
    )
    assert (seed, second) == (1, 0)  # KHM's A2 under the seed plan; nothing yet under the example plan's 1.1.1
    assert summary_seed[0].children.children.children[1].children == "1"
    assert summary_second[0].children.children.children[1].children == "0"


def test_the_carried_over_list_is_the_views_rows(app):
    table, note = page("plans").update_carried_over("2019", SECOND)
    expected = rows(
        app.warehouse,
        "SELECT measure_id, outcome FROM carried_over WHERE plan_id = ? AND as_of_year = 2019",
        [SECOND],
    )
    assert [(r["measure_id"], r["outcome"]) for r in table] == [(r["measure_id"], r["outcome"]) for r in expected]
    assert {r["measure_id"]: r["continued_by"] for r in table}["2.1.2"] == "2.1.1, 2.1.2"
    # The seed plan has no predecessor: nothing carried over, and the page says why.
    table, note = page("plans").update_carried_over("2017", SEED_PLAN.plan_id)
    assert table == [] and note.children.startswith("Nothing carried over")


def test_downloads_are_of_the_plan_the_address_names_and_its_years(app):
    client = sign_in(app.server.test_client(), "admin")
    refused = client.get(f"/download/export?as_of=2015&format=csv&plan={SECOND}")
    assert refused.status_code == 400
    assert "Choose an as-of year from 2018 to 2022." in refused.get_data(as_text=True)
    assert client.get(f"/download/export?as_of=2019&format=csv&plan={SECOND}").status_code == 200
    template = client.get(f"/download/template?year=2019&country=KHM&plan={SECOND}")
    assert template.status_code == 200
    assert client.get("/download/template?year=2019&country=KHM").status_code == 400  # the seed plan's years
    crosswalk = client.get(f"/download/crosswalk?from={SEED_PLAN.plan_id}&to={SECOND}")
    assert crosswalk.status_code == 200 and crosswalk.data[:2] == b"PK"
    assert client.get(f"/download/crosswalk?from={SECOND}&to=nowhere").status_code == 400
