"""Subject identifiers (SUB-2): unified social credit codes, citizen identity numbers, other documents.

Organizations carry the 18-character 统一社会信用代码 (GB 32100-2015), persons the 18-character 公民身份号码
(GB 11643-1999); a person without one carries another identity document number together with its type.
Check characters are computed by python-stdnum (``stdnum.cn.ric``; ``stdnum.cn.uscc``'s weights, table-driven
here because a batch check computes 100,000 of them, and tested against stdnum); the structure checks are ours
so that a refusal can say exactly which character is wrong and what it should be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from operator import mul
from typing import Literal

from stdnum import numdb
from stdnum.cn import ric as _ric

from xinyong.errors import XinyongError

FIELD = "code"

Sex = Literal["male", "female"]
SEX_LABELS: dict[Sex, str] = {"male": "男", "female": "女"}


class IdType(StrEnum):
    USCC = "uscc"
    CITIZEN_ID = "citizen_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    OTHER = "other"
    MASKED = "masked"

    @property
    def label(self) -> str:
        return ID_TYPE_LABELS[self]


ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.USCC: "统一社会信用代码",
    IdType.CITIZEN_ID: "公民身份号码",
    IdType.PASSPORT: "护照",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PERMANENT_RESIDENCE: "外国人永久居留身份证",
    IdType.OTHER: "其他有效身份证件",
    IdType.MASKED: "已脱敏的身份证号码",
}
# A citizen ID as public sources publish it, part of it starred out: 3423011964****3224.
_MASKED = re.compile(r"^(?=.{18}$)(\d{6,14})\*{2,8}(\d{0,3}[\dX]?)$")


@dataclass(frozen=True)
class Identifier:
    """A validated identifier; ``value`` is the compact form that keys the subject's archive (SUB-3)."""

    kind: IdType
    value: str
    label: str
    birth_date: date | None = None
    sex: Sex | None = None
    region: str | None = None


# ---------------------------------------------------------------------------------------------- compact

_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Zero-width characters come along when a code is copied from a web page or a Word document.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ASCII_DROPPED = {cp: None for cp in range(128) if chr(cp).isspace() or chr(cp) in _HYPHENS}


def compact(code: str) -> str:
    """Strip spaces and hyphens, turn full-width forms into ASCII and upper-case: what people type varies.

    ASCII input, most of what files hold, takes one pass in C: a batch check compacts 100,000 codes."""
    if code.isascii():
        return code.translate(_ASCII_DROPPED).upper()
    text = code.translate(_FULL_WIDTH)
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _HYPHENS and ch not in _INVISIBLE)
    return text.upper()


# ------------------------------------------------------------------------------------------------- USCC

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, Z, S, V
# 18 characters of the alphabet, the 3rd to 8th digits: a code of this shape passes the character checks.
_USCC_SHAPE = re.compile(f"[{USCC_ALPHABET}]{{2}}[0-9]{{6}}[{USCC_ALPHABET}]{{10}}")
# GB 32100-2015 check character (GB/T 17710, ISO 7064 MOD 31-3): each character's value in the alphabet times
# the weight of its place, the same weights as ``stdnum.cn.uscc.calc_check_digit``.
_USCC_VALUES = {ch: value for value, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 32100-2015 登记管理部门代码 (1st character) and the 机构类别代码 (2nd character) each allows, including
# the departments assigned after the standard was published (2-4, 6-8, A, N).
USCC_DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}


# A USCC of a valid department and category in a valid shape (its check character aside) with a letter among
# its first 17 characters, so no citizen ID: most codes of a batch check, recognised by one match.
_PLAIN_USCC = re.compile(
    "(?:{})[0-9]{{6}}(?=[0-9]{{0,8}}[{letters}])[{alphabet}]{{9}}[{alphabet}]".format(
        "|".join(d + t for d, (_, types) in USCC_DEPARTMENTS.items() for t in types),
        letters=USCC_ALPHABET[10:],
        alphabet=USCC_ALPHABET,
    )
)


def _fail(code: str, message: str) -> XinyongError:
    return XinyongError(code, message, field=FIELD)


def uscc_check_character(body: str) -> str:
    """The check character of the first 17 characters of a USCC (of its alphabet): stdnum's
    ``calc_check_digit`` without its clean-up of the input, a third of the time of a batch check."""
    return USCC_ALPHABET[-sum(map(mul, map(_USCC_VALUES.__getitem__, body), _USCC_WEIGHTS)) % 31]


def validate_uscc(code: str) -> str:
    """Return the compact code or raise ``uscc.*`` naming the first wrong character.

    stdnum's own ``validate`` is not used: it requires the first 8 characters to be digits and so refuses the
    A, N and Y departments. The check character is ``uscc_check_character``, equal to stdnum's.
    """
    return _uscc_value(compact(code))


def plain_uscc(code: str) -> str | None:
    """The compact code when ``code`` is a valid USCC that cannot be read as a citizen ID, else None:
    ``validate`` then says what it is or what is wrong. The fast path of a batch check (100,000 codes)."""
    value = code.translate(_ASCII_DROPPED).upper() if code.isascii() else ""
    if _PLAIN_USCC.fullmatch(value) is None or uscc_check_character(value[:17]) != value[17]:
        return None
    return value


def _uscc_value(value: str) -> str:
    """``validate_uscc`` of a compact code. The shape is matched at once; only a code that fails it is
    walked character by character, to name the wrong one in the order of the checks."""
    name = ID_TYPE_LABELS[IdType.USCC]
    shaped = _USCC_SHAPE.fullmatch(value) is not None
    if not shaped:
        if len(value) != 18:
            raise _fail("uscc.length", f"{name}应为18位，实际{len(value)}位")
        for pos, ch in enumerate(value, start=1):
            if ch not in USCC_ALPHABET:
                raise _fail(
                    "uscc.characters",
                    f"{name}第{pos}位字符“{ch}”不是有效字符（只能是数字或除 I、O、Z、S、V 以外的大写字母）",
                )
    department = USCC_DEPARTMENTS.get(value[0])
    if department is None:
        allowed = "、".join(f"{k}（{v[0]}）" for k, v in USCC_DEPARTMENTS.items())
        raise _fail(
            "uscc.registration_department",
            f"{name}第1位登记管理部门代码“{value[0]}”无效，应为：{allowed}",
        )
    dept_name, types = department
    if value[1] not in types:
        allowed = "、".join(f"{k}（{v}）" for k, v in types.items())
        raise _fail(
            "uscc.organisation_type",
            f"{name}第2位机构类别代码“{value[1]}”对登记管理部门“{value[0]}（{dept_name}）”无效，应为：{allowed}",
        )
    if not shaped:
        for pos in range(3, 9):
            ch = value[pos - 1]
            if not ("0" <= ch <= "9"):
                raise _fail(
                    "uscc.characters",
                    f"{name}第{pos}位字符“{ch}”不是有效字符（第3至8位为登记管理机关行政区划码，只能是数字）",
                )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise _fail("uscc.checksum", f"{name}第18位校验码应为“{expected}”，实际为“{value[17]}”")
    return value


# ------------------------------------------------------------------------------------------- citizen ID

# 港澳台居民居住证 numbers follow GB 11643 with these address codes; stdnum's table lacks 830000 (Taiwan).
_RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_EARLIEST_BIRTH_YEAR = 1800
_COUNTY_SPAN = re.compile(r"^\[(\d*)-(\d*)\]")


def _is_ascii_digits(text: str) -> bool:
    return not text or (text.isascii() and text.isdigit())


def _birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def _region_problem(region: str, birth_year: int) -> str | None:
    """Why the address code cannot be on a number of someone born in ``birth_year``, or None.

    stdnum's table marks codes with the years they were in use. A code is refused when unknown, or when it
    was retired before the person was born. A code introduced after the birth year is accepted (stdnum
    refuses it): numbers were assigned when the ID was first issued, often decades after birth.
    """
    if region in _RESIDENCE_PERMIT_REGIONS:
        return None
    counties = [props["county"] for _, props in numdb.get("cn/loc").info(region) if "county" in props]
    if not counties:
        return f"第1至6位地址码“{region}”不是已知的行政区划代码"
    ends: list[int] = []
    for entry in counties[-1].split(","):
        match = _COUNTY_SPAN.match(entry)
        if match is None or not match.group(2):
            return None  # in use without an end
        ends.append(int(match.group(2)))
    if birth_year > max(ends):
        return f"第1至6位地址码“{region}”已于{max(ends)}年后停用，不可能分配给{birth_year}年出生的人"
    return None


def validate_citizen_id(code: str, *, today: date | None = None) -> str:
    """Return the compact number or raise ``citizen_id.*``.

    Checks in order: length, characters, birth date (a real date, not before 1800, not after ``today`` when
    given), check character (stdnum), address code (stdnum's table). 15-digit first-generation numbers are
    refused: they were withdrawn in 2013.
    """
    return _citizen_id(compact(code), today=today).value


def _citizen_id(value: str, *, today: date | None) -> Identifier:
    """``validate_citizen_id`` of a compact number, with what the number tells."""
    name = ID_TYPE_LABELS[IdType.CITIZEN_ID]
    if len(value) != 18:
        old = len(value) == 15 and _is_ascii_digits(value)
        hint = "（15位旧号码已停止使用，请填写18位号码）" if old else ""
        raise _fail("citizen_id.length", f"{name}应为18位，实际{len(value)}位{hint}")
    for pos, ch in enumerate(value[:17], start=1):
        if not ("0" <= ch <= "9"):
            raise _fail("citizen_id.characters", f"{name}第{pos}位字符“{ch}”不是有效字符（前17位只能是数字）")
    if not ("0" <= value[17] <= "9" or value[17] == "X"):
        raise _fail("citizen_id.characters", f"{name}第18位字符“{value[17]}”不是有效字符（只能是数字或X）")
    born = _birth_date(value)
    text = value[6:14]
    if born is None:
        raise _fail("citizen_id.birth_date", f"{name}第7至14位出生日期“{text}”不是有效日期")
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise _fail("citizen_id.birth_date", f"{name}第7至14位出生日期“{text}”早于{_EARLIEST_BIRTH_YEAR}年")
    if today is not None and born > today:
        raise _fail("citizen_id.birth_date", f"{name}第7至14位出生日期“{text}”晚于今天（{today:%Y-%m-%d}）")
    expected = str(_ric.calc_check_digit(value))
    if value[17] != expected:
        raise _fail("citizen_id.checksum", f"{name}第18位校验码应为“{expected}”，实际为“{value[17]}”")
    problem = _region_problem(value[:6], born.year)
    if problem is not None:
        raise _fail("citizen_id.region", f"{name}{problem}")
    sex: Sex = "male" if int(value[16]) % 2 else "female"
    return Identifier(
        kind=IdType.CITIZEN_ID, value=value, label=name, birth_date=born, sex=sex, region=value[:6]
    )


# ------------------------------------------------------------------------------------ other documents


@dataclass(frozen=True)
class _DocumentShape:
    pattern: re.Pattern[str]
    rule: str


_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Structure only: none of these numbers has a published check character we could rely on.
_DOCUMENTS: dict[IdType, _DocumentShape] = {
    # Passports of any country: ICAO 9303 document numbers are letters and digits; lengths vary by issuer.
    IdType.PASSPORT: _DocumentShape(re.compile(r"[0-9A-Z]{5,20}"), "应为5至20位字母或数字"),
    # 回乡证: H (Hong Kong) or M (Macao) then 8 digits; older booklets append a 2-digit issue count.
    IdType.HK_MACAO_PERMIT: _DocumentShape(
        re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?"), "应为H或M开头加8位数字（旧版为10位数字）"
    ),
    # 台胞证: 8 digits; older booklets append up to 2 letters or digits.
    IdType.TAIWAN_PERMIT: _DocumentShape(
        re.compile(r"[0-9]{8}[0-9A-Z]{0,2}"), "应为8位数字（旧版可另加1至2位字母或数字）"
    ),
    # 2004/2017 cards: 3-letter nationality code + 12 digits; 2023 card: 18 characters starting with 9.
    IdType.FOREIGN_PERMANENT_RESIDENCE: _DocumentShape(
        re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]"),
        "应为3位字母加12位数字（旧版），或以9开头的18位号码（2023版）",
    ),
    # Anything else (军官证, 士兵证 ...): letters of any script, digits and parentheses, 2 to 40 characters.
    IdType.OTHER: _DocumentShape(re.compile(r".{2,40}", re.DOTALL), "应为2至40位文字、字母、数字或括号"),
}


def validate_document(code: str, kind: IdType) -> str:
    """Structural check of a non-USCC, non-citizen document number; raises ``document.invalid``.

    The message names the first character that cannot appear, else the expected shape.
    """
    value = compact(code)
    shape = _DOCUMENTS[kind]
    name = f"{ID_TYPE_LABELS[kind]}号码"
    for pos, ch in enumerate(value, start=1):
        allowed = (ch.isalnum() or ch in "()") if kind == IdType.OTHER else ch in _ASCII_ALNUM
        if not allowed:
            raise _fail("document.invalid", f"{name}第{pos}位字符“{ch}”不是有效字符（{shape.rule}）")
    if shape.pattern.fullmatch(value) is None:
        raise _fail("document.invalid", f"{name}格式不正确：{shape.rule}，实际{len(value)}位")
    return value


# ------------------------------------------------------------------------------------------- validation


def _kind(kind: IdType | str) -> IdType:
    if isinstance(kind, IdType):
        return kind
    for member in IdType:
        if kind in (member.value, member.label):
            return member
    choices = "、".join(f"{m.value}（{m.label}）" for m in IdType)
    raise _fail("identifier.unknown_kind", f"未知的证件类型“{kind}”，可选：{choices}")


def _date_shaped(value: str) -> bool:
    """Characters 7-14 read as 18xx-20xx, month 01-12, day 01-31: a birth date, even if not a real one."""
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return _EARLIEST_BIRTH_YEAR <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _citizen_shaped(value: str) -> bool:
    return len(value) == 18 and _is_ascii_digits(value[:17]) and (value[17] == "X" or "0" <= value[17] <= "9")


def _detect(value: str, today: date | None) -> Identifier:
    """Tell a citizen ID from a USCC by structure.

    A citizen ID is 17 digits then a digit or X; a USCC with a letter anywhere but the last place cannot be
    one. When a code has the citizen shape, the citizen ID is tried first and wins if it fully validates
    (birth date, check character and address code all hold); a USCC made of digits is the rare case, and a
    caller who knows the subject kind should pass ``kind``. When neither validates, the error reported is
    the citizen ID's if the code has digits only (and X at the end), and characters 7-14 look like a date
    (year 1800-2099, month 01-12, day 01-31) or characters 1-2 are no USCC category; otherwise the USCC's.
    """
    if _citizen_shaped(value):
        try:
            return _citizen_id(value, today=today)
        except XinyongError as citizen_error:
            try:
                return _identifier(IdType.USCC, _uscc_value(value))
            except XinyongError as uscc_error:
                department = USCC_DEPARTMENTS.get(value[0])
                uscc_category = department is not None and value[1] in department[1]
                if _date_shaped(value) or not uscc_category:
                    raise citizen_error from None
                raise uscc_error from None
    digits = value[:-1] if value.endswith("X") else value
    if len(value) != 18 and _is_ascii_digits(digits):
        return _citizen_id(value, today=today)
    return _identifier(IdType.USCC, _uscc_value(value))


def _identifier(kind: IdType, value: str) -> Identifier:
    return Identifier(kind=kind, value=value, label=ID_TYPE_LABELS[kind])


def validate(code: str | None, kind: IdType | str | None = None, *, today: date | None = None) -> Identifier:
    """Validate an identifier of ``kind`` (an IdType, its value or its Chinese label), or detect it.

    Without ``kind`` only a USCC or a citizen ID can be recognised (see ``_detect``); other documents need
    their type, as SUB-2 requires. ``today`` enables the future-birth-date check; rules read no clock.
    """
    value = compact(code or "")
    if not value:
        raise _fail("identifier.empty", "证件号码为空")
    if kind is None:
        return _detect(value, today)
    chosen = _kind(kind)
    if chosen == IdType.USCC:
        return _identifier(chosen, _uscc_value(value))
    if chosen == IdType.CITIZEN_ID:
        return _citizen_id(value, today=today)
    if chosen == IdType.MASKED:
        found = masked(value)
        if found is None:
            raise _fail("identifier.masked_invalid", "不是已脱敏的18位身份证号码（如 3423011964****3224）")
        return found
    return _identifier(chosen, validate_document(value, chosen))


def masked(code: str | None) -> Identifier | None:
    """A masked citizen ID (court lists published online), or None. It never names one person for sure:
    it keys only what was received that way, and matches only as a probable match with the name."""
    value = compact(code or "").replace("＊", "*")
    match = _MASKED.match(value)
    if match is None or len(match.group(1)) + len(match.group(2)) < 8:
        return None
    return Identifier(IdType.MASKED, value, IdType.MASKED.label)


def masked_forms(code: str) -> list[str]:
    """The masked forms of a full code in every shape :func:`masked` accepts: the numbers a list published
    with masked IDs could show for it, so that the entries of a few codes are looked up instead of read all.
    A form that is no masked ID (letters where digits are shown) matches nothing stored, and is harmless."""
    size = len(code)
    return [
        code[:head] + "*" * (size - head - tail) + code[size - tail :] for head, tail in _mask_shapes(size)
    ]


@lru_cache(maxsize=4)
def _mask_shapes(size: int) -> tuple[tuple[int, int], ...]:
    """(shown before, shown after) for each mask :func:`masked` accepts on a number of ``size`` digits."""
    digits = "1" * size
    return tuple(
        (head, tail)
        for head in range(size)
        for tail in range(size - head - 1)
        if masked(digits[:head] + "*" * (size - head - tail) + digits[size - tail :]) is not None
    )


def masked_matches(pattern: str, code: str) -> bool:
    """Whether a full code shows the visible characters of a masked one, in their places."""
    return len(pattern) == len(code) and all(p in ("*", c) for p, c in zip(pattern, code, strict=True))


def is_valid(code: str | None, kind: IdType | str | None = None, *, today: date | None = None) -> bool:
    try:
        validate(code, kind, today=today)
    except XinyongError:
        return False
    return True


def format(code: str | None, kind: IdType | str | None = None, *, today: date | None = None) -> str:
    """The standard presentation, which for every kind here is the compact form; raises like ``validate``."""
    return validate(code, kind, today=today).value
