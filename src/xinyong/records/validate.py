"""Checking one incoming row against its catalog item, before anything is written (ING-1..5, DATA-1..2).

Pure: the row, the item, the profile and the day go in; a :class:`Candidate` ready to store, or the row's
problems with field and reason, come out. Every problem of a row is reported at once, so a provider fixes a
file in one round.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from xinyong.catalog.schema import SUBJECT_KIND_LABELS, Item, ItemField, SubjectKind
from xinyong.errors import Problem, XinyongError
from xinyong.profiles.schema import Profile, Severity
from xinyong.rules import identifiers
from xinyong.rules.dates import parse_file_date
from xinyong.rules.identifiers import Identifier, IdType
from xinyong.rules.periods import add_span, public_period
from xinyong.rules.text import plain
from xinyong.subjects.service import key_of, kind_of

# Columns any item may carry beside its catalog fields: how serious, why lenient, on whose consent.
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "severity": ("失信程度", "失信等级", "严重程度", "severity"),
    "lenient_reason": ("宽容审慎情形", "从轻情形", "lenient_reason"),
    "consent_ref": ("本人书面同意文号", "授权同意书编号", "consent_ref"),
    "behaviour_end": ("失信行为终止日期", "违法行为终止日期", "behaviour_end"),
    "determination_date": ("失信认定日期", "认定日期", "determination_date"),
    "domain": ("所属领域", "domain"),
}
SEVERITY_WORDS: dict[str, Severity] = {
    "轻微": "minor",
    "轻微失信": "minor",
    "minor": "minor",
    "一般": "general",
    "一般失信": "general",
    "general": "general",
    "严重": "serious",
    "严重失信": "serious",
    "serious": "serious",
}
LENIENT_WORDS = {"不可抗力": "force_majeure", "轻微并及时改正": "minor_corrected", "未成年人": "minor"}
DOMAIN_WORDS = {
    "食品": "food",
    "药品": "drug",
    "特种设备": "special_equipment",
    "安全生产": "work_safety",
    "消防": "fire",
}
# DATA-1: never collected, whatever the consent. DATA-2: a natural person's finances need written consent.
FORBIDDEN = {
    "宗教": "宗教信仰",
    "信仰": "宗教信仰",
    "基因": "基因",
    "指纹": "指纹",
    "血型": "血型",
    "疾病": "疾病和病史",
    "病史": "疾病和病史",
    "病历": "疾病和病史",
}
CONSENT_ONLY = {
    "收入": "收入",
    "存款": "存款",
    "有价证券": "有价证券",
    "证券": "有价证券",
    "商业保险": "商业保险",
    "不动产": "不动产",
    "房产": "不动产",
    "纳税数额": "纳税数额",
    "纳税额": "纳税数额",
}
ID_TYPE_WORDS = {
    "身份证": IdType.CITIZEN_ID,
    "居民身份证": IdType.CITIZEN_ID,
    "公民身份号码": IdType.CITIZEN_ID,
    "护照": IdType.PASSPORT,
    "护照号": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT_RESIDENCE,
}
ADULT_AGE = 18
_AMOUNT = re.compile(r"^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")  # thousands separators only every 3 digits


@dataclass(frozen=True)
class Candidate:
    """A row that passed: everything the record will hold."""

    row: int
    subject: Identifier
    subject_name: str
    subject_kind: SubjectKind | None
    dedupe_key: str
    document_type: str | None
    document_number: str | None
    decision_date: date | None
    severity: Severity | None
    lenient: str | None
    published: bool
    public_until: date | None
    earliest_repair: date | None
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    row: int
    problems: list[Problem]


def _problem(row: int, code: str, message: str, field_name: str | None) -> Problem:
    return Problem(code=code, message=message, field=field_name, row=row)


_CACHED_TEXT = (
    200  # short cells repeat across a department's rows (authorities, bases, dates); long ones do not
)
_CACHE_SIZE = 65_536


def field_value(spec: ItemField, text: str) -> Any:
    """One cell as its field's type; raises XinyongError naming the field (imports, and a provider's changed
    values in a revocation case)."""
    if spec.type == "date":
        return parse_file_date(text, spec.label).isoformat()
    if spec.type in ("decimal", "integer"):
        cleaned = text.strip()
        if not _AMOUNT.match(cleaned):
            unit = "（单位：万元）" if "万元" in spec.label else ""
            raise XinyongError(
                "number.invalid",
                f"{spec.label}：“{text[:40]}”不是数字{unit}，只填数值，如 0.2",
                field=spec.name,
            )
        try:
            number = Decimal(cleaned.replace(",", ""))
        except InvalidOperation as exc:
            raise XinyongError(
                "number.invalid", f"{spec.label}：“{text[:40]}”不是数字", field=spec.name
            ) from exc
        if number < 0:
            raise XinyongError("number.negative", f"{spec.label}不能为负数", field=spec.name)
        if spec.type == "integer" and number != number.to_integral_value():
            raise XinyongError("number.not_integer", f"{spec.label}应为整数", field=spec.name)
        return str(number)
    if spec.type == "identifier" and spec.name.endswith("_uscc"):
        try:  # an authority's or source's code: checked and written one way, so dedupe keys agree
            return identifiers.validate_uscc(text)
        except XinyongError as exc:
            raise XinyongError(exc.code, f"{spec.label}：{exc.message}", field=spec.name) from exc
    value = plain(text, field=spec.name, max_length=spec.max_length or 4000, label=spec.label, multiline=True)
    if spec.type == "choice" and spec.choices and value not in spec.choices:
        raise XinyongError(
            "choice.invalid",
            f"{spec.label}应为：{'、'.join(spec.choices)}（实际为“{value[:40]}”）",
            field=spec.name,
        )
    return value


# Who a record is about: a procedure may change what a record says, never whose record it is.
IDENTITY_FIELDS = frozenset({"subject_name", "uscc", "id_number", "id_type"})


def changed_values(item: Item, changes: Mapping[str, str], *, code: str) -> dict[str, Any]:
    """New values a procedure gives some fields of a record (a revocation's change, an objection's
    correction), each checked as its field's type; ``code`` prefixes the error codes. Whose record it is,
    and the fields its public period and duplicate check were computed from, are not changed this way: the
    provider withdraws the record and delivers it again."""
    known = {f.name: f for f in item.fields}
    keyed = {"public_until", "source_uscc"} | (
        {item.document.number_field, item.document.date_field} if item.document else set()
    )
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in known or name in IDENTITY_FIELDS:
            raise XinyongError(f"{code}.field", f"不能变更的字段：{name[:64]}", field="changes")
        if name in keyed:
            raise XinyongError(
                f"{code}.keyed_field",
                f"{known[name].label}决定记录的公示期限或查重依据，不能在此变更：请信息提供单位撤回后重新报送",
                field=name,
            )
        if not str(value).strip():
            raise XinyongError(f"{code}.value_required", f"{known[name].label}：变更后的内容为空", field=name)
        checked[name] = field_value(known[name], str(value))
    return checked


def _sensitive(columns: Mapping[str, str], words: Mapping[str, str]) -> list[tuple[str, str]]:
    """(column, what it is) for each non-empty column whose header names data of the given kinds."""
    found = []
    for header, text in columns.items():
        name = unicodedata.normalize("NFKC", header)
        what = next((label for word, label in words.items() if word in name), None)
        if what is not None and text.strip():
            found.append((header, what))
    return found


def _identify(uscc: str, id_type: str, id_number: str, masked_ok: bool) -> Identifier:
    """Who a row is about (SUB-2): the USCC, or the identity document with its type; raises naming it.
    ``masked_ok``: the item receives lists published with masked citizen IDs (LIST-10)."""
    field_name = "uscc" if uscc else "id_number"
    try:
        if uscc:
            return identifiers.validate(uscc, IdType.USCC)
        if masked_ok and (masked := identifiers.masked(id_number)) is not None:
            return masked
        if id_number:
            kind = ID_TYPE_WORDS.get(id_type, IdType.OTHER if id_type else None)
            return identifiers.validate(id_number, kind)
    except XinyongError as exc:
        raise XinyongError(exc.code, exc.message, field=field_name) from exc
    raise XinyongError(
        "subject.identifier_required", "须填写统一社会信用代码，或证件类型和证件号码", field="uscc"
    )


def _subject_kind(declared: str, subject: Identifier) -> SubjectKind | XinyongError:
    """The subject kind from 行政相对人类别 and the code, or why the two disagree (SUB-1)."""
    organisation = subject.kind is IdType.USCC
    if declared == "自然人" and organisation:
        return XinyongError(
            "subject.category_mismatch",
            "行政相对人类别为“自然人”，却填写了统一社会信用代码；自然人应填写证件类型和证件号码",
            field="subject_category",
        )
    if declared == "法人及非法人组织" and not organisation:
        return XinyongError(
            "subject.category_mismatch",
            "行政相对人类别为“法人及非法人组织”，应填写统一社会信用代码，而不是个人证件号码",
            field="subject_category",
        )
    if declared == "个体工商户":
        return "individual_business"
    return kind_of(subject)


class RowChecker:
    """Checks the rows of one delivery against its catalog item: pure, with the context fixed.

    The item, profile, day and provider are the same for every row, and what repeats across a department's
    rows (codes, dates, authorities, bases, periods) is worked out once and remembered, which is most of a
    file's cells. ``optional`` names required fields this delivery need not fill: the fields the current
    双公示 template added, for a file in the old template (see ``records.headers``).
    """

    def __init__(
        self,
        *,
        item: Item,
        profile: Profile,
        today: date,
        provider: str,
        default_severity: Severity | None = None,
        optional: frozenset[str] = frozenset(),
    ) -> None:
        self.item, self.profile, self.today, self.provider = item, profile, today, provider
        self.default_severity = default_severity
        self.required = {f.name for f in item.fields if f.required} - optional
        self._cell = lru_cache(maxsize=_CACHE_SIZE)(self._cell_value)
        self._identify = lru_cache(maxsize=_CACHE_SIZE)(_identify)
        self._periods = lru_cache(maxsize=_CACHE_SIZE)(self._periods_of)
        self._specs = {f.name: f for f in item.fields}
        self._dates = [f for f in item.fields if f.type == "date"]

    def _cell_value(self, name: str, text: str) -> Any:
        return field_value(self._specs[name], text)

    def _periods_of(
        self,
        severity: Severity | None,
        decision: date | None,
        behaviour_end: date | None,
        determination: date | None,
        domain_word: str,
    ) -> tuple[bool, date | None, date | None]:
        dates = {"behaviour_end": behaviour_end, "determination_date": determination}
        return _periods(self.item, self.profile, severity, decision, dates, domain_word, self.today)

    def _fields(self, values: Mapping[str, str], row: int, problems: list[Problem]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in self.item.fields:
            text = values.get(spec.name, "").strip()
            if not text:
                if spec.name in self.required:
                    problems.append(_problem(row, "field.required", f"{spec.label}不能为空", spec.name))
                continue
            try:
                if len(text) <= _CACHED_TEXT:
                    data[spec.name] = self._cell(spec.name, text)
                else:
                    data[spec.name] = field_value(spec, text)
            except XinyongError as exc:
                problems.append(_problem(row, exc.code, exc.message, spec.name))
        return data

    def _dates_in_order(self, data: Mapping[str, Any], row: int, problems: list[Problem]) -> None:
        """A decision is not dated in the future; a period does not end before it began."""
        for spec in self._dates:
            day = data.get(spec.name)
            if not isinstance(day, str):
                continue
            if spec.name == self._date_field and day > self.today.isoformat():
                problems.append(
                    _problem(
                        row, "date.future", f"{spec.label} {day} 晚于今天，尚未作出的决定不能归集", spec.name
                    )
                )
            start = data.get(spec.not_before) if spec.not_before else None
            if isinstance(start, str) and day < start:
                label = self._specs[spec.not_before].label if spec.not_before else ""
                problems.append(
                    _problem(row, "date.order", f"{spec.label} {day} 早于{label} {start}", spec.name)
                )

    @property
    def _date_field(self) -> str:
        return self.item.document.date_field if self.item.document else "decision_date"

    def check(self, values: Mapping[str, str], extra: Mapping[str, str], row: int) -> Candidate | Rejected:
        """``values``: the item's fields (field name → text); ``extra``: the other columns (header → text)."""
        item = self.item
        problems: list[Problem] = []
        for header, what in _sensitive(extra, FORBIDDEN):
            problems.append(
                _problem(row, "data.forbidden", f"“{header}”列含有禁止归集的个人信息（{what}）", header)
            )
        data = self._fields(values, row, problems)
        self._dates_in_order(data, row, problems)

        subject: Identifier | None = None
        kind: SubjectKind | None = None
        try:
            subject = self._identify(
                values.get("uscc", "").strip(),
                values.get("id_type", "").strip(),
                values.get("id_number", "").strip(),
                item.masked_ids,
            )
        except XinyongError as exc:
            problems.append(_problem(row, exc.code, exc.message, exc.problem.field))
        if subject is not None:
            found = _subject_kind(str(data.get("subject_category", "")), subject)
            if isinstance(found, XinyongError):
                problems.append(_problem(row, found.code, found.message, found.problem.field))
            elif found not in item.subject_kinds:
                problems.append(
                    _problem(
                        row,
                        "record.subject_kind_not_allowed",
                        f"目录项“{item.name}”不归集{SUBJECT_KIND_LABELS[found]}的信息",
                        "subject_category" if "subject_category" in data else "uscc",
                    )
                )
            else:
                kind = found
        natural = subject is not None and subject.kind is not IdType.USCC
        meta = {name: extra.get(name, "").strip() for name in RECORD_COLUMNS}
        if natural and not meta["consent_ref"]:
            for header, what in _sensitive(extra, CONSENT_ONLY):
                problems.append(
                    _problem(
                        row,
                        "data.consent_required",
                        f"“{header}”列是自然人的{what}信息，须附本人书面同意（consent_ref）",
                        header,
                    )
                )

        document = item.document
        number = (
            str(data.get(document.number_field, "")) if document else str(data.get("document_number", ""))
        )
        decided = data.get(self._date_field)
        if item.category == "negative" and document is not None:
            for name, label in ((document.number_field, "文号"), (document.date_field, "日期")):
                if name not in data and not any(p.field == name for p in problems):
                    problems.append(
                        _problem(
                            row,
                            "record.document_required",
                            f"失信信息须有{document.type}的{label}（ING-2）",
                            name,
                        )
                    )

        severity: Severity | None = None
        if item.category == "negative":
            word = meta["severity"] or (self.default_severity or item.severity or "")
            severity = SEVERITY_WORDS.get(word)
            if severity is None:
                problems.append(
                    _problem(
                        row,
                        "record.severity_required",
                        "失信信息须写明失信程度：轻微、一般或严重（可在导入时指定默认值）",
                        "severity",
                    )
                )
        lenient = LENIENT_WORDS.get(meta["lenient_reason"]) if meta["lenient_reason"] else None
        if meta["lenient_reason"] and lenient is None:
            problems.append(
                _problem(
                    row,
                    "record.lenient_invalid",
                    f"宽容审慎情形应为：{'、'.join(LENIENT_WORDS)}",
                    "lenient_reason",
                )
            )
        extra_dates: dict[str, date | None] = {}
        for name, label in (("behaviour_end", "失信行为终止日期"), ("determination_date", "失信认定日期")):
            try:
                extra_dates[name] = parse_file_date(meta[name], label) if meta[name] else None
            except XinyongError as exc:
                problems.append(_problem(row, exc.code, exc.message, name))
                continue
            day = extra_dates[name]
            if day is not None and day > self.today:
                problems.append(_problem(row, "date.future", f"{label} {day} 晚于今天", name))
        if problems or subject is None:
            return Rejected(row, problems)

        decision = date.fromisoformat(decided) if isinstance(decided, str) else None
        if subject.birth_date and decision and lenient is None:
            age = (
                decision.year
                - subject.birth_date.year
                - ((decision.month, decision.day) < (subject.birth_date.month, subject.birth_date.day))
            )
            if age < ADULT_AGE and item.category == "negative":
                lenient = "minor"  # ING-5: recorded, flagged, not escalated to lists by default

        notes: list[str] = []
        published, last_day, earliest = self._periods(
            severity,
            decision,
            extra_dates["behaviour_end"],
            extra_dates["determination_date"],
            meta["domain"],
        )
        declared = data.get("public_until")
        if last_day is not None and isinstance(declared, str) and date.fromisoformat(declared) > last_day:
            allowed = last_day.isoformat()
            notes.append(f"公示截止期 {declared} 超过规则允许的 {allowed}，已按 {allowed} 处理")
        elif last_day is not None and isinstance(declared, str):
            last_day = date.fromisoformat(declared)  # a provider may publish for less than the rule allows

        identity = (
            data.get("source_uscc") or self.provider
        )  # the original provider, whichever route it came by
        basis = number or json.dumps(data, sort_keys=True, ensure_ascii=False)
        dedupe = hashlib.sha256(f"{identity}|{item.code}|{basis}|{key_of(subject)}".encode()).hexdigest()
        return Candidate(
            row=row,
            subject=subject,
            subject_name=str(data.get("subject_name", "")),
            subject_kind=kind,
            dedupe_key=dedupe,
            document_type=document.type if document else None,
            document_number=number or None,
            decision_date=decision,
            severity=severity,
            lenient=lenient,
            published=published,
            public_until=last_day,
            earliest_repair=earliest,
            data=data,
            notes=notes,
        )


def _periods(
    item: Item,
    profile: Profile,
    severity: Severity | None,
    decision: date | None,
    dates: Mapping[str, date | None],
    domain_word: str,
    today: date,
) -> tuple[bool, date | None, date | None]:
    """Published or not, last public day, earliest repair (PER-1, PER-4)."""
    if item.disclosure != "public" or item.public_period is None:
        return False, None, None
    start = decision or today
    if item.public_period == "profile":
        assert severity is not None  # negative items always carry one here
        period = public_period(
            profile.publicity,
            severity=severity,
            decision_date=start,
            behaviour_end=dates.get("behaviour_end"),
            determination_date=dates.get("determination_date"),
            domain=DOMAIN_WORDS.get(domain_word),
        )
        return period.published, period.last_public_day, period.earliest_repair
    return True, add_span(start, item.public_period), None
