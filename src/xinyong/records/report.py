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
    if format == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("拒收行")
        sheet.append(HEADERS)
        for row in rows:
            sheet.append([_safe(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), MEDIA["xlsx"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    writer.writerows([[_safe(v) for v in row] for row in rows])
    return text.getvalue().encode("utf-8-sig"), MEDIA["csv"]
