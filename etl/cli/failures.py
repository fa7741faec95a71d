"""How the command line fails: one clear line and an exit code, never a traceback."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from etl.errors import AptmonError


class UsageProblem(click.ClickException):
    """A usage or environment error a command finds itself: one clear line, exit code 2."""

    exit_code = 2


class OneLineFailures(click.Group):
    """A command group whose commands fail in one line: the one place that turns errors into messages.

    A library error (`AptmonError`) or an operating-system error (a folder that cannot be written, a file gone)
    becomes its own message and exit code; anything else is a bug, and says so in one line too. It wraps click's
    `main`, not `invoke`, so that what fails while click reads the options is caught as well.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except BrokenPipeError:
            reader_went_away()
        except (AptmonError, OSError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", UsageProblem.exit_code))
        except Exception as exc:  # a bug, not a user error: say so in one line
            if os.environ.get("APTMON_DEBUG"):
                raise
            click.echo(
                f"Error: unexpected failure: {exc.__class__.__name__}: {exc} (set APTMON_DEBUG=1 for details)",
                err=True,
            )
            sys.exit(2)


def reader_went_away() -> None:
    """The command reading our output stopped early (`aptmon catalogue | head`): end quietly, as a Unix filter
    does. Standard output goes to /dev/null first, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)
