"""Commands over the warehouse itself: `aptmon init` and `aptmon catalogue`."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap

import click

from etl.cli.options import plan_option, warehouse_option
from etl.wording import plural


@click.command()
@click.option("--force", is_flag=True, help="Rebuild the catalogue from the plan text (submissions are kept).")
@warehouse_option
def init(force: bool, warehouse_file: str | None) -> None:
    """Create the warehouse schema and load the catalogue; safe to run again.

    \b
    Example:
        aptmon init
        aptmon init --force --warehouse /tmp/test.duckdb
    """
    from etl import private_files, warehouse
    from etl.warehouse.upgrade import SCHEMA_VERSION

    result = warehouse.initialise(warehouse_file, force=force)
    private_files.private_data_folders()
    action = "loaded" if result["catalogue_loaded"] else "already up to date"
    if result["upgraded_from"] is not None:
        click.echo(
            f"Warehouse {result['warehouse']}: upgraded from schema {result['upgraded_from']} to "
            f"{SCHEMA_VERSION}, every row kept."
        )
    click.echo(
        f"Warehouse {result['warehouse']}: catalogue {result['plan_id']} {action} "
        f"({plural(result['measures'], 'measure')}, {plural(result['sub_items'], 'sub-item')})."
    )


@click.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@plan_option
@warehouse_option
def catalogue(output_format: str, plan_id: str | None, warehouse_file: str | None) -> None:
    """Print the Work Plan's pillars, sections, measures and sub-items.

    \b
    Example:
        aptmon catalogue
        aptmon catalogue --format csv > catalogue.csv
    """
    from etl import warehouse
    from etl.warehouse.catalogue_listing import catalogue_listing

    with warehouse.read_connection(warehouse_file) as con:
        from etl.plan.plans import plan_timeframe

        rows = catalogue_listing(con, plan_timeframe(con, plan_id).plan_id)
    if output_format == "csv":
        from etl.spreadsheet_text import neutralise_csv_value

        rows.map(neutralise_csv_value).to_csv(sys.stdout, index=False)
    elif output_format == "json":
        click.echo(json.dumps(rows.to_dict(orient="records"), ensure_ascii=False, indent=2))
    else:
        _print_catalogue_table(rows)


def _print_catalogue_table(rows) -> None:
    width = max(60, shutil.get_terminal_size((120, 20)).columns)
    pillar = section = None
    for row in rows.itertuples():
        if row.pillar != pillar:
            pillar = row.pillar
            click.secho(f"\nPillar {row.pillar}: {row.pillar_title}", bold=True)
        if row.section_id != section:
            section = row.section_id
            click.secho(f"  {row.section_id}  {row.section_title}", underline=True)
        indent = "      " if row.level == "measure" else "          "
        label = f"{row.id:<10}"
        body = textwrap.shorten(row.text, width=width - len(indent) - len(label) - 1, placeholder=" ...")
        click.echo(f"{indent}{label} {body}")
