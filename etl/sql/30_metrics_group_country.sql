-- Coverage, completion, pace and progress status per group of measures (a pillar, all pillars, or a
-- section) and country scope, as of each year (METRICS.md, metrics_pillar_country). The pillar and
-- section views select from this one, so both share one definition of every column.

-- Each catalogue measure in each group it belongs to: its pillar, 'ALL' pillars, and its section
-- (measures directly under a pillar belong to the section '<pillar>.0').
CREATE OR REPLACE VIEW measure_groups AS
SELECT plan_id, 'pillar' AS group_level, pillar::VARCHAR AS group_id, measure_id FROM measures
UNION ALL
SELECT plan_id, 'pillar' AS group_level, 'ALL' AS group_id, measure_id FROM measures
UNION ALL
SELECT plan_id, 'section' AS group_level, section_id AS group_id, measure_id FROM measures;

CREATE OR REPLACE VIEW metrics_group_country AS
WITH group_totals AS (
    SELECT plan_id, group_level, group_id, count(*) AS measures_total
    FROM measure_groups
    GROUP BY ALL
),
-- A measure counts as covered or completed in a scope as measure_progress says.
measure_counts AS (
    SELECT
        mp.plan_id,
        mp.as_of_year,
        g.group_level,
        g.group_id,
        mp.country,
        count(*) FILTER (WHERE mp.covered) AS measures_covered,
        count(*) FILTER (WHERE mp.completed) AS measures_completed
    FROM measure_progress mp
    JOIN measure_groups g ON g.plan_id = mp.plan_id AND g.measure_id = mp.measure_id
    GROUP BY ALL
),
-- Each listing span once per group it has a measure in (group first, then expand to as-of years:
-- far fewer rows to de-duplicate than one per year).
activity_group_spans AS (
    SELECT l.plan_id, l.country, l.valid_from, l.valid_to, l.is_completed, g.group_level, g.group_id
    FROM activity_measure_spans l
    JOIN measure_groups g ON g.plan_id = l.plan_id AND g.measure_id = l.measure_id
    GROUP BY l.submission_id, l.activity_id, g.group_level, g.group_id, l.plan_id, l.country, l.valid_from,
        l.valid_to, l.is_completed
),
activity_groups AS (
    SELECT *, unnest(generate_series(valid_from, valid_to))::INTEGER AS as_of_year FROM activity_group_spans
),
activity_counts_by_country AS (
    SELECT
        plan_id,
        as_of_year,
        group_level,
        group_id,
        country,
        count(*) AS activities_total,
        count(*) FILTER (WHERE is_completed) AS activities_completed
    FROM activity_groups
    GROUP BY ALL
),
-- An activity is identified by (country, activity_id), so a scope's distinct activities are the sum
-- of its countries' activities.
activity_counts AS (
    SELECT
        a.plan_id,
        a.as_of_year,
        a.group_level,
        a.group_id,
        sc.country,
        sum(a.activities_total)::BIGINT AS activities_total,
        sum(a.activities_completed)::BIGINT AS activities_completed
    FROM activity_counts_by_country a
    JOIN scope_countries sc ON sc.member = a.country
    GROUP BY ALL
),
scaffold AS (
    SELECT
        y.plan_id,
        y.as_of_year,
        y.years_elapsed,
        y.years_total,
        t.group_level,
        t.group_id,
        sc.country,
        sc.ordinal AS country_ordinal,
        t.measures_total,
        coalesce(mc.measures_covered, 0) AS measures_covered,
        coalesce(mc.measures_completed, 0) AS measures_completed,
        coalesce(ac.activities_total, 0) AS activities_total,
        coalesce(ac.activities_completed, 0) AS activities_completed,
        r.reporting_rate
    FROM plan_years y
    JOIN group_totals t ON t.plan_id = y.plan_id
    CROSS JOIN (SELECT DISTINCT country, ordinal FROM scope_countries) sc
    LEFT JOIN measure_counts mc
        ON mc.plan_id = y.plan_id AND mc.as_of_year = y.as_of_year AND mc.group_level = t.group_level
        AND mc.group_id = t.group_id AND mc.country = sc.country
    LEFT JOIN activity_counts ac
        ON ac.plan_id = y.plan_id AND ac.as_of_year = y.as_of_year AND ac.group_level = t.group_level
        AND ac.group_id = t.group_id AND ac.country = sc.country
    JOIN metrics_reporting r ON r.plan_id = y.plan_id AND r.as_of_year = y.as_of_year AND r.country = sc.country
)
SELECT
    plan_id,
    as_of_year,
    group_level,
    group_id,
    country,
    measures_total,
    measures_covered,
    measures_covered / measures_total AS coverage_rate,
    measures_completed,
    measures_completed / measures_total AS completion_rate,
    activities_total,
    activities_completed,
    CASE WHEN activities_total > 0 THEN activities_completed / activities_total END AS activity_completion_rate,
    years_elapsed / years_total AS time_elapsed,
    -- One division of integers, so a pace exactly at a threshold compares equal to it.
    (measures_completed * years_total) / (measures_total * years_elapsed) AS pace_index,
    reporting_rate,
    CASE
        WHEN reporting_rate < st.min_reporting_rate THEN 'insufficient data'
        WHEN (measures_completed * years_total) / (measures_total * years_elapsed) >= st.on_track_pace THEN 'on track'
        WHEN (measures_completed * years_total) / (measures_total * years_elapsed) >= st.acceleration_pace
            THEN 'acceleration needed'
        ELSE 'limited progress'
    END AS progress_status,
    country_ordinal
FROM scaffold
CROSS JOIN metric_settings st;
