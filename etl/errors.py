"""The product's one exception root: every error the etl library raises for a user to act on inherits it."""

from __future__ import annotations


class AptmonError(Exception):
    """Something the monitor was asked to do cannot be done; the message names what failed and what to do.

    The command line prints the message as its one line and exits with `exit_code` (docs/cli.md: 1 when the work was
    done but something was rejected, 2 for a usage or environment error); the dashboard shows it in the page's alert.
    """

    exit_code = 2
