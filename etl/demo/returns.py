"""Synthetic demonstration returns for the 13 countries and 2013-2017, written as templates and ingested for real."""

from __future__ import annotations

import multiprocessing
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from etl import warehouse
from etl.demo.schedule import load_example_schedule
from etl.paths import returns_dir
from etl.plan.catalogue import Catalogue
from etl.plan.countries import COUNTRIES
from etl.plan.plans import SEED_PLAN
from etl.returns.ingest import IngestResult, ingest_file
from etl.returns.layout import FUNDING_SOURCES
from etl.returns.load import read_catalogue
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.template import write_template
from etl.schedule.load import ScheduleResult

if TYPE_CHECKING:
    from etl.crosswalk.load import CrosswalkResult

SYNTHETIC_PREFIX = "[Synthetic]"
SUBMITTED_BY = "demo"
# Countries that skip a year, the return uploaded twice, and the return rejected before its corrected upload.
MISSING_RETURNS = (("BRN", 2014), ("MMR", 2013), ("LAO", 2016), ("BRN", 2017))
REUPLOADED = ("THA", 2015)
REJECTED_FIRST = ("PHL", 2016)
LATE_SHARE = 0.2
REVIEW_MEETINGS = (
    (date(2016, 6, 15), "CPR Plus Three review, June 2016 (example)"),
    (date(2017, 6, 15), "CPR Plus Three review, June 2017 (example)"),
)
# The kinds of activity a title names, by what the measure's own text asks for (the first group whose words it
# uses), so an activity under an energy dialogue measure is a dialogue or a forum, never a database.
ACTIONS_FOR = (
    (("dialogue", "consultation", "discussion", "meeting", "summit", "forum"),
     ("Policy dialogue", "Expert meeting", "Regional forum", "Senior officials' consultation")),
    (("training", "capacity", "education", "skills", "human resource"),
     ("Training programme", "Capacity-building course", "Workshop", "Train-the-trainers course")),
    (("exchange", "visit", "youth", "people-to-people", "networking"),
     ("Exchange programme", "Study visit", "Networking event")),
    (("research", "study", "studies", "knowledge", "assessment"),
     ("Joint study", "Expert meeting", "Research network")),
    (("information", "database", "data", "statistic"),
     ("Information-sharing network", "Joint study", "Expert meeting")),
)  # fmt: skip
GENERAL_ACTIONS = ("Workshop", "Expert meeting", "Pilot project", "Joint programme", "Regional seminar")
ACTION_DRAWS = 10  # one draw of 0-9 picks the kind of activity (the same random stream for every measure)
TITLE_WORDS = 12
_DANGLING = {
    "a", "aimed", "among", "an", "and", "as", "at", "between", "by", "for", "from", "in", "including", "into", "of",
    "on", "or", "such", "the", "through", "to", "towards", "via", "with",
}  # fmt: skip
_PREPOSITIONS = {"in", "within", "through", "with", "as", "for", "on", "under", "by", "the"}
AGENCIES = (
    "Ministry of Foreign Affairs", "Ministry of Trade", "Ministry of Health", "Ministry of Education",
    "Ministry of Finance", "Ministry of Agriculture", "Ministry of Transport", "Ministry of Environment",
    "National Disaster Management Office", "Ministry of Culture and Tourism", "Central Bank",
)  # fmt: skip
NEXT_STATUS = {
    "planned": (("planned", 0.35), ("ongoing", 0.55), ("cancelled", 0.05), ("suspended", 0.05)),
    "ongoing": (("ongoing", 0.5), ("completed", 0.42), ("suspended", 0.08)),
    "suspended": (("suspended", 0.4), ("ongoing", 0.45), ("cancelled", 0.15)),
}


@dataclass
class _Activity:
    activity_id: str
    title: str
    measure_ids: str
    status: str
    start: date
    planned_end: date
    lead_agency: str
    partners: str | None
    funding_source: str
    budget: float | None
    end: date | None = None

    def row(self, year: int) -> dict:
        started = self.status != "planned"
        return {
            "activity_id": self.activity_id,
            "measure_ids": self.measure_ids,
            "title": self.title,
            "status": self.status,
            "start_date": self.start if started or self.status == "cancelled" else None,
            "end_date": self.end if self.status == "completed" else None,
            "lead_agency": self.lead_agency,
            "partners": self.partners,
            "funding_source": self.funding_source,
            "budget_usd": self.budget,
            "description": f"{SYNTHETIC_PREFIX} Outputs reported for {year}: generated for demonstration only.",
        }


@dataclass
class DemoSummary:
    files: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    held: int = 0  # never, unless the plan below undid its own record
    skipped: bool = False
    results: list[IngestResult] = field(default_factory=list)
    folder: Path | None = None
    schedule: ScheduleResult | None = None  # the example schedule's load
    example_plan: dict | None = None  # the example second plan's counts (etl.demo.example_plan), when loaded
    crosswalk: CrosswalkResult | None = None  # its crosswalk's load


def demo_dir() -> Path:
    return returns_dir() / "demo"


def run_demo(
    warehouse_file: str | os.PathLike | None = None,
    seed: int = 2013,
    if_empty: bool = False,
    example_plan: bool = False,
) -> DemoSummary:
    """Write and ingest the synthetic returns; with if_empty, do nothing when the warehouse has submissions. With
    example_plan, also an example second plan (2018-2022) with its crosswalk and synthetic returns for 2018-2021, in
    which countries carry on some unfinished activities of 2013-2017 under the same ids."""
    warehouse.initialise(warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        if if_empty and con.execute("SELECT count(*) FROM submissions").fetchone()[0]:
            return DemoSummary(skipped=True)
        catalogue = read_catalogue(con, SEED_PLAN.plan_id)
    rng = random.Random(seed)
    folder = demo_dir()
    summary = DemoSummary(folder=folder)
    planned, left_over = _plan_uploads(catalogue, rng)
    _ingest_uploads(planned, catalogue, folder, warehouse_file, summary)
    with warehouse.write_connection(warehouse_file) as con:
        # Two example review meetings, so the review page opens on a year of changes.
        for meeting_on, title in REVIEW_MEETINGS:
            con.execute(
                "INSERT INTO review_meetings (meeting_on, title, recorded_by, recorded_at, plan_id) "
                "VALUES (?, ?, ?, now(), ?) ON CONFLICT DO NOTHING",
                [meeting_on, title, SUBMITTED_BY, catalogue.plan_id],
            )
    # An example schedule, so the demo shows recurring, early-due and led measures (labelled as an example).
    summary.schedule = load_example_schedule(folder / "schedule", warehouse_file)
    if example_plan:
        _demo_example_plan(catalogue, left_over, rng, folder, warehouse_file, summary)
    return summary


def _ingest_uploads(
    planned: list[dict], catalogue: Catalogue, folder: Path, warehouse_file, summary: DemoSummary
) -> None:
    uploads = sorted(planned, key=lambda u: (u["received_on"], u["country"], u["name"]))
    # Writing workbooks is the slow part (pure Python); spread it over the cores, then ingest in arrival order.
    paths = _write_uploads([(folder / u["name"], u) for u in uploads], catalogue)
    lookup = MeasureLookup(catalogue)
    # Upload in the order returns would have arrived, so versions and supersession follow the calendar.
    # One write connection for the batch: each return is its own transaction.
    with warehouse.write_connection(warehouse_file) as con:
        for path, upload in zip(paths, uploads, strict=True):
            result = ingest_file(
                path,
                connection=con,
                catalogue=lookup,
                plan=catalogue.plan_id,
                received_on=upload["received_on"],
                submitted_by=SUBMITTED_BY,
                report_dir=folder / "feedback",
                is_synthetic=True,
            )
            summary.results.append(result)
            summary.files += 1
            setattr(summary, result.status, getattr(summary, result.status) + 1)


def _demo_example_plan(
    seed: Catalogue, left_over: dict[str, list[_Activity]], rng: random.Random, folder: Path, warehouse_file,
    summary: DemoSummary,
) -> None:  # fmt: skip
    """The example second plan, its crosswalk, and its synthetic returns (the last year not yet reported)."""
    from etl.demo.example_plan import EXAMPLE_PLAN_ID, load_example_crosswalk, load_example_plan

    plan_folder = folder / EXAMPLE_PLAN_ID
    summary.example_plan = load_example_plan(plan_folder, seed, warehouse_file)
    continues = summary.example_plan["continues"]
    summary.crosswalk = load_example_crosswalk(plan_folder, continues, warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        catalogue = read_catalogue(con, EXAMPLE_PLAN_ID)
    # An unfinished activity of 2013-2017 carries on, under its id, when one of its measures is continued.
    continued_by: dict[str, str] = {}
    for later, earlier in continues.items():
        continued_by.setdefault(earlier, later)
    carried: dict[str, list[_Activity]] = {}
    for country, activities in left_over.items():
        for activity in activities:
            typed = [m.strip() for m in activity.measure_ids.split(";")]
            # Its title was written from its first measure: that one (a whole measure) must carry on, and first.
            if "(" in typed[0] or typed[0] not in continued_by:
                continue
            ids = [continued_by.get(m.split("(")[0]) for m in typed]
            ids = [i for i in dict.fromkeys(ids) if i]
            if activity.status in ("ongoing", "planned", "suspended") and rng.random() < 0.6:
                activity.measure_ids = "; ".join(ids)
                carried.setdefault(country, []).append(activity)
    years = range(catalogue.first_year, catalogue.last_year)  # the last year's returns are not due yet
    planned, _ = _plan_uploads(catalogue, rng, years=years, carried=carried, first_number=500, prefix=EXAMPLE_PLAN_ID)
    _ingest_uploads(planned, catalogue, folder / EXAMPLE_PLAN_ID, warehouse_file, summary)


_WORKER_CATALOGUE: Catalogue | None = None  # each template writer's copy, set when its process starts


def _write_uploads(jobs: list[tuple[Path, dict]], catalogue: Catalogue) -> list[Path]:
    """Write the workbooks, in worker processes when there are several cores; the paths in the order given."""
    cores = os.cpu_count() or 1
    if cores == 1 or "forkserver" not in multiprocessing.get_all_start_methods():
        _use_catalogue(catalogue)
        return [_write_upload(job) for job in jobs]
    # Workers come from a fork server, a fresh interpreter, never from this process: it may have threads (a
    # server's, DuckDB's pool) whose locks a plain fork would copy held, hanging the child for good.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(
        min(cores, 4), mp_context=context, initializer=_use_catalogue, initargs=(catalogue,)
    ) as pool:
        return list(pool.map(_write_upload, jobs, chunksize=4))


def _use_catalogue(catalogue: Catalogue) -> None:
    global _WORKER_CATALOGUE
    _WORKER_CATALOGUE = catalogue


def _write_upload(job: tuple[Path, dict]) -> Path:
    path, upload = job
    return write_template(
        path,
        upload["country"],
        upload["year"],
        _WORKER_CATALOGUE,
        upload["rows"],
        synthetic=True,
        prepared_by=f"{SYNTHETIC_PREFIX} Demo officer",
        email="demo@example.org",
        date_prepared=upload["received_on"] - timedelta(days=3),
    )


def _plan_uploads(
    catalogue: Catalogue,
    rng: random.Random,
    years: range | None = None,
    carried: dict[str, list[_Activity]] | None = None,
    first_number: int = 0,
    prefix: str = "",
) -> tuple[list[dict], dict[str, list[_Activity]]]:
    """The uploads of every country for the plan's years (default: all of them), starting from `carried` activities;
    and each country's activities left unfinished at the end."""
    measures = sorted(catalogue.measures, key=lambda m: m.ordinal)
    # Each country favours a few pillars, as real cooperation programmes do.
    uploads: list[dict] = []
    left_over: dict[str, list[_Activity]] = {}
    years = years or range(catalogue.first_year, catalogue.last_year + 1)  # the plan's own years
    name_prefix = f"{prefix}-" if prefix else ""
    for country in COUNTRIES:
        favoured = rng.sample(sorted({m.pillar for m in measures}), 3)
        weights = [4.0 if m.pillar in favoured else 1.0 for m in measures]
        partners_pool = [c.iso3 for c in COUNTRIES if c.iso3 != country.iso3]
        activities: list[_Activity] = list((carried or {}).get(country.iso3, []))
        counter = first_number
        for year in years:
            # Finished activities were listed in the year they finished; they do not come back.
            activities = [a for a in activities if a.status not in ("completed", "cancelled")]
            for activity in activities:
                activity.status = _advance(activity, year, rng)
            for _ in range(rng.randint(6, 12) if year == years[0] else rng.randint(2, 6)):
                counter += 1
                activities.append(
                    _new_activity(country.iso3, counter, year, measures, weights, partners_pool, rng, year == years[0])
                )
            if (country.iso3, year) in MISSING_RETURNS:
                continue
            rows = [a.row(year) for a in activities]
            received = _received_on(year, rng)
            name = f"{name_prefix}{country.iso3}-{year}.xlsx"
            if (country.iso3, year) == REJECTED_FIRST:
                bad = [dict(r) for r in rows]
                bad[0]["measure_ids"] = "2.1.17"
                bad[1]["status"] = "Almost done"
                bad[2]["end_date"], bad[2]["status"] = date(2009, 1, 1), "completed"
                uploads.append(_upload(country.iso3, year, f"{country.iso3}-{year}-first-try.xlsx", bad, received))
                received += timedelta(days=9)
            uploads.append(_upload(country.iso3, year, name, rows, received))
            if (country.iso3, year) == REUPLOADED:
                # The correction is the country's record from then on: what it completes stays completed later.
                for activity in activities[:2]:
                    if activity.status == "ongoing":
                        activity.status, activity.end = "completed", date(year, 11, 30)
                activities.append(
                    _new_activity(country.iso3, 900, year, measures, weights, partners_pool, rng, year == years[0])
                )
                corrected = [a.row(year) for a in activities]
                uploads.append(
                    _upload(
                        country.iso3, year, f"{country.iso3}-{year}-v2.xlsx", corrected, received + timedelta(days=40)
                    )
                )
        left_over[country.iso3] = [a for a in activities if a.status not in ("completed", "cancelled")]
    return uploads, left_over


def _upload(country: str, year: int, name: str, rows: list[dict], received_on: date) -> dict:
    return {"country": country, "year": year, "name": name, "rows": rows, "received_on": received_on}


def _received_on(year: int, rng: random.Random) -> date:
    """Most returns arrive in February or March after the year; a few months late."""
    if rng.random() < LATE_SHARE:
        return date(year + 1, 4, 1) + timedelta(days=rng.randint(5, 150))
    return date(year + 1, 2, 1) + timedelta(days=rng.randint(0, 57))


def _advance(activity: _Activity, year: int, rng: random.Random) -> str:
    choices = NEXT_STATUS.get(activity.status, ((activity.status, 1.0),))
    status = rng.choices([c[0] for c in choices], weights=[c[1] for c in choices])[0]
    if status == "ongoing" and activity.start.year > year:
        activity.start = date(year, activity.start.month, activity.start.day)
    if status == "completed":
        start = activity.start if activity.start.year <= year else date(year, 1, 15)
        activity.start = start
        activity.end = max(start + timedelta(days=30), date(year, rng.randint(2, 12), 1))
    return status


def _new_activity(
    country: str,
    number: int,
    year: int,
    measures: list,
    weights: list[float],
    partners_pool: list[str],
    rng: random.Random,
    first_year: bool = False,
) -> _Activity:
    chosen: list[str] = []
    texts: list[tuple[str, bool]] = []
    # One activity serves measures of one section, so its title, written from the first, fits them all.
    count = rng.choice((1, 1, 2, 2, 3))
    first = rng.choices(measures, weights=weights)[0]
    siblings = [m for m in measures if m.section_id == first.section_id and m is not first]
    for measure in [first, *rng.sample(siblings, min(count - 1, len(siblings)))]:
        if measure.sub_items and rng.random() < 0.6:
            item = rng.choice(measure.sub_items)
            chosen.append(item.sub_item_id)
            texts.append((item.text, True))
        elif measure.measure_id not in chosen:
            chosen.append(measure.measure_id)
            texts.append((measure.text, False))
    title = activity_title(texts[0][0], rng.randrange(ACTION_DRAWS), sub_item=texts[0][1])
    start = date(year, rng.randint(1, 12), rng.randint(1, 28))
    status = rng.choices(("planned", "ongoing", "completed"), weights=(0.4, 0.5, 0.1))[0]
    end = None
    if first_year and status != "planned" and rng.random() < 0.3:
        # Long-running programmes that began before the plan (reported with a warning).
        start = date(year - rng.randint(1, 3), rng.randint(1, 12), 1)
    if status == "completed":
        start = min(start, date(year, 6, 1))
        end = start + timedelta(days=rng.randint(30, 180))
    partners = rng.sample(partners_pool, rng.choice((0, 0, 1, 2, 3)))
    return _Activity(
        activity_id=f"{country}-{number:03d}",
        title=f"{SYNTHETIC_PREFIX} {title}",
        measure_ids="; ".join(dict.fromkeys(chosen)),
        status=status,
        start=start,
        planned_end=start + timedelta(days=rng.randint(180, 900)),
        lead_agency=rng.choice(AGENCIES),
        partners="; ".join(partners) or None,
        funding_source=rng.choice(FUNDING_SOURCES),
        budget=float(rng.randrange(5_000, 500_000, 500)) if rng.random() < 0.8 else None,
        end=end,
    )


def activity_title(text: str, draw: int, sub_item: bool = False) -> str:
    """A plausible title for an activity under a measure: a kind of activity its text calls for, then the gist of
    the text ('Regional forum to promote dialogue with Middle East oil and gas producing countries'). A measure's
    text starts with what to do (to ...); a sub-item's names a field (on ...)."""
    lowered = text.lower()
    actions = next((kinds for words, kinds in ACTIONS_FOR if any(w in lowered for w in words)), GENERAL_ACTIONS)
    gist = _gist(text)
    joint = "on" if sub_item or gist.split(" ", 1)[0] in _PREPOSITIONS else "to"
    return f"{actions[draw % len(actions)]} {joint} {gist}"


def _gist(text: str) -> str:
    """The measure's opening clause, at most TITLE_WORDS words, ending on a word that carries meaning."""
    text = text.strip().lstrip("(").split(")", 1)[-1] if text.lstrip().startswith("(") else text.strip()
    clause = text
    for mark in (";", ":", ". ", ", ", " to "):
        head = clause.split(mark, 1)[0]
        if len(head.split()) >= 4:
            clause = head
    words = clause.rstrip(".;:, ").split()[:TITLE_WORDS]
    while len(words) > 3 and words[-1].lower() in _DANGLING:
        words.pop()
    if words and not words[0].isupper():
        words[0] = words[0][0].lower() + words[0][1:]
    return " ".join(words)
