-- Each upload's place in the history of its return, as the Submissions log and the country page show it:
-- current, superseded (by which version, and when), rejected, unchanged (the same as which version), or
-- held (its changes to the record not confirmed, or confirmed as which version).
CREATE OR REPLACE VIEW submission_states AS
SELECT
    s.submission_id,
    s.country,
    s.reporting_year,
    s.version,
    s.status,
    CASE
        WHEN s.status = 'accepted' AND c.submission_id IS NOT NULL THEN 'current'
        WHEN s.status = 'accepted' AND n.submission_id IS NOT NULL
            THEN 'superseded by version ' || n.version || ' on ' || strftime(n.submitted_at, '%Y-%m-%d %H:%M')
        WHEN s.status = 'accepted' THEN 'superseded'
        WHEN s.status = 'unchanged' THEN 'unchanged: the same as version ' || s.version
        WHEN s.status = 'held' AND n.submission_id IS NOT NULL
            THEN 'held, then confirmed as version ' || n.version || ' on ' || strftime(n.submitted_at, '%Y-%m-%d %H:%M')
        WHEN s.status = 'held' THEN 'held: its changes to the record were not confirmed'
        ELSE 'rejected'
    END AS version_state
FROM submissions s
LEFT JOIN current_submissions c USING (submission_id)
LEFT JOIN submissions n ON n.submission_id = s.superseded_by;
