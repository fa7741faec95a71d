-- Reporting completeness and timeliness per country (and 'ALL') as of each year (docs/metrics.md, metrics_reporting).

-- Each received return (country, R): its current version exists; it is on time when its first
-- accepted version arrived by the deadline (deadline_month/deadline_day of R + 1, from settings).
CREATE OR REPLACE VIEW received_returns AS
WITH first_arrival AS (
    SELECT plan_id, country, reporting_year, arg_min(received_on, submission_id) AS first_received_on
    FROM submissions
    WHERE status = 'accepted'
    GROUP BY ALL
)
SELECT
    c.plan_id,
    c.country,
    c.reporting_year,
    c.submission_id AS current_submission_id,
    f.first_received_on,
    make_date(c.reporting_year + 1, st.deadline_month, st.deadline_day) AS deadline,
    f.first_received_on <= make_date(c.reporting_year + 1, st.deadline_month, st.deadline_day) AS on_time
FROM current_submissions c
JOIN first_arrival f USING (plan_id, country, reporting_year)
CROSS JOIN metric_settings st;

-- One row per country and plan year: the return's deadline, and whether it is expected on the day the monitor is read
-- (monitor_today): once its deadline has passed, or once it has arrived, whichever comes first. Before that it is
-- not yet due and counts in neither number. The one rule the cards, the reporting page, the country page, the
-- exports and the report share, through metrics_reporting and return_status.
CREATE OR REPLACE VIEW returns_due AS
SELECT
    y.plan_id,
    c.iso3 AS country,
    y.as_of_year AS reporting_year,
    make_date(y.as_of_year + 1, st.deadline_month, st.deadline_day) AS deadline,
    r.current_submission_id IS NOT NULL AS received,
    coalesce(r.on_time, false) AS on_time,
    r.current_submission_id IS NOT NULL OR make_date(y.as_of_year + 1, st.deadline_month, st.deadline_day) < t.today
        AS expected
FROM plan_years y
CROSS JOIN countries c
CROSS JOIN metric_settings st
CROSS JOIN monitor_today t
LEFT JOIN received_returns r ON r.plan_id = y.plan_id AND r.country = c.iso3 AND r.reporting_year = y.as_of_year;

CREATE OR REPLACE VIEW metrics_reporting AS
WITH counts AS (
    SELECT
        y.plan_id,
        y.as_of_year,
        sc.country,
        sc.ordinal,
        count(d.reporting_year) FILTER (WHERE d.expected) AS returns_expected,
        count(d.reporting_year) FILTER (WHERE d.received) AS returns_received,
        count(d.reporting_year) FILTER (WHERE d.on_time) AS returns_on_time
    FROM plan_years y
    CROSS JOIN scope_countries sc
    LEFT JOIN returns_due d ON d.plan_id = y.plan_id AND d.country = sc.member AND d.reporting_year <= y.as_of_year
    GROUP BY ALL
)
SELECT
    plan_id,
    as_of_year,
    country,
    returns_expected,
    returns_received,
    -- NULL while nothing is expected yet: no return was due, so the status is not withheld for want of one
    CASE WHEN returns_expected > 0 THEN returns_received / returns_expected END AS reporting_rate,
    returns_on_time,
    CASE WHEN returns_expected > 0 THEN returns_on_time / returns_expected END AS on_time_rate
FROM counts
ORDER BY plan_id, as_of_year, ordinal;
