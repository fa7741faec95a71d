"""The plan picker in the navigation: which work plan every page shows, kept in the address as ?plan=."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard import ids
from etl.plan.plans import PlanTimeframe

# The query parameter that names the plan: every internal link and filter keeps it (assets/30-plan-in-links.js).
PARAMETER = "plan"


def option_label(plan: PlanTimeframe) -> str:
    """A plan as the picker lists it: its years first (what shows when the select is narrow), '(example)' right after
    them for an example plan, then its title."""
    years = f"{plan.span} (example)" if plan.is_example else plan.span
    title = plan.title.removeprefix(plan.span).strip(" :-") if not plan.is_example else plan.title
    return f"{years}: {title}"


def short_name(plan: PlanTimeframe) -> str:
    """A plan as a chart title names it: 'the 2013-2017 plan', 'the 2018-2022 plan (example)'."""
    return f"the {plan.span} plan" + (" (example)" if plan.is_example else "")


def plan_picker(plans: tuple[PlanTimeframe, ...], chosen: str, default: str) -> html.Div:
    """A labelled select of every plan, the latest first, set to the plan the address names (or the default)."""
    options = [{"label": option_label(p), "value": p.plan_id} for p in sorted(plans, key=lambda p: -p.first_year)]
    return html.Div(
        [
            html.Label("Plan", htmlFor=ids.PLAN_PICKER, className="plan-picker-label text-white me-2 mb-0"),
            # Room for a plan's whole name where the navigation has it (10-dashboard.css); a name cut short is
            # whole on hover (assets/30-accessible-controls.js) and to a screen reader, which reads the value.
            dbc.Select(id=ids.PLAN_PICKER, options=options, value=chosen, size="sm", className="plan-picker"),
            dcc.Store(id=ids.PLAN_DEFAULT, data=default),
            dcc.Store(id=ids.PLAN_CHOSEN),
        ],
        className="plan-picker-field d-flex align-items-center ms-lg-auto me-lg-3 my-1",
    )


def page_plan(plan_id: str) -> dcc.Store:
    """The plan a page was drawn for: its callbacks read it (State), so a cached answer is one plan's answer."""
    return dcc.Store(id=ids.PAGE_PLAN, data=plan_id)


# Choosing a plan opens the same page for it: the address gets ?plan= (an as-of year of the other plan means nothing
# there, so it goes), and the pages router draws the page again. A value the address already gives changes nothing,
# so following the address (below) never adds a step to the history.
_GO_TO_PLAN = """
function (value, fallback) {
    const noUpdate = window.dash_clientside.no_update;
    if (!value) { return noUpdate; }
    const params = new URLSearchParams(window.location.search);
    if ((params.get("plan") || fallback) === value) { return noUpdate; }
    params.set("plan", value);
    params.delete("year");
    const url = window.location.pathname + "?" + params.toString();
    window.history.pushState({}, "", url);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    return url;
}
"""

# The address moved (a link, back or forward): the picker shows the plan it names, or the default.
_FOLLOW_ADDRESS = """
function (search, fallback, current, options) {
    const asked = (new URLSearchParams(search || "").get("plan") || "").toLowerCase();
    const known = (options || []).find(function (option) { return option.value.toLowerCase() === asked; });
    const wanted = known ? known.value : fallback;
    return wanted === current ? window.dash_clientside.no_update : wanted;
}
"""


def add_callbacks(app: dash.Dash) -> None:
    """The picker's two clientside callbacks: a choice goes to the address, the address comes back to the picker."""
    app.clientside_callback(
        _GO_TO_PLAN,
        Output(ids.PLAN_CHOSEN, "data"),
        Input(ids.PLAN_PICKER, "value"),
        State(ids.PLAN_DEFAULT, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        _FOLLOW_ADDRESS,
        Output(ids.PLAN_PICKER, "value"),
        Input("_pages_location", "search"),
        State(ids.PLAN_DEFAULT, "data"),
        State(ids.PLAN_PICKER, "value"),
        State(ids.PLAN_PICKER, "options"),
    )
