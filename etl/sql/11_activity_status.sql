-- Each activity's status as of each year, and its measure links as of that year.

-- Status as of Y: from the current version of the latest return (R <= Y) that lists the activity;
-- an activity that is not re-listed keeps its last status. Cancelled activities are kept here
-- (the drill-down shows them) and left out by every metric.
CREATE OR REPLACE VIEW activity_status AS
SELECT
    y.plan_id,
    y.as_of_year,
    a.country,
    a.activity_id,
    s.reporting_year,
    a.submission_id,
    a.status,
    a.title
FROM activities a
JOIN current_submissions s USING (submission_id)
JOIN plan_years y ON y.plan_id = s.plan_id AND s.reporting_year <= y.as_of_year
QUALIFY row_number() OVER (
    PARTITION BY y.plan_id, y.as_of_year, a.country, a.activity_id ORDER BY s.reporting_year DESC
) = 1;

-- One row per non-cancelled activity and catalogue measure it is linked to as of Y, links taken
-- from the same return as the status. Sub-items are already rolled up to their measure in
-- activity_measures.measure_id; DISTINCT keeps an activity linked to two sub-items of one measure once.
CREATE OR REPLACE VIEW activity_measure_status AS
SELECT
    st.plan_id,
    st.as_of_year,
    st.country,
    st.activity_id,
    st.status,
    st.status IN ('ongoing', 'completed') AS is_implemented,
    st.status = 'completed' AS is_completed,
    m.measure_id,
    m.pillar::VARCHAR AS pillar,
    m.section_id
FROM activity_status st
JOIN (SELECT DISTINCT submission_id, country, activity_id, measure_id FROM activity_measures) am
    ON am.submission_id = st.submission_id AND am.country = st.country AND am.activity_id = st.activity_id
JOIN measures m ON m.plan_id = st.plan_id AND m.measure_id = am.measure_id
WHERE st.status <> 'cancelled';
