"""Plans at scale: three plans and 1 000 000 activities in all. Each metric view for one plan, as-of year and scope
from its snapshot; `aptmon plan add` of a full-size plan text; the crosswalk suggestions between two plans of 200
measures.

The warehouse holds the seed plan (2013-2017), the demo's example plan (2018-2022) and a third written the same way
from the second (2023-2027), each with a third of the activities; it is cached under benchmarks/data/ like the
others. Every figure's note gives the machine's load: a 2-core machine shared with other work moves each timing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate_warehouse import DATA_DIR
from benchmarks.results import Figure, load_average, percentile, record_results
from etl import warehouse
from etl.crosswalk.suggest import suggest
from etl.demo.example_plan import example_plan_text
from etl.plan.catalogue import Catalogue, Measure, load_catalogue, parse_catalogue
from etl.plan.plans import plan_timeframes
from etl.warehouse import metrics
from etl.warehouse.plan_loading import add_plan

ACTIVITIES = 1_000_000
GENERATOR_VERSION = 1
VIEW_TARGET_MS = 100
PLAN_ADD_TARGET_S = 2
SUGGEST_TARGET_S = 5
SUGGEST_MEASURES = 200
# A plan of full size (the seed plan's own text: 183 measures), added under a new id and years.
PLAN_TEXT = (
    Path(__file__).resolve().parents[1] / "data" / "raw" / "workplan" / "apt-cooperation-work-plan-2013-2017.txt"
)
# This checkout's command line (the installed console script may belong to another checkout).
APTMON = [sys.executable, "-c", "from etl.cli import main; main()"]
# The scope each view is asked for: the dashboard's typical filters.
SCOPES = {
    "measure_progress": {"country": "KHM"},
    "metrics_pillar_country": {"country": "ALL"},
    "metrics_section_country": {"country": "JPN"},
    "metrics_reporting": {"country": "ALL"},
}
LATER_PLANS = (("bench-2018-2022", (2018, 2022)), ("bench-2023-2027", (2023, 2027)))


def plans_warehouse(rebuild: bool = False) -> Path:
    """The cached three-plan warehouse, built if missing."""
    path = DATA_DIR / f"plans-{ACTIVITIES}-v{GENERATOR_VERSION}.duckdb"
    if path.exists() and not rebuild:
        warehouse.initialise(path)  # brings its views and snapshots up to the current SQL
        return path
    DATA_DIR.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in partial.parent.glob(partial.name + "*"):
        stale.unlink()
    warehouse.initialise(partial)
    earlier = load_catalogue()
    with tempfile.TemporaryDirectory() as folder:
        for plan_id, years in LATER_PLANS:
            text, _ = example_plan_text(earlier)
            source = Path(folder) / f"{plan_id}.txt"
            source.write_text(text, encoding="utf-8")
            add_plan(partial, source, plan_id, years, f"Benchmark plan {years[0]}-{years[1]} (synthetic)")
            earlier = parse_catalogue(text, plan_id)
    with warehouse.write_connection(partial) as con:
        plans = plan_timeframes(con)
        for plan in plans:
            _generate(con, plan.plan_id, plan.first_year, plan.last_year, ACTIVITIES // len(plans))
    warehouse.refresh_snapshots(partial)
    for suffix in (".lock", ".gate.lock"):
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path


def _generate(con, plan_id: str, first: int, last: int, activities: int) -> None:
    """One accepted return per country and year of the plan, activities living about three years each."""
    years = list(range(first, last + 1))
    per_return = activities // (13 * len(years))
    shift = per_return // 3
    measures = con.execute("SELECT count(*) FROM measures WHERE plan_id = ?", [plan_id]).fetchone()[0]
    con.execute("BEGIN")
    con.execute(
        """
        INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by,
            submitted_at, received_on, status, is_synthetic)
        SELECT $plan, c.iso3, y.year, 1, c.iso3 || '-' || y.year || '.xlsx', sha256($plan || c.iso3 || y.year),
            'benchmark', now(), make_date(y.year + 1, CASE WHEN hash(c.iso3, y.year) % 5 = 0 THEN 5 ELSE 2 END, 1),
            'accepted', true
        FROM countries c CROSS JOIN (SELECT unnest($years::INTEGER[]) AS year) y
        ORDER BY y.year, c.ordinal
        """,
        {"plan": plan_id, "years": years},
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE generated AS
        SELECT s.submission_id, s.plan_id, s.country, s.reporting_year,
            (s.reporting_year - $first) * $shift + g.i AS n,
            $first + 1 + (hash(s.country, (s.reporting_year - $first) * $shift + g.i) % 6)::INTEGER AS completion_year,
            (hash(s.country, (s.reporting_year - $first) * $shift + g.i, 'fate') % 100)::INTEGER AS fate
        FROM submissions s CROSS JOIN generate_series(0, $per_return - 1) g(i)
        WHERE s.plan_id = $plan
        """,
        {"plan": plan_id, "first": first, "shift": shift, "per_return": per_return},
    )
    con.execute(
        """
        INSERT INTO activities (submission_id, plan_id, country, reporting_year, activity_id, title, status,
            start_date, end_date, lead_agency, funding_source, budget_usd, source_sheet, source_row)
        SELECT submission_id, plan_id, country, reporting_year, country || '-' || lpad(n::VARCHAR, 7, '0'),
            'Synthetic activity ' || n,
            CASE WHEN fate < 3 AND reporting_year > $first THEN 'cancelled' WHEN fate < 6 THEN 'suspended'
                 WHEN reporting_year >= completion_year THEN 'completed'
                 WHEN reporting_year >= completion_year - 2 THEN 'ongoing' ELSE 'planned' END,
            make_date(reporting_year, 1 + fate % 12, 1),
            CASE WHEN reporting_year >= completion_year THEN make_date(reporting_year, 12, 1) END,
            'Ministry ' || fate % 17,
            (['APT Cooperation Fund', 'National budget', 'Plus Three partner', 'Other'])[1 + fate % 4],
            1000 * (fate + 1), 'Activities', row_number() OVER (PARTITION BY submission_id ORDER BY n) + 1
        FROM generated
        """,
        {"first": first},
    )
    con.execute(
        """
        INSERT INTO activity_measures (submission_id, plan_id, country, activity_id, measure_id, sub_item)
        SELECT DISTINCT l.submission_id, l.plan_id, l.country, l.country || '-' || lpad(l.n::VARCHAR, 7, '0'),
            m.measure_id, NULL
        FROM (
            SELECT g.*, (1 + hash(g.country, g.n, k.j) % $measures)::INTEGER AS measure_ordinal
            FROM generated g CROSS JOIN generate_series(1, 2) k(j)
            WHERE k.j <= 1 + hash(g.country, g.n) % 2
        ) l
        JOIN measures m ON m.plan_id = l.plan_id AND m.ordinal = l.measure_ordinal
        """,
        {"measures": measures},
    )
    con.execute("DROP TABLE generated")
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def _time_view(path: Path, view: str, plan_id: str, year: int, **scope) -> tuple[float, int]:
    started = time.perf_counter()
    with warehouse.read_connection(path) as con:
        rows = len(metrics.read_metric(con, view, plan_id=plan_id, as_of_year=year, **scope))
    return (time.perf_counter() - started) * 1000, rows


def _catalogue_of(plan_id: str, texts: list[str]) -> Catalogue:
    measures = [Measure(f"1.{i}", 1, "1.0", i, text) for i, text in enumerate(texts, start=1)]
    return Catalogue(plan_id, plan_id, [], [], measures)


def main() -> None:
    path = plans_warehouse()
    with warehouse.read_connection(path) as con:
        plans = plan_timeframes(con)
        activities = con.execute("SELECT count(*) FROM activities").fetchone()[0]
        per_plan = dict(con.execute("SELECT plan_id, count(*) FROM activities GROUP BY ALL").fetchall())
        assert metrics.snapshots_current(con), "the benchmark warehouse's snapshots should match its data"
    figures = []
    for view, scope in SCOPES.items():
        timings = []
        for plan in plans:
            _time_view(path, view, plan.plan_id, plan.last_year, **scope)  # first touch of the file's pages
            for year in plan.years:
                for _ in range(2):
                    elapsed, rows = _time_view(path, view, plan.plan_id, year, **scope)
                    timings.append(elapsed)
        median = statistics.median(timings)
        label = ", ".join(f"{k}={v}" for k, v in scope.items())
        figures.append(
            Figure(f"{view} for one plan and as-of year ({label}), median of {len(timings)}", median, "ms",
                   f"< {VIEW_TARGET_MS} ms", median < VIEW_TARGET_MS,
                   f"p95 {percentile(timings, 95):.1f} ms, slowest {max(timings):.1f} ms; {len(plans)} plans, "
                   f"{activities:,} activity rows ({', '.join(f'{k} {v:,}' for k, v in sorted(per_plan.items()))}); "
                   f"{load_average()}")
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "warehouse.duckdb"
        shutil.copyfile(path, copy)
        warehouse.initialise(copy)
        env = {**os.environ, "APTMON_WAREHOUSE": str(copy), "APTMON_INSTANCE_DIR": str(Path(folder) / "instance")}
        # The command as an officer runs it, interpreter start included.
        command = [*APTMON, "plan", "add", str(PLAN_TEXT), "--id", "bench-added", "--years", "2028-2032",
                   "--title", "Benchmark plan added"]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
    figures.append(
        Figure("aptmon plan add (parse, check, load the catalogue, add its metric snapshot rows)", seconds, "s",
               f"< {PLAN_ADD_TARGET_S} s", seconds < PLAN_ADD_TARGET_S,
               f"the command in a process of its own; {done.stdout.strip()} On the {activities:,}-activity "
               f"warehouse; only the new plan's snapshot rows are computed (the others' cannot change); "
               f"{load_average()}")
    )  # fmt: skip
    seed = load_catalogue()
    texts = [m.text for m in seed.measures] + [s.text for s in seed.sub_items]
    texts = (texts * 2)[:SUGGEST_MEASURES]
    earlier = _catalogue_of("earlier", texts)
    # The later plan rewords each measure: its words reordered and a clause added, as a revision does.
    later = _catalogue_of("later", [" ".join(reversed(t.split())) + " during the new plan" for t in reversed(texts)])
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        ranked = suggest(earlier, later, 3)
        timings.append(time.perf_counter() - started)
    assert len(ranked) == SUGGEST_MEASURES
    median = statistics.median(timings)
    figures.append(
        Figure(f"crosswalk suggestions, {SUGGEST_MEASURES} x {SUGGEST_MEASURES} measures (rapidfuzz cdist, token set "
               "ratio), median of 3", median, "s", f"< {SUGGEST_TARGET_S} s", median < SUGGEST_TARGET_S,
               f"slowest {max(timings):.3f} s; {load_average()}")
    )  # fmt: skip
    record_results("plans", figures)


if __name__ == "__main__":
    main()
