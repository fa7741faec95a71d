-- Each upload's place in the history of its return, as the Submissions log and the country page show it:
-- current, superseded (by which version, and when), rejected, unchanged (the same as which version), or
-- held (its changes to the record not confirmed). Each upload is one row: confirming a held upload turns that row
-- into the version it became (or into unchanged, when another confirmation made the same version first), so a
-- row reads "confirmed" only when that upload itself was confirmed, and names the version it became.
CREATE OR REPLACE VIEW submission_states AS
SELECT
    s.submission_id,
    s.country,
    s.reporting_year,
    s.version,
    s.status,
    CASE
        WHEN s.status = 'accepted' AND s.confirmed_at IS NOT NULL
            THEN 'held, then confirmed as version ' || s.version || ' on ' || strftime(s.confirmed_at, '%Y-%m-%d %H:%M')
                || CASE
                    WHEN c.submission_id IS NOT NULL THEN ' (current)'
                    WHEN n.submission_id IS NOT NULL THEN '; superseded by version ' || n.version || ' on '
                        || strftime(n.submitted_at, '%Y-%m-%d %H:%M')
                    ELSE '; superseded'
                END
        WHEN s.status = 'accepted' AND c.submission_id IS NOT NULL THEN 'current'
        WHEN s.status = 'accepted' AND n.submission_id IS NOT NULL
            THEN 'superseded by version ' || n.version || ' on ' || strftime(n.submitted_at, '%Y-%m-%d %H:%M')
        WHEN s.status = 'accepted' THEN 'superseded'
        WHEN s.status = 'unchanged' AND s.confirmed_at IS NOT NULL
            THEN 'held, then confirmed on ' || strftime(s.confirmed_at, '%Y-%m-%d %H:%M')
                || ': unchanged, version ' || s.version || ' already made the same change'
        WHEN s.status = 'unchanged' THEN 'unchanged: the same as version ' || s.version
        -- Written by earlier releases, which pointed a held upload at the version a later upload of the same file
        -- made: that says what happened to the file, not that this upload was confirmed.
        WHEN s.status = 'held' AND n.submission_id IS NOT NULL
            THEN 'held, not confirmed; the same file was submitted again as version ' || n.version
        WHEN s.status = 'held' THEN 'held: its changes to the record were not confirmed'
        ELSE 'rejected'
    END AS version_state
FROM submissions s
LEFT JOIN current_submissions c USING (submission_id)
LEFT JOIN submissions n ON n.submission_id = s.superseded_by;
