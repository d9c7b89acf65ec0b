"""The shipped national base catalog: its items, their categories and periods, and the column headers of the
national 双公示 templates (new and old generations) each mapping to exactly one field (CAT-1, CAT-2, CAT-3).

The template columns below are transcribed from ``reference/formats.md`` §1 (行政许可) and §2 (行政处罚).
"""

from __future__ import annotations

import tomllib
import unicodedata
from datetime import date
from pathlib import Path

import pytest

import xinyong.data
from xinyong.access.policy import ORG_KIND_LABELS
from xinyong.catalog.schema import CatalogFile, Item
from xinyong.profiles.schema import Span

NATIONAL = Path(xinyong.data.__file__).parent / "catalog" / "national.toml"

CATEGORIES = {
    "admin-licence": "basic",
    "admin-penalty": "negative",
    "court-dishonest-debtor": "negative",
    "received-list-entry": "negative",
    "award": "positive",
    "commitment": "other",
    "tax-a-grade": "positive",
    "abnormal-operation": "negative",
    "dishonest-commitment": "negative",
    "government-dishonesty": "negative",
}
NEGATIVE_KINDS = {
    "admin-penalty": "administrative_act",
    "court-dishonest-debtor": "refusing_judgment",
    "received-list-entry": "administrative_act",
    "abnormal-operation": "administrative_act",
    "dishonest-commitment": "false_commitment",
    "government-dishonesty": "administrative_act",
}

# formats.md §1: the new licence template, in order: (label, code, field it must map to).
LICENCE_TEMPLATE = [
    ("行政相对人名称", "XK_XDR_MC", "subject_name"),
    ("行政相对人类别", "XK_XDR_LB", "subject_category"),
    ("行政相对人代码_1(统一社会信用代码)", "XK_XDR_SHXYM", "uscc"),
    ("行政相对人代码_2(工商注册号)", "XK_XDR_GSZC", "business_registration_number"),
    ("行政相对人代码_3(组织机构代码)", "XK_XDR_ZZJG", "organisation_code"),
    ("行政相对人代码_4(税务登记号)", "XK_XDR_SWDJ", "tax_registration_number"),
    ("行政相对人代码_5(事业单位证书号)", "XK_XDR_SYDW", "institution_certificate_number"),
    ("行政相对人代码_6(社会组织登记证号)", "XK_XDR_SHZZ", "social_organisation_number"),
    ("法定代表人", "XK_FRDB", "legal_representative"),
    ("法定代表人证件类型", "XK_FR_ZJLX", "legal_representative_id_type"),
    ("法定代表人证件号码", "XK_FR_ZJHM", "legal_representative_id_number"),
    ("证件类型", "XK_XDR_ZJLX", "id_type"),
    ("证件号码", "XK_XDR_ZJHM", "id_number"),
    ("行政许可决定文书名称", "XK_XKWS", "document_name"),
    ("行政许可决定文书号", "XK_WSH", "document_number"),
    ("许可类别", "XK_XKLB", "licence_category"),
    ("许可证书名称", "XK_XKZS", "certificate_name"),
    ("许可编号", "XK_XKBH", "licence_number"),
    ("许可内容", "XK_NR", "licence_content"),
    ("许可决定日期", "XK_JDRQ", "decision_date"),
    ("有效期自", "XK_YXQZ", "valid_from"),
    ("有效期至", "XK_YXQZI", "valid_until"),
    ("许可机关", "XK_XKJG", "authority"),
    ("许可机关统一社会信用代码", "XK_XKJGDM", "authority_uscc"),
    ("当前状态", "XK_ZT", "status"),
    ("数据来源单位", "XK_LYDW", "source"),
    ("数据来源单位统一社会信用代码", "XK_LYDWDM", "source_uscc"),
    ("备注", "BZ", "remarks"),
]

# formats.md §2: the new penalty template, in order: (label, code, field, max length or None).
PENALTY_TEMPLATE = [
    ("行政相对人名称", "CF_XDR_MC", "subject_name", 200),
    ("行政相对人类别", "CF_XDR_LB", "subject_category", 100),
    ("行政相对人代码_1(统一社会信用代码)", "CF_XDR_SHXYM", "uscc", 18),
    ("行政相对人代码_2(工商注册号)", "CF_XDR_GSZC", "business_registration_number", 50),
    ("行政相对人代码_3(组织机构代码)", "CF_XDR_ZZJG", "organisation_code", 9),
    ("行政相对人代码_4(税务登记号)", "CF_XDR_SWDJ", "tax_registration_number", 15),
    ("行政相对人代码_5(事业单位证书号)", "CF_XDR_SYDW", "institution_certificate_number", 12),
    ("行政相对人代码_6(社会组织登记证号)", "CF_XDR_SHZZ", "social_organisation_number", 50),
    ("法定代表人", "CF_FRDB", "legal_representative", 50),
    ("法定代表人证件类型", "CF_FR_ZJLX", "legal_representative_id_type", 64),
    ("法定代表人证件号码", "CF_FR_ZJHM", "legal_representative_id_number", 64),
    ("证件类型", "CF_XDR_ZJLX", "id_type", 64),
    ("证件号码", "CF_XDR_ZJHM", "id_number", 64),
    ("行政处罚决定书文号", "CF_WSH", "document_number", 128),
    ("违法行为类型", "CF_WFXW", "violation_type", 2000),
    ("违法事实", "CF_SY", "violation_facts", 2000),
    ("处罚依据", "CF_YJ", "penalty_basis", 2048),
    ("处罚类别", "CF_CFLB", "penalty_category", 255),
    ("处罚内容", "CF_NR", "penalty_content", 4000),
    ("罚款金额（万元）", "CF_NR_FK", "fine_amount", None),
    ("没收违法所得、没收非法财物的金额（万元）", "CF_NR_WFFF", "confiscation_amount", None),
    ("暂扣或吊销证照名称及编号", "CF_NR_ZKDX", "licence_suspended", 200),
    ("处罚决定日期", "CF_JDRQ", "decision_date", None),
    ("处罚有效期", "CF_YXQ", "valid_until", None),
    ("公示截止期", "CF_GSJZQ", "public_until", None),
    ("处罚机关", "CF_CFJG", "authority", 255),
    ("处罚机关统一社会信用代码", "CF_CFJGDM", "authority_uscc", 18),
    ("数据来源单位", "CF_SJLY", "source", 200),
    ("数据来源单位统一社会信用代码", "CF_SJLYDM", "source_uscc", 18),
    ("备注", "BZ", "remarks", 512),
]

# formats.md §2 必填: name, 类别 (of the subject), 文号, 违法行为类型, 违法事实, 依据, 类别 (of the penalty),
# 内容, 决定日期, 有效期, 处罚机关 (+代码), 数据来源单位 (+代码).
PENALTY_REQUIRED = {
    "subject_name",
    "subject_category",
    "document_number",
    "violation_type",
    "violation_facts",
    "penalty_basis",
    "penalty_category",
    "penalty_content",
    "decision_date",
    "valid_until",
    "authority",
    "authority_uscc",
    "source",
    "source_uscc",
}
LICENCE_REQUIRED = {"subject_name", "document_name", "document_number", "decision_date", "authority"}

# formats.md §0: the old (c.2015–2018) template's codes and labels, and the field each lands in. The old
# 代码_2/_3/_5 columns mean something else than the new ones of the same number.
OLD_LICENCE = {
    "XK_WSH": "document_number",
    "行政许可决定书文号": "document_number",
    "XK_XMMC": "document_name",
    "项目名称": "document_name",
    "XK_SPLB": "licence_category",
    "审批类别": "licence_category",
    "XK_NR": "licence_content",
    "XK_XDR": "subject_name",
    "XK_XDR_SHXYM": "uscc",
    "XK_XDR_ZDM": "organisation_code",
    "行政相对人代码_2(组织机构代码)": "organisation_code",
    "XK_XDR_GSDJ": "business_registration_number",
    "行政相对人代码_3(工商登记码)": "business_registration_number",
    "XK_XDR_SWDJ": "tax_registration_number",
    "XK_XDR_SFZ": "id_number",
    "行政相对人代码_5(居民身份证号)": "id_number",
    "行政相对人代码_5 (居民身份证号)": "id_number",
    "XK_FR": "legal_representative",
    "法定代表人姓名": "legal_representative",
    "XK_FR_SFZH": "legal_representative_id_number",
    "XK_JDRQ": "decision_date",
    "XK_JZQ": "valid_until",
    "许可截止期": "valid_until",
    "XK_XZJG": "authority",
    "XK_ZT": "status",
    "DFBM": "region_code",
    "SJC": "data_updated_at",
    "数据更新时间戳": "data_updated_at",
    "BZ": "remarks",
}
OLD_PENALTY = {
    "CF_WSH": "document_number",
    "CF_CFMC": "document_name",
    "处罚名称": "document_name",
    "CF_CFLB1": "penalty_category",
    "处罚类别1": "penalty_category",
    "CF_CFLB2": "penalty_category_secondary",
    "处罚类别2": "penalty_category_secondary",
    "CF_SY": "violation_facts",
    "处罚事由": "violation_facts",
    "CF_YJ": "penalty_basis",
    "CF_XDR_MC": "subject_name",
    "CF_XDR_SHXYM": "uscc",
    "CF_XDR_ZDM": "organisation_code",
    "行政相对人代码_2(组织机构代码)": "organisation_code",
    "CF_XDR_GSDJ": "business_registration_number",
    "行政相对人代码_3(工商登记码)": "business_registration_number",
    "CF_XDR_SWDJ": "tax_registration_number",
    "CF_XDR_SFZ": "id_number",
    "行政相对人代码_5(居民身份证号)": "id_number",
    "CF_FR": "legal_representative",
    "法定代表人姓名": "legal_representative",
    "CF_FR_SFZH": "legal_representative_id_number",
    "CF_JG": "penalty_content",
    "处罚结果": "penalty_content",
    "CF_JDRQ": "decision_date",
    "CF_XZJG": "authority",
    "CF_ZT": "status",
    "CF_GSJZQ": "public_until",
    "DFBM": "region_code",
    "SJC": "data_updated_at",
    "BZ": "remarks",
}

# The names shared by items, so the importer maps the common columns the same way everywhere.
COMMON_FIELDS = {
    "subject_name",
    "subject_category",
    "uscc",
    "business_registration_number",
    "organisation_code",
    "tax_registration_number",
    "institution_certificate_number",
    "social_organisation_number",
    "legal_representative",
    "legal_representative_id_type",
    "legal_representative_id_number",
    "id_type",
    "id_number",
    "document_name",
    "document_number",
    "decision_date",
    "valid_until",
    "authority",
    "authority_uscc",
    "source",
    "source_uscc",
    "remarks",
}


def load() -> CatalogFile:
    with NATIONAL.open("rb") as handle:
        return CatalogFile.model_validate(tomllib.load(handle))


def items() -> dict[str, Item]:
    return {item.code: item for item in load().items}


def header_map(item: Item) -> dict[str, list[str]]:
    """Every header of an item with the fields that claim it."""
    found: dict[str, list[str]] = {}
    for field in item.fields:
        for header in field.headers:
            found.setdefault(header, []).append(field.name)
    return found


def normalised(header: str) -> str:
    """A header as an importer that ignores bracket width, spaces and letter case would see it."""
    return "".join(unicodedata.normalize("NFKC", header).split()).casefold()


def field_for(item: Item, header: str) -> str:
    claimed = header_map(item).get(header, [])
    assert len(claimed) == 1, f"{item.code}: header {header!r} maps to {claimed or 'no field'}"
    return claimed[0]


def other_width(header: str) -> str:
    half, full = "()", "（）"
    if "(" in header:
        return header.translate(str.maketrans(half, full))
    return header.translate(str.maketrans(full, half))


# ---------------------------------------------------------------------------------------- the file


@pytest.mark.req("CAT-1")
def test_the_national_catalog_ships_the_base_items() -> None:
    catalog = load()
    assert catalog.scope == "national"
    assert catalog.version == "national-base-5"
    assert catalog.effective_from == date(2026, 1, 1)
    assert "国家发展改革委" in catalog.approved_by and "中国人民银行" in catalog.approved_by
    assert [item.code for item in catalog.items] == list(CATEGORIES)


@pytest.mark.req("CAT-2")
def test_every_item_states_what_a_catalog_item_must_state() -> None:
    for item in load().items:
        assert item.name and item.subject_kinds and item.update_cycle and item.use_scope and item.legal_basis
        assert item.disclosure == "public", item.code
        assert item.public_period is not None, item.code
        assert item.retention == "profile", item.code
        assert item.shared_with == ["*"], item.code
        assert item.providers and set(item.providers) <= set(ORG_KIND_LABELS) - {"operator", "agency"}
        for field in item.fields:
            assert field.label in field.headers, f"{item.code}.{field.name}: its label is not a header"
            assert bool(field.choices) == (field.type == "choice"), f"{item.code}.{field.name}"
        # The platform stores each item as JSON and reads it back: nothing may change on the way.
        assert Item.model_validate_json(item.model_dump_json()) == item


@pytest.mark.req("CAT-2")
def test_court_list_comes_from_the_courts_and_double_publicity_is_due_in_seven_working_days() -> None:
    found = items()
    assert "court" in found["court-dishonest-debtor"].providers
    assert "最高人民法院关于公布失信被执行人名单信息的若干规定" in found["court-dishonest-debtor"].legal_basis
    for code in ("admin-licence", "admin-penalty"):
        assert "7个工作日" in found[code].update_cycle
        assert found[code].update_days == "profile"  # timed by the profile's 双公示 limit (ING-8)


@pytest.mark.req("CAT-2")
@pytest.mark.req("RPT-1")
def test_every_national_item_states_its_update_cycle_as_working_days_too() -> None:
    """The number the statistics time each item by is the one its words state (RPT-1)."""
    for code, item in items().items():
        assert item.update_days is not None, code
        if item.update_days != "profile":
            assert f"{item.update_days}个工作日" in item.update_cycle, code
    assert items()["abnormal-operation"].update_days == 20


@pytest.mark.req("CAT-2")
def test_licence_and_penalty_use_the_common_field_names() -> None:
    found = items()
    for code in ("admin-licence", "admin-penalty"):
        names = {f.name for f in found[code].fields}
        assert names >= COMMON_FIELDS, f"{code} lacks {sorted(COMMON_FIELDS - names)}"


# ---------------------------------------------------------------------------------------- categories


@pytest.mark.req("CAT-3")
def test_categories_and_negative_kinds() -> None:
    found = items()
    assert {code: item.category for code, item in found.items()} == CATEGORIES
    assert {code: item.negative_kind for code, item in found.items() if item.negative_kind} == NEGATIVE_KINDS


@pytest.mark.req("CAT-3")
def test_negative_items_take_their_public_period_from_the_profile_and_others_state_one() -> None:
    """A profile only knows how long dishonesty information is shown; everything else needs its own span."""
    for item in load().items:
        if item.category == "negative":
            assert item.public_period == "profile", item.code
        else:
            assert isinstance(item.public_period, Span), item.code
            assert item.public_period.key() > (0, 0), item.code


# ---------------------------------------------------------------------------------------- 双公示 templates


@pytest.mark.req("CAT-2")
def test_penalty_required_fields_are_those_the_template_marks() -> None:
    penalty = items()["admin-penalty"]
    assert {f.name for f in penalty.fields if f.required} == PENALTY_REQUIRED


@pytest.mark.req("CAT-2")
def test_licence_required_fields() -> None:
    licence = items()["admin-licence"]
    assert {f.name for f in licence.fields if f.required} == LICENCE_REQUIRED


@pytest.mark.req("CAT-2")
@pytest.mark.parametrize(("label", "code", "name"), LICENCE_TEMPLATE)
def test_every_licence_template_column_maps_to_one_field(label: str, code: str, name: str) -> None:
    licence = items()["admin-licence"]
    assert field_for(licence, label) == name
    assert field_for(licence, code) == name
    if "(" in label:
        assert field_for(licence, other_width(label)) == name


@pytest.mark.req("CAT-2")
@pytest.mark.parametrize(("label", "code", "name", "length"), PENALTY_TEMPLATE)
def test_every_penalty_template_column_maps_to_one_field(
    label: str, code: str, name: str, length: int | None
) -> None:
    penalty = items()["admin-penalty"]
    assert field_for(penalty, label) == name
    assert field_for(penalty, code) == name
    if "(" in label or "（" in label:
        assert field_for(penalty, other_width(label)) == name
    field = next(f for f in penalty.fields if f.name == name)
    assert field.label == label
    assert field.max_length == length


@pytest.mark.req("CAT-2")
def test_the_template_field_types() -> None:
    found = items()
    penalty = {f.name: f for f in found["admin-penalty"].fields}
    licence = {f.name: f for f in found["admin-licence"].fields}
    assert penalty["fine_amount"].type == penalty["confiscation_amount"].type == "decimal"
    for fields in (penalty, licence):
        assert fields["subject_category"].choices == ["法人及非法人组织", "自然人", "个体工商户"]
        assert fields["decision_date"].type == fields["valid_until"].type == "date"
    assert penalty["public_until"].type == licence["valid_from"].type == "date"


@pytest.mark.req("CAT-2")
@pytest.mark.parametrize(
    ("code", "header", "name"),
    [("admin-licence", h, n) for h, n in OLD_LICENCE.items()]
    + [("admin-penalty", h, n) for h, n in OLD_PENALTY.items()],
)
def test_old_template_columns_map_to_the_same_fields(code: str, header: str, name: str) -> None:
    assert field_for(items()[code], header) == name


@pytest.mark.req("CAT-2")
@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("处罚金额（万元）", "fine_amount"),
        ("处罚金额(万元)", "fine_amount"),
        ("罚款金额(万元)", "fine_amount"),
        ("没收违法所得、没收非法财物的金额(万元)", "confiscation_amount"),
        ("统一社会信用代码", "uscc"),
        ("行政相对人代码_1（统一社会信用代码）", "uscc"),
    ],
)
def test_common_penalty_header_variants(header: str, name: str) -> None:
    assert field_for(items()["admin-penalty"], header) == name


@pytest.mark.req("CAT-2")
@pytest.mark.parametrize("code", list(CATEGORIES))
def test_no_header_maps_to_two_fields(code: str) -> None:
    item = items()[code]
    twice = {header: names for header, names in header_map(item).items() if len(names) > 1}
    assert not twice, f"{code}: {twice}"
    # Nor when an importer ignores bracket width, spaces and case: variants of one header agree.
    seen: dict[str, str] = {}
    for field in item.fields:
        for header in field.headers:
            other = seen.setdefault(normalised(header), field.name)
            assert other == field.name, f"{code}: {header!r} maps to {field.name} and {other}"
