-- Listings the dashboard shows beside the metrics: each return's state, and activities as of a year.

-- One row per country and plan year: the state of that return, its accepted versions and rejected
-- uploads. Received, on time and expected are those of `returns_due` (the reporting metrics' own
-- definition); a return with no accepted version is 'rejected' when something was uploaded and
-- refused, 'missing' when nothing was uploaded and its deadline has passed on the day the monitor is
-- read, and 'not yet due' before that.
CREATE OR REPLACE VIEW return_status AS
WITH grid AS (
    SELECT y.plan_id, c.iso3 AS country, c.name AS country_name, c.country_group, c.ordinal AS country_ordinal,
        y.as_of_year AS reporting_year
    FROM plan_years y
    CROSS JOIN countries c
),
uploads AS (
    SELECT plan_id, country, reporting_year,
        count(*) FILTER (WHERE status = 'accepted') AS versions,
        count(*) FILTER (WHERE status = 'rejected') AS rejected_uploads,
        max(received_on) AS last_upload_on
    FROM submissions
    WHERE country IS NOT NULL AND reporting_year IS NOT NULL
    GROUP BY ALL
)
SELECT
    g.*,
    coalesce(u.versions, 0) AS versions,
    coalesce(u.rejected_uploads, 0) AS rejected_uploads,
    r.first_received_on,
    u.last_upload_on,
    -- Every return has its deadline, received or not: a missing return says by when it was due.
    d.deadline,
    CASE
        WHEN r.on_time THEN 'on time'
        WHEN r.current_submission_id IS NOT NULL THEN 'late'
        WHEN u.rejected_uploads > 0 THEN 'rejected'
        WHEN d.expected THEN 'missing'
        ELSE 'not yet due'
    END AS return_state
FROM grid g
JOIN returns_due d USING (plan_id, country, reporting_year)
LEFT JOIN received_returns r USING (plan_id, country, reporting_year)
LEFT JOIN uploads u USING (plan_id, country, reporting_year);

-- return_status as the monitor reads it for an as-of year: the returns for reporting years up to it (whether one
-- is due is decided by the day the monitor is read, not by the as-of year: see returns_due).
CREATE OR REPLACE MACRO return_status_as_of(as_of) AS TABLE
SELECT *
FROM return_status
WHERE reporting_year <= as_of;

-- One row per (country, activity_id) of `listings`, the name of a relation with one row per listing of an activity
-- (country, activity_id, reporting_year, status), with its status_history: each status with the years of the
-- returns that gave it ('2013 planned → 2014–2016 ongoing → 2017 completed'; '2013, 2015 ongoing' when a return
-- between them is missing), so its last year is the latest listing's. Both activity listings below write their
-- history with it, so the fast measure listing cannot drift from activity_listing.
CREATE OR REPLACE MACRO status_history(listings) AS TABLE
SELECT country, activity_id, string_agg(years || ' ' || status, ' → ' ORDER BY first_year) AS status_history
FROM (
    SELECT country, activity_id, status, min(reporting_year) AS first_year,
        CASE
            WHEN count(*) = 1 THEN CAST(min(reporting_year) AS VARCHAR)
            WHEN max(reporting_year) - min(reporting_year) + 1 = count(*)
                THEN min(reporting_year) || '–' || max(reporting_year)
            ELSE string_agg(CAST(reporting_year AS VARCHAR), ', ' ORDER BY reporting_year)
        END AS years
    FROM (
        SELECT *, sum(changed) OVER (PARTITION BY country, activity_id ORDER BY reporting_year) AS run
        FROM (
            SELECT country, activity_id, reporting_year, status,
                (lag(status) OVER (PARTITION BY country, activity_id ORDER BY reporting_year)
                    IS DISTINCT FROM status)::INTEGER AS changed
            FROM query_table(listings)
        )
    )
    GROUP BY country, activity_id, status, run
)
GROUP BY ALL;

-- Activities as of a year, as docs/metrics.md defines them: each (country, activity_id) with its status in
-- the latest current return with R <= as_of that lists it, its changes of status in the returns up to
-- then, the measures it links to there (country listings), and where it came from (file, sheet, row).
-- The rows are those whose latest listing is a return for `plan`; their history takes in every plan's returns
-- (an activity a country keeps reporting under the next plan). only_country and only_measure narrow the listing (NULL: every country, every measure); max_rows caps
-- it, in country and activity order, before histories and links are gathered, so a page of a large
-- warehouse is quick.
CREATE OR REPLACE MACRO activity_listing(plan, as_of, only_country, only_measure, max_rows) AS TABLE
WITH current_returns AS (
    SELECT submission_id, file_name
    FROM current_submissions
    WHERE reporting_year <= as_of AND (only_country IS NULL OR country = only_country)
),
-- Links to the measure in those returns: the activities a measure's listing starts from.
hits AS (
    SELECT am.submission_id, am.country, am.activity_id
    FROM activity_measures am
    SEMI JOIN current_returns r ON r.submission_id = am.submission_id
    WHERE am.measure_id = only_measure AND am.plan_id = plan
),
-- Every listing of the activities in scope. The two scopes take separate branches (the other one is
-- pruned as a constant false filter): a condition mixing them would hide the selective join.
listed AS MATERIALIZED (
    SELECT a.*, r.file_name
    FROM activities a
    JOIN current_returns r USING (submission_id)
    WHERE only_measure IS NULL
    UNION ALL
    SELECT a.*, r.file_name
    FROM activities a
    JOIN current_returns r USING (submission_id)
    SEMI JOIN (SELECT DISTINCT country, activity_id FROM hits) e
        ON e.country = a.country AND e.activity_id = a.activity_id
    WHERE only_measure IS NOT NULL
),
latest AS (
    SELECT * FROM listed
    QUALIFY row_number() OVER (PARTITION BY country, activity_id ORDER BY reporting_year DESC) = 1
),
-- A measure's listing keeps the activities whose latest listing still links to it.
shown AS MATERIALIZED (
    SELECT * FROM (
        SELECT * FROM latest WHERE only_measure IS NULL
        UNION ALL
        SELECT l.* FROM latest l
        SEMI JOIN hits h ON h.submission_id = l.submission_id AND h.activity_id = l.activity_id
        WHERE only_measure IS NOT NULL
    )
    -- The plan's rows before the cap: another plan's listings must not take the places of this one's.
    WHERE plan_id = plan
    ORDER BY country, activity_id
    LIMIT max_rows
),
-- The listings of the activities shown, whose status history (see status_history) ends at the return the row's
-- status, file, sheet and row come from.
shown_listings AS (
    SELECT * FROM listed
    SEMI JOIN shown USING (country, activity_id)
),
history AS (
    SELECT * FROM status_history('shown_listings')
),
-- The measures each listed activity links to, for a country's listing only: on a measure's listing it
-- would cost a probe of every link in the warehouse, and that page names its measure already.
links AS (
    SELECT am.submission_id, am.activity_id,
        string_agg(DISTINCT coalesce(am.sub_item, am.measure_id), ', ' ORDER BY coalesce(am.sub_item, am.measure_id))
            AS measures
    FROM activity_measures am
    SEMI JOIN current_returns r ON r.submission_id = am.submission_id
    SEMI JOIN shown s ON s.submission_id = am.submission_id AND s.activity_id = am.activity_id
    WHERE only_measure IS NULL
    GROUP BY ALL
)
SELECT
    s.plan_id, s.country, s.activity_id, s.title, s.status, s.reporting_year AS last_reported_year,
    h.status_history, k.measures, s.lead_agency, s.start_date, s.end_date,
    s.submission_id, s.file_name, s.source_sheet, s.source_row
FROM shown s
JOIN history h ON h.country = s.country AND h.activity_id = s.activity_id
LEFT JOIN links k ON k.submission_id = s.submission_id AND k.activity_id = s.activity_id
ORDER BY s.country, s.activity_id;

-- Each listing of an activity in a current return that links it to a measure, with the as-of years it speaks for
-- (activity_spans: from its reporting year until the activity's next listing; open_ended when nothing lists it
-- later). refresh_metrics keeps it as measure_link_spans_snapshot, written in measure order so a measure's rows
-- sit in one or two row groups and the others are skipped on their min/max. The listings are activity_link_spans
-- (refresh_metrics has it at hand already), linked in the same return, to a catalogue measure; a cancelled listing
-- once for each (listing, measure) however many of its rows or links name it.
CREATE OR REPLACE VIEW measure_link_spans AS
WITH spans AS (
    SELECT plan_id, measure_id, country, activity_id, submission_id, valid_from, valid_to
    FROM activity_link_spans
    WHERE status <> 'cancelled'
    UNION ALL
    SELECT DISTINCT plan_id, measure_id, country, activity_id, submission_id, valid_from, valid_to
    FROM activity_link_spans
    WHERE status = 'cancelled'
)
SELECT s.measure_id, s.country, s.activity_id, s.submission_id, s.valid_from, s.valid_to,
    s.valid_to = p.end_year AS open_ended
FROM spans s
JOIN plans p ON p.plan_id = s.plan_id
ORDER BY s.measure_id;

-- activity_listing(plan, as_of, NULL, only_measure, max_rows), read through measure_link_spans_snapshot while that is
-- current: the snapshot names the activities whose listing as of the year links to the measure, so only their
-- own listings are read from the activity rows, instead of every link and every activity being matched.
-- `links` names the relation read (the view itself gives the same rows); the snapshot is named at each call,
-- since it exists only once refresh_metrics has run.
CREATE OR REPLACE MACRO measure_activity_listing(
    plan, as_of, only_measure, max_rows, links := 'measure_link_spans_snapshot'
) AS TABLE
WITH current_returns AS (
    SELECT submission_id, file_name
    FROM current_submissions
    WHERE reporting_year <= as_of
),
-- The plan's listings only, before the cap: two plans may share a measure id.
shown AS MATERIALIZED (
    SELECT k.country, k.activity_id, k.submission_id
    FROM query_table(links) k
    SEMI JOIN submissions p ON p.submission_id = k.submission_id AND p.plan_id = plan
    WHERE k.measure_id = only_measure AND k.valid_from <= as_of AND (k.valid_to >= as_of OR k.open_ended)
    ORDER BY k.country, k.activity_id
    LIMIT max_rows
),
listed AS MATERIALIZED (
    SELECT a.*, r.file_name
    FROM activities a
    JOIN current_returns r USING (submission_id)
    SEMI JOIN shown s ON s.country = a.country AND s.activity_id = a.activity_id
),
-- The status history as activity_listing writes it (listed holds the shown activities' listings only).
history AS (
    SELECT * FROM status_history('listed')
)
SELECT
    l.plan_id, l.country, l.activity_id, l.title, l.status, l.reporting_year AS last_reported_year,
    h.status_history, NULL::VARCHAR AS measures, l.lead_agency, l.start_date, l.end_date,
    l.submission_id, l.file_name, l.source_sheet, l.source_row
FROM listed l
SEMI JOIN shown s ON s.submission_id = l.submission_id AND s.country = l.country AND s.activity_id = l.activity_id
JOIN history h ON h.country = l.country AND h.activity_id = l.activity_id
ORDER BY l.country, l.activity_id;
