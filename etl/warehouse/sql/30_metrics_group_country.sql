-- Coverage, completion, delivery against the schedule, pace and progress status per group of measures (a
-- pillar, all pillars, or a section) and country scope, as of each year (docs/metrics.md, metrics_pillar_country).
-- The pillar and section views select from this one, so both share one definition of every column.

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
-- A measure counts as covered, completed, engaged, in scope, delivered or overdue in a scope as measure_progress
-- says. expected_units sums the expected shares of the measures in scope in whole 1/share_units (plan_years), so
-- the mean share and the pace are each one division of integers.
measure_counts AS (
    SELECT
        mp.plan_id,
        mp.as_of_year,
        g.group_level,
        g.group_id,
        mp.country,
        count(*) FILTER (WHERE mp.covered) AS measures_covered,
        count(*) FILTER (WHERE mp.completed) AS measures_completed,
        count(*) FILTER (WHERE mp.engaged) AS measures_engaged,
        count(*) FILTER (WHERE mp.in_scope) AS measures_in_scope,
        count(*) FILTER (WHERE mp.in_scope AND mp.delivered) AS measures_delivered,
        count(*) FILTER (WHERE mp.overdue) AS measures_overdue,
        coalesce(sum(
            CASE
                WHEN mp.kind = 'recurring' THEN CASE WHEN mp.as_of_year >= mp.start_year THEN y.share_units ELSE 0 END
                ELSE y.share_units // (mp.due_year - mp.start_year + 1)
                    * least(mp.due_year - mp.start_year + 1, greatest(0, mp.as_of_year - mp.start_year + 1))
            END
        ) FILTER (WHERE mp.in_scope), 0)::BIGINT AS expected_units
    FROM measure_progress mp
    JOIN measure_groups g ON g.plan_id = mp.plan_id AND g.measure_id = mp.measure_id
    JOIN plan_years y ON y.plan_id = mp.plan_id AND y.as_of_year = mp.as_of_year
    GROUP BY ALL
),
-- Each listing span and measure, with the measure's pillar and section (those of measure_groups: both from the
-- measure's catalogue row). Materialised: the spans are read three times below, and a live query would compute them
-- (activity_link_spans) for each read.
listing_measures AS MATERIALIZED (
    SELECT submission_id, activity_id, plan_id, country, valid_from, valid_to, is_completed, pillar, section_id
    FROM activity_measure_spans
),
-- Each listing span once per group it has a measure in: one grouping per level, not a join to measure_groups and
-- one grouping of the three times as many rows it gives (the snapshot rebuild computes this view in 30 % less CPU).
activity_group_spans AS (
    SELECT plan_id, country, valid_from, valid_to, is_completed, 'pillar' AS group_level, pillar AS group_id
    FROM listing_measures
    GROUP BY submission_id, activity_id, pillar, plan_id, country, valid_from, valid_to, is_completed
    UNION ALL
    SELECT plan_id, country, valid_from, valid_to, is_completed, 'pillar' AS group_level, 'ALL' AS group_id
    FROM listing_measures
    GROUP BY submission_id, activity_id, plan_id, country, valid_from, valid_to, is_completed
    UNION ALL
    SELECT plan_id, country, valid_from, valid_to, is_completed, 'section' AS group_level, section_id AS group_id
    FROM listing_measures
    GROUP BY submission_id, activity_id, section_id, plan_id, country, valid_from, valid_to, is_completed
),
-- Counted by the years they span first, then expanded to as-of years: a count per span of years and group instead
-- of a row per listing and year (each as-of year's count is the sum over the spans of years that hold it).
span_counts AS (
    SELECT
        plan_id,
        country,
        group_level,
        group_id,
        valid_from,
        valid_to,
        count(*) AS activities_total,
        count(*) FILTER (WHERE is_completed) AS activities_completed
    FROM activity_group_spans
    GROUP BY ALL
),
activity_counts_by_country AS (
    SELECT
        plan_id,
        as_of_year,
        group_level,
        group_id,
        country,
        sum(activities_total)::BIGINT AS activities_total,
        sum(activities_completed)::BIGINT AS activities_completed
    FROM (SELECT *, unnest(generate_series(valid_from, valid_to))::INTEGER AS as_of_year FROM span_counts)
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
        y.share_units,
        t.group_level,
        t.group_id,
        sc.country,
        sc.ordinal AS country_ordinal,
        t.measures_total,
        coalesce(mc.measures_covered, 0) AS measures_covered,
        coalesce(mc.measures_completed, 0) AS measures_completed,
        coalesce(mc.measures_engaged, 0) AS measures_engaged,
        coalesce(mc.measures_in_scope, 0) AS measures_in_scope,
        coalesce(mc.measures_delivered, 0) AS measures_delivered,
        coalesce(mc.measures_overdue, 0) AS measures_overdue,
        coalesce(mc.expected_units, 0) AS expected_units,
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
),
-- The pace, once: delivered over what the schedule expects of the measures in scope, as one division of integers
-- (NULL when nothing is expected yet).
paced AS (
    SELECT
        *,
        CASE WHEN expected_units > 0 THEN (measures_delivered * share_units) / expected_units END AS pace_index
    FROM scaffold
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
    measures_engaged,
    measures_in_scope,
    measures_delivered,
    CASE WHEN measures_in_scope > 0 THEN measures_delivered / measures_in_scope END AS delivery_rate,
    CASE WHEN measures_in_scope > 0 THEN expected_units / (measures_in_scope * share_units) END AS expected_rate,
    measures_overdue,
    activities_total,
    activities_completed,
    CASE WHEN activities_total > 0 THEN activities_completed / activities_total END AS activity_completion_rate,
    years_elapsed / years_total AS time_elapsed,
    pace_index,
    reporting_rate,
    CASE
        WHEN reporting_rate < st.min_reporting_rate THEN 'insufficient data'
        WHEN measures_in_scope = 0 THEN 'no commitments'
        WHEN expected_units = 0 THEN 'not yet due'
        WHEN pace_index >= st.on_track_pace THEN 'on track'
        WHEN pace_index >= st.acceleration_pace THEN 'acceleration needed'
        ELSE 'limited progress'
    END AS progress_status,
    country_ordinal
FROM paced
CROSS JOIN metric_settings st;
