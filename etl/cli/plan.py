"""`aptmon plan ...`: adding a plan from its text, listing the plans, and the crosswalks between them."""

from __future__ import annotations

import json
import sys

import click

from etl.cli.options import warehouse_option
from etl.wording import plural

_LIST_COLUMNS = (
    "plan_id", "title", "start_year", "end_year", "is_example",
    "pillars", "sections", "measures", "sub_items", "returns",
)  # fmt: skip


@click.group()
def plan() -> None:
    """The work plans the monitor follows: each with its own years, catalogue, returns and metrics.

    \b
    Example:
        aptmon plan add apt-2018-2022.txt --id apt-2018-2022 --years 2018-2022
        aptmon plan list
        aptmon plan crosswalk template --from apt-2013-2017 --to apt-2018-2022 -o crosswalk.xlsx
    """


@plan.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--id", "plan_id", required=True, help="The new plan's id, e.g. apt-2018-2022.")
@click.option("--years", required=True, help="Its first and last year, FIRST-LAST, e.g. 2018-2022.")
@click.option("--title", default=None, help="Its title (default: the first line of the text).")
@warehouse_option
def plan_add(file: str, plan_id: str, years: str, title: str | None, warehouse_file: str | None) -> None:
    """Parse a work plan written in the numbered style and load its catalogue as a new plan.

    Exit 1, and nothing changed, when the text yields no measures or repeats one (the message names the line), the
    id is taken, or the years are reversed or outside 2000-2100.

    \b
    Example:
        aptmon plan add apt-2018-2022.txt --id apt-2018-2022 --years 2018-2022
    """
    from etl.warehouse.plan_loading import add_plan, parse_years

    result = add_plan(warehouse_file, file, plan_id, parse_years(years), title)
    click.echo(
        f"Added plan {result['plan_id']} ({result['start_year']}-{result['end_year']}), {result['title']}: "
        f"{plural(result['pillars'], 'pillar')}, {plural(result['sections'], 'section')}, "
        f"{plural(result['measures'], 'measure')}, {plural(result['sub_items'], 'sub-item')}."
    )


@plan.command("list")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@warehouse_option
def plan_list(output_format: str, warehouse_file: str | None) -> None:
    """List the plans: id, title, years, and counts of pillars, sections, measures, sub-items and returns.

    \b
    Example:
        aptmon plan list
        aptmon plan list --format json
    """
    from etl import warehouse
    from etl.plan.plans import list_plans

    with warehouse.read_connection(warehouse_file) as con:
        rows = list_plans(con)[list(_LIST_COLUMNS)]
    if output_format == "csv":
        rows.to_csv(sys.stdout, index=False)
    elif output_format == "json":
        records = [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows.to_dict("records")]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        for row in rows.itertuples():
            example = " (example, not an official text)" if row.is_example else ""
            click.echo(
                f"{row.plan_id:<20} {row.start_year}-{row.end_year}  {row.title}{example}\n"
                f"{'':<20} {plural(row.pillars, 'pillar')}, {plural(row.sections, 'section')}, "
                f"{plural(row.measures, 'measure')}, {plural(row.sub_items, 'sub-item')}, "
                f"{plural(row.returns, 'return')}"
            )
