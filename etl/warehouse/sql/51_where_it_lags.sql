-- Where a plan lags, for the overview's panel: the overdue measures, the sections furthest behind their expected
-- share, and the measures no country has taken up, for one plan, as-of year, country scope and pillar (NULL: all
-- pillars): plans whose years overlap share as-of years, so each macro is asked for one plan. `progress` and
-- `section_metrics` name the relations read: the metric views, or their snapshots while current.

-- The measures overdue in the scope (measure_progress.overdue), in plan order.
CREATE OR REPLACE MACRO overdue_measures(plan, as_of, scope, only_pillar, progress := 'measure_progress')
AS TABLE
SELECT mp.measure_id, mp.pillar, mp.section_id, mp.due_year, m.text
FROM query_table(progress) mp
JOIN measures m ON m.plan_id = mp.plan_id AND m.measure_id = mp.measure_id
WHERE mp.plan_id = plan AND mp.as_of_year = as_of AND mp.country = scope AND mp.overdue
  AND (only_pillar IS NULL OR mp.pillar = only_pillar)
ORDER BY m.ordinal;

-- The sections of the scope behind their expected share (pace index below 1), the furthest behind first. Sections
-- whose status is withheld (insufficient data), with nothing in scope or nothing yet expected have no pace to
-- judge and are left out.
CREATE OR REPLACE MACRO lagging_sections(
    plan, as_of, scope, only_pillar, section_metrics := 'metrics_section_country'
) AS TABLE
SELECT sm.section_id, s.pillar::VARCHAR AS pillar, s.title, s.is_direct_group, sm.measures_in_scope,
    sm.measures_delivered, sm.delivery_rate, sm.expected_rate, sm.pace_index, sm.measures_overdue,
    sm.progress_status
FROM query_table(section_metrics) sm
JOIN sections s ON s.plan_id = sm.plan_id AND s.section_id = sm.section_id
WHERE sm.plan_id = plan AND sm.as_of_year = as_of AND sm.country = scope AND sm.pace_index < 1
  AND sm.progress_status NOT IN ('insufficient data', 'no commitments', 'not yet due')
  AND (only_pillar IS NULL OR s.pillar::VARCHAR = only_pillar)
ORDER BY sm.pace_index, sm.expected_rate - sm.delivery_rate DESC, s.pillar, s.ordinal;

-- How many measures (of the pillar, or of the plan) no country has taken up: no activity of any status under them.
CREATE OR REPLACE MACRO measures_not_taken_up(plan, as_of, only_pillar, progress := 'measure_progress') AS TABLE
SELECT count(*) FILTER (WHERE NOT engaged) AS not_taken_up, count(*) AS measures_total
FROM query_table(progress)
WHERE plan_id = plan AND as_of_year = as_of AND country = 'ALL' AND (only_pillar IS NULL OR pillar = only_pillar);
