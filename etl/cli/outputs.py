"""Commands that write what evaluators read: `aptmon export` and `aptmon report`."""

from __future__ import annotations

import click

from etl.cli.options import plan_option, warehouse_option


@click.command()
@click.option("--as-of", "as_of", type=int, default=None, help="As-of year (default: the latest year with data).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    default=None,
    help="csv/parquet: a folder of <table> files; xlsx: one workbook (default: xlsx for -o *.xlsx, else csv).",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="The folder (csv, parquet) or .xlsx file.")
@plan_option
@warehouse_option
def export(
    as_of: int | None, output_format: str | None, output: str, plan_id: str | None, warehouse_file: str | None
) -> None:
    """Export the metric tables, activities and catalogue for one as-of year, with their definitions.

    \b
    Example:
        aptmon export -o metrics-2016.xlsx --as-of 2016
        aptmon export --format parquet -o exports/2017
    """
    from etl.outputs.export import export as write_export

    output_format = output_format or ("xlsx" if output.lower().endswith(".xlsx") else "csv")
    result = write_export(
        output, warehouse_file=warehouse_file, as_of=as_of, output_format=output_format, plan_id=plan_id
    )
    tables = ", ".join(f"{table} {rows}" for table, rows in result.rows.items())
    click.echo(
        f"Exported as of {result.as_of_year} (plan {result.plan_id}) to {result.path} "
        f"({output_format}; rows: {tables})."
    )
    click.echo(f"Data fingerprint: {result.fingerprint}")
    click.echo(f"Schedule: {result.schedule}")


@click.command()
@click.option("--as-of", "as_of", type=int, default=None, help="As-of year (default: the latest year with data).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "docx"]),
    default=None,
    help="html (one self-contained page) or docx (a Word document to edit); default from the file name, else html.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@plan_option
@warehouse_option
def report(
    as_of: int | None, output_format: str | None, output: str, plan_id: str | None, warehouse_file: str | None
) -> None:
    """Write the concise progress report for the APT Summit: a self-contained, printable HTML file, or a Word
    document with the same content to edit before the Summit.

    \b
    Example:
        aptmon report -o progress-2016.html --as-of 2016
        aptmon report --format docx -o progress-2016.docx --as-of 2016
    """
    from etl.outputs.report.write import write_report

    if output_format is None:
        output_format = "docx" if output.lower().endswith(".docx") else "html"
    result = write_report(
        output, warehouse_file=warehouse_file, as_of=as_of, output_format=output_format, plan_id=plan_id
    )
    click.echo(f"Wrote the progress report as of {result.as_of_year} to {result.path}.")
    click.echo(f"Data fingerprint: {result.fingerprint}")
    click.echo(f"Schedule: {result.schedule}")
