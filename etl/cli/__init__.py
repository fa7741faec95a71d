"""The `aptmon` command line: thin commands over the etl library, one module per command group.

This package's public face is `cli` (the click group) and `main` (the console script's entry point).
"""

from __future__ import annotations

import os

import click

from etl.cli import demo, outputs, plan, returns, reviews, safekeeping, schedule, serve, users, warehouse
from etl.cli.failures import OneLineFailures


@click.group(cls=OneLineFailures, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="apt-monitor")
def cli() -> None:
    """APT Work Plan Monitor: the catalogue, country returns, metrics and the dashboard.

    \b
    Example:
        aptmon init
        aptmon catalogue --format csv > catalogue.csv
    """


# Each command group lives in its own module; the group lists them by name, whatever the order here.
cli.add_command(warehouse.init)
cli.add_command(warehouse.catalogue)
cli.add_command(returns.template)
cli.add_command(returns.ingest)
cli.add_command(schedule.schedule)
cli.add_command(outputs.export)
cli.add_command(outputs.report)
cli.add_command(users.users)
cli.add_command(reviews.reviews)
cli.add_command(demo.demo)
cli.add_command(plan.plan)
cli.add_command(serve.serve)
cli.add_command(safekeeping.backup)
cli.add_command(safekeeping.restore)
cli.add_command(safekeeping.check)


def main() -> None:
    """Console-script entry point: every failure ends in one line (see etl.cli.failures), never a traceback."""
    from etl import private_files

    # Importing NumPy (a large return's load) starts OpenBLAS's thread pool, whose idle thread spins for about 0.1 s
    # of CPU. No command does linear algebra: one thread starts none. Set before anything imports NumPy.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    private_files.restrict_umask()  # the warehouse, stored returns and instance/ are private whatever the umask
    cli.main(standalone_mode=True)
