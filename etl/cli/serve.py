"""`aptmon serve`: the dashboard under gunicorn."""

from __future__ import annotations

import os
import sys

import click

from etl.cli.failures import UsageProblem
from etl.cli.options import warehouse_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
# Threads per worker: gunicorn's threaded worker keeps connections alive and never waits for a slow client
# with a whole process (benchmarks/bench_read_path.py measured 3x the throughput of one thread per worker).
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@warehouse_option
def serve(host: str, port: int, workers: int, threads: int, warehouse_file: str | None) -> None:
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
    _prepare_warehouse(db)
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
        # gthread with a deadline on request headers: a client trickling its headers is cut after
        # $APTMON_HEADER_TIMEOUT_SECONDS instead of holding a thread (dashboard/gunicorn_worker.py).
        "--worker-class", "dashboard.gunicorn_worker.HeaderDeadlineWorker",
        # A worker silent this long is restarted; one that is stopping gets this long to finish its requests.
        "--timeout", "120",
        "--graceful-timeout", "30",
        # An idle kept-alive connection waits in the worker's poller (no thread) and is closed after this.
        "--keep-alive", "5",
        # Request lines and headers of a browser's size; anything larger is refused before the application.
        "--limit-request-line", "8190",
        "--limit-request-fields", "100",
        "--limit-request-field_size", "8190",
        "--access-logfile", "-",
        # The app is built once in the master and the workers fork with it (dashboard.app.create_server); each
        # then opens the warehouse for itself (dashboard.gunicorn_hooks.post_worker_init).
        "--preload",
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


def _prepare_warehouse(db) -> None:
    """Upgrade an earlier release's warehouse (a newer or unknown one is refused in one line), then read it all back
    once: a damaged one is served all the same, every page saying so, and the workers are told which version."""
    import json

    from etl import warehouse
    from etl.warehouse import integrity
    from etl.warehouse.schema import bring_up_to_date
    from etl.warehouse.upgrade import SchemaRefused

    try:
        upgraded_from = bring_up_to_date(db)
    except SchemaRefused:
        raise
    except warehouse.WarehouseError:
        upgraded_from = None  # cannot be opened: the read-back below says why
    except Exception as exc:
        if not integrity.is_damage(exc):
            raise
        upgraded_from = None
    if upgraded_from is not None:
        click.echo(f"Upgraded the warehouse from schema {upgraded_from}, every row kept.")
    findings = integrity.check_tables(db)
    if findings:
        click.echo(
            f"Warning: the warehouse cannot be read ({findings[0]}); every page will say so. Run `aptmon check`, "
            "then `aptmon restore FOLDER --replace` from the latest backup.",
            err=True,
        )
        os.environ[integrity.DAMAGED_VERSION_ENV] = json.dumps(list(warehouse.data_version(db)))
    else:
        try:
            warehouse.ensure_readers_copy(db)  # else every question of every page would open the file itself
        except (warehouse.WarehouseError, OSError) as exc:  # busy past the wait, or a full disk: served all the same
            click.echo(f"Warning: no readers' copy of the warehouse could be made ({exc}); pages read it slower.",
                       err=True)  # fmt: skip
