"""The README's metric definitions table is the glossary of etl/plan/definitions.py, word for word."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

from etl.plan.definitions import SETTING_VALUES, glossary_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_definitions_table_matches_the_glossary():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- definitions:start[^>]*-->\n(.*?)\n<!-- definitions:end -->", text, re.S)
    assert block, "README.md lost its definitions block"
    assert block.group(1) == glossary_markdown(), (
        "paste the output of: "
        "python -c 'from etl.plan.definitions import glossary_markdown; print(glossary_markdown())'"
    )


def test_readme_prose_states_the_current_thresholds():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Metric definitions", 1)[1].split("<!-- definitions:start", 1)[0]
    assert f"at {SETTING_VALUES['on_track_pace']:.2f} or more" in section
    assert f"from {SETTING_VALUES['acceleration_pace']:.2f}" in section
    assert f"below {SETTING_VALUES['min_reporting_rate']:g}" in section
    month = calendar.month_name[int(SETTING_VALUES["deadline_month"])]
    assert f"{int(SETTING_VALUES['deadline_day'])} {month}" in section
