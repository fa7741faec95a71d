"""How a command prints a file's findings: the first few, coloured by severity, and where to find the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the command line loads the library only when a command runs
    from etl.returns.issue_codes import Issue


def echo_findings(issues: Sequence[Issue], shown: int) -> None:
    """One line per finding for the first `shown`, then how many more there are and how to see them all."""
    for issue in issues[:shown]:
        colour = "red" if issue.severity == "error" else "yellow"
        click.echo(f"  {click.style(f'{issue.severity:<7}', fg=colour)}  {issue.message}")
    if len(issues) > shown:
        click.echo(f"  ... and {len(issues) - shown} more (use --report-dir or --json for all)")
