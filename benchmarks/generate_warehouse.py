"""A large synthetic warehouse for benchmarks: 1 000 000 activity rows written by DuckDB SQL in seconds.

13 countries x 5 reporting years, each return listing ~15 000 activities that persist across about
three years with statuses that progress over time, each linked to one to three catalogue measures,
plus superseded and rejected uploads that the metrics must ignore, and an implementation schedule of 60
non-default measures (recurring, early-due and led ones) loaded through `aptmon schedule load`'s own path.
Built once and cached under benchmarks/data/ (git-ignored); other benchmarks call `benchmark_warehouse()`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from etl import warehouse
from etl.plan.countries import ISO3_CODES
from etl.plan.plans import SEED_PLAN
from etl.schedule.layout import COLUMNS, SCHEDULE_SHEET
from etl.schedule.load import ScheduleResult, load_schedule_file

DATA_DIR = Path(__file__).resolve().parent / "data"
ACTIVITIES = 1_000_000
# Bump when the generated content changes, so stale cached files are rebuilt.
GENERATOR_VERSION = 3
SCHEDULED_MEASURES = 60


def benchmark_warehouse(activities: int = ACTIVITIES, rebuild: bool = False) -> Path:
    """The cached benchmark warehouse with about `activities` activity rows, built if missing."""
    path = DATA_DIR / f"warehouse-{activities}-v{GENERATOR_VERSION}.duckdb"
    if path.exists() and not rebuild:
        # Brings the views (and their snapshots) of a cached file up to the current SQL.
        warehouse.initialise(path)
        return path
    DATA_DIR.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + ".wal")):
        stale.unlink(missing_ok=True)
    warehouse.initialise(partial)
    with warehouse.write_connection(partial) as con:
        _generate(con, activities)
    load_benchmark_schedule(partial)
    warehouse.refresh_snapshots(partial)  # as the server does after a load
    for suffix in (".lock", ".gate.lock"):
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    partial.rename(path)
    return path


def _generate(con, activities: int) -> None:
    countries = [iso3 for (iso3,) in con.execute("SELECT iso3 FROM countries ORDER BY ordinal").fetchall()]
    years = list(range(2013, 2018))
    per_return = activities // (len(countries) * len(years))
    # A new year's return drops the oldest third and adds as many new activities: each lives ~3 years.
    shift = per_return // 3
    measures = con.execute("SELECT count(*) FROM measures WHERE plan_id = ?", [SEED_PLAN.plan_id]).fetchone()[0]
    con.execute("BEGIN")
    # Version 1 of every 2013 return is superseded by version 2; a rejected upload sits beside 2014.
    con.execute(
        """
        INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by,
            submitted_at, received_on, status, is_synthetic)
        SELECT ?, c.iso3, y.year, v.version, c.iso3 || '-' || y.year || '-v' || v.version || '.xlsx',
            sha256(c.iso3 || y.year || v.version), 'benchmark', now(),
            -- most returns arrive by the deadline, about a fifth of them late
            make_date(y.year + 1, CASE WHEN hash(c.iso3, y.year) % 5 = 0 THEN 5 ELSE 2 END, 1),
            'accepted', true
        FROM countries c
        CROSS JOIN (SELECT unnest(?::INTEGER[]) AS year) y
        CROSS JOIN (SELECT unnest([1, 2]) AS version) v
        WHERE v.version = 1 OR y.year = 2013
        ORDER BY y.year, c.ordinal, v.version
        """,
        [SEED_PLAN.plan_id, years],
    )
    con.execute(
        """
        UPDATE submissions s SET superseded_by = n.submission_id
        FROM submissions n
        WHERE n.country = s.country AND n.reporting_year = s.reporting_year AND n.version = s.version + 1
        """
    )
    con.execute(
        """
        INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by,
            submitted_at, received_on, status, errors, is_synthetic)
        SELECT ?, iso3, 2014, NULL, iso3 || '-2014-rejected.xlsx', sha256(iso3 || 'rejected'), 'benchmark',
            now(), DATE '2015-01-15', 'rejected', 3, true
        FROM countries
        """,
        [SEED_PLAN.plan_id],
    )
    # Statuses progress with time: an activity completes in its completion year (some never do);
    # a few are suspended or cancelled.
    con.execute(
        """
        CREATE TEMP TABLE generated AS
        SELECT
            s.submission_id, s.plan_id, s.country, s.reporting_year,
            (s.reporting_year - 2013) * $shift + g.i AS n,
            2014 + (hash(s.country, (s.reporting_year - 2013) * $shift + g.i) % 6)::INTEGER AS completion_year,
            (hash(s.country, (s.reporting_year - 2013) * $shift + g.i, 'fate') % 100)::INTEGER AS fate
        FROM submissions s
        CROSS JOIN generate_series(0, $per_return - 1) g(i)
        WHERE s.status = 'accepted'
          -- superseded versions list a tenth of the activities
          AND (s.superseded_by IS NULL OR g.i % 10 = 0)
        """,
        {"shift": shift, "per_return": per_return},
    )
    con.execute(
        """
        INSERT INTO activities (submission_id, plan_id, country, reporting_year, activity_id, title, status,
            start_date, end_date, lead_agency, funding_source, budget_usd, source_sheet, source_row)
        SELECT
            submission_id, plan_id, country, reporting_year,
            country || '-' || lpad(n::VARCHAR, 7, '0'),
            'Synthetic activity ' || n,
            CASE
                WHEN fate < 3 AND reporting_year > 2013 THEN 'cancelled'
                WHEN fate < 6 THEN 'suspended'
                WHEN reporting_year >= completion_year THEN 'completed'
                WHEN reporting_year >= completion_year - 2 THEN 'ongoing'
                ELSE 'planned'
            END,
            make_date(reporting_year, 1 + fate % 12, 1),
            CASE WHEN reporting_year >= completion_year THEN make_date(reporting_year, 12, 1) END,
            'Ministry ' || fate % 17,
            (['APT Cooperation Fund', 'National budget', 'Plus Three partner', 'Other'])[1 + fate % 4],
            1000 * (fate + 1),
            'Activities',
            row_number() OVER (PARTITION BY submission_id ORDER BY n) + 1
        FROM generated
        """
    )
    con.execute(
        """
        INSERT INTO activity_measures (submission_id, plan_id, country, activity_id, measure_id, sub_item)
        SELECT DISTINCT l.submission_id, l.plan_id, l.country, l.country || '-' || lpad(l.n::VARCHAR, 7, '0'),
            m.measure_id, NULL
        FROM (
            SELECT g.*, (1 + hash(g.country, g.n, k.j) % $measures)::INTEGER AS measure_ordinal
            FROM generated g
            CROSS JOIN generate_series(1, 3) k(j)
            WHERE k.j <= 1 + hash(g.country, g.n) % 3
        ) l
        JOIN measures m ON m.plan_id = l.plan_id AND m.ordinal = l.measure_ordinal
        """,
        {"measures": measures},
    )
    con.execute(
        """
        UPDATE submissions s SET activities = a.n
        FROM (SELECT submission_id, count(*) AS n FROM activities GROUP BY ALL) a
        WHERE a.submission_id = s.submission_id
        """
    )
    con.execute("DROP TABLE generated")
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def benchmark_schedule(con, variant: int = 0) -> list[list]:
    """Rows of a schedule workbook setting SCHEDULED_MEASURES measures (every third), each off the default.

    `variant` shifts the years and leads, so a second variant is a different schedule of the same size.
    """
    measures = [m for (m,) in con.execute("SELECT measure_id FROM measures ORDER BY ordinal").fetchall()]
    rows = []
    for i, measure_id in enumerate(measures[variant::3][:SCHEDULED_MEASURES]):
        leads = "; ".join(ISO3_CODES[(i + variant + k) % len(ISO3_CODES)] for k in range(i % 3))
        if i % 4 == 0:  # recurring from 2013 or 2014
            rows.append([measure_id, "recurring", 2013 + (i + variant) % 2, None, leads or None])
        else:  # one-off, due early or starting late
            start = 2013 + (i + variant) % 3
            rows.append([measure_id, "one-off", start, min(2017, start + 1 + i % 3), leads or None])
    return rows


def load_benchmark_schedule(path: Path, variant: int = 0) -> ScheduleResult:
    """Write the benchmark schedule as a workbook and load it as `aptmon schedule load` does."""
    with warehouse.read_connection(path) as con:
        rows = benchmark_schedule(con, variant)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SCHEDULE_SHEET
    fields = ("measure_id", "kind", "start_year", "due_year", "lead_countries")
    sheet.append([c.header for c in COLUMNS if c.field in fields])
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryDirectory() as folder:
        workbook_path = Path(folder) / f"benchmark-schedule-{variant}.xlsx"
        workbook.save(workbook_path)
        result = load_schedule_file(workbook_path, warehouse_file=path, loaded_by="benchmark")
    assert result.status in ("accepted", "unchanged"), result.issues
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=ACTIVITIES)
    parser.add_argument("--rebuild", action="store_true", help="Build again even when a cached file exists.")
    args = parser.parse_args()
    started = time.perf_counter()
    path = benchmark_warehouse(args.activities, rebuild=args.rebuild)
    print(f"{path} ready in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
