-- The ground every metric stands on: the settings as one row, the as-of years of each plan,
-- the country scopes, and the current version of each (country, year) return.

-- Thresholds and the reporting deadline, one column each, read from `settings` (etl/plan/definitions.py).
CREATE OR REPLACE VIEW metric_settings AS
SELECT
    max(value) FILTER (WHERE name = 'on_track_pace') AS on_track_pace,
    max(value) FILTER (WHERE name = 'acceleration_pace') AS acceleration_pace,
    max(value) FILTER (WHERE name = 'min_reporting_rate') AS min_reporting_rate,
    max(value) FILTER (WHERE name = 'deadline_month')::INTEGER AS deadline_month,
    max(value) FILTER (WHERE name = 'deadline_day')::INTEGER AS deadline_day
FROM settings;

-- The day the monitor is read ("today"), the one clock the metrics use: which returns are expected depends on it
-- (docs/metrics.md, metrics_reporting). The DuckDB variable aptmon_today, when a connection sets it
-- (`SET VARIABLE aptmon_today = DATE '2018-04-01'`), fixes it for that connection, as the tests do; otherwise it is
-- the current date.
CREATE OR REPLACE VIEW monitor_today AS
SELECT coalesce(getvariable('aptmon_today')::DATE, current_date) AS today;

-- One row per plan and as-of year Y; a metric "as of Y" describes the end of year Y. share_units is the least
-- common multiple of 1 ... years_total: every expected share (y / n for n <= years_total years) is a whole number
-- of 1/share_units, so sums of shares stay exact integers and a pace exactly at a threshold compares equal to it.
CREATE OR REPLACE VIEW plan_years AS
SELECT
    plan_id,
    as_of_year,
    as_of_year - start_year + 1 AS years_elapsed,
    end_year - start_year + 1 AS years_total,
    list_reduce(generate_series(1, end_year - start_year + 1), lambda a, b: lcm(a, b)) AS share_units
FROM (
    SELECT plan_id, start_year, end_year, unnest(generate_series(start_year, end_year))::INTEGER AS as_of_year
    FROM plans
);

-- The country scopes of every metric: each of the 13 countries, then 'ALL'.
CREATE OR REPLACE VIEW scope_countries AS
SELECT iso3 AS country, iso3 AS member, ordinal FROM countries
UNION ALL
SELECT 'ALL' AS country, iso3 AS member, 1000 AS ordinal FROM countries;

-- The current version of each (country, reporting year) return: accepted and not superseded.
-- Superseded versions and rejected or unchanged uploads never count. Should two unsuperseded
-- accepted versions ever coexist, the newest one wins, so a return is never counted twice.
CREATE OR REPLACE VIEW current_submissions AS
SELECT s.*
FROM submissions s
JOIN plans p USING (plan_id)
WHERE s.status = 'accepted'
  AND s.superseded_by IS NULL
  AND s.country IN (SELECT iso3 FROM countries)
  AND s.reporting_year BETWEEN p.start_year AND p.end_year
QUALIFY row_number() OVER (
    PARTITION BY s.plan_id, s.country, s.reporting_year ORDER BY s.version DESC NULLS LAST, s.submission_id DESC
) = 1;

-- A fingerprint of what the metrics depend on and can change between two `aptmon init` runs: the
-- accepted uploads (activities and their links are only ever written with their upload), the
-- settings, the plans, the accepted schedule versions (entries are only written with their version), the
-- crosswalk versions (links likewise) and the
-- view definitions. The catalogue and the countries change only through
-- `aptmon init`, which rebuilds the snapshots itself. The metric snapshots record the fingerprint
-- they were built from; a reader uses a snapshot only while it still matches (see etl/warehouse/metrics.py).
-- Kept to a few small scans: every dashboard query checks it.
CREATE OR REPLACE VIEW metrics_source_state AS
SELECT hash(
    -- rejected and unchanged uploads never count, so recording one leaves the metrics as they are
    (SELECT coalesce(bit_xor(hash(submission_id, plan_id, country, reporting_year, version, superseded_by,
        received_on)), 0) FROM submissions WHERE status = 'accepted'),
    (SELECT coalesce(bit_xor(hash(name, value)), 0) FROM settings),
    (SELECT coalesce(bit_xor(hash(plan_id, start_year, end_year, source_sha256)), 0) FROM plans),
    -- a schedule load that changes nothing is recorded as unchanged and leaves them as they are
    (SELECT coalesce(bit_xor(hash(load_id, plan_id, version)), 0) FROM schedule_loads WHERE status = 'accepted'),
    -- a crosswalk changes no plan's metrics, but the carried-over listing kept beside them
    (SELECT coalesce(bit_xor(hash(load_id, from_plan_id, to_plan_id, version)), 0) FROM crosswalk_loads),
    (SELECT coalesce(bit_xor(hash(view_name, sql)), 0) FROM duckdb_views() WHERE NOT internal),
    -- which returns are expected moves with the day the monitor is read, once a year per plan year: a snapshot
    -- built before a deadline passed is stale after it (the deadlines passed today, not the date, so it stays
    -- current the rest of the year)
    (SELECT count(*) FROM plan_years y CROSS JOIN metric_settings st CROSS JOIN monitor_today t
        WHERE make_date(y.as_of_year + 1, st.deadline_month, st.deadline_day) < t.today)
) AS fingerprint;

-- metrics_source_state split by what each part can change, so a write rebuilds only the snapshot rows it changed
-- (etl/warehouse/snapshots.py). Every metric is per plan: a plan's rows depend on its own entry, accepted uploads,
-- accepted schedule versions and deadlines passed (plan_part), and on what every plan shares (metrics_source_shared).
-- Its carried-over listing depends besides on the crosswalks into it (crosswalk_part) and on its predecessors' own
-- rows (predecessors: every plan a crosswalk into it came from, any version). The same inputs as the fingerprint,
-- none left out: an upload or schedule of a plan that does not exist counts in no plan's metric (current_submissions
-- and measure_schedule join the plans), and counts in the plan's part once the plan is added.
CREATE OR REPLACE VIEW metrics_source_by_plan AS
WITH accepted AS (
    SELECT plan_id, bit_xor(hash(submission_id, plan_id, country, reporting_year, version, superseded_by,
        received_on)) AS part
    FROM submissions
    WHERE status = 'accepted'
    GROUP BY plan_id
),
schedules AS (
    SELECT plan_id, bit_xor(hash(load_id, plan_id, version)) AS part
    FROM schedule_loads
    WHERE status = 'accepted'
    GROUP BY plan_id
),
crosswalks AS (
    SELECT to_plan_id AS plan_id, bit_xor(hash(load_id, from_plan_id, to_plan_id, version)) AS part,
        list(DISTINCT from_plan_id ORDER BY from_plan_id) AS predecessors
    FROM crosswalk_loads
    GROUP BY to_plan_id
),
deadlines_passed AS (
    SELECT y.plan_id, count(*) AS passed
    FROM plan_years y CROSS JOIN metric_settings st CROSS JOIN monitor_today t
    WHERE make_date(y.as_of_year + 1, st.deadline_month, st.deadline_day) < t.today
    GROUP BY y.plan_id
)
SELECT
    p.plan_id,
    hash(p.plan_id, p.start_year, p.end_year, p.source_sha256, coalesce(a.part, 0), coalesce(s.part, 0),
        coalesce(d.passed, 0)) AS plan_part,
    coalesce(c.part, 0) AS crosswalk_part,
    coalesce(c.predecessors, []::VARCHAR[]) AS predecessors
FROM plans p
LEFT JOIN accepted a USING (plan_id)
LEFT JOIN schedules s USING (plan_id)
LEFT JOIN crosswalks c USING (plan_id)
LEFT JOIN deadlines_passed d USING (plan_id);

-- What every plan's metric rows depend on alike: the settings and the view definitions.
CREATE OR REPLACE VIEW metrics_source_shared AS
SELECT hash(
    (SELECT coalesce(bit_xor(hash(name, value)), 0) FROM settings),
    (SELECT coalesce(bit_xor(hash(view_name, sql)), 0) FROM duckdb_views() WHERE NOT internal)
) AS shared_part;
