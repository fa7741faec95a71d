"""gunicorn settings of `aptmon serve`: once the first worker can answer, the address and sign-ins in a box."""

from __future__ import annotations

import os


def post_worker_init(worker) -> None:
    """Print the box from the first worker only (age 1), after its app has loaded: the server then answers, and
    the box comes after gunicorn's start-up lines instead of scrolling away above them."""
    if worker.age != 1:
        return
    from etl.accounts import ready_box

    url = os.environ.get("APTMON_SERVE_URL") or f"http://{worker.cfg.bind[0]}"
    print(ready_box(url), flush=True)
