"""Adding a plan to the warehouse from its text: the checks that refuse it, and its catalogue written in one step."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from etl.errors import AptmonError
from etl.plan import catalogue as cat
from etl.plan.plans import EARLIEST_YEAR, LATEST_YEAR, PlanEntry
from etl.warehouse.connection import write_connection
from etl.warehouse.location import warehouse_path
from etl.warehouse.schema import write_catalogue

# A plan id goes into file names, addresses (?plan=) and exports: lower-case letters, digits and hyphens.
_PLAN_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_YEARS = re.compile(r"\s*(\d{4})\s*[-\u2013]\s*(\d{4})\s*")


class PlanRefused(AptmonError, ValueError):
    """A plan that cannot be added: nothing was changed. Exit code 1, as for a rejected return (2 for a usage or
    environment error, such as no warehouse yet)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def parse_years(text: str) -> tuple[int, int]:
    """'2018-2022' -> (2018, 2022), refusing reversed years and years outside 2000-2100."""
    match = _YEARS.fullmatch(text or "")
    if not match:
        raise PlanRefused(f"--years {text!r} is not FIRST-LAST, e.g. 2018-2022.")
    first, last = int(match.group(1)), int(match.group(2))
    if not (EARLIEST_YEAR <= first <= LATEST_YEAR and EARLIEST_YEAR <= last <= LATEST_YEAR):
        raise PlanRefused(f"--years {text}: a plan's years must fall within {EARLIEST_YEAR}-{LATEST_YEAR}.")
    if first > last:
        raise PlanRefused(f"--years {text}: the first year comes after the last; give them as {last}-{first}.")
    return first, last


def add_plan(
    path: str | os.PathLike | None,
    text_file: str | os.PathLike,
    plan_id: str,
    years: tuple[int, int],
    title: str | None = None,
    is_example: bool = False,
) -> dict:
    """Parse the plan text and load its catalogue as a new plan, in one transaction; refuse and change nothing when
    the id is taken or malformed, or the text yields no measures or repeats one (the message names the line).

    Returns the counts found (pillars, sections, measures, sub_items) with the plan's id, title and years."""
    if not _PLAN_ID.fullmatch(plan_id or ""):
        raise PlanRefused(
            f"--id {plan_id!r}: a plan id is 2-40 lower-case letters, digits and hyphens, e.g. apt-2018-2022."
        )
    first, last = years
    source = Path(text_file)
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanRefused(
            f"{source.name}: not a UTF-8 text file (byte {exc.start}); save the plan as plain text."
        ) from None
    try:
        catalogue = cat.parse_catalogue(text, plan_id)
    except cat.CatalogueError as exc:
        raise PlanRefused(f"{source.name}: {exc}") from None
    entry = PlanEntry(plan_id, first, last, source, title=(title or "").strip() or None)
    if not warehouse_path(path).exists():  # checked before opening: opening would create an empty file
        raise PlanRefused(f"No warehouse at {warehouse_path(path)}. Run `aptmon init` first.", exit_code=2)
    with write_connection(path) as con:
        con.execute("BEGIN")
        try:
            if con.execute("SELECT count(*) FROM plans WHERE plan_id = ?", [plan_id]).fetchone()[0]:
                raise PlanRefused(f"--id {plan_id}: the warehouse already has a plan with this id; choose another.")
            # The write's closing rebuild computes the new plan's snapshot rows alone: no other plan's changed.
            write_catalogue(con, catalogue, entry, source.name, hashlib.sha256(raw).hexdigest(), is_example)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {
        "plan_id": plan_id,
        "title": entry.title or catalogue.title,
        "start_year": first,
        "end_year": last,
        "pillars": len(catalogue.pillars),
        "sections": sum(not s.is_direct_group for s in catalogue.sections),
        "measures": len(catalogue.measures),
        "sub_items": len(catalogue.sub_items),
    }
