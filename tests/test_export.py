"""aptmon export: the views' rows as they are, in CSV, Parquet and XLSX, with definitions and a fingerprint."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from support.factories import add_return

from etl import warehouse
from etl.cli import cli
from etl.outputs import export
from etl.plan.definitions import GLOSSARY

HEADER_ROWS = 6  # title, as of, exported, fingerprint, schedule, blank; the column names follow


@pytest.fixture(scope="module")
def workbook_export(demo_warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "metrics.xlsx"
    result = export.export(path, warehouse_file=demo_warehouse)
    return result, load_workbook(path, read_only=True)


def _sheet_frame(workbook, name: str) -> tuple[list, pd.DataFrame]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return rows[:HEADER_ROWS], pd.DataFrame(rows[HEADER_ROWS + 1 :], columns=rows[HEADER_ROWS])


def _view(warehouse_file, sql: str, params: list) -> pd.DataFrame:
    with warehouse.read_connection(warehouse_file) as con:
        return con.execute(sql, params).df()


def test_workbook_has_a_sheet_per_table_and_definitions(workbook_export):
    result, workbook = workbook_export
    assert workbook.sheetnames == [*export.TABLES, "Definitions"]
    assert result.as_of_year == 2017  # the latest year with data in the demo
    header, _ = _sheet_frame(workbook, "metrics_pillar_country")
    assert header[1][:2] == ("As of year", 2017)
    assert header[2][0] == "Exported" and header[2][1].endswith("UTC")
    assert header[3][:2] == ("Data fingerprint (sha256)", result.fingerprint) and len(result.fingerprint) == 64
    # The schedule the numbers judge against, beside the fingerprint on every sheet: the demo's example.
    assert header[4][0] == "Schedule" and header[4][1] == result.schedule
    assert result.schedule.startswith("version 1 (an example, not the Secretariat's schedule), 14 measures scheduled")
    for name in workbook.sheetnames:
        assert _sheet_frame(workbook, name)[0][4][:2] == ("Schedule", result.schedule), name


def test_the_schedule_table_is_the_schedule_the_views_use(workbook_export, demo_warehouse):
    _, workbook = workbook_export
    _, sheet = _sheet_frame(workbook, "schedule")
    view = _view(demo_warehouse, "SELECT * FROM measure_schedule ORDER BY ordinal", [])
    assert len(sheet) == 183 and sheet["measure_id"].tolist() == view["measure_id"].tolist()
    assert sheet["kind"].tolist() == view["kind"].tolist() and sheet["due_year"].tolist() == view["due_year"].tolist()
    led = sheet.set_index("measure_id").loc["5.4"]
    assert (led.kind, led.start_year, led.due_year, led.lead_countries, led.is_default) == (
        "one-off",
        2014,
        2016,
        "CHN; KOR",
        False,
    )
    assert set(sheet.schedule_version) == {1}


def test_workbook_tables_equal_the_views_and_numbers_stay_numbers(workbook_export, demo_warehouse):
    result, workbook = workbook_export
    _, sheet = _sheet_frame(workbook, "metrics_pillar_country")
    view = _view(
        demo_warehouse, "SELECT * FROM metrics_pillar_country WHERE as_of_year = ? ORDER BY ALL", [result.as_of_year]
    )
    # The workbook gives the pillar as a number with its name beside it; the other columns are the view's.
    names = sheet.pop("pillar_name")
    assert dict(zip(sheet["pillar"], names, strict=True))[2] == "Economic and Financial Cooperation"
    assert set(names[sheet["pillar"] == "ALL"]) == {"All pillars"}
    sheet["pillar"] = sheet["pillar"].astype(str)
    sheet = sheet.sort_values(list(sheet.columns)).reset_index(drop=True)
    assert list(sheet.columns) == list(view.columns)
    assert sheet["pillar"].tolist() == view["pillar"].tolist()
    assert len(sheet) == len(view) == 7 * 14
    for column in ("measures_covered", "coverage_rate", "pace_index", "reporting_rate"):
        assert all(isinstance(v, int | float) for v in sheet[column]), column
        # A pace is empty where nothing is expected yet: empty in the sheet too.
        assert sheet[column].astype(float).tolist() == pytest.approx(view[column].astype(float).tolist(), nan_ok=True)
    assert sheet["progress_status"].tolist() == view["progress_status"].tolist()
    assert result.rows["measure_progress"] == 183 * 14


def test_every_sheet_filters_freezes_its_header_and_shows_rates_as_percentages(workbook_export, tmp_path_factory):
    result, _ = workbook_export
    workbook = load_workbook(result.path)  # not read-only: filters, panes and widths are read back too
    table_row = HEADER_ROWS + 1
    for sheet in workbook.worksheets:
        last = sheet.max_row
        assert sheet.auto_filter.ref == f"A{table_row}:{sheet.cell(table_row, sheet.max_column).column_letter}{last}"
        assert sheet.freeze_panes == f"A{table_row + 1}", sheet.title
        names = [cell.value for cell in sheet[table_row]]
        for index, name in enumerate(names, start=1):
            letter = sheet.cell(table_row, index).column_letter
            width = sheet.column_dimensions[letter].width
            assert len(name) + 2 <= width <= 60, (sheet.title, name, width)  # the name and its filter button fit
    pillars = workbook["metrics_pillar_country"]
    names = [cell.value for cell in pillars[table_row]]
    first = pillars[table_row + 1]
    for column in ("coverage_rate", "completion_rate", "reporting_rate", "time_elapsed", "activity_completion_rate"):
        cell = first[names.index(column)]
        assert cell.number_format == "0.0%" and isinstance(cell.value, float), column
    assert first[names.index("pace_index")].number_format == "0.00"
    assert first[names.index("measures_covered")].number_format == "General"
    assert (first[names.index("pillar")].value, first[names.index("pillar_name")].value) == (
        1,
        "Political and Security Cooperation",
    )
    reporting = workbook["metrics_reporting"]
    names = [cell.value for cell in reporting[table_row]]
    assert reporting[table_row + 1][names.index("on_time_rate")].number_format == "0.0%"
    text = workbook["catalogue"]
    text_width = text.column_dimensions[text.cell(table_row, 9).column_letter].width  # the measures' text
    assert text.cell(table_row, 9).value == "text" and text_width == 60  # long text: as wide as a column goes


def test_csv_and_parquet_keep_the_views_columns_and_fractions(demo_warehouse, tmp_path):
    export.export(tmp_path / "csv", warehouse_file=demo_warehouse, output_format="csv", as_of=2016)
    frame = pd.read_csv(tmp_path / "csv" / "metrics_pillar_country.csv")
    view = _view(demo_warehouse, "SELECT * FROM metrics_pillar_country WHERE as_of_year = 2016", [])
    assert list(frame.columns) == list(view.columns)  # no pillar_name: the workbook alone adds it
    assert frame["coverage_rate"].tolist() == pytest.approx(view["coverage_rate"].tolist())


def test_definitions_sheet_comes_from_the_glossary(workbook_export):
    _, workbook = workbook_export
    _, definitions = _sheet_frame(workbook, "Definitions")
    described = definitions[definitions["kind"] == "definition"]
    assert described["name"].tolist() == [d.column for d in GLOSSARY]
    settings = dict(zip(definitions["name"], definitions["definition"], strict=True))
    assert settings["on_track_pace"].startswith("0.95:") and settings["min_reporting_rate"].startswith("0.5:")
    assert "'on track' when pace index 0.95 or more" in settings["progress_status"]


def test_every_metric_column_has_a_definition(demo_warehouse):
    defined = {(table.strip(), d.column) for d in GLOSSARY for table in d.tables.split(",")}
    with warehouse.read_connection(demo_warehouse) as con:
        for view in (*warehouse.METRIC_VIEWS, "funding"):
            columns = [name for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {view})").fetchall()]
            missing = [c for c in columns if (view, c) not in defined]
            assert not missing, (view, missing)


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_folder_exports_equal_the_views(demo_warehouse, tmp_path, output_format):
    result = export.export(tmp_path / "out", warehouse_file=demo_warehouse, as_of=2015, output_format=output_format)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    tables = [*export.TABLES, "definitions"]
    assert files == sorted([f"{t}.{output_format}" for t in tables] + ["export.json"])
    manifest = json.loads((tmp_path / "out" / "export.json").read_text())
    assert manifest["as_of_year"] == 2015 and manifest["data_fingerprint_sha256"] == result.fingerprint
    assert manifest["schedule_version"] == 1 and manifest["schedule"] == result.schedule
    read = pd.read_csv if output_format == "csv" else pd.read_parquet
    reporting = read(tmp_path / "out" / f"metrics_reporting.{output_format}")
    view = _view(demo_warehouse, "SELECT * FROM metrics_reporting WHERE as_of_year = 2015", [])
    assert reporting["country"].tolist() == view["country"].tolist()
    assert reporting["returns_received"].tolist() == view["returns_received"].tolist()
    assert reporting["reporting_rate"].tolist() == pytest.approx(view["reporting_rate"].tolist())
    activities = read(tmp_path / "out" / f"activities.{output_format}")
    assert set(activities["as_of_year"]) == {2015} and len(activities) == result.rows["activities"] > 0


def test_fingerprint_is_stable_and_follows_the_data(warehouse_file, tmp_path):
    add_return(warehouse_file, "KHM", 2014, [("A1", "ongoing", ["5.1"])])
    first = export.export(tmp_path / "a", warehouse_file=warehouse_file, output_format="csv")
    again = export.export(tmp_path / "b", warehouse_file=warehouse_file, output_format="csv")
    assert first.fingerprint == again.fingerprint and first.as_of_year == 2014
    add_return(warehouse_file, "KHM", 2014, [("A1", "completed", ["5.1"])], sha256="second-version")
    assert export.export(tmp_path / "c", warehouse_file=warehouse_file, output_format="csv").fingerprint != (
        first.fingerprint
    )


def test_fingerprint_and_header_follow_the_schedule(warehouse_file, tmp_path):
    from support.schedule_files import write_schedule

    from etl.schedule.load import load_schedule_file

    add_return(warehouse_file, "KHM", 2014, [("A1", "ongoing", ["5.1"])])
    default = export.export(tmp_path / "a", warehouse_file=warehouse_file, output_format="csv")
    assert default.schedule_version == 0 and default.schedule.startswith("default schedule (none loaded")
    schedule = write_schedule(tmp_path / "s.xlsx", [{"measure_id": "5.1", "kind": "recurring"}])
    load_schedule_file(schedule, warehouse_file=warehouse_file, loaded_by="secretariat")
    scheduled = export.export(tmp_path / "b", warehouse_file=warehouse_file, output_format="csv")
    assert scheduled.fingerprint != default.fingerprint  # the numbers now judge against another schedule
    assert scheduled.schedule_version == 1 and "by secretariat" in scheduled.schedule
    table = pd.read_csv(tmp_path / "b" / "schedule.csv").set_index("measure_id")
    assert table.loc["5.1", "kind"] == "recurring" and not table.loc["5.1", "is_default"]


DANGEROUS = ["=1+2", "+SUM(A1)", "-2", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


def test_formula_like_text_is_neutralised_in_csv_and_xlsx(warehouse_file, tmp_path):
    add_return(warehouse_file, "KHM", 2015, [(text, "ongoing", ["5.1"]) for text in DANGEROUS])
    export.export(tmp_path / "csv", warehouse_file=warehouse_file, output_format="csv")
    with open(tmp_path / "csv" / "activities.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["activity_id"] for row in rows) == sorted("'" + text for text in DANGEROUS)
    assert {row["as_of_year"] for row in rows} == {"2015"}

    export.export(tmp_path / "m.xlsx", warehouse_file=warehouse_file, output_format="xlsx")
    workbook = load_workbook(tmp_path / "m.xlsx")  # not read-only: cell types are visible
    sheet = workbook["activities"]
    header = [cell.value for cell in sheet[HEADER_ROWS + 1]]
    ids = [row[header.index("activity_id")] for row in sheet.iter_rows(min_row=HEADER_ROWS + 2)]
    assert sorted(cell.value for cell in ids) == sorted("'" + text for text in DANGEROUS)
    assert all(cell.data_type == "s" for cell in ids)
    years = [row[header.index("as_of_year")] for row in sheet.iter_rows(min_row=HEADER_ROWS + 2)]
    assert {(cell.value, cell.data_type) for cell in years} == {(2015, "n")}
    formulas = [c.coordinate for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_cli_export_and_its_errors(demo_warehouse, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["export", "--warehouse", str(demo_warehouse), "--as-of", "2016", "-o",
                             str(tmp_path / "m.xlsx")])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "Exported as of 2016" in ok.output and "Data fingerprint: " in ok.output
    assert load_workbook(tmp_path / "m.xlsx", read_only=True)["metrics_reporting"]["B2"].value == 2016
    bad_year = runner.invoke(cli, ["export", "--warehouse", str(demo_warehouse), "--as-of", "2020", "-o",
                                   str(tmp_path / "x")])  # fmt: skip
    assert bad_year.exit_code == 2 and "2013 to 2017" in bad_year.output
    folder_as_file = runner.invoke(cli, ["export", "--warehouse", str(demo_warehouse), "--format", "xlsx", "-o",
                                         str(tmp_path)])  # fmt: skip
    assert folder_as_file.exit_code == 2 and "is a folder" in folder_as_file.output
