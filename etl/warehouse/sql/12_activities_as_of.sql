-- Every activity as of each year: its status as of Y (cancelled ones too), the details and measure links
-- of the listing that gives that status, and where the listing came from. The exports' `activities` table.
CREATE OR REPLACE VIEW activities_as_of AS
WITH links AS (
    SELECT
        submission_id,
        country,
        activity_id,
        string_agg(DISTINCT coalesce(sub_item, measure_id), '; ' ORDER BY coalesce(sub_item, measure_id)) AS measure_ids
    FROM activity_measures
    GROUP BY ALL
)
SELECT
    st.plan_id,
    st.as_of_year,
    st.country,
    st.activity_id,
    st.status,
    st.reporting_year AS last_reported_year,
    a.title,
    l.measure_ids,
    a.start_date,
    a.end_date,
    a.lead_agency,
    a.partners,
    a.funding_source,
    a.budget_usd,
    a.description,
    s.is_synthetic,
    s.file_name,
    a.source_sheet,
    a.source_row
FROM activity_status st
JOIN activities a ON a.submission_id = st.submission_id AND a.activity_id = st.activity_id
JOIN submissions s ON s.submission_id = st.submission_id
LEFT JOIN links l ON l.submission_id = st.submission_id AND l.country = st.country AND l.activity_id = st.activity_id;
