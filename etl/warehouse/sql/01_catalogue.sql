-- The catalogue as one table: each measure, then its sub-items, with pillar and section titles.
CREATE OR REPLACE VIEW catalogue AS
SELECT
    m.plan_id,
    CASE WHEN s.sub_item_id IS NULL THEN 'measure' ELSE 'sub-item' END AS level,
    coalesce(s.sub_item_id, m.measure_id) AS id,
    m.measure_id,
    m.pillar,
    p.title AS pillar_title,
    m.section_id,
    sec.title AS section_title,
    coalesce(s.text, m.text) AS text,
    m.ordinal AS measure_ordinal,
    coalesce(s.letter, '') AS letter
FROM measures m
JOIN pillars p USING (plan_id, pillar)
JOIN sections sec USING (plan_id, section_id)
LEFT JOIN (
    SELECT plan_id, measure_id, NULL AS sub_item_id, NULL AS letter, NULL AS text FROM measures
    UNION ALL
    SELECT plan_id, measure_id, sub_item_id, letter, text FROM sub_items
) s USING (plan_id, measure_id)
ORDER BY m.plan_id, m.ordinal, letter;
