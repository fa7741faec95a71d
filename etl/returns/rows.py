"""Checked rows held as one Python list per column, with SQL types, handed to DuckDB as parameters or NumPy arrays."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import duckdb

ACTIVITY_COLUMNS: dict[str, str] = {
    "activity_id": "VARCHAR",
    "title": "VARCHAR",
    "status": "VARCHAR",
    "start_date": "DATE",
    "end_date": "DATE",
    "lead_agency": "VARCHAR",
    "partners": "VARCHAR",
    "funding_source": "VARCHAR",
    "budget_usd": "DOUBLE",
    "description": "VARCHAR",
    "source_sheet": "VARCHAR",
    "source_row": "INTEGER",
}
MEASURE_COLUMNS: dict[str, str] = {"activity_id": "VARCHAR", "measure_id": "VARCHAR", "sub_item": "VARCHAR"}
ISSUE_COLUMNS: dict[str, str] = {
    "severity": "VARCHAR",
    "code": "VARCHAR",
    "sheet": "VARCHAR",
    "row": "INTEGER",
    "column": "VARCHAR",
    "value": "VARCHAR",
    "message": "VARCHAR",
}

# Up to this many rows DuckDB reads the columns as list parameters: 9 ms of CPU for 2 000 activities, against 4 ms
# as NumPy arrays plus 0.07 s to import NumPy, which nothing else on a command's ingest path needs.
_ROWS_AS_PARAMETERS = 2_000


@dataclass
class Rows:
    """Rows of one table: `data` maps each column to its values, `types` gives each column's SQL type."""

    types: dict[str, str]
    data: dict[str, list]

    @classmethod
    def empty(cls, types: dict[str, str]) -> Rows:
        return cls(types, {name: [] for name in types})

    @property
    def num_rows(self) -> int:
        return len(next(iter(self.data.values()), []))

    @property
    def column_names(self) -> list[str]:
        return list(self.types)

    def column(self, name: str) -> list:
        return self.data[name]

    def to_pylist(self) -> list[dict]:
        names = self.column_names
        return [dict(zip(names, values, strict=True)) for values in zip(*(self.data[n] for n in names), strict=True)]

    @contextmanager
    def registered(self, con: duckdb.DuckDBPyConnection, name: str) -> Iterator[str]:
        """The rows readable under `name` while the block runs, as a SELECT that yields them with their SQL types.

        A few rows (a typical return) go in as list parameters, into a temporary table of this connection; more go
        as NumPy object arrays, which DuckDB scans directly. Both read the same Python values, as the same types.
        """
        if self.num_rows <= _ROWS_AS_PARAMETERS:
            columns = ", ".join(_unnested(k, c, t) for k, (c, t) in enumerate(self.types.items(), 1))
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT {columns}", [self.data[c] for c in self.types])
            try:
                yield f"SELECT * FROM temp.main.{name}"
            finally:
                with suppress(duckdb.Error):  # an aborted transaction: its rollback drops the table
                    con.execute(f"DROP TABLE temp.main.{name}")
            return
        # Unlike an Arrow conversion of Python lists, NumPy does not pull in pandas (half a second). fromiter copies
        # the references as they are; np.array would first look into each value for a nested sequence (three times
        # slower on 100 000 strings).
        import numpy as np

        arrays = {column: np.fromiter(values, dtype=object, count=len(values)) for column, values in self.data.items()}
        con.register(name, arrays)
        casts = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in self.types.items())
        try:
            yield f"SELECT {casts} FROM {name}"
        finally:
            with suppress(duckdb.Error):
                con.unregister(name)


def _unnested(number: int, column: str, sql_type: str) -> str:
    """The list parameter `number` as the rows of `column`."""
    values = f"unnest(${number}::{sql_type}[])"
    if sql_type == "DOUBLE":  # NaN as NULL, as DuckDB reads a NaN in a NumPy array
        values = f"nullif({values}, 'NaN'::DOUBLE)"
    return f'{values} AS "{column}"'
