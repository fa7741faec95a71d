-- Budgets by funding source per pillar, country scope and as-of year (Work Plan item 6.1 asks to keep
-- strengthening the APT Cooperation Fund): how much of the reported budget the Fund carries, and how many
-- activities report no budget at all. An activity counts with its status as of Y, cancelled ones left out, and
-- with the funding source and budget of the same return that gives that status. An activity serving measures of
-- two pillars counts in full under each of them; the 'ALL' pillar counts it once, so pillar rows may add up to
-- more than 'ALL'.
CREATE OR REPLACE VIEW funding AS
WITH listings AS (
    SELECT sp.plan_id, sp.country, sp.activity_id, sp.submission_id, sp.valid_from, sp.valid_to,
        a.funding_source, a.budget_usd
    FROM activity_spans sp
    JOIN activities a ON a.submission_id = sp.submission_id AND a.activity_id = sp.activity_id
    WHERE sp.status <> 'cancelled'
),
-- Each listing once per pillar it has a measure in (sub-items are rolled up to their measure already), and
-- once for 'ALL'; grouped before the as-of years are spelt out.
listing_pillars AS (
    SELECT DISTINCT l.*, m.pillar::VARCHAR AS pillar
    FROM listings l
    JOIN activity_measures am ON am.submission_id = l.submission_id AND am.activity_id = l.activity_id
    JOIN measures m ON m.plan_id = l.plan_id AND m.measure_id = am.measure_id
    UNION ALL
    SELECT l.*, 'ALL' AS pillar FROM listings l
),
-- A join on the years (not an unnest) so that asking for one as-of year reads only the listings that speak for it.
listing_years AS (
    SELECT lp.*, y.as_of_year
    FROM listing_pillars lp
    JOIN plan_years y ON y.plan_id = lp.plan_id AND y.as_of_year BETWEEN lp.valid_from AND lp.valid_to
),
-- An activity is identified by (country, activity_id), so a scope's activities are its countries' activities.
counted AS (
    SELECT
        y.plan_id,
        y.as_of_year,
        y.pillar,
        sc.country,
        count(*) AS activities_total,
        count(y.budget_usd) AS activities_budgeted,
        sum(y.budget_usd) AS budget_total_usd,
        sum(y.budget_usd) FILTER (WHERE y.funding_source = 'APT Cooperation Fund') AS budget_apt_fund_usd,
        sum(y.budget_usd) FILTER (WHERE y.funding_source = 'National budget') AS budget_national_usd,
        sum(y.budget_usd) FILTER (WHERE y.funding_source = 'Plus Three partner') AS budget_plus_three_usd,
        sum(y.budget_usd) FILTER (WHERE y.funding_source = 'Other') AS budget_other_usd,
        sum(y.budget_usd) FILTER (WHERE y.funding_source IS NULL) AS budget_source_not_given_usd,
        count(*) FILTER (WHERE y.funding_source = 'APT Cooperation Fund') AS activities_apt_fund
    FROM listing_years y
    JOIN scope_countries sc ON sc.member = y.country
    GROUP BY ALL
),
-- Every pillar (and 'ALL') and every country scope in every as-of year, zero where nothing was reported.
grid AS (
    SELECT y.plan_id, y.as_of_year, p.pillar, p.pillar_order, c.country, c.ordinal
    FROM plan_years y
    JOIN (
        SELECT plan_id, pillar::VARCHAR AS pillar, pillar AS pillar_order FROM pillars
        UNION ALL
        SELECT plan_id, 'ALL' AS pillar, 1000 AS pillar_order FROM plans
    ) p ON p.plan_id = y.plan_id
    CROSS JOIN (SELECT DISTINCT country, ordinal FROM scope_countries) c
)
SELECT
    g.plan_id,
    g.as_of_year,
    g.pillar,
    g.country,
    coalesce(c.activities_total, 0) AS activities_total,
    coalesce(c.activities_budgeted, 0) AS activities_budgeted,
    coalesce(c.activities_total - c.activities_budgeted, 0) AS activities_without_budget,
    coalesce(c.activities_apt_fund, 0) AS activities_apt_fund,
    coalesce(c.budget_total_usd, 0) AS budget_total_usd,
    coalesce(c.budget_apt_fund_usd, 0) AS budget_apt_fund_usd,
    coalesce(c.budget_national_usd, 0) AS budget_national_usd,
    coalesce(c.budget_plus_three_usd, 0) AS budget_plus_three_usd,
    coalesce(c.budget_other_usd, 0) AS budget_other_usd,
    coalesce(c.budget_source_not_given_usd, 0) AS budget_source_not_given_usd,
    -- Empty where no budget was reported: a share of nothing is not 0%.
    CASE WHEN c.budget_total_usd > 0 THEN coalesce(c.budget_apt_fund_usd, 0) / c.budget_total_usd END
        AS apt_fund_share
FROM grid g
LEFT JOIN counted c
    ON c.plan_id = g.plan_id AND c.as_of_year = g.as_of_year AND c.pillar = g.pillar AND c.country = g.country
ORDER BY g.plan_id, g.as_of_year, g.pillar_order, g.ordinal;
