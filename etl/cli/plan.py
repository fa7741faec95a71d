"""`aptmon plan ...`: adding a plan from its text, listing the plans, and the crosswalks between them."""

from __future__ import annotations

import json
import sys

import click

from etl.cli.failures import UsageProblem
from etl.cli.findings import echo_findings
from etl.cli.options import warehouse_option
from etl.cli.priority import give_way_to_readers
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
        from etl.spreadsheet_text import neutralise_csv_value

        rows.map(neutralise_csv_value).to_csv(sys.stdout, index=False)  # a title is text, never a formula
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


@plan.group("crosswalk")
def crosswalk() -> None:
    """Continuity between two plans: which measures of the later plan continue which measures of the earlier one.

    \b
    Example:
        aptmon plan crosswalk template --from apt-2013-2017 --to apt-2018-2022 -o crosswalk.xlsx
        aptmon plan crosswalk load crosswalk.xlsx --dry-run
    """


@crosswalk.command("template")
@click.option("--from", "from_plan", required=True, metavar="ID", help="The earlier plan.")
@click.option("--to", "to_plan", required=True, metavar="ID", help="The later plan, whose measures are listed.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@warehouse_option
def crosswalk_template(from_plan: str, to_plan: str, output: str, warehouse_file: str | None) -> None:
    """Write the crosswalk workbook: every measure of the later plan with the earlier plan's measures whose texts
    are most alike, the best filled in where it is very close, for an officer to confirm or correct.

    \b
    Example:
        aptmon plan crosswalk template --from apt-2013-2017 --to apt-2018-2022 -o crosswalk.xlsx
    """
    from etl.crosswalk.template import write_crosswalk_template

    if not output.lower().endswith(".xlsx"):
        raise UsageProblem(f"-o {output!r}: the crosswalk is an .xlsx workbook; give a file name ending in .xlsx.")
    path, prefilled = write_crosswalk_template(output, from_plan, to_plan, warehouse_file)
    click.echo(
        f"Wrote the crosswalk from {from_plan} to {to_plan} to {path} "
        f"({plural(prefilled, 'answer')} filled in from a close match, to confirm)."
    )


@crosswalk.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only: report what would happen, change nothing.")
@click.option("--report-dir", type=click.Path(file_okay=False), default=None, help="Write the feedback workbook here.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@warehouse_option
def crosswalk_load(file: str, dry_run: bool, report_dir: str | None, as_json: bool, warehouse_file: str | None) -> None:
    """Check a crosswalk workbook and keep it as the new version of its two plans' crosswalk; exit 1 when it is
    rejected (nothing changed).

    \b
    Example:
        aptmon plan crosswalk load crosswalk.xlsx --dry-run
        aptmon plan crosswalk load crosswalk.xlsx --report-dir feedback/ --json
    """
    from etl.crosswalk.load import load_crosswalk_file

    give_way_to_readers()
    result = load_crosswalk_file(file, warehouse_file=warehouse_file, dry_run=dry_run, report_dir=report_dir)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    else:
        colour = {"accepted": "green", "rejected": "red"}.get(result.status)
        status = click.style(result.status + (" (dry run)" if result.dry_run else ""), fg=colour)
        version = f", version {result.version}" if result.version else ""
        pair = f" from {result.from_plan} to {result.to_plan}" if result.from_plan and result.to_plan else ""
        click.echo(
            f"{result.file}: crosswalk{pair} {status}{version}; {plural(result.measures, 'measure')} listed, "
            f"{plural(result.links, 'link')}, {plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}."
        )
        echo_findings(result.issues, 25)
        if result.report_path:
            click.echo(f"  Feedback workbook: {result.report_path}")
    if result.status == "rejected":
        sys.exit(1)
