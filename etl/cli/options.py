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
