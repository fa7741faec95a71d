"""The `aptmon` command line: thin commands over the etl library."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from etl.plan.catalogue import CatalogueError
from etl.returns.gc_pause import cycle_collection_paused
from etl.wording import plural

if TYPE_CHECKING:
    from etl.returns.read import RawReturn


class UsageProblem(click.ClickException):
    """A usage or environment error: one clear line, exit code 2."""

    exit_code = 2


def warehouse_option(command):
    """Every command takes --warehouse PATH (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb)."""
    return click.option(
        "--warehouse",
        "warehouse_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Warehouse file (default $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb).",
    )(command)


def friendly_errors(command):
    """Turn library errors into one-line messages, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            _reader_went_away()
        except Exception as exc:
            # Imported here, like every heavy module, so that a command starts without loading DuckDB.
            from etl.warehouse import WarehouseError

            if isinstance(exc, WarehouseError | CatalogueError | OSError):
                raise UsageProblem(str(exc)) from exc
            raise

    return wrapper


def _reader_went_away() -> None:
    """The command reading our output stopped early (`aptmon catalogue | head`): end quietly, as a Unix filter
    does. Standard output goes to /dev/null first, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


# A load from the command line shares the machine with the dashboard's readers: it runs at a lower CPU priority, so
# the kernel gives it what the readers leave (all of it on an idle machine) and a 100 000-row return slows no chart.
LOAD_NICENESS = 10


def give_way_to_readers() -> None:
    """Lower this process's CPU priority by LOAD_NICENESS (never raised back: the command ends with the load)."""
    with contextlib.suppress(OSError):  # a platform without nice: the load runs as before
        os.nice(LOAD_NICENESS)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="apt-monitor")
def cli():
    """APT Work Plan Monitor: the catalogue, country returns, metrics and the dashboard.

    \b
    Example:
        aptmon init
        aptmon catalogue --format csv > catalogue.csv
    """


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild the catalogue from the plan text (submissions are kept).")
@warehouse_option
@friendly_errors
def init(force: bool, warehouse_file: str | None):
    """Create the warehouse schema and load the catalogue; safe to run again.

    \b
    Example:
        aptmon init
        aptmon init --force --warehouse /tmp/test.duckdb
    """
    from etl import warehouse
    from etl.paths import instance_dir, returns_dir
    from etl.warehouse import private_files

    result = warehouse.initialise(warehouse_file, force=force)
    # The secrets' and the returns' folders exist from the start, private (an older deployment's are made so).
    private_files.private_dir(instance_dir())
    private_files.private_dir(returns_dir())
    action = "loaded" if result["catalogue_loaded"] else "already up to date"
    click.echo(
        f"Warehouse {result['warehouse']}: catalogue {result['plan_id']} {action} "
        f"({plural(result['measures'], 'measure')}, {plural(result['sub_items'], 'sub-item')})."
    )


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@warehouse_option
@friendly_errors
def catalogue(output_format: str, warehouse_file: str | None):
    """Print the Work Plan's pillars, sections, measures and sub-items.

    \b
    Example:
        aptmon catalogue
        aptmon catalogue --format csv > catalogue.csv
    """
    from etl import warehouse

    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT plan_id, level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
            "FROM catalogue ORDER BY plan_id, measure_ordinal, letter"
        ).df()
    if output_format == "csv":
        rows.to_csv(sys.stdout, index=False)
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


@cli.group()
def users():
    """Manage who may sign in to the dashboard, and with which role.

    \b
    Example:
        aptmon users add somchai --role analyst --country THA
        aptmon users list
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["viewer", "analyst", "evaluator", "admin"]))
@click.option("--country", default=None, help="ISO3 code of the analyst's country (analysts only).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@warehouse_option
@friendly_errors
def users_add(name: str, role: str, country: str | None, password_stdin: bool, warehouse_file: str | None):
    """Create a user; the password is asked for (hidden, twice) unless --password-stdin.

    \b
    Example:
        aptmon users add somchai --role analyst --country THA
        printf '%s\\n' "$PASSWORD" | aptmon users add cpr-jpn --role viewer --password-stdin
    """
    from etl import accounts as user_store

    try:
        user_store.validate_new_user(name, role, country)
        password = _read_password(password_stdin)
        user = user_store.add_user(name, password, role, country, warehouse_file)
    except user_store.UserError as exc:
        raise UsageProblem(str(exc)) from exc
    where = f" for {user.country}" if user.country else ""
    click.echo(f"User {user.username} added: {user.role}{where}.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@warehouse_option
@friendly_errors
def users_password(name: str, password_stdin: bool, warehouse_file: str | None):
    """Set a user's new password; every session the user had signed in ends.

    \b
    Example:
        aptmon users password somchai
    """
    from etl import accounts as user_store

    try:
        user_store.set_password(name, _read_password(password_stdin), warehouse_file)
    except user_store.UserError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Password of {name} changed.")


@users.command("list")
@warehouse_option
@friendly_errors
def users_list(warehouse_file: str | None):
    """Print every user with role and country.

    \b
    Example:
        aptmon users list
    """
    from etl import accounts as user_store

    for user in user_store.list_users(warehouse_file):
        click.echo(f"{user.username:<24} {user.role:<10} {user.country or '-':<4}")


@users.command("role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["viewer", "analyst", "evaluator", "admin"]))
@click.option("--country", default=None, help="ISO3 code of the analyst's country (analysts only).")
@warehouse_option
@friendly_errors
def users_role(name: str, role: str, country: str | None, warehouse_file: str | None):
    """Give a user another role; every session the user had signed in ends.

    \b
    Example:
        aptmon users role somchai --role viewer
    """
    from etl import accounts as user_store

    try:
        user = user_store.set_role(name, role, country, warehouse_file)
    except user_store.UserError as exc:
        raise UsageProblem(str(exc)) from exc
    where = f" for {user.country}" if user.country else ""
    click.echo(f"User {user.username} is now {user.role}{where}; their sessions have ended.")


@users.command("sign-out")
@click.argument("name")
@warehouse_option
@friendly_errors
def users_sign_out(name: str, warehouse_file: str | None):
    """End every session of a user on every device (a lost laptop, a stolen cookie); their password stays.

    \b
    Example:
        aptmon users sign-out somchai
    """
    from etl import accounts as user_store

    try:
        user_store.end_sessions(name, warehouse_file)
    except user_store.UserError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Every session of {name} has ended; they must sign in again.")


@users.command("demo")
@warehouse_option
@friendly_errors
def users_demo(warehouse_file: str | None):
    """Create the demo users (one per role) with generated passwords, and say where the passwords are.

    \b
    Example:
        aptmon users demo
    """
    from etl import accounts as user_store

    credentials, created = user_store.ensure_demo_users(warehouse_file)
    if created:
        click.echo(f"Demo users created: {', '.join(created)}.")
    click.echo(f"Demo sign-ins (user, password, role) are in {credentials}:")
    click.echo(credentials.read_text(encoding="utf-8").rstrip())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageProblem("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@cli.group()
def reviews():
    """Record the CPR Plus Three meetings that review the plan; the dashboard compares the data between two.

    \b
    Example:
        aptmon reviews add 2017-06-15 --title "CPR Plus Three, June 2017"
        aptmon reviews list
    """


@reviews.command("add")
@click.argument("meeting_on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--title", default="", help="What the meeting is called (default: from its date).")
@click.option("--by", "recorded_by", default=None, help="Who records it (default: the login name).")
@warehouse_option
@friendly_errors
def reviews_add(meeting_on, title: str, recorded_by: str | None, warehouse_file: str | None):
    """Record a review meeting held on a date (YYYY-MM-DD).

    \b
    Example:
        aptmon reviews add 2017-06-15 --title "CPR Plus Three, June 2017"
    """
    import getpass

    from etl.reviews import ReviewError, add_meeting

    try:
        meeting = add_meeting(meeting_on.date(), title, recorded_by or getpass.getuser(), warehouse_file)
    except ReviewError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Recorded {meeting.title} on {meeting.meeting_on:%Y-%m-%d}.")


@reviews.command("remove")
@click.argument("meeting_on", type=click.DateTime(formats=["%Y-%m-%d"]))
@warehouse_option
@friendly_errors
def reviews_remove(meeting_on, warehouse_file: str | None):
    """Remove the meeting recorded on a date.

    \b
    Example:
        aptmon reviews remove 2017-06-15
    """
    from etl.reviews import ReviewError, remove_meeting

    try:
        remove_meeting(meeting_on.date(), warehouse_file)
    except ReviewError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Removed the meeting of {meeting_on:%Y-%m-%d}.")


@reviews.command("list")
@warehouse_option
@friendly_errors
def reviews_list(warehouse_file: str | None):
    """Print the recorded review meetings, the latest first.

    \b
    Example:
        aptmon reviews list
    """
    from etl.reviews import list_meetings

    meetings = list_meetings(warehouse_file)
    if not meetings:
        click.echo("No review meeting recorded yet; add one with `aptmon reviews add YYYY-MM-DD`.")
    for meeting in meetings:
        click.echo(f"{meeting.meeting_on:%Y-%m-%d}  {meeting.title}  (recorded by {meeting.recorded_by})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
# Threads per worker: gunicorn's threaded worker keeps connections alive and never waits for a slow client
# with a whole process (benchmarks/bench_read_path.py measured 3x the throughput of one thread per worker).
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@warehouse_option
@friendly_errors
def serve(host: str, port: int, workers: int, threads: int, warehouse_file: str | None):
    """Run the dashboard under gunicorn.

    \b
    Example:
        aptmon serve --port 8050 --workers 4
    """
    from etl import warehouse

    db = warehouse.warehouse_path(warehouse_file)
    if not db.exists():
        raise UsageProblem(f"No warehouse at {db}. Run `aptmon init` first.")
    _check_port_free(host, port)
    os.environ["APTMON_WAREHOUSE"] = str(db.resolve())
    os.environ["APTMON_SERVE_URL"] = f"http://{host}:{port}"
    args = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:dashboard.gunicorn_hooks",
        "--workers", str(workers),
        "--threads", str(threads),
        "--bind", f"{host}:{port}",
        # Each worker listens on a socket of its own and the kernel spreads new connections over them. On one
        # shared socket, a browser's kept-alive connections stay with whichever worker accepted them first: under
        # benchmarks/bench_load.py one worker ran at 80% of a core, queueing requests, while three idled at 6-11%.
        "--reuse-port",
        "--timeout", "120",
        "--access-logfile", "-",
        "dashboard.app:create_server()",
    ]  # fmt: skip
    click.echo(
        f"Serving the dashboard on http://{host}:{port} with {workers} workers of {threads} threads (Ctrl+C to stop)."
    )
    os.execv(sys.executable, args)


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port another program listens on: with --reuse-port a second dashboard would share it silently."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port just closed is free to take
            probe.bind((host, port))
    except OSError as exc:
        raise UsageProblem(
            f"Cannot serve on {host}:{port}: {exc.strerror or exc}. Is the dashboard already running? "
            "Stop it, or choose another port with --port."
        ) from exc


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--country", default=None, help="ISO3 code or name; required for a CSV, checked against the Cover.")
@click.option("--year", type=int, default=None, help="Reporting year; required for a CSV, checked against the Cover.")
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
@friendly_errors
def ingest(files, country, year, dry_run, report_dir, received_on, as_json, confirm_changes, warehouse_file):
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
    from etl.plan.countries import country_code

    give_way_to_readers()
    if country and country_code(country) is None:
        raise UsageProblem(f"--country {country!r} is not one of the 13 APT countries (use an ISO3 code such as KHM).")
    options = dict(
        warehouse_file=warehouse_file,
        country=country_code(country) if country else None,
        year=year,
        dry_run=dry_run,
        received_on=received_on.date() if received_on else None,
        report_dir=report_dir,
        confirm_changes=confirm_changes,
    )
    with cycle_collection_paused():  # for the read-ahead thread as well (see etl.returns.gc_pause)
        reads = _read_ahead(files)  # the first file is being read while etl.returns.ingest and the catalogue load
        from etl.returns.ingest import catalogue_lookup, ingest_file

        options["catalogue"] = catalogue_lookup(warehouse_file)
        if len(files) > 1:
            with click.progressbar(reads, length=len(files), label="Checking returns", file=sys.stderr) as bar:
                results = [ingest_file(path, raw=raw, **options) for path, raw in bar]
        else:
            results = [ingest_file(path, raw=raw, **options) for path, raw in reads]
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


def _read_ahead(paths: list[str]) -> Iterator[tuple[str, RawReturn]]:
    """Each file with what read_return made of it, the next file being read meanwhile on another thread.

    python-calamine lets go of the interpreter while it parses a workbook, so the next file is parsed while
    this one is checked and loaded. The first file's format and size checks run here, before the caller loads
    the rest of etl: those imports then overlap the parse, not the checks (both of which need the interpreter).
    """
    from concurrent.futures import ThreadPoolExecutor

    from etl.returns.read import inspect_return, read_return

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
    pending = pool.submit(inspect_return(paths[0]).read)

    def in_order() -> Iterator[tuple[str, RawReturn]]:
        nonlocal pending
        try:
            for number, path in enumerate(paths, start=1):
                raw = pending.result()
                if number < len(paths):
                    pending = pool.submit(read_return, paths[number])
                yield path, raw
        finally:
            pool.shutdown(cancel_futures=True)

    return in_order()


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
                f"\n{r.file}: against version {changes['previous_version']}: {len(changes['added'])} added, "
                f"{len(changes['removed'])} removed, {len(changes['status_changed'])} changed status"
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
            for issue in r.issues[:issues_shown]:
                click.echo(
                    f"  {click.style(f'{issue.severity:<7}', fg='red' if issue.severity == 'error' else 'yellow')}  "
                    f"{issue.message}"
                )
            if len(r.issues) > issues_shown:
                click.echo(f"  ... and {len(r.issues) - issues_shown} more (use --report-dir or --json for all)")
        if r.report_path:
            click.echo(f"  Feedback workbook: {r.report_path}")


@cli.command()
@click.option("--country", required=True, help="ISO3 code or name of the reporting country, e.g. KHM.")
@click.option("--year", required=True, type=int, help="Reporting year, 2013-2017.")
@click.option(
    "--prefill",
    is_flag=True,
    help="Start from the year's current version, else the latest earlier return's unfinished activities.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@warehouse_option
@friendly_errors
def template(country: str, year: int, prefill: bool, output: str, warehouse_file: str | None):
    """Write the activity return template for a country and year.

    \b
    Example:
        aptmon template --country KHM --year 2015 -o KHM-2015.xlsx
        aptmon template --country KHM --year 2016 --prefill -o KHM-2016.xlsx
    """
    from etl.plan.countries import country_code
    from etl.plan.definitions import PLAN_FIRST_YEAR, PLAN_LAST_YEAR
    from etl.returns.template import prefill_activities, template_catalogue, write_template

    iso3 = country_code(country)
    if iso3 is None:
        raise UsageProblem(f"--country {country!r} is not one of the 13 APT countries (use an ISO3 code such as KHM).")
    if not PLAN_FIRST_YEAR <= year <= PLAN_LAST_YEAR:
        raise UsageProblem(f"--year {year} is outside the plan; returns are for {PLAN_FIRST_YEAR}-{PLAN_LAST_YEAR}.")
    if not output.lower().endswith(".xlsx"):
        raise UsageProblem(f"-o {output!r}: the template is an .xlsx workbook; give a file name ending in .xlsx.")
    filled = prefill_activities(warehouse_file, iso3, year) if prefill else None
    path = write_template(
        output,
        iso3,
        year,
        template_catalogue(warehouse_file),
        filled.activities if filled else None,
        prefilled_from=filled.source if filled else "",
    )
    carried = f" with {plural(len(filled), 'activity')} carried forward" if prefill else ""
    if filled and filled.source:
        carried += f" from {filled.source}"
    click.echo(f"Wrote the {iso3} {year} return template to {path}{carried}.")


@cli.command()
@click.option("--seed", default=2013, show_default=True, type=int, help="Random seed: the same seed, the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the warehouse already has submissions.")
@warehouse_option
@friendly_errors
def demo(seed: int, if_empty: bool, warehouse_file: str | None):
    """Write synthetic returns for the 13 countries and 2013-2017, and ingest them.

    \b
    Example:
        aptmon demo
        aptmon demo --seed 7 --warehouse /tmp/demo.duckdb
    """
    from etl.demo.returns import run_demo

    summary = run_demo(warehouse_file, seed=seed, if_empty=if_empty)
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


@cli.group()
def schedule():
    """The implementation schedule (Work Plan item 6.3) that progress is judged against.

    \b
    Example:
        aptmon schedule template -o schedule.xlsx
        aptmon schedule load schedule.xlsx --dry-run
        aptmon schedule show --format csv > schedule.csv
    """


@schedule.command("template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@warehouse_option
@friendly_errors
def schedule_template(output: str, warehouse_file: str | None):
    """Write the schedule workbook: every measure, filled with the current schedule.

    \b
    Example:
        aptmon schedule template -o schedule.xlsx
    """
    from etl.schedule.template import write_schedule_template

    if not output.lower().endswith(".xlsx"):
        raise UsageProblem(f"-o {output!r}: the schedule is an .xlsx workbook; give a file name ending in .xlsx.")
    path = write_schedule_template(output, warehouse_file)
    click.echo(f"Wrote the schedule workbook to {path}.")


@schedule.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only: report what would happen, change nothing.")
@click.option("--report-dir", type=click.Path(file_okay=False), default=None, help="Write the feedback workbook here.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@warehouse_option
@friendly_errors
def schedule_load(file: str, dry_run: bool, report_dir: str | None, as_json: bool, warehouse_file: str | None):
    """Check a schedule workbook and load it as the new schedule version; exit 1 when it is rejected.

    \b
    Example:
        aptmon schedule load schedule.xlsx --dry-run
        aptmon schedule load schedule.xlsx --report-dir feedback/ --json
    """
    from etl.schedule.load import load_schedule_file

    give_way_to_readers()

    result = load_schedule_file(file, warehouse_file=warehouse_file, dry_run=dry_run, report_dir=report_dir)
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
    for issue in result.issues[:issues_shown]:
        click.echo(
            f"  {click.style(f'{issue.severity:<7}', fg='red' if issue.severity == 'error' else 'yellow')}  "
            f"{issue.message}"
        )
    if len(result.issues) > issues_shown:
        click.echo(f"  ... and {len(result.issues) - issues_shown} more (use --report-dir or --json for all)")
    if result.report_path:
        click.echo(f"  Feedback workbook: {result.report_path}")


@schedule.command("show")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@warehouse_option
@friendly_errors
def schedule_show(output_format: str, warehouse_file: str | None):
    """Print the current schedule: every measure with its effective values and whether they are the default.

    \b
    Example:
        aptmon schedule show
        aptmon schedule show --format csv > schedule.csv
    """
    from etl import warehouse
    from etl.schedule.load import current_schedule, schedule_version

    with warehouse.read_connection(warehouse_file) as con:
        rows = current_schedule(con)
        version = schedule_version(con)
    if output_format == "csv":
        rows.to_csv(sys.stdout, index=False)
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


@cli.command()
@click.option("--as-of", "as_of", type=int, default=None, help="As-of year (default: the latest year with data).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    default=None,
    help="csv/parquet: a folder of <table> files; xlsx: one workbook (default: xlsx for -o *.xlsx, else csv).",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="The folder (csv, parquet) or .xlsx file.")
@warehouse_option
@friendly_errors
def export(as_of: int | None, output_format: str | None, output: str, warehouse_file: str | None):
    """Export the metric tables, activities and catalogue for one as-of year, with their definitions.

    \b
    Example:
        aptmon export -o metrics-2016.xlsx --as-of 2016
        aptmon export --format parquet -o exports/2017
    """
    from etl.outputs.export import ExportError
    from etl.outputs.export import export as write_export

    output_format = output_format or ("xlsx" if output.lower().endswith(".xlsx") else "csv")
    try:
        result = write_export(output, warehouse_file=warehouse_file, as_of=as_of, output_format=output_format)
    except ExportError as exc:
        raise UsageProblem(str(exc)) from exc
    tables = ", ".join(f"{table} {rows}" for table, rows in result.rows.items())
    click.echo(f"Exported as of {result.as_of_year} to {result.path} ({output_format}; rows: {tables}).")
    click.echo(f"Data fingerprint: {result.fingerprint}")
    click.echo(f"Schedule: {result.schedule}")


@cli.command()
@click.option("--as-of", "as_of", type=int, default=None, help="As-of year (default: the latest year with data).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "docx"]),
    default=None,
    help="html (one self-contained page) or docx (a Word document to edit); default from the file name, else html.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@warehouse_option
@friendly_errors
def report(as_of: int | None, output_format: str | None, output: str, warehouse_file: str | None):
    """Write the concise progress report for the APT Summit: a self-contained, printable HTML file, or a Word
    document with the same content to edit before the Summit.

    \b
    Example:
        aptmon report -o progress-2016.html --as-of 2016
        aptmon report --format docx -o progress-2016.docx --as-of 2016
    """
    from etl.outputs.export import ExportError
    from etl.outputs.report.write import write_report

    if output_format is None:
        output_format = "docx" if output.lower().endswith(".docx") else "html"
    try:
        result = write_report(output, warehouse_file=warehouse_file, as_of=as_of, output_format=output_format)
    except ExportError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Wrote the progress report as of {result.as_of_year} to {result.path}.")
    click.echo(f"Data fingerprint: {result.fingerprint}")
    click.echo(f"Schedule: {result.schedule}")


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    from etl.warehouse import private_files

    private_files.restrict_umask()  # the warehouse, stored returns and instance/ are private whatever the umask
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except BrokenPipeError:
        _reader_went_away()
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("APTMON_DEBUG"):
            raise
        click.echo(
            f"Error: unexpected failure: {exc.__class__.__name__}: {exc} (set APTMON_DEBUG=1 for details)", err=True
        )
        sys.exit(2)
