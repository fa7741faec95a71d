"""Commands that keep the data safe: `aptmon backup`, `aptmon restore` and `aptmon check`."""

from __future__ import annotations

import sys

import click

from etl.cli.options import warehouse_option
from etl.wording import plural


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@warehouse_option
def backup(folder: str, warehouse_file: str | None) -> None:
    """Copy the warehouse, the stored returns and instance/ into a new FOLDER, with a manifest of SHA-256 sums.

    Safe while the dashboard runs and uploads arrive: the warehouse is copied as of its last commit, and no
    reader or upload waits for the copy.

    \b
    Example:
        aptmon backup /var/backups/aptmon/$(date +%F)
    """
    from etl.cli.priority import give_way_to_readers

    # Checksums and the read-back of the copy take CPU the dashboard's readers come first for; lowered before DuckDB
    # and its library are imported, a fifth of the command's CPU time.
    give_way_to_readers()
    from etl.warehouse.backup import take_backup

    summary = take_backup(folder, warehouse_file)
    click.echo(
        f"Backed up to {summary.folder}: {plural(summary.files, 'file')} ({_megabytes(summary.size)}), "
        f"{plural(summary.submissions, 'upload')} in the warehouse; `aptmon restore {summary.folder}` puts it back."
    )


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite the warehouse file that is there (stop the server first).")
@warehouse_option
def restore(folder: str, replace: bool, warehouse_file: str | None) -> None:
    """Check a backup made by `aptmon backup` against its SHA-256 sums, then put it back.

    The warehouse goes to --warehouse (any path), the returns to $APTMON_RETURNS_DIR and instance/ to
    $APTMON_INSTANCE_DIR; nothing is touched when a file of the backup is missing or differs.

    \b
    Example:
        aptmon restore /var/backups/aptmon/2017-03-01 --warehouse /srv/aptmon/aptmon.duckdb
    """
    from etl.warehouse import warehouse_path
    from etl.warehouse.backup import restore_backup

    summary = restore_backup(folder, warehouse_file, replace=replace)
    click.echo(
        f"Restored {plural(summary.files, 'file')} from {summary.folder} ({plural(summary.submissions, 'upload')}) "
        f"to {warehouse_path(warehouse_file)}; `aptmon check` verifies it, `aptmon serve` serves it."
    )


@click.command()
@warehouse_option
def check(warehouse_file: str | None) -> None:
    """Read back every table of the warehouse and every stored return against its recorded SHA-256.

    Exits 0 when all is whole, 1 with one line per problem when not (then restore the latest backup).

    \b
    Example:
        aptmon check
    """
    from etl.cli.priority import give_way_to_readers
    from etl.warehouse import warehouse_path
    from etl.warehouse.integrity import check as check_everything

    give_way_to_readers()
    report = check_everything(warehouse_file)
    for finding in report.findings:
        click.echo(f"Damaged: {finding}", err=True)
    name = warehouse_path(warehouse_file)
    if report.findings:
        click.echo(
            f"{name}: {plural(len(report.findings), 'problem')} found; restore the latest backup with "
            "`aptmon restore FOLDER --replace` (stop the server first).",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"{name}: whole ({plural(report.tables, 'table')} read back, "
        f"{plural(report.files, 'stored return')} match their SHA-256)."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
