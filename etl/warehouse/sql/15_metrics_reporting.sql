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

CREATE OR REPLACE VIEW metrics_reporting AS
WITH counts AS (
    SELECT
        y.plan_id,
        y.as_of_year,
        y.years_elapsed,
        sc.country,
        sc.ordinal,
        count(DISTINCT sc.member) AS countries,
        count(r.reporting_year) AS returns_received,
        count(r.reporting_year) FILTER (WHERE r.on_time) AS returns_on_time
    FROM plan_years y
    CROSS JOIN scope_countries sc
    LEFT JOIN received_returns r
        ON r.plan_id = y.plan_id AND r.country = sc.member AND r.reporting_year <= y.as_of_year
    GROUP BY ALL
)
SELECT
    plan_id,
    as_of_year,
    country,
    countries * years_elapsed AS returns_expected,
    returns_received,
    returns_received / (countries * years_elapsed) AS reporting_rate,
    returns_on_time,
    returns_on_time / (countries * years_elapsed) AS on_time_rate
FROM counts
ORDER BY plan_id, as_of_year, ordinal;
