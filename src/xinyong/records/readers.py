"""Streaming readers of department files: CSV (UTF-8 with or without BOM, GB18030) and XLSX (ING-1, ING-3).

``read_rows(path)`` opens the file, refuses it whole when it cannot be read (``XinyongError`` with a
``file.*`` code), and returns a :class:`SourceRows`: its ``headers`` are the header row as written in the
file, and iterating it yields one :class:`SourceRow` per non-blank data row. Rows are read one at a time, so
memory stays flat whatever the size of the file; close the object (or use it in a ``with`` block, or read it
to the end) to release the file. ``read_header(path)`` gives the header row alone.

What a row carries:

* ``row`` is the row number a person sees in Excel (the header row of a plain file is 1, the first data
  row 2). Blank rows are skipped but counted, so numbers stay true to the file; in a CSV a quoted value
  that spans several lines is one row, as Excel shows it.
* ``values`` maps each header (as written in the file) to the cell's text, trimmed; an empty cell is ``""``.
  XLSX dates become ``YYYY-MM-DD``, numbers their plain decimal text (``0.2``, ``2000``). CSV cells are text
  as written (a leading ``=`` in a CSV is text, not a formula).
* ``problems`` are the per-cell and per-row problems found while reading; a cell with a problem is emptied so
  that no bad value travels on. ``Problem.field`` is the column header as written in the file (``None`` for a
  problem of the whole row); ``records.headers.row_problems`` translates it to the item's field name.

Per-cell and per-row codes: ``cell.formula``, ``cell.error`` (an Excel error value such as ``#N/A``),
``cell.too_long``, ``cell.control_character``, ``cell.number_precision`` (a number Excel stored with more than
15 significant digits, so its last digits are already lost: identity numbers typed as numbers),
``row.extra_cells`` (content in a column that has no header).

File-level codes (raised): ``file.empty``, ``file.encoding``, ``file.format`` (old ``.xls``, HTML or PDF
disguised as Excel, other zip formats), ``file.corrupt``, ``file.too_large_zip`` (XLSX zip bomb guard),
``file.line_too_long`` (a CSV line or cell past the hard limits, usually an unbalanced quote; raised while
iterating, with the row where reading stopped), ``file.quote`` (a quote never closed before the end of the
file, or text right after a closing quote: the rows' boundaries are unknown; raised while iterating),
``file.headers`` (a header cell that is a formula, too long or has control characters), ``file.unreadable``
(the operating system could not read the file).

The header is the first non-blank row (of the first worksheet of a workbook). Columns after the last
non-empty header are ignored when empty. A CSV may be comma- or tab-separated (decided on its first line),
with ``\r\n``, ``\n`` or (old Macintosh) ``\r`` line ends.
"""

from __future__ import annotations

import codecs
import csv
import re
import struct
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from xinyong.errors import Problem, XinyongError

# -------------------------------------------------------------------------------------------------- limits
MAX_CELL = 4000
"""Default longest cell (characters); the longest field of the 双公示 templates (处罚内容) is 4000."""
CSV_FIELD_LIMIT = 1_000_000
"""Hard limit of one CSV field in characters; past it reading stops. Reading a CSV sets the process-wide
``csv.field_size_limit`` to it (the default, 131,072, would end the file at the first huge cell)."""
CSV_LINE_LIMIT = 4 * 1024 * 1024
"""Hard limit of one physical CSV line in bytes; past it the file cannot be read on."""
XLSX_MAX_UNZIPPED = 200 * 1024 * 1024
"""Largest total uncompressed size of the entries of an XLSX file."""
XLSX_MAX_RATIO = 100
"""Largest compression ratio of one XLSX entry larger than ``XLSX_RATIO_FLOOR``."""
XLSX_RATIO_FLOOR = 10 * 1024 * 1024
XLSX_MAX_ENTRIES = 10_000
"""Most entries (parts) an XLSX file may have; a real workbook has tens."""
XLSX_MAX_SHARED_STRINGS = 32 * 1024 * 1024
"""Largest shared-strings part: the reader holds that table in memory whole (about five times its size)."""

_CHUNK = 64 * 1024
_SNIFF_LIMIT = 4 * 1024 * 1024  # how far to look for the first non-ASCII byte to decide the encoding
_UTF8_EVIDENCE = 8  # non-ASCII characters decoded as UTF-8 before a bad byte that make a file UTF-8
_ENCODING_LABELS = {"utf-8": "UTF-8", "gb18030": "GB18030"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_EOCD_SIGNATURE = b"PK\x05\x06"  # end of central directory; also the whole of an empty zip
_EOCD = struct.Struct("<4s4H2LH")
# Control characters (C0 but tab and line breaks, DEL, C1) and lone surrogates: never part of a value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ASK_FOR = "请在 Excel 中另存为 XLSX（Excel 工作簿）或 CSV（UTF-8）后重新提交"

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class SourceRow:
    """One data row of a department file, as read, before it is checked against the catalog item."""

    row: int
    """Row number as a person sees it in Excel: the header row of a plain file is 1, the first data row 2."""
    values: dict[str, str]
    """Header text as written in the file → cell text (trimmed; ``""`` when empty or refused)."""
    problems: list[Problem] = field(default_factory=list)
    """Problems of single cells (``field`` = header text) or of the whole row (``field`` = None)."""


class SourceRows(Iterator[SourceRow]):
    """An open department file: its header row, and an iterator over its data rows.

    Made by :func:`read_rows`; file-level refusals are raised there, before any row is read, except
    ``file.encoding``, ``file.corrupt``, ``file.quote`` and ``file.line_too_long`` found further into the
    file, which are raised while iterating, with the row where reading stopped.
    """

    def __init__(
        self,
        *,
        format: Format,
        encoding: str | None,
        headers: list[str],
        header_row: int,
        rows: Generator[SourceRow, None, None],
        close: Callable[[], None],
    ) -> None:
        self.format: Format = format
        self.encoding = encoding
        """``utf-8``, ``utf-8-sig`` (with BOM) or ``gb18030`` for a CSV; None for XLSX."""
        self.headers = headers
        """The header row as written in the file (trimmed); ``""`` for a column without a header."""
        self.header_row = header_row
        self._rows = rows
        self._close = close
        self._closed = False

    def __next__(self) -> SourceRow:
        if self._closed:
            raise StopIteration
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._rows.close()
            self._close()

    def __enter__(self) -> SourceRows:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def read_rows(
    path: Path,
    *,
    max_cell: int = MAX_CELL,
    max_unzipped: int = XLSX_MAX_UNZIPPED,
    name: str | None = None,
) -> SourceRows:
    """Open a department file (CSV or XLSX, chosen by its content; ``.xls`` refused) and read its header.
    ``name`` is the file's name as its sender knows it (an upload is kept under another), for messages."""
    name = name or path.name
    if path.suffix.lower() == ".xls":
        raise XinyongError("file.format", f"{name}：不支持旧版 Excel（.xls）文件，{_ASK_FOR}")
    try:
        size = path.stat().st_size
        with path.open("rb") as probe:
            head = probe.read(1024)
    except OSError as exc:
        raise XinyongError("file.unreadable", f"{name}：无法读取文件（{exc.strerror}）") from exc
    if size == 0:
        raise XinyongError("file.empty", f"{name}：文件是空的（0 字节）")
    if head.startswith(_OLE2):
        raise XinyongError(
            "file.format", f"{name}：文件是旧版 Excel（.xls）格式或设有打开密码的工作簿，{_ASK_FOR}"
        )
    if head.startswith((_ZIP, _EOCD_SIGNATURE)):
        return _open_xlsx(path, name, max_cell=max_cell, max_unzipped=max_unzipped)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise XinyongError(
            "file.corrupt", f"{name}：扩展名是 {path.suffix}，但内容不是 Excel 工作簿；{_ASK_FOR}"
        )
    _refuse_disguised(name, head)
    return _open_csv(path, name, max_cell=max_cell)


def read_header(path: Path) -> list[str]:
    """The header row of a department file as written in it, without reading the rows."""
    with read_rows(path) as rows:
        return rows.headers


def _refuse_disguised(name: str, head: bytes) -> None:
    """HTML tables and PDFs that systems export under an Excel name."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        raise XinyongError("file.format", f"{name}：文件是 PDF，不是表格；{_ASK_FOR}")
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise XinyongError("file.format", f"{name}：文件是网页（HTML/XML）格式的导出表格，{_ASK_FOR}")


# ================================================================================================ cells


def column_letter(index: int) -> str:
    """Excel's name of the column at 0-based ``index``: A, B, ..., Z, AA, ..."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _where(row: int, header: str, index: int) -> str:
    return f"第{row}行“{header}”" if header else f"第{row}行第{column_letter(index)}列"


def _cell_problem(code: str, row: int, header: str, index: int, detail: str) -> Problem:
    return Problem(code=code, message=f"{_where(row, header, index)}{detail}", field=header or None, row=row)


def _check_text(text: str, row: int, header: str, index: int, max_cell: int) -> tuple[str, Problem | None]:
    """A cell's text trimmed, or ``""`` and the problem when it is too long or has control characters."""
    value = text.strip()
    if len(value) > max_cell:
        detail = f"过长：{len(value):,} 个字符，最多 {max_cell:,} 个"
        return "", _cell_problem("cell.too_long", row, header, index, detail)
    if _has_control(value):
        detail = "含有不可见的控制字符（如 NUL），请删除后重新提交"
        return "", _cell_problem("cell.control_character", row, header, index, detail)
    return value, None


def _plain_number(number: float) -> str:
    """A float as people read it: at most 15 significant digits (as Excel shows), no exponent, no ``.0``."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = format(Decimal(f"{number:.15g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _build_row(row: int, cells: Sequence[tuple[str, Problem | None]], headers: Sequence[str]) -> SourceRow:
    """Put checked cells under their headers; content where there is no header is a row problem."""
    values = {h: "" for h in headers if h}
    problems: list[Problem] = []
    stray: list[int] = []
    for index, (value, problem) in enumerate(cells):
        header = headers[index] if index < len(headers) else ""
        if not header:
            if value or problem is not None:
                stray.append(index)
            continue
        if problem is not None:
            problems.append(problem)
            continue
        if not values[header]:  # a header written twice: the first column with content counts
            values[header] = value
    if stray:
        columns = "、".join(column_letter(i) for i in sorted(set(stray)))
        problems.append(
            Problem(
                code="row.extra_cells",
                message=f"第{row}行第{columns}列有内容，但该列没有列名（是否有未加引号的逗号或错位的列？）",
                row=row,
            )
        )
    return SourceRow(row=row, values=values, problems=problems)


def _header_cells(cells: Sequence[tuple[str, Problem | None]], row: int, name: str) -> list[str]:
    """The header row's texts; a header that is a formula, too long or has control characters refuses all."""
    for index, (_, problem) in enumerate(cells):
        if problem is not None:
            raise XinyongError(
                "file.headers", f"{name}：列名行第{column_letter(index)}列：{problem.message}", row=row
            )
    headers = [text.lstrip("\ufeff").strip() for text, _ in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


# ================================================================================================ CSV


def _sniff_encoding(binary: IO[bytes], name: str) -> tuple[str, int]:
    """A CSV's encoding and the length of its BOM: UTF-8 if the first non-ASCII text decodes, else GB18030."""
    head = binary.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", len(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise XinyongError(
            "file.encoding",
            f"{name}：文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为 CSV UTF-8、GB18030 或 XLSX",
        )
    binary.seek(0)
    scanned = lines = 0
    while scanned < _SNIFF_LIMIT:
        block = binary.read(_CHUNK)
        if not block:
            break
        scanned += len(block)
        if block.isascii():
            lines += block.count(b"\n")
            continue
        # the blocks before were ASCII, so this one starts on a character boundary; its end may cut one.
        try:
            codecs.getincrementaldecoder("utf-8")().decode(block, final=False)
            return "utf-8", 0
        except UnicodeDecodeError as exc:
            valid = block[: exc.start].decode("utf-8", errors="ignore")
            if sum(1 for ch in valid if ord(ch) > 0x7F) >= _UTF8_EVIDENCE:
                # plenty of good UTF-8 before the bad byte: a damaged UTF-8 file, not GB18030 (which would
                # decode it into nonsense without complaint)
                row = lines + block[: exc.start].count(b"\n") + 1
                raise XinyongError(
                    "file.encoding",
                    f"{name}：文件是 UTF-8 编码，但第{row}行附近有无法解码的字节"
                    "（文件已损坏或混用了不同编码）；请统一另存为 CSV UTF-8 后重新提交",
                    row=row,
                ) from exc
        try:
            codecs.getincrementaldecoder("gb18030")().decode(block, final=False)
            return "gb18030", 0
        except UnicodeDecodeError as exc:
            raise XinyongError(
                "file.encoding", f"{name}：文件既不是 UTF-8 也不是 GB18030 编码的文本，无法读取；{_ASK_FOR}"
            ) from exc
    return "utf-8", 0


class _LineTooLong(Exception):
    pass


def _physical_lines(binary: IO[bytes], separator: bytes, limit: int) -> Iterator[bytes]:
    """The file's lines, ending in their separator, each at most ``limit`` bytes; read in fixed chunks."""
    rest = b""
    while chunk := binary.read(_CHUNK):
        parts = (rest + chunk).split(separator)
        rest = parts.pop()
        for part in parts:
            if len(part) >= limit:
                raise _LineTooLong
            yield part + separator
        if len(rest) >= limit:
            raise _LineTooLong
    if rest:
        yield rest


class _CsvSource:
    """The reading state of one CSV file: decoded lines in, rows out, with the row number kept true."""

    def __init__(self, path: Path, name: str) -> None:
        self.name = name
        self.binary: IO[bytes] = path.open("rb")
        try:
            self.encoding, bom = _sniff_encoding(self.binary, self.name)
            self.binary.seek(bom)
            separator = self._line_separator()
            self.binary.seek(bom)
        except BaseException:
            self.binary.close()
            raise
        self.decode = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        self.lines = _physical_lines(self.binary, separator, CSV_LINE_LIMIT)
        self.row = 0  # the last row (record) read, counting blank ones

    def _line_separator(self) -> bytes:
        """``\\n`` (also for ``\\r\\n``), or ``\\r`` for old Macintosh files that have no ``\\n`` at all."""
        sample = self.binary.read(_CHUNK)
        return b"\r" if b"\r" in sample and b"\n" not in sample else b"\n"

    def text_lines(self) -> Iterator[str]:
        for line in self.lines:
            try:
                yield line.decode(self.decode)
            except UnicodeDecodeError as exc:
                label = _ENCODING_LABELS[self.decode]
                raise XinyongError(
                    "file.encoding",
                    f"{self.name}：第{self.row + 1}行含有无法按 {label} 解码的字节"
                    "（文件中混用了不同编码？）；请统一另存为 CSV UTF-8 后重新提交",
                    row=self.row + 1,
                ) from exc

    def records(self) -> Iterator[list[str]]:
        """Raw records, with ``self.row`` set to each one's row number; hard limits become file errors."""
        lines = self.text_lines()
        first = next(lines, None)
        if first is None:
            return
        delimiter = "\t" if "\t" in first and "," not in first else ","
        reader = csv.reader(_chain(first, lines), delimiter=delimiter, strict=True)
        csv.field_size_limit(CSV_FIELD_LIMIT)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if not str(exc).startswith("field larger than field limit"):
                    raise XinyongError(
                        "file.quote",
                        f"{self.name}：第{self.row + 1}行的引号不成对（引号一直到文件末尾都没有结束，"
                        "或结束引号后紧跟着其他字符），无法确定各行的边界；请改正该行的引号后重新提交",
                        row=self.row + 1,
                    ) from exc
                raise self._too_long() from exc
            except _LineTooLong as exc:
                raise self._too_long() from exc
            self.row += 1
            yield record

    def _too_long(self) -> XinyongError:
        return XinyongError(
            "file.line_too_long",
            f"{self.name}：第{self.row + 1}行过长（一个单元格超过 {CSV_FIELD_LIMIT:,} 个字符"
            f"或一行超过 {CSV_LINE_LIMIT // (1024 * 1024)} MB），无法继续读取；"
            "常见原因是某个单元格的引号不成对",
            row=self.row + 1,
        )

    def close(self) -> None:
        self.binary.close()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _open_csv(path: Path, name: str, *, max_cell: int) -> SourceRows:
    source = _CsvSource(path, name)
    try:
        records = source.records()
        headers: list[str] | None = None
        for record in records:
            if any(cell.strip() for cell in record):
                row = source.row
                checked = [_check_text(text, row, "", i, max_cell) for i, text in enumerate(record)]
                headers = _header_cells(checked, row, source.name)
                break
        if headers is None:
            raise XinyongError("file.empty", f"{source.name}：文件中没有列名行（表头），也没有数据")
    except BaseException:
        source.close()
        raise
    header_row = source.row

    def rows(columns: list[str]) -> Generator[SourceRow, None, None]:
        width = len(columns)
        simple = all(columns) and len(set(columns)) == width
        padding = dict.fromkeys(columns, "")
        for record in records:
            stripped = [cell.strip() for cell in record]
            if not any(stripped):
                continue
            row = source.row
            if (
                simple
                and len(record) <= width
                and max(map(len, stripped)) <= max_cell
                and _CONTROL.search("".join(stripped)) is None
            ):  # the common case, checked for the whole row at once
                values = padding | dict(zip(columns, stripped, strict=False))
                yield SourceRow(row=row, values=values, problems=[])
                continue
            cells = [_check_text(text, row, _at(columns, i), i, max_cell) for i, text in enumerate(record)]
            yield _build_row(row, cells, columns)
        source.close()

    return SourceRows(
        format="csv",
        encoding=source.encoding,
        headers=headers,
        header_row=header_row,
        rows=rows(headers),
        close=source.close,
    )


def _at(headers: Sequence[str], index: int) -> str:
    return headers[index] if index < len(headers) else ""


# ================================================================================================ XLSX


def _check_zip(path: Path, name: str, max_unzipped: int) -> None:
    """Refuse zip bombs before anything decompresses: entry count, total size, compression ratio."""
    too_large = "file.too_large_zip"
    try:
        size = path.stat().st_size
        with path.open("rb") as binary:
            binary.seek(max(0, size - (_EOCD.size + 65535)))
            tail = binary.read()
    except OSError as exc:
        raise XinyongError("file.unreadable", f"{name}：无法读取文件（{exc.strerror}）") from exc
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD.size:
        raise XinyongError("file.corrupt", f"{name}：Excel 文件已损坏（不完整的压缩包），{_ASK_FOR}")
    _, _, _, _, entries, directory_size, _, _ = _EOCD.unpack_from(tail, at)
    if entries > XLSX_MAX_ENTRIES or directory_size > 16 * 1024 * 1024:
        raise XinyongError(too_large, f"{name}：Excel 文件包含的部件过多（{entries:,} 个），拒绝读取")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except Exception as exc:  # BadZipFile, NotImplementedError (unknown version), struct.error ...
        raise XinyongError("file.corrupt", f"{name}：Excel 文件已损坏，无法打开；{_ASK_FOR}") from exc
    if len(infos) > XLSX_MAX_ENTRIES:
        raise XinyongError(too_large, f"{name}：Excel 文件包含的部件过多（{len(infos):,} 个），拒绝读取")
    total = sum(info.file_size for info in infos)
    if total > max_unzipped:
        raise XinyongError(
            too_large,
            f"{name}：Excel 文件解压后共 {total / 1024 / 1024:,.0f} MB，超过上限 "
            f"{max_unzipped / 1024 / 1024:,.0f} MB；请拆分成几个较小的文件，或另存为 CSV",
        )
    for info in infos:
        if info.filename == "xl/sharedStrings.xml" and info.file_size > XLSX_MAX_SHARED_STRINGS:
            raise XinyongError(
                too_large,
                f"{name}：Excel 文件的共享字符串表解压后 {info.file_size / 1024 / 1024:,.0f} MB，超过上限 "
                f"{XLSX_MAX_SHARED_STRINGS / 1024 / 1024:,.0f} MB；请拆分成几个较小的文件，或另存为 CSV",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_FLOOR and ratio > XLSX_MAX_RATIO:
            raise XinyongError(
                too_large,
                f"{name}：Excel 文件中的 {info.filename} 压缩比异常（{ratio:,.0f}:1，解压后 "
                f"{info.file_size / 1024 / 1024:,.0f} MB），疑似压缩炸弹，拒绝读取",
            )
        if info.flag_bits & 0x1:
            raise XinyongError("file.format", f"{name}：Excel 文件已加密，请取消密码后重新提交")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        kind = "Excel 二进制工作簿（.xlsb）" if "xl/workbook.bin" in names else "压缩包，但不是 Excel 工作簿"
        raise XinyongError("file.format", f"{name}：文件是{kind}；{_ASK_FOR}")


def _xlsx_cell(cell: Any, row: int, header: str, index: int, max_cell: int) -> tuple[str, Problem | None]:
    """One openpyxl read-only cell as text, or ``""`` and the problem."""
    value = cell.value
    if value is None:
        return "", None
    kind = getattr(cell, "data_type", None)
    if (
        kind == "f"
        or (isinstance(value, str) and value.startswith("="))
        or not isinstance(value, str | int | float | date | time | timedelta)
    ):
        return "", _cell_problem(
            "cell.formula", row, header, index, "是公式，请提交数值（把公式结果粘贴为数值）"
        )
    if kind == "e":
        return "", _cell_problem("cell.error", row, header, index, f"是错误值 {value}，请改正后重新提交")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if abs(value) >= 1e15:
            detail = (
                "是超过 15 位的数字，Excel 只保留 15 位有效数字，末尾几位已经丢失；"
                "请把该列设为文本格式后重新填写（身份证号、代码等应作为文本）"
            )
            return "", _cell_problem("cell.number_precision", row, header, index, detail)
        return _plain_number(value), None
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, time):
        return value.isoformat(timespec="seconds"), None
    if isinstance(value, timedelta):
        return str(value), None
    return _check_text(value, row, header, index, max_cell)


def _open_xlsx(path: Path, name: str, *, max_cell: int, max_unzipped: int) -> SourceRows:
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    _check_zip(path, name, max_unzipped)
    binary = path.open("rb")
    closers: list[Callable[[], None]] = [binary.close]

    def close() -> None:
        while closers:
            closers.pop()()

    def corrupt(exc: Exception, row: int | None = None) -> XinyongError:
        where = f"第{row}行附近" if row else ""
        return XinyongError(
            "file.corrupt",
            f"{name}：Excel 文件{where}内容已损坏，无法读取（{type(exc).__name__}）；{_ASK_FOR}",
            row=row,
        )

    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(binary, read_only=True, data_only=False, keep_links=False)
        except Exception as exc:
            raise corrupt(exc) from exc
        closers.append(workbook.close)
        if not workbook.worksheets:
            raise XinyongError("file.empty", f"{name}：Excel 文件中没有工作表")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong <dimension>; read every row there is
        cells_by_row = iter(sheet.iter_rows())
        position = 0

        def next_row() -> tuple[Any, ...] | None:
            nonlocal position
            try:
                cells = next(cells_by_row, None)
            except Exception as exc:
                raise corrupt(exc, position + 1) from exc
            if cells is None:
                return None
            position += 1
            return tuple(cells)

        headers: list[str] | None = None
        while (cells := next_row()) is not None:
            checked = [_xlsx_cell(c, position, "", i, max_cell) for i, c in enumerate(cells)]
            if any(text or problem for text, problem in checked):
                headers = _header_cells(checked, position, name)
                break
        if headers is None:
            raise XinyongError(
                "file.empty", f"{name}：第一个工作表“{sheet.title}”中没有列名行（表头），也没有数据"
            )
    except BaseException:
        close()
        raise
    header_row = position

    def rows(columns: list[str]) -> Generator[SourceRow, None, None]:
        while (cells := next_row()) is not None:
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
                continue
            row = position
            checked = [_xlsx_cell(c, row, _at(columns, i), i, max_cell) for i, c in enumerate(cells)]
            yield _build_row(row, checked, columns)
        close()

    return SourceRows(
        format="xlsx", encoding=None, headers=headers, header_row=header_row, rows=rows(headers), close=close
    )
