"""`aptmon schedule ...`: the implementation schedule's workbook, load and listing."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from etl.cli.failures import UsageProblem
from etl.cli.findings import echo_findings
from etl.cli.options import plan_option, warehouse_option
from etl.cli.priority import give_way_to_readers


@click.group()
def schedule() -> None:
    """The implementation schedule (Work Plan item 6.3) that progress is judged against.

    \b
    Example:
        aptmon schedule template -o schedule.xlsx
        aptmon schedule load schedule.xlsx --dry-run
        aptmon schedule show --format csv > schedule.csv
    """


@schedule.command("template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@plan_option
@warehouse_option
def schedule_template(output: str, plan_id: str | None, warehouse_file: str | None) -> None:
    """Write the schedule workbook: every measure, filled with the current schedule.

    \b
    Example:
        aptmon schedule template -o schedule.xlsx
    """
    from etl.schedule.template import write_schedule_template

    if not output.lower().endswith(".xlsx"):
        raise UsageProblem(f"-o {output!r}: the schedule is an .xlsx workbook; give a file name ending in .xlsx.")
    path = write_schedule_template(output, warehouse_file, plan_id)
    click.echo(f"Wrote the schedule workbook to {path}.")


@schedule.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only: report what would happen, change nothing.")
@click.option("--report-dir", type=click.Path(file_okay=False), default=None, help="Write the feedback workbook here.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@plan_option
@warehouse_option
def schedule_load(
    file: str, dry_run: bool, report_dir: str | None, as_json: bool, plan_id: str | None, warehouse_file: str | None
) -> None:
    """Check a schedule workbook and load it as the new schedule version; exit 1 when it is rejected.

    \b
    Example:
        aptmon schedule load schedule.xlsx --dry-run
        aptmon schedule load schedule.xlsx --report-dir feedback/ --json
    """
    from etl.schedule.load import load_schedule_file

    give_way_to_readers()

    result = load_schedule_file(
        file, warehouse_file=warehouse_file, dry_run=dry_run, report_dir=report_dir, plan_id=plan_id
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    else:
        _print_schedule_result(result)
    if result.status == "rejected":
        sys.exit(1)


def _print_schedule_result(result, issues_shown: int = 25) -> None:
    colour = {"accepted": "green", "rejected": "red"}.get(result.status)
    status = click.style(result.status + (" (dry run)" if result.dry_run else ""), fg=colour)
    version = f", version {result.version}" if result.version else ""
    click.echo(f"{result.file}: {status}{version}; {result.measures} measures listed, {result.errors} errors, "
               f"{result.warnings} warnings.")  # fmt: skip
    if result.status != "rejected":
        against = f"version {result.previous_version}" if result.previous_version else "the default schedule"
        shown = ", ".join(result.changed[:20]) + (" ..." if len(result.changed) > 20 else "")
        click.echo(f"Against {against}: {len(result.changed)} measures change" + (f" ({shown})." if shown else "."))
    echo_findings(result.issues, issues_shown)
    if result.report_path:
        click.echo(f"  Feedback workbook: {result.report_path}")


@schedule.command("show")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@plan_option
@warehouse_option
def schedule_show(output_format: str, plan_id: str | None, warehouse_file: str | None) -> None:
    """Print the current schedule: every measure with its effective values and whether they are the default.

    \b
    Example:
        aptmon schedule show
        aptmon schedule show --format csv > schedule.csv
    """
    from etl import warehouse
    from etl.schedule.load import current_schedule, schedule_version

    with warehouse.read_connection(warehouse_file) as con:
        rows = current_schedule(con, plan_id)
        version = schedule_version(con, plan_id)
    if output_format == "csv":
        from etl.spreadsheet_text import neutralise_csv_value

        rows.map(neutralise_csv_value).to_csv(sys.stdout, index=False)
    elif output_format == "json":
        click.echo(json.dumps(rows.to_dict(orient="records"), ensure_ascii=False, indent=2, default=str))
    else:
        click.secho(f"Schedule: {version.label}", bold=True)
        click.echo(f"{'measure':<10} {'kind':<10} {'start':>5} {'due':>5}  {'leads':<20} {'default':<7} note")
        for row in rows.itertuples():
            leads = row.lead_countries if isinstance(row.lead_countries, str) else "-"
            note = row.note if isinstance(row.note, str) else ""
            click.echo(
                f"{row.measure_id:<10} {row.kind:<10} {row.start_year:>5} {row.due_year:>5}  {leads:<20} "
                f"{'yes' if row.is_default else 'no':<7} {textwrap.shorten(note, 60, placeholder=' ...')}"
            )
