-- Per measure, country (and 'ALL') and as-of year: activities and coverage (METRICS.md, measure_progress).
-- Every catalogue measure has a row for every scope and year, zeros included, so measures with no
-- activity yet are visible.
CREATE OR REPLACE VIEW measure_progress AS
WITH per_country AS (
    SELECT
        plan_id,
        as_of_year,
        measure_id,
        country,
        count(*) AS activities_total,
        count(*) FILTER (WHERE is_implemented) AS activities_implemented,
        count(*) FILTER (WHERE is_completed) AS activities_completed
    FROM activity_measure_status
    GROUP BY ALL
),
per_scope AS (
    SELECT
        plan_id,
        as_of_year,
        measure_id,
        sc.country,
        sum(activities_total)::BIGINT AS activities_total,
        sum(activities_implemented)::BIGINT AS activities_implemented,
        sum(activities_completed)::BIGINT AS activities_completed,
        count(*) FILTER (WHERE activities_implemented > 0) AS countries_implementing
    FROM per_country p
    JOIN scope_countries sc ON sc.member = p.country
    GROUP BY ALL
)
SELECT
    y.plan_id,
    y.as_of_year,
    m.measure_id,
    sc.country,
    m.pillar::VARCHAR AS pillar,
    m.section_id,
    coalesce(p.activities_total, 0) AS activities_total,
    coalesce(p.activities_implemented, 0) AS activities_implemented,
    coalesce(p.activities_completed, 0) AS activities_completed,
    coalesce(p.countries_implementing, 0) AS countries_implementing,
    coalesce(p.activities_implemented, 0) > 0 AS covered,
    coalesce(p.activities_completed, 0) > 0 AS completed
FROM plan_years y
JOIN measures m ON m.plan_id = y.plan_id
CROSS JOIN (SELECT DISTINCT country, ordinal FROM scope_countries) sc
LEFT JOIN per_scope p
    ON p.plan_id = y.plan_id AND p.as_of_year = y.as_of_year AND p.measure_id = m.measure_id AND p.country = sc.country
ORDER BY y.plan_id, y.as_of_year, m.ordinal, sc.ordinal;
