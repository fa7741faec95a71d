-- The implementation schedule as the metrics use it (Work Plan item 6.3; docs/metrics.md, schedule).

-- The current version of each plan's schedule: its newest accepted load.
CREATE OR REPLACE VIEW current_schedule AS
SELECT *
FROM schedule_loads
WHERE status = 'accepted'
QUALIFY row_number() OVER (PARTITION BY plan_id ORDER BY version DESC, load_id DESC) = 1;

-- Every catalogue measure's schedule: what the current version says of it, and the default (one-off, from the
-- plan's first to its last year, no leads) for a measure it does not list and for a field it left blank.
-- is_default: the effective schedule is the default one, whether spelt out or left blank. schedule_version is 0
-- while no schedule has been loaded (the default schedule).
CREATE OR REPLACE VIEW measure_schedule AS
WITH effective AS (
    SELECT
        m.plan_id,
        m.measure_id,
        m.pillar::VARCHAR AS pillar,
        m.section_id,
        m.ordinal,
        coalesce(e.kind, 'one-off') AS kind,
        coalesce(e.start_year, p.start_year) AS start_year,
        coalesce(e.due_year, p.end_year) AS due_year,
        coalesce(e.lead_countries, []::VARCHAR[]) AS leads,
        e.note,
        p.start_year AS plan_start_year,
        p.end_year AS plan_end_year,
        coalesce(cs.version, 0) AS schedule_version
    FROM measures m
    JOIN plans p ON p.plan_id = m.plan_id
    LEFT JOIN current_schedule cs ON cs.plan_id = m.plan_id
    LEFT JOIN schedule_entries e ON e.load_id = cs.load_id AND e.measure_id = m.measure_id
)
SELECT
    plan_id,
    measure_id,
    pillar,
    section_id,
    ordinal,
    kind,
    start_year,
    due_year,
    leads,
    nullif(array_to_string(leads, '; '), '') AS lead_countries,
    note,
    kind = 'one-off' AND start_year = plan_start_year AND due_year = plan_end_year AND len(leads) = 0 AS is_default,
    schedule_version
FROM effective;
