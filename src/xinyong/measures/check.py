"""Credit checks (信用审查): one subject or a batch, in a scenario, for a stated purpose (CHK-1, CHK-2, MEA-5,
MEA-7, PER-3).

Set-based (DESIGN principle 6): the codes of a batch are validated and turned into subject keys, then one
query per table finds, for all keys at once, the list entries in force, the marks a black listing left on
responsible persons and the negative records in their public period; entries received with a masked
identity number are loaded once and matched by their visible characters and the name. Each result explains
itself (which entry, which list, which measure, on which basis), and each check is one ``credit_check`` row,
its results compressed as JSON lines, plus one audit event: a department can show its auditors what it
checked, when and why, and keep a batch as a numbered certificate verifiable like a credit report.

This module reads list entries and records itself, read-only: the lists and records services look up one
subject at a time, a check looks up a hundred thousand.
"""

from __future__ import annotations

import gc
import json
import secrets
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, cast

from pydantic_core import to_json
from sqlalchemy import (
    ColumnElement,
    FromClause,
    String,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, defer

from xinyong.access import service as access
from xinyong.access.policy import OrgKind, policy
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.db.bulk import among
from xinyong.errors import Forbidden, NotFound, Problem, XinyongError
from xinyong.evaluation import service as evaluation
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry, ListMark
from xinyong.lists.schema import LIST_KIND_LABELS
from xinyong.measures import service as measures
from xinyong.measures.models import CreditCheck
from xinyong.measures.schema import Measure
from xinyong.records.models import STANDING, Record
from xinyong.records.readers import SourceRow, read_rows
from xinyong.rules import identifiers
from xinyong.rules.identifiers import IdType
from xinyong.rules.text import normalise
from xinyong.subjects import service as subjects
from xinyong.subjects.service import ROLE_LABELS, key_of

MAX_CODES = 100_000
"""Most codes one check takes. An operational limit, not a regulation: a whole bidder list or applicant file
fits, and the answer (tens of MB of JSON) still goes back in one response. Larger files are split."""
PERMISSION = "check.run"
CODE_COLUMNS: dict[str, IdType] = {"统一社会信用代码": IdType.USCC, "证件号码": IdType.CITIZEN_ID}
NAME_COLUMNS = ("名称", "姓名", "主体名称", "单位名称", "企业名称", "行政相对人名称")
VERDICT_LABELS = {"intercept": "拦截", "warn": "提示", "pass": "通过"}
MATCH_LABELS = {
    "exact": "主体本身在名单中",
    "responsible": "所在组织被列入名单，本人为其责任人员",
    "probable": "可能匹配（名单公布的证件号码已脱敏）",
}
# A record under objection still stands (records.models.STANDING), marked, as credit reports show it.
OBJECTION_STATE = "objection"
MASK = "*"
NOTHING_FOUND = "未查见名单信息，未查见公示期内的失信信息"
STAGES = ("校验代码", "比对名单", "比对失信信息", "生成结果")
# How often the validation stage reports progress.
PROGRESS_EVERY = 5_000
# Results encoded between two hand-overs to the compressing thread.
PACK_CHUNK = 5_000
# Up to this many distinct codes, PostgreSQL gets them as an array parameter rather than a temporary table.
ARRAY_KEYS = 1_000
# Up to this many codes, the masked numbers each could be published as are looked up (32 a citizen ID, by
# index); a larger batch reads every entry received with a masked number once instead.
LOOKED_UP_MASKS = 256

Progress = Callable[[str, int, int], None]


# ------------------------------------------------------------------------------------------- input
class Wanted(NamedTuple):
    """One code to check, as a file row or a request gave it; ``kind`` when its column says which kind,
    ``problem`` when the reader already refused the cell. A tuple: a batch makes 100,000 of them."""

    row: int
    code: str
    name: str = ""
    field: str = "code"
    kind: IdType | None = None
    problem: Problem | None = None


def within_limit(count: int) -> None:
    if count > MAX_CODES:
        raise XinyongError(
            "check.too_many",
            f"每次审查最多 {MAX_CODES:,} 个代码，本次提交了 {count:,} 个；请分批审查",
            field="codes",
        )


def read_codes(path: Path, *, progress: Progress | None = None, name: str | None = None) -> list[Wanted]:
    """The codes of a department's file: a CSV or XLSX with a 统一社会信用代码 or 证件号码 column (and a name
    column, if any, to match masked list entries), or a plain list, one code per line. Organisations are
    checked by USCC, persons by citizen ID. Every row is counted: a file over the limit says by how much."""
    with read_rows(path, name=name) as rows:
        columns = [c for c in CODE_COLUMNS if c in rows.headers]
        if not columns and (rows.format == "xlsx" or sum(1 for h in rows.headers if h) > 1):
            raise XinyongError(
                "check.no_code_column",
                f"{name or path.name}：没有“统一社会信用代码”或“证件号码”列",
                field="file",
            )
        name_column = next((c for c in NAME_COLUMNS if c in rows.headers), None)
        wanted: list[Wanted] = []
        if not columns:  # a plain list, one column: its first line is a code, not a header
            first = rows.headers[0] if rows.headers else ""
            wanted.append(Wanted(row=rows.header_row, code=first))
            columns = [first]
        count = len(wanted)
        for row in rows:
            count += 1
            if count <= MAX_CODES:
                wanted.append(_from_row(row, columns, name_column))
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress("读取文件", count, 0)
    within_limit(count)
    return wanted


def _from_row(row: SourceRow, columns: list[str], name_column: str | None) -> Wanted:
    column = next((c for c in columns if row.values.get(c)), columns[0])
    kind = CODE_COLUMNS.get(column)
    field = column if kind is not None else "code"
    refused = next((p for p in row.problems if p.field in columns), None)
    if refused is not None:
        return Wanted(row=row.row, code="", field=field, problem=refused)
    name = row.values.get(name_column, "") if name_column else ""
    return Wanted(row=row.row, code=row.values.get(column, ""), name=name, field=field, kind=kind)


# ------------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class Rules:
    types: lists.ListTypes
    measures: measures.MeasureList

    def list_name(self, code: str) -> str:
        found = self.types.types.get(code)
        return found.name if found else code


def rules(data_dir: Path) -> Rules:
    types = lists.list_types(data_dir)
    return Rules(types, measures.measure_list(data_dir, frozenset(types.types)))


def department_roles(session: Session, org_code: str) -> frozenset[str]:
    """The roles an organisation checks in when no account speaks for it (the command line, benchmarks):
    those holding the check permission that its kind may take."""
    org = access.get_org(session, org_code)
    rules_ = policy()
    roles = frozenset(
        name
        for name, role in rules_.roles.items()
        if PERMISSION in role.permissions and rules_.role_fits(name, cast(OrgKind, org.kind))
    )
    if not roles:
        raise Forbidden("check.not_allowed", f"{org.name}（{org.code}）不是可以进行信用审查的机构")
    return roles


# ------------------------------------------------------------------------------------------- lookups
class _Key(NamedTuple):
    """A valid code of the batch (a tuple: there are 100,000 of them)."""

    row: int
    code: str
    name: str
    person: bool


_PLAIN_KINDS = (None, IdType.USCC)


def _resolve(
    codes: Sequence[Wanted], today: date, progress: Progress | None
) -> tuple[list[_Key], list[dict[str, Any]]]:
    """Valid codes become subject keys; a bad one becomes an error with its row, like an import reject.
    An organisation's plain USCC, most of a batch, takes the fast path."""
    keys: list[_Key] = []
    errors: list[dict[str, Any]] = []
    plain = identifiers.plain_uscc
    for done, wanted in enumerate(codes, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(STAGES[0], done, len(codes))
        problem = wanted.problem
        if problem is None and wanted.kind in _PLAIN_KINDS and (value := plain(wanted.code)) is not None:
            keys.append(_Key(wanted.row, value, wanted.name, False))
            continue
        if problem is None:
            try:
                identifier = identifiers.validate(wanted.code, wanted.kind, today=today)
            except XinyongError as exc:
                problem = exc.problem
            else:
                person = identifier.kind is IdType.CITIZEN_ID
                keys.append(_Key(wanted.row, key_of(identifier), wanted.name, person))
                continue
        errors.append(
            {
                "row": wanted.row,
                "field": wanted.field,
                "code": problem.code,
                "message": problem.message,
                "value": wanted.code[:64],
            }
        )
    return keys, errors


def _in_force(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """An entry counts while active and inside its term: a removed (repaired, revoked) or expired entry never
    does, even before the sweep has moved it (PER-3)."""
    return (*lists.in_force(as_of), or_(ListEntry.entered_on.is_(None), ListEntry.entered_on <= as_of))


class _Entry(NamedTuple):
    """A list entry as a check reads it: a plain tuple, its fields read ten times faster than a row's."""

    number: str
    list_type: str
    kind: str
    subject_key: str | None
    subject_name: str
    masked_id: str | None
    determining_org: str
    entered_on: date | None
    term_end: date | None


_ENTRY = (
    ListEntry.number,
    ListEntry.list_type,
    ListEntry.kind,
    ListEntry.subject_key,
    ListEntry.subject_name,
    ListEntry.masked_id,
    ListEntry.determining_org,
    ListEntry.entered_on,
    ListEntry.term_end,
)


def _keys(session: Session, keys: Sequence[str]) -> FromClause:
    """``keys`` (distinct) as a table with one column, ``value``, sent once for all the lookups of a check:
    no IN list of 100,000 parameters, no chunks. SQLite, in-process, reads a JSON array as a table.
    PostgreSQL gets a batch by COPY into a temporary table, analysed so that it plans index lookups for a few
    keys and one scan for many (an array parameter of 100,000 took three times as long to send and plan);
    a few keys go as one array parameter, as the planner's guess for an array suits them, and the statements
    keep their compiled form, where each temporary table's own name made them new to compile every time."""
    if session.get_bind().dialect.name != "postgresql":
        return func.json_each(json.dumps(list(keys))).table_valued("value")
    if len(keys) <= ARRAY_KEYS:
        array = bindparam(None, list(keys), type_=postgresql.ARRAY(String))
        return func.unnest(array).table_valued("value").render_derived()
    name = f"check_key_{secrets.token_hex(4)}"
    connection = session.connection()
    connection.execute(text(f"CREATE TEMPORARY TABLE {name} (value VARCHAR(64) PRIMARY KEY) ON COMMIT DROP"))
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {name} (value) FROM STDIN") as copy:
        for key in keys:
            copy.write_row((key,))
    connection.execute(text(f"ANALYZE {name}"))
    return table(name, column("value", String))


def _entries(session: Session, keys: FromClause, as_of: date) -> dict[str, list[_Entry]]:
    rows = session.execute(
        select(*_ENTRY).where(ListEntry.subject_key.in_(select(keys.c.value)), *_in_force(as_of))
    )
    found: dict[str, list[_Entry]] = defaultdict(list)
    for row in map(_Entry._make, rows):
        found[cast(str, row.subject_key)].append(row)
    return found


def _marks(session: Session, keys: FromClause, as_of: date) -> dict[str, list[Any]]:
    """Black listings of organisations in which these persons hold a responsible role (LIST-6)."""
    rows = session.execute(
        select(ListMark.person_key, ListMark.role, ListMark.org_key, *_ENTRY)
        .join(ListEntry, ListEntry.id == ListMark.entry_id)
        .where(
            ListMark.person_key.in_(select(keys.c.value)),
            ListMark.ended_on.is_(None),
            ListEntry.kind == "black",
            *_in_force(as_of),
        )
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.person_key].append(row)
    return found


@dataclass(frozen=True)
class _Negative:
    count: int
    lenient: bool
    objected: bool


def _negatives(
    session: Session, keys: FromClause, as_of: date, *, marked_shown: bool
) -> dict[str, _Negative]:
    """Negative records published and in their public period on ``as_of``: public information, the same a
    visitor of the portal sees (PER-2), so a check shows no more than that; a record marked by an objection
    counts only where the profile keeps it public and in use (``marked_shown``, OBJ-2).

    The records are counted from ``ix_record_standing_subject_key``, whose condition the query repeats word
    for word so that both databases know the index covers it; on PostgreSQL its included columns answer the
    rest, and no table row is read. The keys are joined, not tested with IN. Where the period is tested
    differs: PostgreSQL filters the index entries as it reads them, twice as fast as counting each in three
    sums; SQLite, which plans without statistics, would walk the state index for every key if the period
    were in WHERE, so there it is tested in the sums."""
    negative = [i.item.code for i in catalog.items_in_force(session, as_of) if i.item.category == "negative"]
    if not negative:
        return {}
    counted = and_(
        Record.item_code.in_(negative),
        Record.public_until >= as_of,
        or_(Record.decision_date.is_(None), Record.decision_date <= as_of),
        *(() if marked_shown else (Record.state != OBJECTION_STATE,)),
    )
    objected = Record.state == OBJECTION_STATE
    if session.get_bind().dialect.name == "postgresql":
        tested: tuple[ColumnElement[bool], ...] = (counted,)
        sums: tuple[ColumnElement[int], ...] = (
            func.count(),
            func.count(Record.lenient),
            func.count().filter(objected),
        )
    else:
        tested = ()
        sums = (
            func.count().filter(counted),
            func.count(Record.lenient).filter(counted),
            func.count().filter(and_(counted, objected)),
        )
    rows = session.execute(
        select(Record.subject_key, *sums)
        .join_from(keys, Record, Record.subject_key == keys.c.value)
        .where(text(STANDING), *tested)
        .group_by(Record.subject_key)
        .having(sums[0] > 0)
    )
    return {row[0]: _Negative(int(row[1]), bool(row[2]), bool(row[3])) for row in rows}


def _visible(masked: str) -> tuple[int, str, str]:
    """A masked number's length and the characters shown before and after the mask."""
    return len(masked), masked[: masked.index(MASK)], masked[masked.rindex(MASK) + 1 :]


def _probable(session: Session, keys: Sequence[_Key], as_of: date) -> dict[int, list[_Entry]]:
    """Entries received with a masked identity number whose visible characters and name both match a
    checked subject, by the row of that subject. The name comes from the request or file, else from the
    subject's archive; without a name there is no match."""
    shown = ListEntry.masked_id.contains(MASK)
    if len(keys) <= LOOKED_UP_MASKS:  # by the masked number alone first: SQLite would take the status index
        forms = list({form for key in keys for form in identifiers.masked_forms(key.code)})
        ids = session.scalars(select(ListEntry.id).where(among(session, ListEntry.masked_id, forms))).all()
        if not ids:
            return {}
        shown = among(session, ListEntry.id, ids)
    masked = session.execute(
        select(*_ENTRY).where(ListEntry.subject_key.is_(None), shown, *_in_force(as_of))
    ).all()
    if not masked:
        return {}
    shapes: dict[tuple[int, int, int], dict[tuple[str, str], list[_Entry]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for entry in map(_Entry._make, masked):
        length, head, tail = _visible(cast(str, entry.masked_id))
        shapes[(length, len(head), len(tail))][(head, tail)].append(entry)
    candidates: dict[_Key, list[_Entry]] = defaultdict(list)
    for (size, before, after), index in shapes.items():  # a few shapes: one pass over the keys for each
        for key in keys:
            code = key.code
            listed = index.get((code[:before], code[size - after :])) if len(code) == size else None
            if listed:
                candidates[key].extend(listed)
    found: dict[int, list[_Entry]] = {}
    for key, listed in candidates.items():
        name = key.name or _archive_name(session, key.code)
        matching = [e for e in listed if name and _same_name(e.subject_name, name)]
        if matching:
            found[key.row] = matching
    return found


def _same_name(listed: str, given: str) -> bool:
    """Names as people type them: full- or half-width, traditional or simplified, spaced (王 五) or not."""
    return "".join(normalise(listed).split()) == "".join(normalise(given).split())


def _archive_name(session: Session, key: str) -> str:
    subject = subjects.find(session, key)
    return subject.name if subject is not None else ""


# ------------------------------------------------------------------------------------------- results
@dataclass
class _Explainer:
    """Turns what was found for one subject into its result. What depends only on the list type or the
    measure (names, bases, MEA-5's choice of measures and the sentence saying it) is built once per check."""

    rules: Rules
    scenario: str

    def __post_init__(self) -> None:
        self.scenario_name = self.rules.measures.scenarios[self.scenario]
        self._chosen: dict[tuple[str, bool], tuple[list[Measure], str]] = {}
        self._types: dict[str, dict[str, Any]] = {}
        self._measures: dict[str, dict[str, Any]] = {}

    def chosen(self, list_type: str, *, responsible: bool) -> tuple[list[Measure], str]:
        """MEA-5: a measure applies only when it names the entry's list type and covers the scenario, and
        to a responsible person only when it reaches responsible persons."""
        wanted = (list_type, responsible)
        if wanted not in self._chosen:
            found = [
                m
                for m in self.rules.measures.for_scenario(list_type, self.scenario)
                if not responsible or m.target == "subject_and_responsible"
            ]
            said = (
                f"在“{self.scenario_name}”场景适用" + "、".join(f"“{m.matter}”" for m in found)
                if found
                else f"该名单在“{self.scenario_name}”场景无{'及于责任人员的' if responsible else ''}适用措施"
            )
            self._chosen[wanted] = (found, said)
        return self._chosen[wanted]

    def _type(self, code: str) -> dict[str, Any]:
        if code not in self._types:
            found = self.rules.types.types.get(code)
            self._types[code] = {
                "list_type": code,
                "list_name": self.rules.list_name(code),
                "determining": found.determining if found else "",
                "legal_basis": found.legal_basis if found else "",
            }
        return self._types[code]

    def _measure(self, measure: Measure) -> dict[str, Any]:
        if measure.code not in self._measures:
            self._measures[measure.code] = {
                "code": measure.code,
                "kind": measure.kind,
                "matter": measure.matter,
                "means": measure.means,
                "implementing": measure.implementing,
                "legal_basis": measure.legal_basis,
                "target": measure.target,
            }
        return self._measures[measure.code]

    def membership(self, entry: Any, match: str) -> dict[str, Any]:
        return {
            "entry": entry.number,
            **self._type(entry.list_type),
            "kind": entry.kind,
            "kind_name": LIST_KIND_LABELS.get(entry.kind, entry.kind),
            "determining_org": entry.determining_org,
            "subject_name": entry.subject_name,
            "entered_on": entry.entered_on.isoformat() if entry.entered_on else None,
            "term_end": entry.term_end.isoformat() if entry.term_end else None,
            "match": match,
        }

    def _apply(self, applied: dict[str, dict[str, Any]], found: Sequence[Measure], entry: str) -> None:
        for measure in found:
            if measure.code in applied:
                applied[measure.code]["entries"].append(entry)
            else:
                applied[measure.code] = {**self._measure(measure), "entries": [entry]}

    def result(
        self,
        key: _Key,
        entries: Sequence[Any],
        marks: Sequence[Any],
        negative: _Negative | None,
        probable: Sequence[Any],
        grade: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if not (entries or marks or negative or probable):
            return self.nothing_found(key, grade)
        memberships: list[dict[str, Any]] = []
        applied: dict[str, dict[str, Any]] = {}
        reasons: list[str] = []
        for entry in entries:
            memberships.append(self.membership(entry, "exact"))
            found, said = self.chosen(entry.list_type, responsible=False)
            self._apply(applied, found, entry.number)
            reasons.append(f"{self._listed(entry)}，{said}")
        for mark in marks:
            memberships.append(
                {**self.membership(mark, "responsible"), "role": mark.role, "organisation": mark.org_key}
            )
            found, said = self.chosen(mark.list_type, responsible=True)
            self._apply(applied, found, mark.number)
            role = ROLE_LABELS.get(mark.role, mark.role)
            reasons.append(f"所在组织 {mark.org_key} {self._listed(mark)}，本人为其{role}；{said}")
        for entry in probable:
            memberships.append({**self.membership(entry, "probable"), "masked_id": entry.masked_id})
            reasons.append(
                f"{self.rules.list_name(entry.list_type)}（编号 {entry.number}）公布的证件号码为脱敏号码 "
                f"{entry.masked_id}，姓名“{entry.subject_name}”及号码可见位均相符，可能为同一主体，请核实；"
                "脱敏信息不作为拦截依据"
            )
        if negative is not None:
            marks_ = "，其中有适用宽容审慎的信息" if negative.lenient else ""
            marks_ += "，其中有异议处理中的信息" if negative.objected else ""
            reasons.append(f"有 {negative.count} 条失信信息在公示期内{marks_}")
        intercept = any(m["kind"] == "punishment" for m in applied.values())
        verdict = "intercept" if intercept else "warn" if negative is not None or probable else "pass"
        # COM-3: no dishonesty of its own (a black listing, its role in a black-listed organisation, a
        # negative record in its public period) makes a subject eligible for 容缺受理 when it commits.
        black = any(e.kind == "black" for e in entries) or bool(marks)
        return {
            "row": key.row,
            "code": key.code,
            "verdict": verdict,
            "lists": memberships,
            "measures": list(applied.values()),
            "negative_records": negative.count if negative else 0,
            "tolerance": not black and negative is None,
            "flags": {
                "lenient": bool(negative and negative.lenient),
                "objected": bool(negative and negative.objected),
            },
            "reasons": reasons or [NOTHING_FOUND],
            "grade": grade,
        }

    @staticmethod
    def nothing_found(key: _Key, grade: dict[str, Any] | None = None) -> dict[str, Any]:
        """The result of most codes, built without looking at anything."""
        return {
            "row": key.row,
            "code": key.code,
            "verdict": "pass",
            "lists": [],
            "measures": [],
            "negative_records": 0,
            "tolerance": True,
            "flags": {"lenient": False, "objected": False},
            "reasons": [NOTHING_FOUND],
            "grade": grade,
        }

    def _listed(self, entry: Any) -> str:
        since = f"{entry.entered_on} 列入" if entry.entered_on else "已列入"
        until = f"，有效期至 {entry.term_end}" if entry.term_end else ""
        return f"列入{self.rules.list_name(entry.list_type)}（编号 {entry.number}，{since}{until}）"


# ------------------------------------------------------------------------------------------- the check
@dataclass(frozen=True)
class Outcome:
    check: CreditCheck
    errors: list[dict[str, Any]]
    lines: list[bytes]
    """Each result as JSON, encoded once for the log and for the answer; the results themselves are not
    kept (see ``_pack``)."""
    failed: bytes
    """The errors as one JSON array."""

    @property
    def results(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def as_dict(self) -> dict[str, Any]:
        return {**summary(self.check), "results": self.results, "errors": self.errors}

    def json(self) -> bytes:
        """``as_dict()`` as JSON, from the lines already encoded."""
        return _document(self.check, self.lines, self.failed)


def run(
    session: Session,
    *,
    data_dir: Path,
    codes: Sequence[Wanted],
    scenario: str,
    purpose: str,
    roles: frozenset[str],
    org_code: str,
    actor: AuditActor,
    as_of: date,
    now: datetime,
    marked_shown: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Check every code in ``scenario`` as of ``as_of`` for ``org_code`` and log the check. Bad codes are
    reported by row and the rest checked; an unknown scenario, a purpose the department may not state or too
    many codes refuse the whole check."""
    found = rules(data_dir)
    found.measures.scenario(scenario)
    stated = policy().purpose(purpose, roles)
    org = access.get_org(session, org_code)
    within_limit(len(codes))
    if not codes:
        raise XinyongError("check.no_codes", "没有要审查的代码", field="codes")
    with _paused_collector():
        keys, errors = _resolve(codes, as_of, progress)
        distinct = list(dict.fromkeys(k.code for k in keys))
        _report(progress, 1, len(distinct))
        checked = _keys(session, distinct) if distinct else None
        entries = _entries(session, checked, as_of) if checked is not None else {}
        people = list(dict.fromkeys(k.code for k in keys if k.person))  # only persons hold roles
        marks = _marks(session, _keys(session, people), as_of) if people else {}
        probable = _probable(session, keys, as_of)
        _report(progress, 2, len(distinct))
        negatives = (
            _negatives(session, checked, as_of, marked_shown=marked_shown) if checked is not None else {}
        )
        grades = evaluation.current_grades(session, checked, as_of) if checked is not None else {}  # CHK-1
        _report(progress, 3, len(keys))
        explain = _Explainer(found, scenario)
        packed = _pack(
            (
                explain.result(
                    key,
                    entries.get(key.code, ()),
                    marks.get(key.code, ()),
                    negatives.get(key.code),
                    probable.get(key.row, ()),
                    grades.get(key.code),
                )
                for key in keys
            ),
            errors,
        )
    check = _log(
        session,
        org_code=org.code,
        facts={"department": org.name, "scenario_name": explain.scenario_name, "purpose_label": stated.label},
        scenario=scenario,
        purpose=purpose,
        actor=actor,
        as_of=as_of,
        now=now,
        packed=packed,
        single=keys[0].code if len(keys) == 1 and not errors else None,
    )
    return Outcome(check, errors, packed.lines, packed.failed)


@contextmanager
def _paused_collector() -> Iterator[None]:
    """A batch makes millions of objects (rows, results, lines), none in a reference cycle; the cycle
    collector, run every few hundred allocations, would walk the growing heap again and again: a third of
    the time spent building the results. Reference counting still frees everything meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _report(progress: Progress | None, stage: int, total: int) -> None:
    if progress is not None:
        progress(STAGES[stage], 0, total)


@dataclass(frozen=True)
class _Packed:
    lines: list[bytes]
    failed: bytes
    data: bytes
    """The errors, then one result per line, compressed: what the log keeps."""
    verdicts: Counter[str]
    errors: int


def _pack(results: Iterable[dict[str, Any]], errors: Sequence[dict[str, Any]]) -> _Packed:
    """Each result as a JSON line, the errors as one JSON array, and both compressed, the errors first then
    one result per line: a 100,000-code batch is one row of a few MB. Each result is encoded as soon as it is
    made and then let go: only the lines stay, bytes the cycle collector never walks, where a hundred
    thousand result dicts would make it walk a million containers once it runs again. Level 1: twice as
    fast as the default, a third larger. zlib lets go of the interpreter while it compresses, so a worker
    compresses each chunk of lines while the next is encoded. pydantic's encoder writes the bytes
    ``json.dumps(ensure_ascii=False)`` writes, UTF-8 encoded, in half the time."""
    failed = to_json(errors)
    lines: list[bytes] = []
    verdicts: Counter[str] = Counter()
    packer = zlib.compressobj(1)

    def encoded(chunk: list[dict[str, Any]]) -> bytes:
        made = []
        for result in chunk:
            verdicts[result["verdict"]] += 1
            made.append(to_json(result))
        lines.extend(made)
        return b"\n" + b"\n".join(made) if made else b""

    pending = iter(results)
    chunk = list(islice(pending, PACK_CHUNK))
    if len(chunk) < PACK_CHUNK:  # one chunk, as in all but a large batch: no thread is worth starting
        data = packer.compress(failed) + packer.compress(encoded(chunk)) + packer.flush()
        return _Packed(lines, failed, data, verdicts, len(errors))
    with ThreadPoolExecutor(max_workers=1) as worker:  # one worker: the chunks go in order
        parts = [worker.submit(packer.compress, failed)]
        while chunk:
            parts.append(worker.submit(packer.compress, encoded(chunk)))
            chunk = list(islice(pending, PACK_CHUNK))
        parts.append(worker.submit(packer.flush))
        data = b"".join(part.result() for part in parts)
    return _Packed(lines, failed, data, verdicts, len(errors))


def _unpack(check: CreditCheck) -> tuple[bytes, list[bytes]]:
    failed, *lines = zlib.decompress(check.results).split(b"\n")
    return failed, lines


def contents(check: CreditCheck) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A logged check's results and errors, as they were returned."""
    failed, lines = _unpack(check)
    return [json.loads(line) for line in lines], json.loads(failed)


def document(check: CreditCheck) -> bytes:
    """A logged check as the answer it was, in JSON, without decoding its results."""
    failed, lines = _unpack(check)
    return _document(check, lines, failed)


def _document(check: CreditCheck, lines: Sequence[bytes], failed: bytes) -> bytes:
    head = to_json(summary(check))
    return b"".join((head[:-1], b',"results":[', b",".join(lines), b'],"errors":', failed, b"}"))


def _number(as_of: date) -> str:
    return f"CK{as_of:%Y%m%d}{secrets.token_hex(4).upper()}"


def _log(
    session: Session,
    *,
    org_code: str,
    facts: dict[str, str],
    scenario: str,
    purpose: str,
    actor: AuditActor,
    as_of: date,
    now: datetime,
    packed: _Packed,
    single: str | None,
) -> CreditCheck:
    """One row per check with the department, the purpose and every verdict (CHK-2), and one audit event;
    a check of a single subject (``single``) also shows in that subject's access log (DIS-6)."""
    check = CreditCheck(
        number=_number(as_of),
        org_code=org_code,
        actor_label=actor.label[:200],
        scenario=scenario,
        purpose=purpose,
        as_of=as_of,
        total=len(packed.lines) + packed.errors,
        intercepted=packed.verdicts["intercept"],
        warned=packed.verdicts["warn"],
        errors=packed.errors,
        results=packed.data,
        certificate_digest=None,
        summary=json.dumps(facts, ensure_ascii=False, sort_keys=True),
        at=now,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="check.run",
        target_type="credit_check",
        target_id=check.number,
        subject_key=single,
        purpose=purpose,
        detail={
            "org": org_code,
            "scenario": scenario,
            "as_of": as_of.isoformat(),
            "total": check.total,
            "intercepted": check.intercepted,
            "warned": check.warned,
            "errors": check.errors,
        },
    )
    return check


def summary(check: CreditCheck) -> dict[str, Any]:
    facts = json.loads(check.summary or "{}")
    return {
        "number": check.number,
        "at": check.at.isoformat(),
        "org": check.org_code,
        "department": facts.get("department", check.org_code),
        "actor": check.actor_label,
        "scenario": check.scenario,
        "scenario_name": facts.get("scenario_name", check.scenario),
        "purpose": check.purpose,
        "purpose_label": facts.get("purpose_label", check.purpose),
        "as_of": check.as_of.isoformat(),
        "total": check.total,
        "intercepted": check.intercepted,
        "warned": check.warned,
        "passed": check.total - check.errors - check.intercepted - check.warned,
        "invalid": check.errors,
        "certificate": check.certificate_digest is not None,
    }


# ------------------------------------------------------------------------------------------- the log
def log(
    session: Session, *, org_code: str, offset: int = 0, limit: int | None = None
) -> tuple[int, list[CreditCheck]]:
    """A department's own checks, newest first, without their results."""
    mine = CreditCheck.org_code == org_code
    total = session.scalar(select(func.count()).select_from(CreditCheck).where(mine)) or 0
    query = (
        select(CreditCheck)
        .options(defer(CreditCheck.results))
        .where(mine)
        .order_by(CreditCheck.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(session.scalars(query))


def get(session: Session, *, number: str, org_code: str) -> CreditCheck:
    """One of the department's checks; another department's check is not found, not forbidden."""
    found = session.scalar(select(CreditCheck).where(CreditCheck.number == number[:32]))
    if found is None or found.org_code != org_code:
        raise NotFound("check.not_found", f"本单位没有编号为 {number[:32]} 的信用审查", field="number")
    return found
