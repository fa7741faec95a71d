"""Issue codes are declared once: docs/issue-codes.md lists exactly the declared codes; every record has one shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.returns.issue_codes import ERROR, ISSUE_CODES, WARNING, issue_codes_table, make_issue

ISSUE_CODES_PAGE = Path(__file__).resolve().parents[1] / "docs" / "issue-codes.md"


def test_issue_codes_page_lists_every_code_as_declared():
    text = ISSUE_CODES_PAGE.read_text(encoding="utf-8")
    section = text.split("# Issue codes", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == issue_codes_table(), "docs/issue-codes.md is stale: paste issue_codes_table() into it"


@pytest.mark.parametrize("code", sorted(ISSUE_CODES))
def test_every_code_is_declared_completely(code):
    spec = ISSUE_CODES[code]
    assert spec.severity in (ERROR, WARNING) and spec.description.endswith(".") and spec.template
    assert code == code.lower() and " " not in code


def test_an_issue_record_has_the_public_fields_only():
    issue = make_issue("unknown-status", sheet="Activities", row=7, column="Status", value="soon", column_index=4)
    assert issue.to_dict() == {
        "severity": "error",
        "code": "unknown-status",
        "sheet": "Activities",
        "row": 7,
        "column": "Status",
        "value": "soon",
        "message": 'Row 7, Status: "soon" is not a status; type Planned, Ongoing, Suspended, Completed or Cancelled.',
    }
