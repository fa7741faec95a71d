-- Each activity's status as of each year, and its measure links as of that year.

-- Each listing of an activity in a current return, and the as-of years it speaks for: from its
-- reporting year R until the year before the activity's next listing (or the end of the plan).
-- That is "status as of Y = the status in the latest return with R <= Y that lists it": an activity
-- that is not re-listed keeps its last status, and none exists before its first listing.
CREATE OR REPLACE VIEW activity_spans AS
SELECT
    s.plan_id,
    a.country,
    a.activity_id,
    s.reporting_year,
    a.submission_id,
    a.status,
    a.title,
    s.reporting_year AS valid_from,
    coalesce(
        lead(s.reporting_year) OVER (PARTITION BY s.plan_id, a.country, a.activity_id ORDER BY s.reporting_year) - 1,
        p.end_year
    ) AS valid_to
FROM activities a
JOIN current_submissions s USING (submission_id)
JOIN plans p ON p.plan_id = s.plan_id;

-- One row per activity and as-of year in which it exists. Cancelled activities are kept here (the
-- drill-down shows them) and left out by every metric.
CREATE OR REPLACE VIEW activity_status AS
SELECT plan_id, as_of_year, country, activity_id, reporting_year, submission_id, status, title
FROM (
    SELECT *, unnest(generate_series(valid_from, valid_to))::INTEGER AS as_of_year FROM activity_spans
);

-- Each listing span and each catalogue measure it is linked to, cancelled listings included (the measure page lists
-- them: measure_link_spans), links taken from the same return as the status. Sub-items are already rolled up to
-- their measure in activity_measures.measure_id; DISTINCT keeps an activity linked to two sub-items of one measure
-- once. One pass for both: the spans' window and the link join are computed once for the metrics and the listing.
CREATE OR REPLACE VIEW activity_link_spans AS
SELECT
    sp.plan_id,
    sp.country,
    sp.activity_id,
    sp.submission_id,
    sp.status,
    sp.status IN ('ongoing', 'completed') AS is_implemented,
    sp.status = 'completed' AS is_completed,
    m.measure_id,
    m.pillar::VARCHAR AS pillar,
    m.section_id,
    sp.valid_from,
    sp.valid_to
FROM activity_spans sp
JOIN (SELECT DISTINCT submission_id, country, activity_id, measure_id FROM activity_measures) am
    ON am.submission_id = sp.submission_id AND am.country = sp.country AND am.activity_id = sp.activity_id
JOIN measures m ON m.plan_id = sp.plan_id AND m.measure_id = am.measure_id;

-- Each non-cancelled listing span and each catalogue measure it is linked to: what every metric counts.
CREATE OR REPLACE VIEW activity_measure_spans AS
SELECT * FROM activity_link_spans WHERE status <> 'cancelled';

-- One row per non-cancelled activity, as-of year and measure it is linked to in that year. reporting_year is the
-- year of the return the status and link come from (a recurring measure counts only a listing of year Y itself).
CREATE OR REPLACE VIEW activity_measure_status AS
SELECT
    plan_id,
    as_of_year,
    country,
    activity_id,
    valid_from AS reporting_year,
    status,
    is_implemented,
    is_completed,
    measure_id,
    pillar,
    section_id
FROM (
    SELECT *, unnest(generate_series(valid_from, valid_to))::INTEGER AS as_of_year FROM activity_measure_spans
);
