"""The metric definitions page (docs/metrics.md) holds the glossary of etl/plan/definitions.py, word for word."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

from etl.plan.definitions import SETTING_VALUES, glossary_markdown

METRICS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def test_metrics_page_definitions_table_matches_the_glossary():
    text = METRICS_PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- definitions:start[^>]*-->\n(.*?)\n<!-- definitions:end -->", text, re.S)
    assert block, "docs/metrics.md lost its definitions block"
    assert block.group(1) == glossary_markdown(), (
        "paste the output of: "
        "python -c 'from etl.plan.definitions import glossary_markdown; print(glossary_markdown())'"
    )


def test_metrics_page_prose_states_the_current_thresholds():
    text = METRICS_PAGE.read_text(encoding="utf-8")
    section = text.split("# Metric definitions", 1)[1].split("<!-- definitions:start", 1)[0]
    assert f"at {SETTING_VALUES['on_track_pace']:.2f} or more" in section
    assert f"from {SETTING_VALUES['acceleration_pace']:.2f}" in section
    assert f"below {SETTING_VALUES['min_reporting_rate']:g}" in section
    month = calendar.month_name[int(SETTING_VALUES["deadline_month"])]
    assert f"{int(SETTING_VALUES['deadline_day'])} {month}" in section
