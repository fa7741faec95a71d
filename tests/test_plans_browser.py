"""The dashboard across plans in headless Chromium: the plan picker and ?plan=, the Plans page, continuity and the
carried-over list, on a warehouse holding the seed plan and an example 2018-2022 plan (tests/support/two_plans.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import two_plans

from etl import warehouse
from etl.plan.plans import SEED_PLAN

pytestmark = pytest.mark.browser

PICKER = "#plan-picker"
YEAR = '[id=\'{"name":"year","type":"filter"}\']'
EXAMPLE_TITLE = "Example Plan 2018-2022 for the tests"


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    """Two plans, their returns and a crosswalk (live_app serves this warehouse)."""
    return two_plans.build(tmp_path / "warehouse.duckdb")


def view(path: Path, sql: str, params: list | None = None) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params or []).df().to_dict("records")


def options(page, selector: str) -> list[str]:
    """The choices of a select (dbc.Select adds an empty placeholder first)."""
    return [text for text in page.locator(selector + " option").all_inner_texts() if text]


def heading(page) -> str:
    return page.locator("h1.page-title").first.inner_text()


def test_the_picker_opens_on_the_default_plan_and_puts_the_choice_in_the_address(live_app, page):
    page.goto(f"{live_app}/")
    # No plan holds today's year and an example plan is never the default: the seed plan (etl.plan.plans).
    page.wait_for_selector("h1.page-title")
    assert page.locator(PICKER).input_value() == SEED_PLAN.plan_id
    assert page.get_by_label("Plan", exact=True).count() == 1  # a visible label tied to the select
    assert heading(page) == "Overview of the 2013-2017 ASEAN Plus Three Cooperation Work Plan"
    assert "of 2013-2017 by end 2017" in page.locator("#card-time").inner_text()
    assert options(page, YEAR) == [f"End of {y}" for y in range(2013, 2018)]
    # The example plan says so in the picker itself.
    assert options(page, PICKER)[0].startswith("2018-2022 (example): ")

    page.select_option(PICKER, two_plans.SECOND_PLAN)
    page.wait_for_url(re.compile(rf"/\?plan={two_plans.SECOND_PLAN}"))
    expect(page.locator("h1.page-title")).to_contain_text("Example Plan")
    assert heading(page).startswith(f"Overview of the {EXAMPLE_TITLE}") and heading(page).endswith("(example)")
    # The card and the year choices speak of the plan's own years; the latest with returns is 2019.
    assert "of 2018-2022 by end 2019" in page.locator("#card-time").inner_text()
    assert options(page, YEAR) == [f"End of {y}" for y in range(2018, 2023)]
    assert page.locator(YEAR).input_value() == "2019"
    trend_title = page.locator("#pillar-ranking-graph .gtitle").text_content()
    assert "end 2019, the 2018-2022 plan (example)" in trend_title
    assert page.console_errors == []


def test_the_chosen_plan_is_kept_across_pages_links_and_filters(live_app, page):
    page.goto(f"{live_app}/?plan={SEED_PLAN.plan_id}")
    page.wait_for_selector("h1.page-title")
    page.get_by_role("link", name="Measures", exact=True).click()
    page.wait_for_url(re.compile(rf"/measures\?plan={SEED_PLAN.plan_id}"))
    expect(page.locator("#catalogue-summary")).to_contain_text("183 measures")
    assert "2013-2017 ASEAN Plus Three Cooperation Work Plan" in page.locator("#catalogue-summary").inner_text()
    assert page.locator(PICKER).input_value() == SEED_PLAN.plan_id

    # A filter writes its value beside the plan; the plan stays.
    page.select_option(YEAR, "2016")
    page.wait_for_url(re.compile(r"year=2016"))
    assert f"plan={SEED_PLAN.plan_id}" in page.url

    # A link written without the plan (the breadcrumb of a measure page) still carries it.
    page.goto(f"{live_app}/measure/5.1?plan={SEED_PLAN.plan_id}")
    page.locator(".breadcrumb-line").get_by_role("link", name="Measures", exact=True).click()
    page.wait_for_url(re.compile(rf"/measures\?plan={SEED_PLAN.plan_id}"))

    # Back to the measure page: the picker follows the address.
    page.go_back()
    page.wait_for_url(re.compile(r"/measure/5\.1"))
    assert page.locator(PICKER).input_value() == SEED_PLAN.plan_id

    # The other plan from the picker: the same page, its own measures.
    page.goto(f"{live_app}/measures?plan={SEED_PLAN.plan_id}")
    page.select_option(PICKER, two_plans.SECOND_PLAN)
    page.wait_for_url(re.compile(rf"/measures\?plan={two_plans.SECOND_PLAN}"))
    expect(page.locator("#catalogue-summary")).to_contain_text("11 measures")
    assert "(example)" in page.locator("#catalogue-summary").inner_text()
    assert page.console_errors == []


def test_a_measure_shows_the_measures_it_continues_with_their_progress_in_their_own_plan(live_app, page):
    page.goto(f"{live_app}/measure/3.3.1?plan={two_plans.SECOND_PLAN}")
    panel = page.locator("#measure-continuity")
    panel.wait_for()
    text = panel.inner_text()
    # 3.3.1 continues 5.1 and 5.2 of the seed plan (many to one); each with measure_progress of its own plan as of
    # that plan's latest year with returns (2017), all countries together.
    progress = {
        row["measure_id"]: row
        for row in view(
            live_app.warehouse,
            "SELECT * FROM measure_progress WHERE plan_id = ? AND as_of_year = 2017 AND country = 'ALL' "
            "AND measure_id IN ('5.1', '5.2')",
            [SEED_PLAN.plan_id],
        )
    }
    assert not progress["5.1"]["delivered"] and progress["5.2"]["delivered"]
    assert "Continues" in text and "Continued by" not in text
    assert (
        f"delivered as of 2017 ({progress['5.2']['activities_total']} activities, "
        f"{progress['5.2']['countries_implementing']} countries implementing)" in text
    )
    assert "not delivered yet as of 2017" in text or "overdue as of 2017" in text
    link = panel.get_by_role("link", name="Measure 5.1")
    assert link.get_attribute("href") == f"/measure/5.1?plan={SEED_PLAN.plan_id}"

    # And from the seed plan's side, 2.1.2 is continued by two measures of the example plan (one to many).
    page.goto(f"{live_app}/measure/2.1.2?plan={SEED_PLAN.plan_id}")
    panel.wait_for()
    links = panel.get_by_role("link").all_inner_texts()
    assert links == ["Measure 2.1.1", "Measure 2.1.2"]
    assert "Continued by" in panel.inner_text()
    assert page.console_errors == []


def test_an_activity_kept_from_one_plan_to_the_next_shows_its_whole_history(live_app, page):
    page.goto(f"{live_app}/country?plan={two_plans.SECOND_PLAN}&country=KHM")
    section = page.locator("#activity-across-plans-section")
    section.wait_for()
    expect(page.locator("#activity-across-plans .ag-row").first).to_be_visible(timeout=20_000)
    rows = section.locator(".ag-center-cols-container .ag-row").all_inner_texts()
    assert len(rows) == 1  # A1 only: K9 was never reported under the seed plan
    assert "A1" in rows[0]
    assert "the 2013-2017 plan: 2016 planned → 2017 ongoing" in rows[0]
    assert "the 2018-2022 plan (example): 2018 ongoing → 2019 completed" in rows[0]

    # The measure page of the seed plan's 5.1 lists the same activity with the same history.
    page.goto(f"{live_app}/measure/5.1?plan={SEED_PLAN.plan_id}")
    expect(page.locator("#activity-across-plans .ag-row").first).to_be_visible(timeout=20_000)
    assert "2018 ongoing → 2019 completed" in page.locator("#activity-across-plans").inner_text()


def test_the_plans_page_lists_plans_crosswalks_and_what_was_carried_over(live_app, page):
    page.goto(f"{live_app}/plans?plan={two_plans.SECOND_PLAN}&year=2019")
    expect(page.locator("#plans-table .ag-center-cols-container .ag-row")).to_have_count(2, timeout=20_000)
    plans_text = page.locator("#plans-table").inner_text()
    assert "(example, not an official text)" in plans_text
    assert "2013-2017" in plans_text and "183" in plans_text
    assert "crosswalk.xlsx" in page.locator("#plans-crosswalks-table").inner_text()

    expected = view(
        live_app.warehouse,
        "SELECT measure_id, outcome FROM carried_over WHERE plan_id = ? AND as_of_year = 2019",
        [two_plans.SECOND_PLAN],
    )
    outcomes = {row["measure_id"]: row["outcome"] for row in expected}
    assert outcomes["5.1"] == "continued and delivered"
    assert outcomes["2.1.2"] == "continued and not yet"
    assert "1.1.1" not in outcomes  # delivered in the seed plan: nothing to carry over
    note = page.locator("#carried-over-note")
    note.wait_for()
    counts = {o: sum(1 for v in outcomes.values() if v == o) for o in set(outcomes.values())}
    expect(note).to_contain_text("not continued:")
    for outcome, count in counts.items():
        assert f"{outcome}: {count}" in note.inner_text()
    expect(page.locator("#carried-over-table .ag-row").first).to_be_visible()
    # The grid's row count names every row of the view.
    assert page.locator("#carried-over-table .grid-count").inner_text().startswith(f"{len(expected)} ")
    assert page.console_errors == []


def test_an_admin_adds_a_plan_and_a_bad_text_is_refused_naming_its_line(live_app, signed_in_page, tmp_path):
    admin = signed_in_page("admin")
    admin.goto(f"{live_app}/plans")
    admin.wait_for_selector("#plan-admin")

    bad = tmp_path / "repeats.txt"
    bad.write_text("I.\nPOLITICAL\n1.1 Dialogue\n1.1.1 Hold a summit;\n1.1.1 Hold it again;\n", encoding="utf-8")
    admin.set_input_files("#plan-add-upload input[type=file]", str(bad))
    admin.fill("#plan-add-id", "apt-2030-2034")
    admin.fill("#plan-add-years", "2030-2034")
    admin.click("#plan-add-button")
    outcome = admin.locator(".plan-add-outcome")
    outcome.wait_for()
    assert outcome.inner_text().startswith("Not added: repeats.txt: line 5: 1.1.1 repeats (first on line 4)")
    assert "Nothing was changed." in outcome.inner_text()
    assert "/tmp" not in outcome.inner_text()  # no server path
    assert [row["plan_id"] for row in view(live_app.warehouse, "SELECT plan_id FROM plans ORDER BY 1")] == [
        SEED_PLAN.plan_id,
        two_plans.SECOND_PLAN,
    ]

    admin.set_input_files("#plan-add-upload input[type=file]", str(two_plans.PLAN_TEXTS / "example-2020-2021.txt"))
    admin.fill("#plan-add-id", two_plans.SHORT_PLAN)
    admin.fill("#plan-add-years", "2020-2021")
    admin.fill("#plan-add-title", "Two-year example plan")
    admin.click("#plan-add-button")
    expect(outcome).to_contain_text("Added plan")
    summary = view(live_app.warehouse, "SELECT * FROM plan_summary WHERE plan_id = ?", [two_plans.SHORT_PLAN])[0]
    assert (summary["pillars"], summary["sections"], summary["measures"], summary["sub_items"]) == (2, 1, 5, 0)
    assert outcome.inner_text().startswith(
        f"Added plan {two_plans.SHORT_PLAN} (2020-2021), Two-year example plan: "
        "2 pillars, 1 section, 5 measures, 0 sub-items."
    )
    expect(admin.locator("#plans-table .ag-center-cols-container .ag-row")).to_have_count(3)
    assert admin.console_errors == []


def test_the_plans_page_has_no_admin_form_for_a_viewer(live_app, page):
    page.goto(f"{live_app}/plans")
    page.wait_for_selector("#plans-table")
    assert page.locator("#plan-admin").count() == 0


def test_an_admin_loads_a_crosswalk_and_a_wrong_measure_is_refused_naming_its_cell(live_app, signed_in_page, tmp_path):
    admin = signed_in_page("admin")
    admin.goto(f"{live_app}/plans")
    admin.wait_for_selector("#plan-admin")
    link = admin.locator("#crosswalk-template-link")
    assert link.get_attribute("href") == f"/download/crosswalk?from={SEED_PLAN.plan_id}&to={two_plans.SECOND_PLAN}"
    assert admin.request.get(f"{live_app}{link.get_attribute('href')}").status == 200

    before = view(live_app.warehouse, "SELECT * FROM measure_continuity ORDER BY ALL")
    wrong = two_plans.crosswalk_workbook(
        live_app.warehouse, tmp_path / "wrong.xlsx", SEED_PLAN.plan_id, two_plans.SECOND_PLAN, (("9.9.9", "1.1.1"),)
    )
    admin.set_input_files("#crosswalk-upload input[type=file]", str(wrong))
    card = admin.locator(".crosswalk-result")
    expect(card.locator(".crosswalk-status")).to_have_text("rejected")
    expect(card).to_contain_text("Nothing was changed")
    expect(card.locator("#crosswalk-issues")).to_contain_text("9.9.9")
    assert view(live_app.warehouse, "SELECT * FROM measure_continuity ORDER BY ALL") == before

    # One to one only now: 1.1.1 continues 1.1.2 of the seed plan.
    right = two_plans.crosswalk_workbook(
        live_app.warehouse, tmp_path / "right.xlsx", SEED_PLAN.plan_id, two_plans.SECOND_PLAN, (("1.1.2", "1.1.1"),)
    )
    admin.set_input_files("#crosswalk-upload input[type=file]", str(right))
    expect(card.locator(".crosswalk-status")).to_have_text("loaded")
    expect(card).to_contain_text(f"Crosswalk from {SEED_PLAN.plan_id} to {two_plans.SECOND_PLAN} is now version 2")
    assert view(live_app.warehouse, "SELECT from_measure_id, to_measure_id FROM measure_continuity") == [
        {"from_measure_id": "1.1.2", "to_measure_id": "1.1.1"}
    ]
    # Both versions are listed, the new one in use.
    expect(admin.locator("#plans-crosswalks-table .ag-center-cols-container .ag-row")).to_have_count(2)
    assert admin.console_errors == []


def test_the_plans_page_and_the_continuity_panels_pass_axe(live_app, signed_in_page):
    from support.accessibility import WIDTHS, details, resize, settle, summary, violations

    admin = signed_in_page("admin")
    found = {}
    for path in (
        f"/plans?plan={two_plans.SECOND_PLAN}&year=2019",
        f"/measure/3.3.1?plan={two_plans.SECOND_PLAN}",
        f"/country?plan={two_plans.SECOND_PLAN}&country=KHM",
    ):
        admin.goto(f"{live_app}{path}")
        settle(admin)
        for width in WIDTHS:
            resize(admin, width)
            if result := violations(admin):
                found[f"{path} at {width}"] = result
    assert not found, "\n\n".join(f"{where}: {summary(v)}\n{details(v)}" for where, v in found.items())


# The room a select's text has (its width less its padding, which holds the arrow) and the width of its chosen
# option's text in its own font.
TEXT_ROOM = """() => {
    const select = document.getElementById("plan-picker");
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    return {
        room: select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        text: context.measureText(select.options[select.selectedIndex].text).width,
    };
}"""


def test_the_picker_shows_the_plans_whole_name_at_1366_px_and_lists_no_blank(live_app, signed_in_page):
    # At 1366 px the picker cut its plan to "2013-2017: ASEAN Plus Thr" (15rem), and dbc.Select's blank, disabled
    # placeholder came first in its list.
    admin = signed_in_page("admin")  # the most links beside it
    admin.goto(f"{live_app}/")
    admin.wait_for_selector("h1.page-title")
    picker = admin.locator(PICKER)
    expect(picker.locator("option")).to_have_count(2)
    names = picker.locator("option").all_inner_texts()
    assert "" not in names and names[1] == "2013-2017: ASEAN Plus Three Cooperation Work Plan"
    fit = admin.evaluate(TEXT_ROOM)
    assert fit["text"] <= fit["room"], fit
    # Beside the user menu, on the navigation's second line.
    menu = admin.get_by_role("button", name="Sign out").bounding_box()
    box = picker.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (menu["y"] + menu["height"] / 2)) < 8, (box, menu)
    # A name too long for the room is whole on hover.
    expect(admin.locator(".plan-picker-field")).to_have_attribute("title", names[1])
    admin.select_option(PICKER, two_plans.SECOND_PLAN)
    admin.wait_for_url(re.compile(rf"plan={two_plans.SECOND_PLAN}"))
    expect(admin.locator(".plan-picker-field")).to_have_attribute("title", names[0])
    assert admin.console_errors == []
