"""The corpus's large and dangerous files, written into a temporary folder at test time, never committed:
XLSX zip bombs, a huge shared-strings table, thousands of sheets, a bogus dimension and 10 MB cells.

Each generator streams what it writes (deflating zeros chunk by chunk), so making a bomb costs the tests
no more memory than reading one may cost the platform.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from tests.records.conftest import penalty
from tests.records.test_import import LABELS
from xinyong.records.readers import column_letter

CELL_10MB = 10 * 1024 * 1024
_CHUNK = 1024 * 1024

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell(column: int, row: int, text: str, shared: int | None = None) -> str:
    ref = f"{column_letter(column)}{row}"
    if shared is not None:
        return f'<c r="{ref}" t="s"><v>{shared}</v></c>'
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{escaped}</t></is></c>'


def _row(number: int, texts: Iterable[str]) -> str:
    cells = "".join(_cell(i, number, t) for i, t in enumerate(texts))
    return f'<row r="{number}">{cells}</row>'


def _penalty_rows(first: int, count: int, **overrides: str) -> list[list[str]]:
    return [
        [str(penalty(f"生成罚〔2026〕{first + i}号", **overrides).get(k, "")) for k in LABELS]
        for i in range(count)
    ]


def _workbook(path: Path, sheets: int, parts: Mapping[str, Iterable[bytes]], shared: bool = False) -> Path:
    """A minimal workbook with ``sheets`` worksheets; ``parts`` gives each part's content in chunks."""
    names = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_R}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared:
        rels += f'<Relationship Id="rId0" Type="{_R}/sharedStrings" Target="sharedStrings.xml"/>'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
        for i in range(1, sheets + 1)
    )
    if shared:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>'
    fixed = {
        "[Content_Types].xml": _CONTENT_TYPES.format(overrides=overrides),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": f'<workbook {_NS} xmlns:r="{_R}"><sheets>{names}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in fixed.items():
            archive.writestr(name, text)
        for name, chunks in parts.items():
            with archive.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    return path


def _sheet(rows: Iterable[str], dimension: str | None = None) -> Iterator[bytes]:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    yield (head + "<sheetData>").encode()
    for row in rows:
        yield row.encode()
    yield b"</sheetData></worksheet>"


def _header_and_rows(rows: list[list[str]]) -> list[str]:
    return [_row(1, LABELS.values()), *(_row(i, r) for i, r in enumerate(rows, start=2))]


def deflate_bomb(folder: Path) -> Path:
    """300 MB of zeros after the header row, deflated to well under a megabyte."""

    def rows() -> Iterator[bytes]:
        yield from _sheet(_header_and_rows(_penalty_rows(10, 1)))

    def padded() -> Iterator[bytes]:
        chunks = list(rows())
        yield from chunks[:-1]
        zeros = b"<!--" + b"0" * (_CHUNK - 7) + b"-->"
        for _ in range(300):
            yield zeros
        yield chunks[-1]

    return _workbook(folder / "deflate-bomb.xlsx", 1, {"xl/worksheets/sheet1.xml": padded()})


def understated_size(folder: Path) -> Path:
    """A sheet whose central directory claims 1 KB while its deflated data holds 50 MB of rows."""
    path = _workbook(
        folder / "understated-size.xlsx",
        1,
        {"xl/worksheets/sheet1.xml": _sheet([*_header_and_rows(_penalty_rows(20, 1)), "<row/>" * 9_000_000])},
    )
    data = bytearray(path.read_bytes())
    directory = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/worksheets/sheet1.xml") + 1)
    data[directory + 24 : directory + 28] = (1024).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))
    return path


def huge_shared_strings(folder: Path) -> Path:
    """A shared-strings table of 1.5 million distinct strings (39 MB) that compresses about 10:1."""
    count = 1_500_000

    def strings() -> Iterator[bytes]:
        head = f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{count}" uniqueCount="{count}">'
        yield head.encode()
        for start in range(0, count, 100_000):
            yield "".join(f"<si><t>S{n:010d}</t></si>" for n in range(start, start + 100_000)).encode()
        yield b"</sst>"

    header = "".join(_cell(i, 1, "", shared=i) for i in range(len(LABELS)))
    sheet = _sheet([f'<row r="1">{header}</row>'])
    return _workbook(
        folder / "huge-shared-strings.xlsx",
        1,
        {"xl/sharedStrings.xml": strings(), "xl/worksheets/sheet1.xml": sheet},
        shared=True,
    )


def many_sheets(folder: Path) -> Path:
    """Twelve thousand worksheets, each a part of the zip."""
    sheet = b"".join(_sheet(_header_and_rows([])))
    parts = {f"xl/worksheets/sheet{i}.xml": [sheet] for i in range(1, 12_001)}
    return _workbook(folder / "many-sheets.xlsx", 12_000, parts)


def bogus_dimension(folder: Path) -> Path:
    """Two rows that claim to span every cell of a sheet (A1:XFD1048576)."""
    rows = _header_and_rows(_penalty_rows(30, 1))
    return _workbook(
        folder / "bogus-dimension.xlsx",
        1,
        {"xl/worksheets/sheet1.xml": _sheet(rows, dimension="A1:XFD1048576")},
    )


def xlsx_10mb_cell(folder: Path) -> Path:
    """A good row, then a row whose 违法事实 is 10 MB of text that does not compress much."""
    filler = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(CELL_10MB // 3))
    rows = _penalty_rows(40, 2)
    rows[1][list(LABELS).index("violation_facts")] = filler
    return _workbook(
        folder / "cell-10mb.xlsx", 1, {"xl/worksheets/sheet1.xml": _sheet(_header_and_rows(rows))}
    )


def csv_10mb_cell(folder: Path) -> Path:
    """A good row, then a row whose 违法事实 is 10 MB long."""
    rows = _penalty_rows(50, 2)
    rows[1][list(LABELS).index("violation_facts")] = "虚" * (CELL_10MB // 3)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(LABELS.values()), *rows])
    path = folder / "cell-10mb.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


GENERATORS: dict[str, Callable[[Path], Path]] = {
    "deflate-bomb.xlsx": deflate_bomb,
    "understated-size.xlsx": understated_size,
    "huge-shared-strings.xlsx": huge_shared_strings,
    "many-sheets.xlsx": many_sheets,
    "bogus-dimension.xlsx": bogus_dimension,
    "cell-10mb.xlsx": xlsx_10mb_cell,
    "cell-10mb.csv": csv_10mb_cell,
}
