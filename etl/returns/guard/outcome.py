"""The guard's outcomes: Refused with the issue that says why, or the SheetScan of what the size pre-scan learnt."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.errors import AptmonError
from etl.returns.issue_codes import Issue
from etl.returns.sheet_halves import SheetHalves


class Refused(AptmonError):
    """The file cannot be read at all; carries the one issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class SheetScan:
    """What the size pre-scan of an xlsx learnt on its way through the sheet XML, besides the sizes."""

    error_value_parts: frozenset[str] = frozenset()  # calamine reads error cells as blank: etl.returns.read reads them
    halves: SheetHalves | None = None  # a large activity sheet the quick pass vouched for, cut in two
    # .xls and .ods: sheet name -> {(row, column): error text}, one-based, found on the way through the records
    error_values: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
