"""`aptmon users ...`: who may sign in to the dashboard, and with which role."""

from __future__ import annotations

import sys

import click

from etl.cli.failures import UsageProblem
from etl.cli.options import warehouse_option

# etl.accounts.ROLES, spelled out: importing etl.accounts would load the warehouse before any command runs.
ROLES = ("viewer", "analyst", "evaluator", "admin")


@click.group()
def users() -> None:
    """Manage who may sign in to the dashboard, and with which role.

    \b
    Example:
        aptmon users add somchai --role analyst --country THA
        aptmon users list
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--country", default=None, help="ISO3 code of the analyst's country (analysts only).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@warehouse_option
def users_add(name: str, role: str, country: str | None, password_stdin: bool, warehouse_file: str | None) -> None:
    """Create a user; the password is asked for (hidden, twice) unless --password-stdin.

    \b
    Example:
        aptmon users add somchai --role analyst --country THA
        printf '%s\\n' "$PASSWORD" | aptmon users add cpr-jpn --role viewer --password-stdin
    """
    from etl import accounts as user_store

    user_store.validate_new_user(name, role, country)  # before the password is asked for
    password = _read_password(password_stdin)
    user = user_store.add_user(name, password, role, country, warehouse_file)
    where = f" for {user.country}" if user.country else ""
    click.echo(f"User {user.username} added: {user.role}{where}.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@warehouse_option
def users_password(name: str, password_stdin: bool, warehouse_file: str | None) -> None:
    """Set a user's new password; every session the user had signed in ends.

    \b
    Example:
        aptmon users password somchai
    """
    from etl import accounts as user_store

    user_store.set_password(name, _read_password(password_stdin), warehouse_file)
    click.echo(f"Password of {name} changed.")


@users.command("list")
@warehouse_option
def users_list(warehouse_file: str | None) -> None:
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
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--country", default=None, help="ISO3 code of the analyst's country (analysts only).")
@warehouse_option
def users_role(name: str, role: str, country: str | None, warehouse_file: str | None) -> None:
    """Give a user another role; every session the user had signed in ends.

    \b
    Example:
        aptmon users role somchai --role viewer
    """
    from etl import accounts as user_store

    user = user_store.set_role(name, role, country, warehouse_file)
    where = f" for {user.country}" if user.country else ""
    click.echo(f"User {user.username} is now {user.role}{where}; their sessions have ended.")


@users.command("sign-out")
@click.argument("name")
@warehouse_option
def users_sign_out(name: str, warehouse_file: str | None) -> None:
    """End every session of a user on every device (a lost laptop, a stolen cookie); their password stays.

    \b
    Example:
        aptmon users sign-out somchai
    """
    from etl import accounts as user_store

    user_store.end_sessions(name, warehouse_file)
    click.echo(f"Every session of {name} has ended; they must sign in again.")


@users.command("demo")
@warehouse_option
def users_demo(warehouse_file: str | None) -> None:
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
