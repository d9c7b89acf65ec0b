"""SUB-2: unified social credit codes, citizen identity numbers and other documents are validated."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from xinyong.errors import XinyongError
from xinyong.rules import identifiers
from xinyong.rules.identifiers import (
    USCC_ALPHABET,
    USCC_DEPARTMENTS,
    IdType,
    compact,
    is_valid,
    validate,
    validate_citizen_id,
    validate_uscc,
)

pytestmark = pytest.mark.req("SUB-2")

VALID_USCC = ["91110000802100433B", "9144030071526726XG", "91310000775785552L"]
VALID_CITIZEN_IDS = ["11010519491231002X", "440524188001010014"]


def refused(code: str, kind: IdType | str | None = None, *, today: date | None = None) -> XinyongError:
    with pytest.raises(XinyongError) as info:
        validate(code, kind, today=today)
    assert info.value.problem.field == "code"
    return info.value


def replace_at(code: str, pos: int, ch: str) -> str:
    return code[: pos - 1] + ch + code[pos:]


# ------------------------------------------------------------------------------------------------ USCC


@pytest.mark.parametrize("code", VALID_USCC)
def test_real_uscc_is_valid(code: str) -> None:
    assert uscc.is_valid(code)  # the fixtures themselves are right
    result = validate(code)
    assert result.kind == IdType.USCC
    assert result.value == code
    assert result.label == "统一社会信用代码"
    assert result.birth_date is None and result.sex is None
    assert validate(code, "uscc") == result
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", VALID_USCC)
def test_uscc_wrong_check_character_names_the_expected_one(code: str) -> None:
    wrong = "0" if code[-1] != "0" else "1"
    error = refused(code[:17] + wrong, "uscc")
    assert error.code == "uscc.checksum"
    assert error.message == f"统一社会信用代码第18位校验码应为“{code[-1]}”，实际为“{wrong}”"


def test_uscc_one_changed_character_breaks_the_checksum() -> None:
    mutated = replace_at("91110000802100433B", 11, "3")  # 2 -> 3 in the organisation code
    error = refused(mutated)
    assert error.code == "uscc.checksum"
    assert error.message == f"统一社会信用代码第18位校验码应为“{uscc.calc_check_digit(mutated)}”，实际为“B”"


@pytest.mark.parametrize("code", ["9111000080210043B", "91110000802100433BB", "9"])
def test_uscc_length(code: str) -> None:
    error = refused(code, "uscc")
    assert error.code == "uscc.length"
    assert error.message == f"统一社会信用代码应为18位，实际{len(code)}位"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_uscc_excluded_letters_are_refused_where_they_stand(letter: str) -> None:
    error = refused(replace_at("91110000802100433B", 10, letter), "uscc")
    assert error.code == "uscc.characters"
    assert f"第10位字符“{letter}”不是有效字符" in error.message


def test_uscc_region_code_must_be_digits() -> None:
    error = refused(replace_at("91110000802100433B", 5, "A"), "uscc")
    assert error.code == "uscc.characters"
    assert "第5位字符“A”" in error.message
    assert "行政区划码" in error.message


def test_uscc_unknown_registration_department() -> None:
    error = refused(replace_at("91110000802100433B", 1, "B"), "uscc")
    assert error.code == "uscc.registration_department"
    assert "第1位登记管理部门代码“B”无效" in error.message


def test_uscc_organisation_type_must_belong_to_its_department() -> None:
    error = refused("95110000802100433B", "uscc")  # 工商 has types 1, 2, 3 only
    assert error.code == "uscc.organisation_type"
    assert "第2位机构类别代码“5”" in error.message
    assert "9（工商）" in error.message


@pytest.mark.parametrize("department", ["A", "N", "Y"])
def test_uscc_letter_departments_are_accepted(department: str) -> None:
    # stdnum's own validate refuses these; GB 32100-2015 allows them.
    prefix = department + "1" + "110000" + "MA01ABCD2"
    code = prefix + uscc.calc_check_digit(prefix)
    assert validate(code).kind == IdType.USCC


# ------------------------------------------------------------------------------------------ citizen ID


@pytest.mark.parametrize("code", VALID_CITIZEN_IDS)
def test_real_citizen_id_is_valid(code: str) -> None:
    assert ric.calc_check_digit(code) == code[-1]
    result = validate(code)
    assert result.kind == IdType.CITIZEN_ID
    assert result.label == "公民身份号码"
    assert validate_citizen_id(code) == code


def test_citizen_id_reveals_birth_date_sex_and_region() -> None:
    woman = validate("11010519491231002X")
    assert (woman.birth_date, woman.sex, woman.region) == (date(1949, 12, 31), "female", "110105")
    man = validate("440524188001010014")
    assert (man.birth_date, man.sex, man.region) == (date(1880, 1, 1), "male", "440524")


def test_citizen_id_region_introduced_after_birth_is_accepted() -> None:
    # 440524 was in use 1983-1993; stdnum refuses it for someone born in 1880, but numbers were
    # assigned when the card was issued, not at birth.
    assert not ric.is_valid("440524188001010014")
    assert is_valid("440524188001010014")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("11010519491231002X", "X"), ("440524188001010014", "4")],
)
def test_citizen_id_wrong_check_character(code: str, expected: str) -> None:
    wrong = "1" if expected != "1" else "2"
    error = refused(code[:17] + wrong, "citizen_id")
    assert error.code == "citizen_id.checksum"
    assert error.message == f"公民身份号码第18位校验码应为“{expected}”，实际为“{wrong}”"


def test_citizen_id_one_changed_digit_breaks_the_checksum() -> None:
    code = replace_at("11010519491231002X", 16, "3")
    error = refused(code)
    assert error.code == "citizen_id.checksum"
    assert error.message == f"公民身份号码第18位校验码应为“{ric.calc_check_digit(code)}”，实际为“X”"


@pytest.mark.parametrize("code", ["1101051949123100", "1101051949123100211"])
def test_citizen_id_length(code: str) -> None:
    error = refused(code, "citizen_id")
    assert error.code == "citizen_id.length"
    assert error.message == f"公民身份号码应为18位，实际{len(code)}位"


def test_old_fifteen_digit_number_is_refused_with_a_hint() -> None:
    error = refused("110105491231002")
    assert error.code == "citizen_id.length"
    assert "15位旧号码已停止使用" in error.message


def test_citizen_id_characters() -> None:
    error = refused("1101051949A231002X", "citizen_id")
    assert error.code == "citizen_id.characters"
    assert "第11位字符“A”" in error.message
    error = refused("11010519491231002Y", "citizen_id")
    assert error.code == "citizen_id.characters"
    assert "第18位字符“Y”" in error.message


def with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_feb_29_in_a_leap_year_is_a_birth_date() -> None:
    code = with_check("11010520000229002")
    assert validate(code, "citizen_id").birth_date == date(2000, 2, 29)
    assert validate(code).kind == IdType.CITIZEN_ID


@pytest.mark.parametrize("kind", ["citizen_id", None])
def test_feb_29_in_a_common_year_is_refused(kind: str | None) -> None:
    code = with_check("11010519990229002")
    error = refused(code, kind)
    assert error.code == "citizen_id.birth_date"
    assert error.message == "公民身份号码第7至14位出生日期“19990229”不是有效日期"


def test_future_birth_date_is_refused_only_when_today_is_given() -> None:
    code = with_check("11010520300101002")
    assert validate(code).birth_date == date(2030, 1, 1)
    error = refused(code, today=date(2026, 4, 1))
    assert error.code == "citizen_id.birth_date"
    assert "“20300101”晚于今天（2026-04-01）" in error.message
    assert validate(code, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)


def test_unknown_region_is_refused() -> None:
    error = refused(with_check("99999919491231002"), "citizen_id")
    assert error.code == "citizen_id.region"
    assert "地址码“999999”" in error.message


def test_region_retired_before_birth_is_refused() -> None:
    error = refused(with_check("44052420000101001"), "citizen_id")  # 潮阳县 code retired after 1993
    assert error.code == "citizen_id.region"
    assert "1993" in error.message


def test_taiwan_residence_permit_region_is_accepted() -> None:
    assert validate(with_check("83000019900101002"), "citizen_id").region == "830000"


# ------------------------------------------------------------------------------------------- compact


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9144030071526726xg", "9144030071526726XG"),
        (" 91 4403 0071526726 XG ", "9144030071526726XG"),
        ("914403-007152672-6XG", "9144030071526726XG"),
        ("９１４４０３００７１５２６７２６ＸＧ", "9144030071526726XG"),
        ("110105\u300019491231\t002x", "11010519491231002X"),
        ("\ufeff9144030071526726\u200bXG", "9144030071526726XG"),  # pasted from a web page
    ],
)
def test_typed_variants_are_accepted_after_compact(typed: str, expected: str) -> None:
    assert compact(typed) == expected
    assert validate(typed).value == expected
    assert identifiers.format(typed) == expected


@given(st.text())
def test_compact_is_idempotent(text: str) -> None:
    assert compact(compact(text)) == compact(text)


@given(st.text(st.characters(max_codepoint=127)))
def test_compact_of_ascii_agrees_with_the_general_path(text: str) -> None:
    # A zero-width space, which compact drops, sends the same text down the path for any Unicode input.
    assert compact(text) == compact(text + "\u200b")


# ----------------------------------------------------------------------------------- other documents


@pytest.mark.parametrize(
    ("kind", "code", "value"),
    [
        ("passport", "e12345678", "E12345678"),
        ("passport", "X1234567", "X1234567"),
        ("hk_macao_permit", "H12345678", "H12345678"),
        ("hk_macao_permit", "M1234567801", "M1234567801"),
        ("taiwan_permit", "12345678", "12345678"),
        ("foreign_permanent_residence", "USA110079031212", "USA110079031212"),
        ("foreign_permanent_residence", "911000198001010012", "911000198001010012"),
        ("other", "南字第123456号", "南字第123456号"),
        ("护照", "E12345678", "E12345678"),
    ],
)
def test_other_documents_by_structure(kind: str, code: str, value: str) -> None:
    result = validate(code, kind)
    assert result.value == value
    assert result.kind == (IdType.PASSPORT if kind == "护照" else IdType(kind))
    assert result.label == result.kind.label


@pytest.mark.parametrize(
    ("kind", "code", "fragment"),
    [
        ("passport", "E123", "应为5至20位"),
        ("passport", "E12345678#", "第10位字符“#”"),
        ("passport", "护照12345", "第1位字符“护”"),
        ("hk_macao_permit", "C12345678", "应为H或M开头"),
        ("hk_macao_permit", "H1234567", "实际8位"),
        ("taiwan_permit", "1234567", "实际7位"),
        ("foreign_permanent_residence", "US110079031212", None),
        ("other", "a", "实际1位"),
        ("other", "a_b", "第2位字符“_”"),
    ],
)
def test_other_documents_refused(kind: str, code: str, fragment: str | None) -> None:
    error = refused(code, kind)
    assert error.code == "document.invalid"
    assert error.message.startswith(IdType(kind).label + "号码")
    if fragment:
        assert fragment in error.message


def test_other_documents_are_not_detected_without_kind() -> None:
    assert validate("E12345678", "passport").kind == IdType.PASSPORT
    assert not is_valid("E12345678")


# ------------------------------------------------------------------------------------- kind and empty


@pytest.mark.parametrize("code", ["", "   ", "- -", None])
def test_empty(code: str | None) -> None:
    with pytest.raises(XinyongError) as info:
        validate(code)
    assert info.value.code == "identifier.empty"


def test_unknown_kind() -> None:
    error = refused("91110000802100433B", "driving_licence")
    assert error.code == "identifier.unknown_kind"
    assert "“driving_licence”" in error.message
    assert "passport（护照）" in error.message


def test_detection_reports_the_citizen_error_for_citizen_shaped_codes() -> None:
    assert refused("110105194912310021").code == "citizen_id.checksum"
    assert refused("11010519491231002").code == "citizen_id.length"


def test_detection_reports_the_uscc_error_otherwise() -> None:
    assert refused("91110000802100433C").code == "uscc.checksum"
    assert refused("ABC").code == "uscc.length"


def test_format_and_is_valid() -> None:
    assert identifiers.format(" 91110000802100433b ") == "91110000802100433B"
    assert is_valid("11010519491231002X", IdType.CITIZEN_ID)
    assert not is_valid("11010519491231002X", IdType.USCC)
    with pytest.raises(XinyongError):
        identifiers.format("91110000802100433C")


# ------------------------------------------------------------------------------------------ properties

_DEPARTMENT_AND_TYPE = st.sampled_from([d + t for d, (_, types) in USCC_DEPARTMENTS.items() for t in types])
_USCC_PREFIX = st.builds(
    lambda head, region, body: head + region + body,
    _DEPARTMENT_AND_TYPE,
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(_USCC_PREFIX)
def test_computed_check_character_validates_and_every_other_is_refused(prefix: str) -> None:
    expected = uscc.calc_check_digit(prefix)
    assert validate_uscc(prefix + expected) == prefix + expected
    for other in USCC_ALPHABET.replace(expected, ""):
        with pytest.raises(XinyongError) as info:
            validate_uscc(prefix + other)
        assert info.value.code == "uscc.checksum"
        assert f"应为“{expected}”，实际为“{other}”" in info.value.message


@given(st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_check_character_is_the_one_stdnum_computes(body: str) -> None:
    assert identifiers.uscc_check_character(body) == uscc.calc_check_digit(body)


@given(st.one_of(_USCC_PREFIX, st.text("0123456789X", min_size=17, max_size=17), st.text(max_size=20)))
@example("\x00" * 17)  # seventeen characters outside the alphabet: no check character to compute
def test_the_plain_uscc_path_agrees_with_validate(prefix: str) -> None:
    checkable = len(prefix) == 17 and all(c in USCC_ALPHABET for c in prefix)
    for code in {prefix, prefix + uscc.calc_check_digit(prefix) if checkable else prefix}:
        try:
            found = validate(code)
        except XinyongError:
            found = None
        plain = identifiers.plain_uscc(code)
        organisation = found is not None and found.kind == IdType.USCC and not found.value[8:17].isdigit()
        if organisation and code.isascii():
            assert found is not None and plain == found.value
        else:
            assert plain is None


@given(st.text(), st.sampled_from([None, *IdType]), st.sampled_from([None, date(2026, 4, 1)]))
def test_validate_raises_only_xinyong_error(text: str, kind: IdType | None, today: date | None) -> None:
    try:
        result = validate(text, kind, today=today)
    except XinyongError as error:
        assert error.code.split(".")[0] in {"identifier", "uscc", "citizen_id", "document"}
        assert error.message
    else:
        assert result.value == compact(text)


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_validate_raises_only_xinyong_error_on_citizen_shaped_text(text: str) -> None:
    try:
        validate(text, today=date(2026, 4, 1))
    except XinyongError as error:
        assert error.code.startswith(("citizen_id.", "uscc."))


@pytest.mark.req("LIST-10")
def test_a_masked_citizen_id_is_recognised_only_in_the_published_shape() -> None:
    found = identifiers.masked("3423011964****3224")
    assert found is not None and (found.kind, found.value) == (IdType.MASKED, "3423011964****3224")
    assert identifiers.masked("３４２３０１１９６４＊＊＊＊３２２４") == found  # typed full-width
    for other in ("3423011964**", "342301196401013224", "**************3224", "3423011964****32245"):
        assert identifiers.masked(other) is None, other
    assert identifiers.masked_matches("3423011964****3224", "342301196401013224")
    assert not identifiers.masked_matches("3423011964****3224", "342301196501013224")


@pytest.mark.req("LIST-10")
@given(st.sampled_from(["11010519491231002X", "342301196401013224"]), st.integers(0, 17), st.integers(0, 17))
def test_a_code_s_masked_forms_are_exactly_the_masked_ids_that_show_it(
    code: str, head: int, tail: int
) -> None:
    """A check of a few codes looks their entries up by these forms: any masked ID that shows the code's
    characters in their places must be among them, and each of them must show the code."""
    forms = identifiers.masked_forms(code)
    assert len(forms) == len(set(forms)) == 32
    assert all(identifiers.masked(f) is not None and identifiers.masked_matches(f, code) for f in forms)
    hidden = len(code) - head - tail
    if hidden > 0:
        shown = code[:head] + "*" * hidden + code[len(code) - tail :]
        assert (shown in forms) == (identifiers.masked(shown) is not None)
