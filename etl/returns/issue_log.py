"""The issues found in one file: a log that keeps the first of each code and counts the rest, and their order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from etl.returns.issue_codes import Issue, make_issue

MAX_ISSUES_PER_CODE = 1_000


class IssueLog(list):
    """The issues found, keeping the first MAX_ISSUES_PER_CODE of each code and counting the rest.

    A sheet of 200 000 broken rows would otherwise hold (and load, and print) close to a million records.
    """

    def __init__(self, issues: list[Issue]):
        super().__init__()
        self.kept: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.extend(issues)

    def append(self, issue: Issue) -> None:
        if self.kept[issue.code] < MAX_ISSUES_PER_CODE:
            self.kept[issue.code] += 1
            super().append(issue)
        else:
            self.dropped[issue.code] += 1

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.append(issue)

    def summaries(self) -> list[Issue]:
        return [
            make_issue("more-issues", value=count, detail=code, limit=MAX_ISSUES_PER_CODE)
            for code, count in sorted(self.dropped.items())
        ]


def issue_order(issue: Issue) -> tuple:
    """File-level findings first, then in reading order: sheet, row, column."""
    if issue.row is None:
        return (0, "", 0, 0)
    return (1, issue.sheet or "", issue.row, issue.column_index or 0)
