"""The issues found in one file: a log that keeps the first of each code and counts the rest, and their order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from etl.returns.issue_codes import Issue, make_issue

MAX_ISSUES_PER_CODE = 1_000


class IssueLog(list):
    """The issues found, keeping the first MAX_ISSUES_PER_CODE of each code and counting the rest.

    A sheet of 200 000 broken rows would otherwise hold (and load, and print) close to a million records. Checks
    call add(), which builds a finding only while its code has room: past the cap a finding costs one count.
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

    def add(self, code: str, **fields) -> None:
        """Record a finding of `code` (make_issue's fields): built and kept below the cap, else only counted."""
        if self.kept[code] < MAX_ISSUES_PER_CODE:
            self.kept[code] += 1
            super().append(make_issue(code, **fields))
        else:
            self.dropped[code] += 1

    def has_room(self, code: str) -> bool:
        """Whether a finding of `code` would still be kept (a caller can skip working out where it is)."""
        return self.kept[code] < MAX_ISSUES_PER_CODE

    def room(self, code: str) -> int:
        """How many more findings of `code` would be kept."""
        return max(0, MAX_ISSUES_PER_CODE - self.kept[code])

    def count_dropped(self, code: str, count: int) -> None:
        """Count `count` findings of `code` found past its cap without building them."""
        if count > 0:
            self.dropped[code] += count

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
