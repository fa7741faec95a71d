-- What changed between two dates (Work Plan item 6.5, the CPR Plus Three's regular review), for one plan: the
-- warehouse as it was known on each date, read from the upload dates the submissions carry (received_on), not from a
-- second store. Each macro takes the plan first: returns, activities and measures belong to one plan.
-- A date D takes in everything received on or before D; the changes between D1 and D2 are those received after D1
-- and on or before D2.

-- The returns as known on a date: for each (country, R) the newest accepted version received by then, counted as
-- current_submissions counts versions.
CREATE OR REPLACE MACRO returns_known_on(plan, known_on) AS TABLE
SELECT s.*
FROM submissions s
JOIN plans p USING (plan_id)
WHERE s.status = 'accepted'
  AND s.plan_id = plan
  AND s.received_on <= known_on
  AND s.country IN (SELECT iso3 FROM countries)
  AND s.reporting_year BETWEEN p.start_year AND p.end_year
QUALIFY row_number() OVER (
    PARTITION BY s.plan_id, s.country, s.reporting_year ORDER BY s.version DESC NULLS LAST, s.submission_id DESC
) = 1;

-- Each activity's latest status as known on a date: from the known return with the largest R that lists it.
CREATE OR REPLACE MACRO activities_known_on(plan, known_on) AS TABLE
SELECT a.country, a.activity_id, a.title, a.status, a.reporting_year, r.file_name
FROM activities a
JOIN returns_known_on(plan, known_on) r USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY a.country, a.activity_id ORDER BY a.reporting_year DESC) = 1;

-- The uploads accepted between the two dates: a return received for the first time, or a new version of one.
CREATE OR REPLACE MACRO review_returns(plan, from_date, to_date) AS TABLE
SELECT
    s.country,
    c.name AS country_name,
    s.reporting_year,
    s.version,
    s.received_on,
    s.file_name,
    NOT EXISTS (
        SELECT 1 FROM returns_known_on(plan, from_date) k WHERE k.country = s.country AND k.reporting_year = s.reporting_year
    ) AS first_received,
    s.received_on <= make_date(s.reporting_year + 1, st.deadline_month, st.deadline_day) AS on_time
FROM submissions s
JOIN countries c ON c.iso3 = s.country
CROSS JOIN metric_settings st
WHERE s.status = 'accepted' AND s.plan_id = plan AND s.received_on > from_date AND s.received_on <= to_date
ORDER BY s.received_on, c.ordinal, s.reporting_year;

-- Activities whose standing changed between the dates: 'added' (no return known on the first date listed it),
-- 'completed' (completed now, not then) or 'went back' (a status behind the earlier one: completed to ongoing,
-- ongoing to planned or suspended, anything to cancelled).
CREATE OR REPLACE MACRO review_activities(plan, from_date, to_date) AS TABLE
WITH rank_of(status, step) AS (
    VALUES ('cancelled', 0), ('planned', 1), ('suspended', 1), ('ongoing', 2), ('completed', 3)
),
compared AS (
    SELECT b.country, b.activity_id, b.title, a.status AS status_before, b.status AS status_now,
        b.reporting_year, b.file_name, ra.step AS step_before, rb.step AS step_now
    FROM activities_known_on(plan, to_date) b
    LEFT JOIN activities_known_on(plan, from_date) a USING (country, activity_id)
    JOIN rank_of rb ON rb.status = b.status
    LEFT JOIN rank_of ra ON ra.status = a.status
)
SELECT
    x.country,
    c.name AS country_name,
    x.activity_id,
    x.title,
    x.status_before,
    x.status_now,
    x.reporting_year,
    x.file_name,
    CASE
        WHEN x.status_before IS NULL THEN 'added'
        WHEN x.step_now < x.step_before THEN 'went back'
        ELSE 'completed'
    END AS change
FROM compared x
JOIN countries c ON c.iso3 = x.country
WHERE x.status_before IS NULL
   OR x.step_now < x.step_before
   OR (x.status_now = 'completed' AND x.status_before <> 'completed')
ORDER BY c.ordinal, x.activity_id;

-- The as-of year of a plan a date can speak for: the latest year of the plan whose returns were due by then (returns
-- for R are due on the deadline in R + 1), NULL before the first year's deadline.
CREATE OR REPLACE MACRO review_as_of_year(plan, on_date) AS (
    SELECT CASE
        WHEN y < p.start_year THEN NULL
        ELSE least(y, p.end_year)
    END
    FROM (
        SELECT year(on_date) - CASE
            WHEN on_date >= make_date(year(on_date), st.deadline_month, st.deadline_day) THEN 1 ELSE 2
        END AS y
        FROM metric_settings st
    ), plans p
    WHERE p.plan_id = plan
);

-- Measures newly delivered or newly overdue between the dates, for all 13 countries: measure_progress as of the
-- year each date speaks for (review_as_of_year), the measure's delivered and overdue flags then and now.
-- `progress` names the relation read: measure_progress, or its snapshot while that is current.
CREATE OR REPLACE MACRO review_measures(plan, from_date, to_date, progress := 'measure_progress') AS TABLE
WITH years AS (
    SELECT review_as_of_year(plan, from_date) AS year_before, review_as_of_year(plan, to_date) AS year_now
),
flags AS (
    SELECT measure_id, as_of_year, delivered, overdue
    FROM query_table(progress)
    WHERE plan_id = plan AND country = 'ALL' AND as_of_year IN (SELECT year_before FROM years UNION ALL SELECT year_now FROM years)
)
SELECT
    m.measure_id,
    m.pillar::VARCHAR AS pillar,
    m.section_id,
    m.text,
    y.year_before,
    y.year_now,
    CASE WHEN now.delivered AND NOT coalesce(before.delivered, false) THEN 'newly delivered' ELSE 'newly overdue' END
        AS change
FROM years y
JOIN flags now ON now.as_of_year = y.year_now
LEFT JOIN flags before ON before.measure_id = now.measure_id AND before.as_of_year = y.year_before
JOIN measures m ON m.plan_id = plan AND m.measure_id = now.measure_id
WHERE (now.delivered AND NOT coalesce(before.delivered, false))
   OR (now.overdue AND NOT coalesce(before.overdue, false))
ORDER BY change, m.ordinal;
