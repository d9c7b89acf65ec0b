"""The reject report a provider downloads: one line per problem, in Chinese, as CSV (UTF-8 with BOM, which
Excel opens correctly) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]

HEADERS = ["行号", "字段", "错误代码", "说明", "原始数据"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _safe(value: Any) -> Any:
    """A cell a spreadsheet will show, not run: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def render(rows: Sequence[Sequence[Any]], format: str) -> tuple[bytes, str]:
    return spreadsheet(HEADERS, rows, format, "拒收行")


def spreadsheet(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], format: str, sheet_name: str
) -> tuple[bytes, str]:
    """Rows under headers as XLSX (one sheet) or CSV (UTF-8 with BOM); the content and its media type."""
    if format == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(sheet_name)
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_safe(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), MEDIA["xlsx"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows([[_safe(v) for v in row] for row in rows])
    return text.getvalue().encode("utf-8-sig"), MEDIA["csv"]
