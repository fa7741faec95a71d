-- Which countries lag: the 13 countries ranked, for each as-of year and pillar ('ALL' included), by their progress
-- status and pace against what they took up or lead and the schedule (docs/metrics.md, metrics_pillar_country).
-- The overview's ranking and the progress report read it, so both put the countries in the same order.
-- `pillar_metrics` names the relation read: metrics_pillar_country, or its snapshot while current.

-- Rank 1 is the country furthest behind: the judged statuses worst first (limited progress, acceleration needed,
-- on track), each by pace (lowest first), then by the gap between the share expected and the share delivered,
-- then by overdue measures. The statuses that judge nothing follow (not yet due, no commitments, and last
-- insufficient data, whose numbers are withheld), in the countries' own order.
CREATE OR REPLACE MACRO country_lag_ranking(pillar_metrics := 'metrics_pillar_country') AS TABLE
SELECT
    pm.plan_id,
    pm.as_of_year,
    pm.pillar,
    pm.country,
    c.name AS country_name,
    c.country_group,
    row_number() OVER (
        PARTITION BY pm.plan_id, pm.as_of_year, pm.pillar
        ORDER BY
            CASE pm.progress_status
                WHEN 'limited progress' THEN 1
                WHEN 'acceleration needed' THEN 2
                WHEN 'on track' THEN 3
                WHEN 'not yet due' THEN 4
                WHEN 'no commitments' THEN 5
                ELSE 6
            END,
            pm.pace_index NULLS LAST,
            pm.expected_rate - pm.delivery_rate DESC NULLS LAST,
            pm.measures_overdue DESC,
            c.ordinal
    ) AS lag_rank,
    pm.progress_status,
    pm.pace_index,
    pm.measures_in_scope,
    pm.measures_delivered,
    pm.delivery_rate,
    pm.expected_rate,
    pm.measures_overdue,
    pm.measures_total,
    pm.measures_engaged,
    pm.reporting_rate
FROM query_table(pillar_metrics) pm
JOIN countries c ON c.iso3 = pm.country
ORDER BY pm.plan_id, pm.as_of_year, pm.pillar = 'ALL', pm.pillar, lag_rank;

-- The ranking read from the view itself, for readers that take views by name (the report, the notebook, exports).
CREATE OR REPLACE VIEW country_ranking AS
SELECT * FROM country_lag_ranking();
