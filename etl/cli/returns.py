"""Commands over country returns: `aptmon template` and `aptmon ingest`."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import datetime

import click

from etl.cli.failures import UsageProblem
from etl.cli.findings import echo_findings
from etl.cli.options import plan_option, warehouse_option
from etl.cli.priority import give_way_to_readers
from etl.wording import plural


@click.command()
@click.option("--country", required=True, help="ISO3 code or name of the reporting country, e.g. KHM.")
@click.option("--year", required=True, type=int, help="Reporting year, within the plan's years.")
@click.option(
    "--prefill",
    is_flag=True,
    help="Start from the year's current version, else the latest earlier return's unfinished activities.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@plan_option
@warehouse_option
def template(
    country: str, year: int, prefill: bool, output: str, plan_id: str | None, warehouse_file: str | None
) -> None:
    """Write the activity return template for a country and year of a plan (without --plan: the one plan whose
    years hold the year).

    \b
    Example:
        aptmon template --country KHM --year 2015 -o KHM-2015.xlsx
        aptmon template --country KHM --year 2016 --prefill -o KHM-2016.xlsx
        aptmon template --country KHM --year 2020 --plan apt-2018-2022 -o KHM-2020.xlsx
    """
    from etl.returns.template import write_return_template

    iso3 = _country_option(country)
    if not output.lower().endswith(".xlsx"):
        raise UsageProblem(f"-o {output!r}: the template is an .xlsx workbook; give a file name ending in .xlsx.")
    plan = _plan_for_year(warehouse_file, plan_id, year)
    path, filled = write_return_template(output, iso3, year, warehouse_file, prefill=prefill, plan_id=plan)
    carried = f" with {plural(len(filled), 'activity')} carried forward" if prefill else ""
    if filled and filled.source:
        carried += f" from {filled.source}"
    click.echo(f"Wrote the {iso3} {year} return template for plan {plan} to {path}{carried}.")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--country", default=None, help="ISO3 code or name; required for a CSV, checked against the Cover.")
@click.option("--year", type=int, default=None, help="Reporting year; required for a CSV, checked against the Cover.")
@click.option(
    "--plan",
    "plan_id",
    default=None,
    metavar="ID",
    help="The plan the returns report on (default: the "
    "Cover's Work plan, else the one plan whose years hold the return's year).",
)
@click.option("--dry-run", is_flag=True, help="Check only: report what would happen, change nothing.")
@click.option("--report-dir", type=click.Path(file_okay=False), default=None, help="Write feedback workbooks here.")
@click.option("--received-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Arrival date (admin).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON result object per file (one per line).")
@click.option(
    "--confirm-changes",
    is_flag=True,
    help="Load a return even though it undoes part of the record (activities back from completed, removed, "
    "or linked to other measures); without it such a return is held.",
)
@warehouse_option
def ingest(
    files: tuple[str, ...],
    country: str | None,
    year: int | None,
    dry_run: bool,
    report_dir: str | None,
    received_on: datetime | None,
    as_json: bool,
    confirm_changes: bool,
    warehouse_file: str | None,
    plan_id: str | None = None,
) -> None:
    """Check country returns and load the accepted ones; exit 1 when any is rejected or held.

    A return that would undo part of the country's record is held: nothing is loaded and the changes are
    listed; check them, then run the command again with --confirm-changes to load it.

    \b
    Example:
        aptmon ingest --dry-run KHM-2015.xlsx
        aptmon ingest returns/*.xlsx --report-dir feedback/
        aptmon ingest activities.csv --country KHM --year 2015 --json
        aptmon ingest KHM-2017-v2.xlsx --confirm-changes
    """
    from etl.returns.batch import ingest_files

    give_way_to_readers()
    iso3 = _country_option(country) if country else None
    checked = ingest_files(
        files,
        warehouse_file=warehouse_file,
        country=iso3,
        year=year,
        plan=plan_id,
        dry_run=dry_run,
        received_on=received_on.date() if received_on else None,
        report_dir=report_dir,
        confirm_changes=confirm_changes,
    )
    if len(files) > 1:
        with click.progressbar(checked, length=len(files), label="Checking returns", file=sys.stderr) as bar:
            results = list(bar)
    else:
        results = list(checked)
    if as_json:
        for result in results:
            click.echo(_json_line(result.to_json()))
    else:
        _print_ingest_summary(results)
    if any(r.status in ("rejected", "held") for r in results):
        sys.exit(1)


# Characters json.dumps leaves as they are but a line reader splits on: escaped, so one object stays one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=str).translate(_LINE_BREAKS)


def _print_ingest_summary(results, issues_shown: int = 25) -> None:
    from etl.returns import regressions

    click.echo(
        f"{'file':<36} {'country':<7} {'year':<5} {'status':<20} "
        f"{'version':>7} {'activities':>10} {'errors':>6} {'warnings':>8}"
    )
    for r in results:
        colour = {"accepted": "green", "rejected": "red", "held": "yellow"}.get(r.status)
        click.echo(
            f"{textwrap.shorten(r.file, 36):<36} {r.country or '-':<7} {r.year or '-'!s:<5} "
            + click.style(f"{r.status + (' (dry run)' if r.dry_run else ''):<20}", fg=colour)
            + f" {r.version or '-'!s:>7} {r.activities:>10} {r.errors:>6} {r.warnings:>8}"
        )
    for r in results:
        changes = r.changes or {}
        if changes.get("previous_version") and r.status in ("accepted", "held"):
            click.echo(
                f"\n{r.file}: against version {changes['previous_version']}: {len(changes['added']):,} added, "
                f"{len(changes['removed']):,} removed, {len(changes['status_changed']):,} changed status"
            )
        if r.status == "held":
            click.echo(
                f"\n{r.file}: held, nothing loaded: it would undo part of the record "
                f"({regressions.summary(r.issues)}). Check the changes listed below; if they are right, run "
                "the command again with --confirm-changes to load it as version "
                f"{r.version}."
            )
        if r.issues:
            click.echo(f"\n{r.file}:")
            echo_findings(r.issues, issues_shown)
        if r.report_path:
            click.echo(f"  Feedback workbook: {r.report_path}")


def _country_option(country: str) -> str:
    """The ISO3 code --country names, or the one-line usage error that says what it takes."""
    from etl.plan.countries import country_code

    iso3 = country_code(country)
    if iso3 is None:
        raise UsageProblem(f"--country {country!r} is not one of the 13 APT countries (use an ISO3 code such as KHM).")
    return iso3


def _plan_for_year(warehouse_file: str | None, plan_id: str | None, year: int) -> str:
    """The plan a template is for: --plan (its years must hold the year), else the one plan whose years hold it;
    a one-line usage error when none does or several do."""
    from etl import warehouse
    from etl.plan.plans import plan_timeframe, plan_timeframes

    if not warehouse.warehouse_path(warehouse_file).exists():
        from etl.plan.plans import SEED_PLAN

        chosen = SEED_PLAN if plan_id in (None, SEED_PLAN.plan_id) else None
        if chosen is None:
            raise UsageProblem(f"--plan {plan_id}: there is no warehouse yet; run `aptmon init` first.")
        if year not in chosen.years:
            raise UsageProblem(f"--year {year} is outside the plan {chosen.plan_id}; its returns are for "
                               f"{chosen.first_year}-{chosen.last_year}.")  # fmt: skip
        return chosen.plan_id
    with warehouse.read_connection(warehouse_file) as con:
        if plan_id is not None:
            chosen = plan_timeframe(con, plan_id)
        else:
            plans = plan_timeframes(con)
            holding = [p for p in plans if p.holds(year)]
            if len(holding) > 1:
                names = ", ".join(f"{p.plan_id} ({p.span})" for p in holding)
                raise UsageProblem(f"--year {year} falls in more than one plan ({names}); say which with --plan.")
            chosen = holding[0] if holding else plan_timeframe(con)
    if not chosen.holds(year):
        raise UsageProblem(f"--year {year} is outside the plan {chosen.plan_id}; its returns are for {chosen.span}.")
    return chosen.plan_id
