"""The options every command shares."""

from __future__ import annotations

import click


def warehouse_option(command):
    """Every command takes --warehouse PATH (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb)."""
    return click.option(
        "--warehouse",
        "warehouse_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Warehouse file (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb).",
    )(command)
