"""Reading department files: CSV in UTF-8 (with or without BOM) and GB18030, XLSX, and the bad files
departments send (wrong encodings, old .xls, zip bombs, formulas, huge cells), each refused with a
clear reason."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest

from xinyong.errors import XinyongError
from xinyong.records.readers import MAX_CELL, SourceRow, SourceRows, read_header, read_rows

from .test_headers import PENALTY_HEADERS

ROW_A = [
    "某某食品有限公司",
    "法人及非法人组织",
    "91370100MA3C000001",
    *[""] * 5,
    "张某",
    "身份证",
    "",
    "",
    "",
    "济市监处罚〔2026〕12号",
    "违反食品安全法",
    "经营超过保质期的食品",
    "《中华人民共和国食品安全法》第一百二十四条",
    "罚款",
    "罚款2000元",
    "0.2",
    "",
    "",
    "2026-03-05",
    "2029-03-05",
    "2029-03-05",
    "某市市场监督管理局",
    "11370100000000000X",
    "某市市场监督管理局",
    "11370100000000000X",
    "",
]
ROW_B = [*ROW_A[:13], "济市监处罚〔2026〕13号", *ROW_A[14:]]


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig", newline: str = "\r\n"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out, lineterminator=newline).writerows(rows)
    return path


def read_all(path: Path, *, max_cell: int = MAX_CELL) -> tuple[SourceRows, list[SourceRow]]:
    rows = read_rows(path, max_cell=max_cell)
    return rows, list(rows)


def refused(path: Path) -> XinyongError:
    with pytest.raises(XinyongError) as caught:
        _, _ = read_all(path)
    return caught.value


# ------------------------------------------------------------------------------------------------ CSV


@pytest.mark.req("ING-1")
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_penalty_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "penalties.csv", [PENALTY_HEADERS, ROW_A, ROW_B], encoding=encoding)
    rows, found = read_all(path)
    assert rows.format == "csv"
    assert rows.encoding == encoding
    assert rows.headers == PENALTY_HEADERS  # no BOM left on the first header
    assert rows.header_row == 1
    assert [r.row for r in found] == [2, 3]
    first = found[0]
    assert first.problems == []
    assert first.values["行政相对人名称"] == "某某食品有限公司"
    assert first.values["罚款金额（万元）"] == "0.2"
    assert first.values["处罚决定日期"] == "2026-03-05"
    assert first.values["行政相对人代码_2(工商注册号)"] == ""
    assert found[1].values["行政处罚决定书文号"] == "济市监处罚〔2026〕13号"


@pytest.mark.req("ING-1")
def test_gb18030_characters_outside_gbk(tmp_path: Path) -> None:
    name = "𠮷野家餐饮有限公司"  # a character that GBK lacks and GB18030 has (four bytes)
    path = write_csv(tmp_path / "rare.csv", [["行政相对人名称", "备注"], [name, "䶮"]], encoding="gb18030")
    rows, found = read_all(path)
    assert rows.encoding == "gb18030"
    assert found[0].values == {"行政相对人名称": name, "备注": "䶮"}


@pytest.mark.req("ING-1")
def test_ascii_headers_then_gb18030_data_far_into_the_file(tmp_path: Path) -> None:
    """Old-template codes are ASCII: the encoding is decided on the first non-ASCII text, wherever it is."""
    padding = [["CF_WSH", "CF_XDR_MC"]] + [[f"NO-{i}", "ACME"] for i in range(20_000)]
    path = write_csv(tmp_path / "old.csv", [*padding, ["NO-X", "某某商行"]], encoding="gb18030")
    rows, found = read_all(path)
    assert rows.encoding == "gb18030"
    assert rows.headers == ["CF_WSH", "CF_XDR_MC"]
    assert found[-1].values == {"CF_WSH": "NO-X", "CF_XDR_MC": "某某商行"}
    assert found[-1].row == 20_002


@pytest.mark.req("ING-1")
def test_quoted_newlines_and_blank_lines_keep_row_numbers_true(tmp_path: Path) -> None:
    text = '行政相对人名称,违法事实\r\n甲公司,"第一行\r\n第二行"\r\n\r\n,\r\n乙公司,  有空格  \r\n'
    path = tmp_path / "multi.csv"
    path.write_bytes(text.encode("utf-8"))
    _, found = read_all(path)
    assert [(r.row, r.values) for r in found] == [
        (2, {"行政相对人名称": "甲公司", "违法事实": "第一行\r\n第二行"}),
        (5, {"行政相对人名称": "乙公司", "违法事实": "有空格"}),
    ]


@pytest.mark.req("ING-1")
def test_header_after_leading_blank_lines_keeps_its_row_number(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes("\n\n行政相对人名称,备注\n甲公司,\n".encode())
    rows, found = read_all(path)
    assert rows.header_row == 3
    assert [r.row for r in found] == [4]


@pytest.mark.req("ING-1")
def test_tab_separated_and_old_macintosh_line_ends(tmp_path: Path) -> None:
    tabbed = tmp_path / "tabbed.txt"
    tabbed.write_bytes("行政相对人名称\t备注\n甲公司\t一,二\n".encode())
    assert [r.values for r in read_rows(tabbed)] == [{"行政相对人名称": "甲公司", "备注": "一,二"}]
    mac = tmp_path / "mac.csv"
    mac.write_bytes('行政相对人名称,备注\r甲公司,"a\rb"\r乙公司,c\r'.encode())
    assert [(r.row, r.values["备注"]) for r in read_rows(mac)] == [(2, "a\rb"), (3, "c")]


@pytest.mark.req("ING-3")
def test_short_rows_are_padded_and_extra_cells_are_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes("行政相对人名称,处罚内容,备注\n甲公司\n乙公司,罚款,无,多余,\n".encode())
    _, (short, long) = read_all(path)
    assert short.values == {"行政相对人名称": "甲公司", "处罚内容": "", "备注": ""}
    assert short.problems == []
    assert long.values == {"行政相对人名称": "乙公司", "处罚内容": "罚款", "备注": "无"}
    [problem] = long.problems
    assert (problem.code, problem.row, problem.field) == ("row.extra_cells", 3, None)
    assert "第3行第D列有内容" in problem.message


@pytest.mark.req("ING-3")
def test_long_cells_and_control_characters_are_refused_per_cell(tmp_path: Path) -> None:
    huge = "违" * 200_000  # past csv's default field limit (131,072), so the guard must be raised
    path = write_csv(
        tmp_path / "cells.csv",
        [["行政相对人名称", "违法事实", "备注"], ["甲公司", "x" * 5000, "a\x00b"], ["乙公司", huge, "好"]],
    )
    _, (first, second) = read_all(path)
    assert first.values == {"行政相对人名称": "甲公司", "违法事实": "", "备注": ""}
    assert [(p.code, p.field, p.row) for p in first.problems] == [
        ("cell.too_long", "违法事实", 2),
        ("cell.control_character", "备注", 2),
    ]
    assert first.problems[0].message == "第2行“违法事实”过长：5,000 个字符，最多 4,000 个"
    assert second.values == {"行政相对人名称": "乙公司", "违法事实": "", "备注": "好"}
    assert [p.code for p in second.problems] == ["cell.too_long"]
    _, (roomy, _) = read_all(path, max_cell=6000)
    assert roomy.values["违法事实"] == "x" * 5000


@pytest.mark.req("ING-3")
def test_unbalanced_quote_past_the_hard_limit_stops_with_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_bytes(('行政相对人名称,备注\n甲公司,好\n乙公司,"没有结束的引号\n' + "续\n" * 600_000).encode())
    rows = read_rows(path)
    assert next(rows).row == 2
    with pytest.raises(XinyongError) as caught:
        next(rows)
    assert caught.value.code == "file.line_too_long"
    assert caught.value.problem.row == 3
    assert "引号不成对" in caught.value.message


@pytest.mark.req("ING-1")
def test_a_csv_is_text_a_leading_equals_sign_is_not_a_formula(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eq.csv", [["备注"], ["=1+1"]])
    assert [r.values for r in read_rows(path)] == [{"备注": "=1+1"}]


# ------------------------------------------------------------------------------------------------ bad files


@pytest.mark.req("ING-1")
def test_empty_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert refused(empty).code == "file.empty"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\r\n , \r\n\r\n")
    assert refused(blank).code == "file.empty"
    header_only = write_csv(tmp_path / "header.csv", [PENALTY_HEADERS])
    rows, found = read_all(header_only)
    assert rows.headers == PENALTY_HEADERS
    assert found == []


@pytest.mark.req("ING-1")
def test_bad_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\xfa")
    error = refused(path)
    assert error.code == "file.encoding"
    assert "UTF-16" in error.message
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes("名称\n".encode() + b"\xff\xfa\xfb\n")
    error = refused(garbage)
    assert error.code == "file.encoding"
    assert "既不是 UTF-8 也不是 GB18030" in error.message


@pytest.mark.req("ING-1")
def test_damaged_utf8_is_not_misread_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes("行政相对人名称,备注\n甲公司,好\n".encode() + b"\xff\n")
    error = refused(path)
    assert error.code == "file.encoding"
    assert "UTF-8" in error.message


@pytest.mark.req("ING-1")
def test_mixed_encodings_deep_in_a_file_name_the_row(tmp_path: Path) -> None:
    rows = [["行政相对人名称"]] + [[f"甲公司{i}"] for i in range(10_000)]
    path = write_csv(tmp_path / "mixed.csv", rows, encoding="utf-8")
    with path.open("ab") as out:
        out.write("乙公司\r\n".encode("gb18030"))
    source = read_rows(path)
    with pytest.raises(XinyongError) as caught:
        for _ in source:
            pass
    assert caught.value.code == "file.encoding"
    assert caught.value.problem.row == 10_002


@pytest.mark.req("ING-1")
def test_old_excel_and_disguised_files_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "penalties.XLS"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    error = refused(xls)
    assert error.code == "file.format"
    assert "XLSX" in error.message and "CSV" in error.message and ".xls" in error.message
    ole_named_xlsx = tmp_path / "locked.xlsx"
    ole_named_xlsx.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert refused(ole_named_xlsx).code == "file.format"
    html = tmp_path / "export.csv"
    html.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert refused(html).code == "file.format"
    not_excel = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(not_excel, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert refused(not_excel).code == "file.format"


@pytest.mark.req("ING-1")
def test_corrupt_xlsx_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 200)
    assert refused(cut).code == "file.corrupt"
    text = tmp_path / "renamed.xlsx"
    text.write_bytes("行政相对人名称\n甲公司\n".encode())
    assert refused(text).code == "file.corrupt"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert refused(broken).code == "file.corrupt"


def zip_with_zeros(path: Path, megabytes: int) -> Path:
    """An 'XLSX' whose sheet is ``megabytes`` MB of zeros, written in chunks: a few hundred KB on disk."""
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


@pytest.mark.req("ING-1")
def test_zip_bomb_is_refused_before_anything_is_decompressed(tmp_path: Path) -> None:
    bomb = zip_with_zeros(tmp_path / "bomb.xlsx", 300)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        error = refused(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == "file.too_large_zip"
    assert "超过上限 200 MB" in error.message
    assert peak < 5 * 1024 * 1024


@pytest.mark.req("ING-1")
def test_highly_compressed_part_is_refused_even_under_the_total(tmp_path: Path) -> None:
    bomb = zip_with_zeros(tmp_path / "dense.csv", 50)  # named .csv: the content decides
    error = refused(bomb)
    assert error.code == "file.too_large_zip"
    assert "xl/worksheets/sheet1.xml" in error.message and "压缩炸弹" in error.message


# ------------------------------------------------------------------------------------------------ XLSX


def penalty_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["行政相对人名称", "罚款金额（万元）", "处罚决定日期", "处罚有效期", "违法事实", "证件号码", "备注"]
    )
    sheet.append(
        ["甲公司", 0.2, date(2026, 3, 5), datetime(2029, 3, 5, 14, 30), "事实", "370102199001011234", None]
    )
    sheet.append(
        ["乙公司", 2000.0, date(2026, 3, 6), date(2029, 3, 6), "=A2&B2", 3.70102199001011e17, "#N/A"]
    )
    sheet.append([])
    sheet.append(["丙公司", 0.1 + 0.2, "2026-03-07", None, "x" * 5000, 12, True])
    sheet.append([None, None, None])
    workbook.save(path)
    return path


@pytest.mark.req("ING-1")
def test_xlsx_values_as_people_see_them(tmp_path: Path) -> None:
    rows, found = read_all(penalty_workbook(tmp_path / "penalties.xlsx"))
    assert rows.format == "xlsx"
    assert rows.encoding is None
    assert rows.headers[:3] == ["行政相对人名称", "罚款金额（万元）", "处罚决定日期"]
    assert [r.row for r in found] == [2, 3, 5]
    first, second, third = found
    assert first.values == {
        "行政相对人名称": "甲公司",
        "罚款金额（万元）": "0.2",
        "处罚决定日期": "2026-03-05",
        "处罚有效期": "2029-03-05",
        "违法事实": "事实",
        "证件号码": "370102199001011234",
        "备注": "",
    }
    assert first.problems == []
    assert second.values["罚款金额（万元）"] == "2000"
    assert third.values["罚款金额（万元）"] == "0.3"
    assert third.values["处罚决定日期"] == "2026-03-07"
    assert third.values["证件号码"] == "12"
    assert third.values["备注"] == "TRUE"


@pytest.mark.req("ING-3")
def test_xlsx_formulas_errors_lost_digits_and_long_cells_are_cell_problems(tmp_path: Path) -> None:
    _, (_, second, third) = read_all(penalty_workbook(tmp_path / "penalties.xlsx"))
    assert [(p.code, p.field, p.row) for p in second.problems] == [
        ("cell.formula", "违法事实", 3),
        ("cell.number_precision", "证件号码", 3),
        ("cell.error", "备注", 3),
    ]
    assert second.problems[0].message == "第3行“违法事实”是公式，请提交数值（把公式结果粘贴为数值）"
    assert second.values["违法事实"] == second.values["证件号码"] == second.values["备注"] == ""
    assert [(p.code, p.field) for p in third.problems] == [("cell.too_long", "违法事实")]
    assert third.values["违法事实"] == ""


@pytest.mark.req("ING-1")
def test_xlsx_with_a_wrong_dimension_and_a_first_sheet_only(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.append(["行政相对人名称"])
    for i in range(5):
        first.append([f"公司{i}"])
    other = workbook.create_sheet("说明")
    other.append(["填表说明"])
    path = tmp_path / "dimension.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "lying.xlsx", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:A6" />', b'<dimension ref="A1:A1" />')
                assert b'ref="A1:A1"' in data
            target.writestr(info, data)
    assert [r.values["行政相对人名称"] for r in read_rows(tmp_path / "lying.xlsx")] == [
        f"公司{i}" for i in range(5)
    ]


@pytest.mark.req("ING-1")
def test_empty_workbook_and_formula_header_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    assert refused(empty).code == "file.empty"
    workbook = openpyxl.Workbook()
    workbook.active.append(["行政相对人名称", '="备"&"注"'])
    formula_header = tmp_path / "formula.xlsx"
    workbook.save(formula_header)
    error = refused(formula_header)
    assert error.code == "file.headers"
    assert "公式" in error.message


@pytest.mark.req("ING-1")
def test_read_header_alone_and_closing_early(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "p.csv", [PENALTY_HEADERS, ROW_A])
    assert read_header(csv_path) == PENALTY_HEADERS
    xlsx_path = penalty_workbook(tmp_path / "p.xlsx")
    assert read_header(xlsx_path)[0] == "行政相对人名称"
    with read_rows(xlsx_path) as rows:
        next(rows)
    assert list(rows) == []  # closed: nothing more, no error


def test_source_row_is_frozen() -> None:
    row = SourceRow(row=2, values={})
    with pytest.raises(AttributeError):
        row.row = 3  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------ memory


@pytest.mark.req("ING-1")
def test_reading_200k_rows_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["行政相对人名称", "行政处罚决定书文号", "罚款金额（万元）", "处罚决定日期", "违法事实"]
        )
        for i in range(200_000):
            writer.writerow(
                [
                    f"某某商贸有限公司{i}",
                    f"济市监处罚〔2026〕{i}号",
                    "0.2",
                    "2026-03-05",
                    "经营超过保质期的食品",
                ]
            )
    tracemalloc.start()
    try:
        count = last = 0
        for row in read_rows(path):
            count += 1
            last = row.row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, last) == (200_000, 200_001)
    print(f"200,000-row CSV ({path.stat().st_size / 2**20:.1f} MB): tracemalloc peak {peak / 1024:.0f} KiB")
    assert peak < 3 * 1024 * 1024
