"""Text that a spreadsheet would run as a formula is accepted as text, shown as text and neutralised in exports."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from support.hostile.corpus import COVER
from support.hostile.fixtures import query
from support.hostile.xlsx_parts import sheet_xml_chunks, write_workbook
from support.return_files import HEADER

from etl.returns.ingest import ingest_file

PAYLOADS = ['=HYPERLINK("http://x","click")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "\t-2+3+cmd|' /C notepad'!A0"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

pytest_plugins = ["support.hostile.fixtures"]


@pytest.fixture
def loaded_payloads(fresh_warehouse, returns_dir, tmp_path):
    """A valid Lao PDR 2015 return whose titles, lead agencies and descriptions carry the payloads, loaded."""
    rows = [
        [f"LAO-{i}", "2.1.6", payload, "Ongoing", "2015-01-01", None, payload, None, None, None, payload]
        for i, payload in enumerate(PAYLOADS, 1)
    ]
    cover = [["Country", "Lao PDR"], *COVER[1:]]
    path = write_workbook(tmp_path / "lao.xlsx", [("Cover", sheet_xml_chunks(cover)),
                                                   ("Activities", sheet_xml_chunks([HEADER, *rows]))])  # fmt: skip
    result = ingest_file(path, warehouse_file=fresh_warehouse)
    assert (result.status, result.activities) == ("accepted", len(PAYLOADS)), result.issues
    return fresh_warehouse


def test_payloads_are_stored_as_the_text_typed(loaded_payloads):
    stored = query(
        loaded_payloads,
        "SELECT title, lead_agency, description FROM activities WHERE country = 'LAO' ORDER BY activity_id",
    )
    # Cells are trimmed on reading (a leading tab goes), otherwise kept character for character.
    assert stored == [(p.strip(), p.strip(), p.strip()) for p in PAYLOADS]


def test_the_dashboard_shows_payloads_as_plain_text(loaded_payloads):
    from support.dash_requests import call_callback, sign_in
    from support.signing_in import add_test_users

    from dashboard.app import create_app

    add_test_users(loaded_payloads)
    app = create_app(loaded_payloads)
    client = sign_in(app.server.test_client(), "viewer")
    from dashboard import ids
    from dashboard.components.tables import grid_id

    # Whichever callback fills the measure page's activity table, called as the browser calls it.
    key = next(k for k in app.callback_map if ids.MEASURE_ACTIVITIES_TABLE in k and "rowData" in k)
    function = app.callback_map[key]["callback"]
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    response = call_callback(client, app, function.__name__, ["2015"], ["2.1.6", None])  # no plan: the default
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    payload = response.get_json()["response"]
    rows = next(v["rowData"] for v in payload.values() if isinstance(v, dict) and "rowData" in v)
    titles = sorted(r["title"] for r in rows if r["country"] == "LAO")
    assert titles == sorted(p.strip() for p in PAYLOADS)

    # The page as Dash registered it: importing dashboard.pages.measure directly would register the page a second
    # time under another module name, and every app created after it would fail with "duplicate paths".
    import dash

    measure_layout = next(
        p["layout"] for p in dash.page_registry.values() if p["path_template"] == "/measure/<measure_id>"
    )
    with app.server.test_request_context("/measure/2.1.6"):
        table = _find(measure_layout(measure_id="2.1.6"), grid_id(ids.MEASURE_ACTIVITIES_TABLE))
    # The grid shows these cells as text: no cell renderer (a link or HTML) on their columns, none by default.
    columns = {c["field"]: c for c in table.columnDefs}
    assert "cellRenderer" not in columns["title"] and "cellRenderer" not in columns["lead_agency"]
    assert "cellRenderer" not in table.defaultColDef


def _find(component, component_id):
    """The component with this id in a layout tree."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        # `is not None`: a component without children has length 0 and so is falsy
        if child is not None and not isinstance(child, str) and (found := _find(child, component_id)) is not None:
            return found
    return None


def test_every_export_neutralises_payloads(loaded_payloads, tmp_path):
    from etl.outputs.export import export

    export(tmp_path / "csv", warehouse_file=loaded_payloads, as_of=2015, output_format="csv")
    with open(tmp_path / "csv" / "activities.csv", encoding="utf-8", newline="") as handle:
        lao = [r for r in csv.DictReader(handle) if r["country"] == "LAO"]
    assert len(lao) == len(PAYLOADS)
    for row in lao:
        for column in ("title", "lead_agency", "description"):
            assert row[column].startswith("'") and row[column][1:].strip() in {p.strip() for p in PAYLOADS}
    with open(tmp_path / "csv" / "activities.csv", encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(TRIGGERS) and not _number(c)]

    export(tmp_path / "export.xlsx", warehouse_file=loaded_payloads, as_of=2015, output_format="xlsx")
    workbook = load_workbook(tmp_path / "export.xlsx")
    formulas = [c.coordinate for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(TRIGGERS)]
    assert sum(t in {"'" + p.strip() for p in PAYLOADS} for t in texts) == 3 * len(PAYLOADS)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
