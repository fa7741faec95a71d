"""A1-style cell references: the column letters that findings name and that the XLSX writer puts in its XML."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """The column letters of a zero-based column index: 0 -> A, 26 -> AA.

    Written out rather than taken from openpyxl, whose import the return reader and the exports otherwise avoid.
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
