"""`aptmon demo`: synthetic returns for every country and year, ingested."""

from __future__ import annotations

import click

from etl.cli.options import warehouse_option
from etl.wording import plural


@click.command()
@click.option("--seed", default=2013, show_default=True, type=int, help="Random seed: the same seed, the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the warehouse already has submissions.")
@click.option(
    "--example-plan/--no-example-plan",
    default=True,
    show_default=True,
    help="Also add an example second plan (2018-2022, synthetic text) with its crosswalk and returns.",
)
@warehouse_option
def demo(seed: int, if_empty: bool, example_plan: bool, warehouse_file: str | None) -> None:
    """Write synthetic returns for the 13 countries and 2013-2017, and ingest them; and an example second plan,
    2018-2022, labelled as an example, with its crosswalk and synthetic returns for 2018-2021.

    \b
    Example:
        aptmon demo
        aptmon demo --seed 7 --warehouse /tmp/demo.duckdb
    """
    from etl.demo.returns import run_demo

    summary = run_demo(warehouse_file, seed=seed, if_empty=if_empty, example_plan=example_plan)
    if summary.skipped:
        click.echo("The warehouse already has submissions; no demo data added.")
        return
    click.echo(
        f"Synthetic demo data: {plural(summary.files, 'return')} written to {summary.folder} and ingested "
        f"({summary.accepted} accepted, {summary.rejected} rejected, {summary.unchanged} unchanged)."
    )
    for result in summary.results:
        if result.status == "rejected":
            click.echo(
                f"The rejected one, {result.file}, is wrong on purpose ({plural(result.errors, 'error')}), to show "
                "the feedback a country gets; its corrected upload was accepted (see the Reporting page)."
            )
    if summary.schedule is not None and summary.schedule.status != "rejected":
        click.echo(
            f"An example implementation schedule ({plural(summary.schedule.measures, 'measure')}: recurring, early-due "
            f"and led measures) is loaded as schedule version {summary.schedule.version}; it is an example, not the "
            "Secretariat's. Replace it with `aptmon schedule load FILE`."
        )
    if summary.example_plan is not None:
        plan = summary.example_plan
        links = summary.crosswalk.links if summary.crosswalk is not None else 0
        click.echo(
            f"An example second plan, {plan['plan_id']} ({plan['start_year']}-{plan['end_year']}; a synthetic text, "
            f"not an official one), is added with {plural(plan['measures'], 'measure')}, a crosswalk from "
            f"2013-2017 ({plural(links, 'link')}) and synthetic returns for {plan['start_year']}-"
            f"{plan['end_year'] - 1}."
        )
