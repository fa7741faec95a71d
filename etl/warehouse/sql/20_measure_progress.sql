-- Per measure, country (and 'ALL') and as-of year: activities and coverage, and the measure judged against the
-- schedule (docs/metrics.md, measure_progress). Every catalogue measure has a row for every scope and year, zeros
-- included, so measures with no activity yet are visible.
CREATE OR REPLACE VIEW measure_progress AS
-- The per-country counts are those of activity_measure_status (a row per activity, measure and as-of year), taken
-- per span of years first and then expanded to as-of years: each year's count is the sum over the spans that hold
-- it, and a listing of year Y itself is a span starting in Y.
WITH span_counts AS (
    SELECT
        plan_id,
        measure_id,
        country,
        valid_from,
        valid_to,
        count(*) AS activities_total,
        count(*) FILTER (WHERE is_implemented) AS activities_implemented,
        count(*) FILTER (WHERE is_completed) AS activities_completed
    FROM activity_measure_spans
    GROUP BY ALL
),
per_country AS (
    SELECT
        plan_id,
        as_of_year,
        measure_id,
        country,
        sum(activities_total)::BIGINT AS activities_total,
        sum(activities_implemented)::BIGINT AS activities_implemented,
        sum(activities_completed)::BIGINT AS activities_completed,
        -- implemented in the return of year Y itself: what delivers a recurring measure that year
        coalesce(sum(activities_implemented) FILTER (WHERE valid_from = as_of_year), 0)::BIGINT AS implemented_in_year
    FROM (SELECT *, unnest(generate_series(valid_from, valid_to))::INTEGER AS as_of_year FROM span_counts)
    GROUP BY ALL
),
per_scope AS (
    SELECT
        plan_id,
        as_of_year,
        measure_id,
        sc.country,
        sum(activities_total)::BIGINT AS activities_total,
        sum(activities_implemented)::BIGINT AS activities_implemented,
        sum(activities_completed)::BIGINT AS activities_completed,
        sum(implemented_in_year)::BIGINT AS implemented_in_year,
        count(*) FILTER (WHERE activities_implemented > 0) AS countries_implementing
    FROM per_country p
    JOIN scope_countries sc ON sc.member = p.country
    GROUP BY ALL
),
judged AS (
    SELECT
        y.plan_id,
        y.as_of_year,
        ms.measure_id,
        sc.country,
        ms.pillar,
        ms.section_id,
        coalesce(p.activities_total, 0) AS activities_total,
        coalesce(p.activities_implemented, 0) AS activities_implemented,
        coalesce(p.activities_completed, 0) AS activities_completed,
        coalesce(p.countries_implementing, 0) AS countries_implementing,
        coalesce(p.activities_implemented, 0) > 0 AS covered,
        coalesce(p.activities_completed, 0) > 0 AS completed,
        ms.kind,
        ms.start_year,
        ms.due_year,
        ms.lead_countries,
        CASE
            WHEN ms.kind = 'recurring' THEN CASE WHEN y.as_of_year >= ms.start_year THEN 1.0 ELSE 0.0 END
            ELSE least(1.0, greatest(0.0, (y.as_of_year - ms.start_year + 1) / (ms.due_year - ms.start_year + 1)))
        END AS expected_share,
        coalesce(p.activities_total, 0) > 0 AS engaged,
        sc.country = 'ALL' OR coalesce(p.activities_total, 0) > 0 OR list_contains(ms.leads, sc.country) AS in_scope,
        CASE
            WHEN ms.kind = 'recurring' THEN coalesce(p.implemented_in_year, 0) > 0
            ELSE coalesce(p.activities_completed, 0) > 0
        END AS delivered,
        ms.ordinal,
        sc.ordinal AS country_ordinal
    FROM plan_years y
    JOIN measure_schedule ms ON ms.plan_id = y.plan_id
    CROSS JOIN (SELECT DISTINCT country, ordinal FROM scope_countries) sc
    LEFT JOIN per_scope p
        ON p.plan_id = y.plan_id AND p.as_of_year = y.as_of_year AND p.measure_id = ms.measure_id
        AND p.country = sc.country
)
SELECT
    plan_id,
    as_of_year,
    measure_id,
    country,
    pillar,
    section_id,
    activities_total,
    activities_implemented,
    activities_completed,
    countries_implementing,
    covered,
    completed,
    kind,
    start_year,
    due_year,
    lead_countries,
    expected_share,
    engaged,
    in_scope,
    delivered,
    kind = 'one-off' AND in_scope AND due_year <= as_of_year AND NOT delivered AS overdue
FROM judged
ORDER BY plan_id, as_of_year, ordinal, country_ordinal;
