"""Reading the monthly report's workbook (bot/services/reports.py) in tests."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def table(ws: Worksheet) -> tuple[list[object], list[tuple[object, ...]]]:
    """The bordered table of a report sheet: its header row (row 9) and the rows down to the first blank."""
    rows = list(ws.iter_rows(min_row=9, values_only=True))
    width = sum(1 for c in rows[0] if c is not None)
    body = []
    for r in rows[1:]:
        if all(c is None for c in r[:width]):
            break
        body.append(tuple(r[:width]))
    return list(rows[0][:width]), body

