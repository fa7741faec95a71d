-- Per pillar ('1'..'6', 'ALL') and country scope (ISO3, 'ALL') as of each year (docs/metrics.md).
CREATE OR REPLACE VIEW metrics_pillar_country AS
SELECT
    plan_id,
    as_of_year,
    group_id AS pillar,
    country,
    measures_total,
    measures_covered,
    coverage_rate,
    measures_completed,
    completion_rate,
    measures_engaged,
    measures_in_scope,
    measures_delivered,
    delivery_rate,
    expected_rate,
    measures_overdue,
    activities_total,
    activities_completed,
    activity_completion_rate,
    time_elapsed,
    pace_index,
    reporting_rate,
    progress_status
FROM metrics_group_country
WHERE group_level = 'pillar'
ORDER BY plan_id, as_of_year, group_id = 'ALL', group_id, country_ordinal;
