"""The options every command shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

CommandFunction = TypeVar("CommandFunction", bound=Callable)


def warehouse_option(command: CommandFunction) -> CommandFunction:
    """Every command takes --warehouse PATH (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb)."""
    return click.option(
        "--warehouse",
        "warehouse_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Warehouse file (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb).",
    )(command)


def plan_option(command: CommandFunction) -> CommandFunction:
    """A command over one plan's data takes --plan ID (default: docs/cli.md, the plan in force today, else the one
    with the latest last year; a file that names its plan, such as a return's Cover, says which)."""
    return click.option(
        "--plan",
        "plan_id",
        default=None,
        metavar="ID",
        help="The plan (see `aptmon plan list`; default: the one the file names, else the plan in force today).",
    )(command)
