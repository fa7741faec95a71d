-- The plans side by side, and continuity from one plan to the next (docs/plans.md).

-- Each plan with its timeframe and what it holds: pillars, sections (measures directly under a pillar are not a
-- section), measures, sub-items, and the returns it counts (current versions of its (country, year) returns).
CREATE OR REPLACE VIEW plan_summary AS
SELECT
    p.plan_id,
    p.title,
    p.start_year,
    p.end_year,
    coalesce(p.is_example, false) AS is_example,
    (SELECT count(*) FROM pillars x WHERE x.plan_id = p.plan_id) AS pillars,
    (SELECT count(*) FROM sections x WHERE x.plan_id = p.plan_id AND NOT x.is_direct_group) AS sections,
    (SELECT count(*) FROM measures x WHERE x.plan_id = p.plan_id) AS measures,
    (SELECT count(*) FROM sub_items x WHERE x.plan_id = p.plan_id) AS sub_items,
    (SELECT count(*) FROM current_submissions x WHERE x.plan_id = p.plan_id) AS returns
FROM plans p
ORDER BY p.start_year, p.end_year, p.plan_id;

-- The newest version of each (from plan, to plan) crosswalk.
CREATE OR REPLACE VIEW current_crosswalks AS
SELECT *
FROM crosswalk_loads
QUALIFY row_number() OVER (PARTITION BY from_plan_id, to_plan_id ORDER BY version DESC, load_id DESC) = 1;

-- Which measure of a later plan continues which measure of an earlier one, as the newest crosswalk of each pair
-- says: one row per link (a measure continued by two is two rows; two continued by one, two rows too).
CREATE OR REPLACE VIEW measure_continuity AS
SELECT l.from_plan_id, l.from_measure_id, l.to_plan_id, l.to_measure_id
FROM crosswalk_links l
JOIN current_crosswalks c USING (load_id)
ORDER BY l.from_plan_id, l.to_plan_id, l.from_measure_id, l.to_measure_id;

-- For a plan B and each of its as-of years: every measure of a predecessor A (a plan with a crosswalk into B) that
-- was not delivered by all countries together as of A's last year, and what became of it in B as of that year:
-- 'continued and delivered' (a measure of B that continues it is delivered), 'continued and not yet', or
-- 'not continued' (the crosswalk links it to no measure of B).
CREATE OR REPLACE VIEW carried_over AS
WITH undelivered AS (
    SELECT c.to_plan_id AS plan_id, c.from_plan_id AS predecessor_plan_id, mp.measure_id
    FROM current_crosswalks c
    JOIN plans a ON a.plan_id = c.from_plan_id
    JOIN measure_progress mp
        ON mp.plan_id = a.plan_id AND mp.as_of_year = a.end_year AND mp.country = 'ALL' AND NOT mp.delivered
),
continued AS (
    SELECT
        u.plan_id,
        y.as_of_year,
        u.predecessor_plan_id,
        u.measure_id,
        list(mc.to_measure_id ORDER BY b.ordinal) FILTER (WHERE mc.to_measure_id IS NOT NULL) AS continued_by,
        coalesce(bool_or(mp.delivered), false) AS any_delivered
    FROM undelivered u
    JOIN plan_years y ON y.plan_id = u.plan_id
    LEFT JOIN measure_continuity mc
        ON mc.from_plan_id = u.predecessor_plan_id AND mc.to_plan_id = u.plan_id AND mc.from_measure_id = u.measure_id
    LEFT JOIN measures b ON b.plan_id = mc.to_plan_id AND b.measure_id = mc.to_measure_id
    LEFT JOIN measure_progress mp
        ON mp.plan_id = u.plan_id AND mp.as_of_year = y.as_of_year AND mp.country = 'ALL'
        AND mp.measure_id = mc.to_measure_id
    GROUP BY ALL
)
SELECT
    c.plan_id,
    c.as_of_year,
    c.predecessor_plan_id,
    c.measure_id,
    m.pillar,
    m.section_id,
    m.text,
    coalesce(c.continued_by, []::VARCHAR[]) AS continued_by,
    CASE
        WHEN len(coalesce(c.continued_by, [])) = 0 THEN 'not continued'
        WHEN c.any_delivered THEN 'continued and delivered'
        ELSE 'continued and not yet'
    END AS outcome
FROM continued c
JOIN measures m ON m.plan_id = c.predecessor_plan_id AND m.measure_id = c.measure_id
ORDER BY c.plan_id, c.as_of_year, c.predecessor_plan_id, m.ordinal;

-- An activity's history across plans: a country keeps an activity's id when it reports it under the next plan, so
-- each (country, activity) has one row per plan and reporting year whose current return lists it, with the status
-- and the measures (of that plan) it gave, the earliest plan first.
CREATE OR REPLACE VIEW activity_history AS
SELECT
    a.country,
    a.activity_id,
    a.plan_id,
    p.start_year AS plan_start_year,
    p.end_year AS plan_end_year,
    a.reporting_year,
    a.status,
    a.title,
    (SELECT list(DISTINCT coalesce(m.sub_item, m.measure_id) ORDER BY coalesce(m.sub_item, m.measure_id))
     FROM activity_measures m WHERE m.submission_id = a.submission_id AND m.activity_id = a.activity_id) AS measure_ids
FROM current_submissions s
JOIN activities a USING (submission_id)
JOIN plans p ON p.plan_id = a.plan_id
ORDER BY a.country, a.activity_id, p.start_year, a.reporting_year;
