"""Mapping department file headers to catalog item fields: both 双公示 template generations, and variants."""

from __future__ import annotations

from functools import cache

import pytest

from xinyong.catalog.schema import Item
from xinyong.catalog.service import SHIPPED_DIR, read_file
from xinyong.errors import Problem, XinyongError
from xinyong.records.headers import (
    ambiguous_headers,
    check,
    map_headers,
    normalise_header,
    row_problems,
    to_fields,
    unknown_columns,
)
from xinyong.records.readers import SourceRow

# formats.md §2: the current 行政处罚 template, in order, labels as departments export them.
PENALTY_HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]

# formats.md §1: the current 行政许可 template.
LICENCE_HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]

# formats.md §0: the old (c.2015–2018) penalty template's codes, and the field each one is.
OLD_PENALTY_CODES = {
    "CF_WSH": "document_number",
    "CF_CFMC": "document_name",
    "CF_CFLB1": "penalty_category",
    "CF_CFLB2": "penalty_category_secondary",
    "CF_SY": "violation_facts",
    "CF_YJ": "penalty_basis",
    "CF_XDR_MC": "subject_name",
    "CF_XDR_SHXYM": "uscc",
    "CF_XDR_ZDM": "organisation_code",
    "CF_XDR_GSDJ": "business_registration_number",
    "CF_XDR_SWDJ": "tax_registration_number",
    "CF_XDR_SFZ": "id_number",
    "CF_FR": "legal_representative",
    "CF_JG": "penalty_content",
    "CF_JDRQ": "decision_date",
    "CF_XZJG": "authority",
    "CF_ZT": "status",
    "DFBM": "region_code",
    "SJC": "data_updated_at",
    "BZ": "remarks",
}


@cache
def item(code: str) -> Item:
    catalog = read_file(SHIPPED_DIR / "national.toml").catalog
    return next(i for i in catalog.items if i.code == code)


@pytest.mark.req("ING-1")
def test_normalise_header_brackets_spaces_markers_and_case() -> None:
    assert normalise_header("罚款金额（万元）") == normalise_header("罚款金额(万元)")
    assert normalise_header("\u3000行政相对人名称 *") == normalise_header("行政相对人名称")
    assert normalise_header("*行政相对人名称") == "行政相对人名称"
    assert normalise_header("行政处罚决定书文号（必填）") == "行政处罚决定书文号"
    assert normalise_header("行政处罚决定书文号(必填)*") == "行政处罚决定书文号"
    assert normalise_header("罚款金额\n（万元）") == "罚款金额(万元)"  # Alt+Enter in an Excel header
    assert normalise_header("cf_wsh") == normalise_header("CF_WSH") == normalise_header("ＣＦ＿ＷＳＨ")
    assert normalise_header("*") == "*"  # a marker alone is not stripped to nothing


@pytest.mark.req("ING-1")
@pytest.mark.parametrize(
    ("code", "headers"), [("admin-penalty", PENALTY_HEADERS), ("admin-licence", LICENCE_HEADERS)]
)
def test_current_templates_map_completely(code: str, headers: list[str]) -> None:
    header_map = map_headers(item(code), headers)
    assert header_map.missing == []
    assert header_map.unknown == []
    assert header_map.duplicates == {}
    assert len(header_map.columns) == len(headers)
    check(header_map)
    assert unknown_columns(header_map) == []


@pytest.mark.req("ING-1")
def test_penalty_template_columns_land_on_the_right_fields() -> None:
    columns = map_headers(item("admin-penalty"), PENALTY_HEADERS).columns
    assert columns["行政相对人名称"] == "subject_name"
    assert columns["行政相对人代码_1(统一社会信用代码)"] == "uscc"
    assert columns["行政处罚决定书文号"] == "document_number"
    assert columns["罚款金额（万元）"] == "fine_amount"
    assert columns["没收违法所得、没收非法财物的金额（万元）"] == "confiscation_amount"
    assert columns["处罚决定日期"] == "decision_date"
    assert columns["处罚有效期"] == "valid_until"
    assert columns["公示截止期"] == "public_until"
    assert columns["处罚机关统一社会信用代码"] == "authority_uscc"


@pytest.mark.req("ING-1")
def test_variants_half_width_brackets_old_label_and_required_markers() -> None:
    headers = [
        "*行政相对人名称",
        "行政相对人类别（必填）",
        "行政相对人代码_1（统一社会信用代码）",
        "处罚金额(万元)",
        "没收违法所得、没收非法财物的金额(万元)",
        " 行政处罚决定书文号 ",
        "cf_wfxw",
    ]
    columns = map_headers(item("admin-penalty"), headers).columns
    assert columns == {
        "*行政相对人名称": "subject_name",
        "行政相对人类别（必填）": "subject_category",
        "行政相对人代码_1（统一社会信用代码）": "uscc",
        "处罚金额(万元)": "fine_amount",
        "没收违法所得、没收非法财物的金额(万元)": "confiscation_amount",
        " 行政处罚决定书文号 ": "document_number",
        "cf_wfxw": "violation_type",
    }


@pytest.mark.req("ING-1")
def test_old_template_codes_map_to_their_fields() -> None:
    header_map = map_headers(item("admin-penalty"), list(OLD_PENALTY_CODES))
    assert header_map.columns == OLD_PENALTY_CODES
    assert header_map.unknown == []
    assert header_map.duplicates == {}


@pytest.mark.req("ING-1")
def test_missing_required_and_unknown_columns_are_named() -> None:
    headers = [h for h in PENALTY_HEADERS if h != "行政处罚决定书文号"] + ["血型"]
    header_map = map_headers(item("admin-penalty"), headers)
    assert [f.name for f in header_map.missing] == ["document_number"]
    assert header_map.unknown == ["血型"]
    with pytest.raises(XinyongError) as refused:
        check(header_map)
    assert refused.value.code == "file.headers"
    message = refused.value.message
    assert "缺少必填列：行政处罚决定书文号" in message
    assert "CF_WSH" in message  # the other spellings that would have been accepted
    assert "无法识别的列：“血型”" in message


@pytest.mark.req("ING-1")
def test_wrong_item_says_so() -> None:
    header_map = map_headers(item("court-dishonest-debtor"), ["血型", "爱好"])
    with pytest.raises(XinyongError) as refused:
        check(header_map)
    assert refused.value.code == "file.headers"
    assert "是否选错了目录项" in refused.value.message


@pytest.mark.req("ING-1")
def test_two_columns_for_one_field_are_refused() -> None:
    headers = [*PENALTY_HEADERS, "CF_NR_FK"]
    header_map = map_headers(item("admin-penalty"), headers)
    assert header_map.duplicates == {"fine_amount": ["罚款金额（万元）", "CF_NR_FK"]}
    with pytest.raises(XinyongError) as refused:
        check(header_map)
    assert refused.value.code == "file.duplicate_columns"
    assert "“罚款金额（万元）”、“CF_NR_FK”都对应“罚款金额（万元）”" in refused.value.message


@pytest.mark.req("ING-1")
def test_same_header_written_twice_is_a_duplicate() -> None:
    header_map = map_headers(item("admin-penalty"), [*PENALTY_HEADERS, "备注"])
    assert header_map.duplicates == {"remarks": ["备注", "备注"]}
    with pytest.raises(XinyongError, match=r"file\.duplicate_columns"):
        check(header_map)


@pytest.mark.req("ING-1")
def test_unknown_columns_alone_are_a_warning_not_a_refusal() -> None:
    header_map = map_headers(item("admin-penalty"), [*PENALTY_HEADERS, "经办人", "", "经办人"])
    check(header_map)
    assert header_map.unknown == ["经办人"]
    [warning] = unknown_columns(header_map)
    assert warning.code == "file.unknown_columns"
    assert "“经办人”" in warning.message


@pytest.mark.req("ING-3")
def test_to_fields_and_row_problems_speak_in_field_names() -> None:
    header_map = map_headers(
        item("admin-penalty"), ["行政相对人名称", "处罚金额(万元)", "经办人", "处罚决定日期"]
    )
    formula = Problem("cell.formula", "第2行“处罚决定日期”是公式，请提交数值", field="处罚决定日期", row=2)
    ignored = Problem("cell.too_long", "第2行“经办人”过长", field="经办人", row=2)
    stray = Problem("row.extra_cells", "第2行第F列有内容，但该列没有列名", row=2)
    row = SourceRow(
        row=2,
        values={
            "行政相对人名称": "某某食品有限公司",
            "处罚金额(万元)": "0.2",
            "经办人": "",
            "处罚决定日期": "",
        },
        problems=[formula, ignored, stray],
    )
    assert to_fields(header_map, row) == {
        "subject_name": "某某食品有限公司",
        "fine_amount": "0.2",
        "decision_date": "",
    }
    problems = row_problems(header_map, row)
    assert [(p.code, p.field) for p in problems] == [
        ("cell.formula", "decision_date"),
        ("row.extra_cells", None),
    ]
    assert problems[0].message == formula.message


@pytest.mark.req("ING-1")
def test_no_header_of_the_national_catalog_is_claimed_by_two_fields() -> None:
    catalog = read_file(SHIPPED_DIR / "national.toml").catalog
    assert {i.code: ambiguous_headers(i) for i in catalog.items if ambiguous_headers(i)} == {}
