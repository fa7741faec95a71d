"""How the command line fails: one clear line and an exit code, never a traceback."""

from __future__ import annotations

import functools
import os
import sys

import click

from etl.plan.catalogue import CatalogueError


class UsageProblem(click.ClickException):
    """A usage or environment error: one clear line, exit code 2."""

    exit_code = 2


def friendly_errors(command):
    """Turn library errors into one-line messages, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            reader_went_away()
        except Exception as exc:
            # Imported here, like every heavy module, so that a command starts without loading DuckDB.
            from etl.warehouse import WarehouseError

            if isinstance(exc, WarehouseError | CatalogueError | OSError):
                raise UsageProblem(str(exc)) from exc
            raise

    return wrapper


def reader_went_away() -> None:
    """The command reading our output stopped early (`aptmon catalogue | head`): end quietly, as a Unix filter
    does. Standard output goes to /dev/null first, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)
