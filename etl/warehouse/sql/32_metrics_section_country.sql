-- Per section and country scope (ISO3, 'ALL') as of each year: the pillar metrics with section_id in
-- place of pillar. Measures directly under a pillar (4.1, 4.2, all of V and VI) form the section
-- '<pillar>.0' (e.g. '5.0'), as in the `sections` table.
CREATE OR REPLACE VIEW metrics_section_country AS
SELECT
    g.plan_id,
    g.as_of_year,
    g.group_id AS section_id,
    g.country,
    g.measures_total,
    g.measures_covered,
    g.coverage_rate,
    g.measures_completed,
    g.completion_rate,
    g.measures_engaged,
    g.measures_in_scope,
    g.measures_delivered,
    g.delivery_rate,
    g.expected_rate,
    g.measures_overdue,
    g.activities_total,
    g.activities_completed,
    g.activity_completion_rate,
    g.time_elapsed,
    g.pace_index,
    g.reporting_rate,
    g.progress_status
FROM metrics_group_country g
JOIN sections s ON s.plan_id = g.plan_id AND s.section_id = g.group_id
WHERE g.group_level = 'section'
ORDER BY g.plan_id, g.as_of_year, s.pillar, s.ordinal, g.country_ordinal;
