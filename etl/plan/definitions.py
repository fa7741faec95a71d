"""Metric thresholds, the reporting deadline and the glossary of the metrics: the one place they are set.

A plan's timeframe is its own (the `plans` table; the seed plan's in etl.plan.plans.SEED_PLAN): the glossary speaks
of its first and last year as F and L."""

from __future__ import annotations

import calendar
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    value: float
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "on_track_pace",
        0.95,
        "Pace index at or above which a scope is 'on track' (Open SDG progress methodology: 95% of required pace).",
    ),
    Setting(
        "acceleration_pace",
        0.60,
        "Pace index at or above which a scope needs 'acceleration'; below it, 'limited progress'.",
    ),
    Setting(
        "min_reporting_rate",
        0.5,
        "Reporting rate below which the status is withheld as 'insufficient data'.",
    ),
    Setting(
        "deadline_month",
        3,
        "Month of year R+1 by whose end the return for year R is due (with deadline_day).",
    ),
    Setting("deadline_day", 31, "Day of deadline_month by which the return for year R is due."),
)

SETTING_VALUES: dict[str, float] = {s.name: s.value for s in SETTINGS}


def _number(value: float) -> str:
    return f"{value:g}"


_MIN_RATE = _number(SETTING_VALUES["min_reporting_rate"])
_ON_TRACK = _number(SETTING_VALUES["on_track_pace"])
_ACCELERATION = _number(SETTING_VALUES["acceleration_pace"])
_DEADLINE = f"{int(SETTING_VALUES['deadline_day'])} {calendar.month_name[int(SETTING_VALUES['deadline_month'])]}"

# The progress status bands, in the order they are tested.
PROGRESS_BANDS: tuple[tuple[str, str], ...] = (
    ("insufficient data", f"reporting rate below {_MIN_RATE}"),
    ("no commitments", "no measure in scope (the country took up none and leads none)"),
    ("not yet due", "nothing expected yet by the schedule (expected rate 0)"),
    ("on track", f"pace index {_ON_TRACK} or more"),
    ("acceleration needed", f"pace index from {_ACCELERATION} to below {_ON_TRACK}"),
    ("limited progress", f"pace index below {_ACCELERATION}"),
)


@dataclass(frozen=True)
class Definition:
    tables: str  # the metric tables that have this column, or "terms" for a word used in the definitions
    column: str
    text: str


_SCOPE_TABLES = "metrics_pillar_country, metrics_section_country"
_ALL_METRICS = f"measure_progress, {_SCOPE_TABLES}, metrics_reporting"
_ALL_TABLES = f"{_ALL_METRICS}, funding"

# One entry per column of the metric tables (and the terms they use): the Definitions sheet, the report's
# definitions section and the table of docs/metrics.md are generated from this list.
GLOSSARY: tuple[Definition, ...] = (
    Definition("terms", "plan timeframe", "Each plan's own first and last year, F and L (2013 and 2017 for the "
               "2013-2017 Work Plan). Every metric is per plan (plan_id)."),
    Definition("terms", "as of Y", "The end of year Y, for Y = F ... L of the plan."),
    Definition("terms", "current version", "The newest accepted upload of a country's return for a year; "
               "superseded versions and rejected or unchanged uploads never count."),
    Definition("terms", "status as of Y", "The status in the current version of the latest return (year <= Y) that "
               "lists the activity; an activity not re-listed keeps its last status; links to measures come from "
               "that same return. A cancelled activity is left out of every count."),
    Definition("terms", "implemented", "An activity that is ongoing or completed."),
    Definition("terms", "sub-items", "A sub-item such as 3.1.2(a) counts for its measure (3.1.2)."),
    Definition("terms", "schedule", "The implementation schedule (Work Plan item 6.3): per measure a kind (one-off or "
               "recurring), a start year s and a due year d (F <= s <= d <= L) and "
               "optional lead countries. A measure it does not list is one-off, s = F, "
               "d = L, no leads (the default schedule). The metrics use the plan's current version."),
    Definition("terms", "engaged", "A scope is engaged in a measure as of Y when it has at least one non-cancelled "
               "activity (any status) linked to it as of Y."),
    Definition("terms", "delivered", "A one-off measure: the scope has a completed activity linked to it as of Y. "
               "A recurring measure: the scope has an implemented activity linked to it in the return for year Y "
               "itself (it must be delivered again every year)."),
    Definition("terms", "in scope", "The measures a scope is judged on: for ALL every measure; for a country the "
               "measures it is engaged in as of Y or leads in the schedule (a country is judged on what it took up)."),
    Definition("terms", "overdue", "A one-off measure in scope, due by Y (d <= Y), that is not delivered."),
    Definition(f"{_ALL_TABLES}, schedule", "plan_id", "The work plan, e.g. apt-2013-2017 (aptmon plan list)."),
    Definition(_ALL_TABLES, "as_of_year", "The year Y at whose end the row describes progress."),
    Definition(_ALL_TABLES, "country", "ISO3 code of one of the 13 APT countries, or ALL for all of them together."),
    Definition("measure_progress, metrics_pillar_country, schedule", "pillar",
               "Pillar of the Work Plan, 1 ... 6, or ALL (metrics_pillar_country) for the whole plan."),
    Definition("measure_progress, metrics_section_country, schedule", "section_id",
               "Section of the Work Plan, e.g. 2.7; measures directly under a pillar (4.1, 4.2, all of V and VI) "
               "form the section <pillar>.0, e.g. 5.0."),
    Definition("measure_progress, schedule", "measure_id", "The Work Plan measure, e.g. 2.7.10."),
    Definition("measure_progress", "activities_total", "Non-cancelled activities of the scope linked to the measure."),
    Definition("measure_progress", "activities_implemented", "Those of them ongoing or completed."),
    Definition("measure_progress", "activities_completed", "Those of them completed."),
    Definition("measure_progress", "countries_implementing", "Distinct countries with an implemented activity."),
    Definition("measure_progress", "covered", "activities_implemented > 0."),
    Definition("measure_progress", "completed", "activities_completed > 0."),
    Definition("measure_progress, schedule", "kind", "one-off or recurring, from the schedule."),
    Definition("measure_progress, schedule", "start_year", "The year work on the measure is expected to start "
               "(schedule)."),
    Definition("measure_progress, schedule", "due_year", "A one-off measure's deadline; a recurring measure's last "
               "year (schedule)."),
    Definition("measure_progress, schedule", "lead_countries", "The measure's lead countries in the schedule (ISO3, "
               "'; ' between them); empty when none."),
    Definition("schedule", "note", "The schedule's note on the measure."),
    Definition("schedule", "is_default", "Whether the measure's schedule is the default one (one-off, "
               "F to L, no leads), listed so or not listed."),
    Definition("schedule", "schedule_version", "The version of the schedule loaded (every load is kept); 0 for the "
               "default schedule, when none is loaded."),
    Definition("measure_progress", "expected_share", "e(m, Y): one-off min(1, max(0, (Y - s + 1) / (d - s + 1))); "
               "recurring 1 when Y >= s, else 0. Under the default schedule, the time elapsed."),
    Definition("measure_progress", "engaged", "The scope is engaged in the measure as of Y (terms)."),
    Definition("measure_progress", "in_scope", "For a country: engaged or a lead country; for ALL always true."),
    Definition("measure_progress", "delivered", "The measure is delivered as of Y by the scope (terms)."),
    Definition("measure_progress", "overdue", "One-off, in scope, due_year <= Y and not delivered."),
    Definition(_SCOPE_TABLES, "measures_total", "Catalogue measures in the pillar or section (the country does not "
               "change it)."),
    Definition(_SCOPE_TABLES, "measures_covered", "Distinct measures with at least one implemented activity of the "
               "scope's countries."),
    Definition(_SCOPE_TABLES, "coverage_rate", "measures_covered / measures_total."),
    Definition(_SCOPE_TABLES, "measures_completed", "Distinct measures with at least one completed activity."),
    Definition(_SCOPE_TABLES, "completion_rate", "measures_completed / measures_total."),
    Definition(_SCOPE_TABLES, "measures_engaged", "Distinct measures the scope is engaged in."),
    Definition(_SCOPE_TABLES, "measures_in_scope", "The measures the scope is judged on (terms); measures_total "
               "for ALL."),
    Definition(_SCOPE_TABLES, "measures_delivered", "Measures in scope that are delivered."),
    Definition(_SCOPE_TABLES, "delivery_rate", "measures_delivered / measures_in_scope; empty when nothing is in "
               "scope."),
    Definition(_SCOPE_TABLES, "expected_rate", "The mean expected share of the measures in scope: how much of them "
               "the schedule expects delivered by Y; empty when nothing is in scope. Under the default schedule, "
               "time_elapsed."),
    Definition(_SCOPE_TABLES, "measures_overdue", "Measures in scope that are overdue."),
    Definition(_SCOPE_TABLES, "activities_total", "Distinct non-cancelled activities linked to at least one measure "
               "of the pillar or section."),
    Definition(_SCOPE_TABLES, "activities_completed", "Those of them completed."),
    Definition(_SCOPE_TABLES, "activity_completion_rate", "activities_completed / activities_total; empty when there "
               "are no activities."),
    Definition(_SCOPE_TABLES, "time_elapsed", "(Y - F + 1) / (L - F + 1): for the 2013-2017 plan 0.2 for 2013 "
               "... 1.0 for 2017."),
    Definition(_SCOPE_TABLES, "pace_index", "delivery_rate / expected_rate: 1.0 means the measures in scope are "
               "delivered as fast as the schedule expects; empty when nothing is expected yet. Under the default "
               "schedule, for ALL, completion_rate / time_elapsed."),
    Definition(f"{_SCOPE_TABLES}, metrics_reporting", "reporting_rate", "returns_received / returns_expected of the "
               "scope's countries as of Y; empty while no return is expected yet (and then no status is withheld "
               "as 'insufficient data')."),
    Definition(_SCOPE_TABLES, "progress_status", "; ".join(f"'{name}' when {rule}" for name, rule in PROGRESS_BANDS)
               + " (tested in this order; bands of the Open SDG progress methodology; status withheld when too few "
               "returns arrived)."),
    Definition("metrics_reporting", "returns_expected", "(country, year) returns with F <= year <= Y that are "
               f"expected today: once their deadline ({_DEADLINE} of the following year) has passed on the day the "
               "monitor is read, or once they arrived, whichever comes first; before that a return is 'not yet due' "
               "and counts in neither number. Summed over the 13 countries for ALL; (Y - F + 1) per country once "
               "today is past the plan's last deadline."),
    Definition("metrics_reporting", "returns_received", "(country, year) returns with year <= Y and an accepted "
               "version."),
    Definition("metrics_reporting", "returns_on_time", f"Received returns whose first accepted version arrived by "
               f"{_DEADLINE} of the following year (the upload date, or the date an administrator gives when "
               "backfilling)."),
    Definition("metrics_reporting", "on_time_rate", "returns_on_time / returns_expected; empty while no return is "
               "expected yet."),
    Definition("funding", "pillar", "Pillar of the Work Plan, 1 ... 6, or ALL. An activity linked to measures of "
               "two pillars counts in full under each, once under ALL."),
    Definition("funding", "activities_total", "Non-cancelled activities of the scope as of Y linked to a measure of "
               "the pillar (any for ALL), with the funding source and budget of the return that gives their status."),
    Definition("funding", "activities_budgeted", "Those of them with a budget (USD) in the return."),
    Definition("funding", "activities_without_budget", "activities_total - activities_budgeted: no budget given."),
    Definition("funding", "activities_apt_fund", "Those of them funded by the APT Cooperation Fund."),
    Definition("funding", "budget_total_usd", "Sum of the budgets of the activities, whatever their funding source."),
    Definition("funding", "budget_apt_fund_usd", "Sum of the budgets of those funded by the APT Cooperation Fund."),
    Definition("funding", "budget_national_usd", "... funded by a national budget."),
    Definition("funding", "budget_plus_three_usd", "... funded by a Plus Three partner."),
    Definition("funding", "budget_other_usd", "... funded otherwise (funding source Other)."),
    Definition("funding", "budget_source_not_given_usd", "... whose return gives a budget but no funding source."),
    Definition("funding", "apt_fund_share", "budget_apt_fund_usd / budget_total_usd; empty when no budget was "
               "reported."),
)  # fmt: skip


def glossary_markdown() -> str:
    """The glossary as a Markdown table (the one in docs/metrics.md; a test keeps the two equal)."""
    lines = ["| column or term | in | definition |", "|---|---|---|"]
    for definition in GLOSSARY:
        text = definition.text.replace("|", "\\|")
        lines.append(f"| `{definition.column}` | {definition.tables} | {text} |")
    return "\n".join(lines)
