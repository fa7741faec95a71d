"""The measure page's fast listing (through measure_link_spans_snapshot) lists exactly what activity_listing lists."""

from etl import warehouse


def _rows(con, sql: str, params: list) -> list[tuple]:
    return sorted(con.execute(sql, params).fetchall(), key=repr)


def test_snapshot_listing_equals_the_live_listing_for_every_linked_measure(demo_warehouse):
    with warehouse.read_connection(demo_warehouse) as con:
        cancelled = con.execute("SELECT count(*) FROM activities WHERE status = 'cancelled'").fetchone()[0]
        measures = [
            r[0] for r in con.execute("SELECT DISTINCT measure_id FROM activity_measures ORDER BY 1").fetchall()
        ]
        assert cancelled > 0 and len(measures) > 50  # the comparison covers cancelled listings and many measures
        for year in (2013, 2015, 2017):
            for measure in measures[::4]:
                fast = _rows(con, "SELECT * FROM measure_activity_listing(?, ?, 100000)", [year, measure])
                live = _rows(con, "SELECT * FROM activity_listing(?, NULL, ?, 100000)", [year, measure])
                assert fast == live, (year, measure)
