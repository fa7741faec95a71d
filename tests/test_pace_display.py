"""A pace is shown to two decimals, never rounded across a band's threshold, so it never contradicts its status."""

from __future__ import annotations

import pytest

from dashboard.components.theme import pace_text
from etl import warehouse
from etl.outputs.pace import pace_figure


@pytest.mark.parametrize(
    ("pace", "shown"),
    [
        (15 / 31 / 0.81, "0.59"),  # the tester's Cambodia: 0.597, 'limited progress', was shown as 0.60
        (0.5952380952380952, "0.59"),  # the demo's Cambodia as of 2016
        (0.6, "0.60"),  # exactly the threshold: acceleration needed, and shown as reaching it
        (3 / 10 / 0.5, "0.60"),  # a quotient that lands on the threshold's float
        (0.5999999999999999, "0.59"),  # a hair below it: the view says limited progress
        (0.9499, "0.94"),  # below on track's 0.95, never shown as 0.95
        (0.95, "0.95"),
        (0.587, "0.59"),  # away from a threshold a pace rounds as usual
        (5 / 3, "1.67"),
        (2 / 3, "0.67"),
        (0.944, "0.94"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_a_pace_is_rounded_but_never_onto_a_threshold(pace, shown):
    assert pace_figure(pace) == shown


def test_the_dashboard_words_the_pace_as_the_report_does():
    assert pace_text(15 / 31 / 0.81) == "pace 0.59"
    assert pace_text(None) == "no pace yet"


def test_every_shown_pace_falls_in_the_band_the_view_gives(demo_warehouse):
    """Read as a reader reads it, each shown figure against the legend's thresholds gives the view's status."""
    with warehouse.read_connection(demo_warehouse) as con:
        on_track, acceleration = con.execute(
            "SELECT max(value) FILTER (WHERE name = 'on_track_pace'), "
            "max(value) FILTER (WHERE name = 'acceleration_pace') FROM settings"
        ).fetchone()
        judged = con.execute(
            "SELECT pace_index, progress_status FROM metrics_pillar_country WHERE progress_status IN "
            "('on track', 'acceleration needed', 'limited progress') UNION ALL "
            "SELECT pace_index, progress_status FROM metrics_section_country WHERE progress_status IN "
            "('on track', 'acceleration needed', 'limited progress')"
        ).fetchall()
    near = [pace for pace, _ in judged if round(pace, 2) in (round(on_track, 2), round(acceleration, 2))]
    assert any(pace < acceleration for pace in near)  # the demo holds a pace that rounding would show as 0.60
    for pace, status in judged:
        figure = float(pace_figure(pace))
        band = (
            "on track"
            if figure >= on_track
            else "acceleration needed"
            if figure >= acceleration
            else ("limited progress")
        )
        assert band == status, (pace, pace_figure(pace), status)
