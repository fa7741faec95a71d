"""The `aptmon` command line: thin commands over the etl library."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import textwrap

import click

from etl import warehouse
from etl.catalogue import CatalogueError


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
        except (warehouse.WarehouseError, CatalogueError, OSError) as exc:
            raise UsageProblem(str(exc)) from exc

    return wrapper


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
    result = warehouse.initialise(warehouse_file, force=force)
    action = "loaded" if result["catalogue_loaded"] else "already up to date"
    click.echo(
        f"Warehouse {result['warehouse']}: catalogue {result['plan_id']} {action} "
        f"({result['measures']} measures, {result['sub_items']} sub-items)."
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
    from etl import users as user_store

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
    """Set a user's new password (and lift a lockout).

    \b
    Example:
        aptmon users password somchai
    """
    from etl import users as user_store

    try:
        user_store.set_password(name, _read_password(password_stdin), warehouse_file)
    except user_store.UserError as exc:
        raise UsageProblem(str(exc)) from exc
    click.echo(f"Password of {name} changed.")


@users.command("list")
@warehouse_option
@friendly_errors
def users_list(warehouse_file: str | None):
    """Print every user with role, country and lockout.

    \b
    Example:
        aptmon users list
    """
    from etl import users as user_store

    for user in user_store.list_users(warehouse_file):
        locked = f"  locked until {user.locked_until:%Y-%m-%d %H:%M}" if user.locked_until else ""
        click.echo(f"{user.username:<24} {user.role:<10} {user.country or '-':<4}{locked}")


@users.command("demo")
@warehouse_option
@friendly_errors
def users_demo(warehouse_file: str | None):
    """Create the demo users (one per role) with generated passwords, and say where the passwords are.

    \b
    Example:
        aptmon users demo
    """
    from etl import users as user_store

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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
@warehouse_option
@friendly_errors
def serve(host: str, port: int, workers: int, warehouse_file: str | None):
    """Run the dashboard under gunicorn.

    \b
    Example:
        aptmon serve --port 8050 --workers 4
    """
    db = warehouse.warehouse_path(warehouse_file)
    if not db.exists():
        raise UsageProblem(f"No warehouse at {db}. Run `aptmon init` first.")
    os.environ["APTMON_WAREHOUSE"] = str(db.resolve())
    args = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers),
        "--bind", f"{host}:{port}",
        "--timeout", "120",
        "--access-logfile", "-",
        "dashboard.app:create_server()",
    ]  # fmt: skip
    click.echo(f"Serving the dashboard on http://{host}:{port} with {workers} workers (Ctrl+C to stop).")
    os.execv(sys.executable, args)


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("APTMON_DEBUG"):
            raise
        click.echo(
            f"Error: unexpected failure: {exc.__class__.__name__}: {exc} (set APTMON_DEBUG=1 for details)", err=True
        )
        sys.exit(2)
