"""Subjects and their archives: the only writer of the subject tables (SUB-1..5).

A subject is created the first time any record, sign-in or registration names it, keyed by its validated
identifier; everything later about it hangs on that key, so it has exactly one archive (SUB-3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import bindparam, column, func, or_, select, table
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.schema import SubjectKind
from xinyong.db.bulk import among, insert_ignore
from xinyong.errors import XinyongError
from xinyong.rules.identifiers import Identifier, IdType, compact
from xinyong.rules.text import has_controls, normalise, plain
from xinyong.subjects.models import RelatedPerson, Subject

Role = Literal["legal_representative", "principal", "actual_controller", "responsible_person"]
ROLE_LABELS: dict[str, str] = {
    "legal_representative": "法定代表人",
    "principal": "主要负责人",
    "actual_controller": "实际控制人",
    "responsible_person": "其他直接责任人员",
}
# SUB-5: what basic information the archive keeps beside the name and identifier.
BASIC_FIELDS: dict[str, str] = {
    "sex": "性别",
    "birth_date": "出生日期",
    "organisation_type": "类型",
    "registered_capital": "注册资本",
    "founding_date": "成立日期",
    "domicile": "住所",
    "business_scope": "经营范围",
    "shareholding": "股权结构",
    "officers": "主要管理人员",
    "qualifications": "资质资格",
}


def key_of(identifier: Identifier) -> str:
    """USCC and citizen ID are their own keys; other documents carry their type so kinds never collide."""
    if identifier.kind in (IdType.USCC, IdType.CITIZEN_ID):
        return identifier.value
    return f"{identifier.kind.value}:{identifier.value}"


def kind_of(identifier: Identifier) -> SubjectKind:
    """The subject kind a code implies (SUB-1): persons by their documents, bodies by GB 32100 categories."""
    if identifier.kind is not IdType.USCC:
        return "natural_person"
    category = identifier.value[:2]
    if category == "11":
        return "government"  # 机构编制部门登记的机关
    if category == "92":
        return "individual_business"
    return "legal_person"


@dataclass(frozen=True)
class NewSubject:
    identifier: Identifier
    name: str
    kind: SubjectKind | None = None


def ensure(session: Session, *, subjects: Sequence[NewSubject], now: datetime) -> int:
    """Create the subjects not yet known, in one statement; returns how many were new. Names of known
    subjects are left as they are: a rename is recorded through :func:`rename`, never in passing."""
    first: dict[str, tuple[NewSubject, str]] = {}
    for new in subjects:
        name = plain(new.name, field="subject_name", max_length=200, label="主体名称")
        if not name:
            raise XinyongError("subject.name_required", "主体名称不能为空", field="subject_name")
        first.setdefault(key_of(new.identifier), (new, name))
    known = (
        set(session.scalars(select(Subject.key).where(among(session, Subject.key, list(first)))))
        if first
        else set()
    )
    rows = []
    for key, (new, name) in first.items():
        if key in known:
            continue  # the search form of a name is costly (OpenCC): made only for subjects first met
        rows.append(
            {
                "key": key,
                "id_kind": new.identifier.kind.value,
                "kind": new.kind or kind_of(new.identifier),
                "name": name,
                "name_search": normalise(name)[:200],
                "basic": "{}",
                "created_at": now,
                "updated_at": now,
            }
        )
    return insert_ignore(session, Subject, rows, ["key"])


# Statements of every portal page, built once: SQLAlchemy reuses their compiled form without building and
# keying them again on each call, half the Python time of a lookup.
_BY_KEY = select(Subject).where(Subject.key == bindparam("key"))
_BY_CODE = (
    select(Subject).where(or_(Subject.key == bindparam("typed"), Subject.key == bindparam("key"))).limit(1)
)


def find(session: Session, code: str) -> Subject | None:
    """By the key as stored (``passport:E12345678``), or by a code however it was typed (spaces, case)."""
    if not code or has_controls(code):
        return None
    return session.scalars(_BY_CODE, {"typed": code[:64], "key": compact(code)[:64]}).first()


MAX_QUERY = 100
MAX_FOUND = 1000
_CODE_LIKE = re.compile(r"^[0-9A-Za-z]{15,18}$")


@dataclass(frozen=True)
class Found:
    subjects: list[Subject]
    total: int
    exact: Subject | None = None
    """The subject whose code the query was, if any."""


RANK_SPAN = 2**32
"""A match's rank is its name's length times this plus its id: shortest names first (the closest to what was
typed), then the earlier recorded. SQLite's name index keys organisations by it (migration 0028)."""

# SQLite's trigram index read as a phrase, the text's trigrams one after the other (3 characters or more). It
# holds organisations only, keyed by rank, so its matches come best first: a page is read from the index and
# the count stops at MAX_FOUND, without reading a single name.
ORGANISATION = Subject.id_kind == IdType.USCC.value  # what a name search lists
_FTS = table("subject_name_fts", column("rowid"), column("name_search"))
_FTS_MATCHES = (
    _FTS.c.name_search.match(bindparam("phrase")),
    _FTS.c.rowid % RANK_SPAN != bindparam("skip"),  # the subject the code named, listed apart
)
_FTS_TOTAL = select(func.count()).select_from(
    select(_FTS.c.rowid).where(*_FTS_MATCHES).limit(MAX_FOUND).subquery()
)
_FTS_PAGE = (
    select(_FTS.c.rowid % RANK_SPAN)
    .where(*_FTS_MATCHES)
    .order_by(_FTS.c.rowid)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_BY_IDS = select(Subject).where(Subject.id.in_(bindparam("ids", expanding=True)))


def _indexed(
    session: Session, text: str, exact: Subject | None, start: int, count: int
) -> tuple[list[int], int]:
    """Ids of one page of organisations whose names contain ``text``, and how many there are, from SQLite's
    name index."""
    params = {"phrase": '"' + text.replace('"', '""') + '"', "skip": exact.id if exact is not None else -1}
    total = int(session.scalar(_FTS_TOTAL, params) or 0)
    count = max(0, min(count, total - start))
    if not count:
        return [], total
    return list(session.scalars(_FTS_PAGE, {**params, "offset": start, "limit": count})), total


def _ranked(
    session: Session, text: str, exact: Subject | None, start: int, count: int
) -> tuple[list[int], int]:
    """The same by the name's LIKE, which PostgreSQL's trigram index serves (and, for one or two characters,
    a scan on SQLite): the first ``MAX_FOUND`` matches found, ranked and counted by the database."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rank = (func.length(Subject.name_search) * RANK_SPAN + Subject.id).label("rank")
    named = select(Subject.id, rank).where(ORGANISATION, Subject.name_search.like(pattern, escape="\\"))
    if exact is not None:
        named = named.where(Subject.id != exact.id)
    matched = named.limit(MAX_FOUND).subquery()
    position = func.row_number().over(order_by=matched.c.rank).label("position")
    page = session.execute(
        select(matched.c.id, func.count().over().label("total"), position)
        .order_by(position)
        .offset(start)
        .limit(count)
    ).all()
    if page:
        return [row.id for row in page], int(page[0].total)
    return [], int(session.scalar(select(func.count()).select_from(matched)) or 0)


def search(session: Session, query: str, *, offset: int, limit: int) -> Found:
    """Organisations by name (simplified or traditional, whole or part, full- or half-width) or by code;
    anyone keyed by a personal document only by that exact number, so a name search never lists people
    (DATA-3). Shortest names first; a broad search lists its first ``MAX_FOUND`` matches."""
    text = normalise(query)[:MAX_QUERY]
    if not text or has_controls(text):
        return Found([], 0)
    code = compact(text)
    exact = session.scalar(_BY_KEY, {"key": code}) if code else None
    if _CODE_LIKE.match(code):
        return Found(
            [exact] if exact is not None and offset == 0 else [], 1 if exact is not None else 0, exact
        )
    shown = [exact] if exact is not None and offset == 0 else []  # listed first, whatever its name
    start = max(0, offset - (1 if exact is not None else 0))
    named = _indexed if session.get_bind().dialect.name == "sqlite" and len(text) >= 3 else _ranked
    ids, total = named(session, text, exact, start, max(0, limit - len(shown)))
    if ids:
        found = {subject.id: subject for subject in session.scalars(_BY_IDS, {"ids": ids})}
        shown += [found[i] for i in ids]
    return Found(shown, total + (1 if exact is not None else 0), exact)


def get(session: Session, key: str) -> Subject:
    found = session.scalar(_BY_KEY, {"key": key})
    if found is None:
        raise XinyongError("subject.not_found", f"没有代码为 {key[:64]} 的信用主体", field="subject")
    return found


def rename(session: Session, *, key: str, name: str, now: datetime, source: str) -> Subject:
    subject = get(session, key)
    name = plain(name, field="subject_name", max_length=200, label="主体名称")
    if name and name != subject.name:
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="subject.rename",
            target_type="subject",
            target_id=key,
            subject_key=key,
            detail={"from": subject.name, "to": name, "source": source},
        )
        subject.name, subject.name_search, subject.updated_at = name, normalise(name)[:200], now
    return subject


def set_basic(
    session: Session, *, key: str, values: Mapping[str, Any], now: datetime, source: str
) -> Subject:
    """Merge basic information (SUB-5) into the archive; unknown attributes are refused by name."""
    unknown = sorted(set(values) - set(BASIC_FIELDS))
    if unknown:
        raise XinyongError("subject.basic_unknown", f"不是基础信息项：{'、'.join(unknown)}", field=unknown[0])
    subject = get(session, key)
    merged = {**json.loads(subject.basic), **{k: _plain(v) for k, v in values.items()}}
    subject.basic, subject.updated_at = json.dumps(merged, ensure_ascii=False, sort_keys=True), now
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="subject.basic",
        target_type="subject",
        target_id=key,
        subject_key=key,
        detail={"fields": sorted(values), "source": source},
    )
    return subject


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def add_related_person(
    session: Session,
    *,
    org_key: str,
    role: str,
    person: Identifier,
    name: str,
    since: date | None,
    source: str,
    now: datetime,
) -> RelatedPerson:
    """Record a person's role in an organisation (SUB-4); the person gets an archive of its own too."""
    if role not in ROLE_LABELS:
        known = "、".join(f"{k}（{v}）" for k, v in ROLE_LABELS.items())
        raise XinyongError(
            "subject.role_invalid", f"人员角色 {role[:32]!r} 无效；可选：{known}", field="role"
        )
    organisation = get(session, org_key)
    if organisation.kind == "natural_person":
        raise XinyongError("subject.not_organisation", "只有组织可以登记相关人员", field="subject")
    ensure(session, subjects=[NewSubject(person, name, "natural_person")], now=now)
    person_key = key_of(person)
    found = session.scalar(
        select(RelatedPerson).where(
            RelatedPerson.subject_key == org_key,
            RelatedPerson.role == role,
            RelatedPerson.person_key == person_key,
        )
    )
    if found is None:
        found = RelatedPerson(
            subject_key=org_key,
            role=role,
            person_key=person_key,
            name=plain(name, field="name", max_length=100, label="姓名"),
            since=since,
            until=None,
            source=source,
            created_at=now,
        )
        session.add(found)
        session.flush()
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="subject.related_person",
            target_type="subject",
            target_id=org_key,
            subject_key=org_key,
            detail={"role": role, "person": person_key},
        )
    return found


def related_persons(session: Session, org_key: str, *, on: date | None = None) -> list[RelatedPerson]:
    """The organisation's people with their roles; ``on`` keeps those in office that day."""
    query = select(RelatedPerson).where(RelatedPerson.subject_key == org_key).order_by(RelatedPerson.id)
    people = list(session.scalars(query))
    if on is not None:
        people = [
            p for p in people if (p.since is None or p.since <= on) and (p.until is None or on <= p.until)
        ]
    return people


def organisations_of(session: Session, person_key: str) -> list[RelatedPerson]:
    """Where a person holds a role: what a black listing of an organisation marks in its archive (LIST-6)."""
    return list(session.scalars(select(RelatedPerson).where(RelatedPerson.person_key == person_key)))
