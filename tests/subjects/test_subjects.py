"""Subjects keyed by their identifiers, one archive each, with basic information and related persons."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from tests.conftest import uscc_code
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.errors import XinyongError
from xinyong.rules.identifiers import IdType, validate
from xinyong.subjects import service
from xinyong.subjects.models import Subject

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)
COMPANY = validate("91110000802100433B")
PERSON = validate("11010519491231002X")


@pytest.mark.req("SUB-1", "SUB-2")
def test_kinds_follow_the_identifier() -> None:
    assert service.kind_of(COMPANY) == "legal_person"
    assert service.kind_of(PERSON) == "natural_person"
    assert service.kind_of(validate("11100000000013127D", IdType.USCC)) == "government"  # 机构编制-机关
    assert service.kind_of(validate("92110105MA01234562")) == "individual_business"
    assert service.kind_of(validate("E12345678", IdType.PASSPORT)) == "natural_person"


@pytest.mark.req("SUB-2")
def test_keys_are_the_compact_code_or_type_and_number() -> None:
    assert service.key_of(validate("9111 0000 8021 0043 3b")) == "91110000802100433B"
    assert service.key_of(validate("E12345678", IdType.PASSPORT)) == "passport:E12345678"


@pytest.mark.req("SUB-3")
def test_one_archive_per_subject_however_often_it_is_named(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        service.ensure(session, subjects=[service.NewSubject(COMPANY, "某某有限公司")], now=NOW)
        service.ensure(
            session,
            subjects=[
                service.NewSubject(COMPANY, "某某有限公司"),
                service.NewSubject(COMPANY, "改了名的公司"),
            ],
            now=NOW,
        )
    with session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Subject).where(Subject.key == COMPANY.value))
        subject = service.get(session, COMPANY.value)
    assert count == 1 and subject.name == "某某有限公司"  # a rename goes through rename(), not in passing


@pytest.mark.req("SUB-3")
def test_parallel_first_mentions_make_one_archive(engine: Engine) -> None:
    person = validate("110105198001010016")
    errors: list[Exception] = []

    def mention() -> None:
        try:
            with transaction(session_factory(engine)) as session:
                service.ensure(session, subjects=[service.NewSubject(person, "张三")], now=NOW)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=mention) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Subject).where(Subject.key == person.value))
    assert count == 1 and errors == []


@pytest.mark.req("SUB-5")
def test_basic_information_is_kept_and_unknown_attributes_refused(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        service.ensure(session, subjects=[service.NewSubject(COMPANY, "某某有限公司")], now=NOW)
        service.set_basic(
            session,
            key=COMPANY.value,
            now=NOW,
            source="scjgj",
            values={
                "registered_capital": "1000万元人民币",
                "founding_date": date(2001, 5, 8),
                "domicile": "北京市东城区某路1号",
                "business_scope": "软件开发",
            },
        )
    with session_factory(engine)() as session:
        basic = json.loads(service.get(session, COMPANY.value).basic)
    assert basic["founding_date"] == "2001-05-08" and basic["registered_capital"] == "1000万元人民币"
    with transaction(session_factory(engine)) as session, pytest.raises(XinyongError) as caught:
        service.set_basic(session, key=COMPANY.value, now=NOW, source="x", values={"blood_type": "A"})
    assert caught.value.code == "subject.basic_unknown"


@pytest.mark.req("SUB-4")
def test_related_persons_of_an_organisation_with_their_roles(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        service.ensure(session, subjects=[service.NewSubject(COMPANY, "某某有限公司")], now=NOW)
        for role in ("legal_representative", "actual_controller"):
            service.add_related_person(
                session,
                org_key=COMPANY.value,
                role=role,
                person=PERSON,
                name="李四",
                since=date(2020, 1, 1),
                source="scjgj",
                now=NOW,
            )
        service.add_related_person(
            session,
            org_key=COMPANY.value,
            role="legal_representative",
            person=PERSON,
            name="李四",
            since=date(2020, 1, 1),
            source="scjgj",
            now=NOW,
        )
    with session_factory(engine)() as session:
        roles = {p.role for p in service.related_persons(session, COMPANY.value)}
        where = {p.subject_key for p in service.organisations_of(session, PERSON.value)}
        person = service.get(session, PERSON.value)
    assert roles == {"legal_representative", "actual_controller"}
    assert COMPANY.value in where and person.kind == "natural_person"


@pytest.mark.req("SUB-4")
@pytest.mark.parametrize(("role", "code"), [("janitor", "subject.role_invalid")])
def test_an_unknown_role_is_refused(engine: Engine, role: str, code: str) -> None:
    with transaction(session_factory(engine)) as session, pytest.raises(XinyongError) as caught:
        service.ensure(session, subjects=[service.NewSubject(COMPANY, "某某有限公司")], now=NOW)
        service.add_related_person(
            session,
            org_key=COMPANY.value,
            role=role,
            person=PERSON,
            name="李四",
            since=None,
            source="scjgj",
            now=NOW,
        )
    assert caught.value.code == code


@pytest.mark.req("SUB-2")
def test_a_subject_needs_a_name(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session, pytest.raises(XinyongError) as caught:
        service.ensure(session, subjects=[service.NewSubject(COMPANY, "  ")], now=NOW)
    assert caught.value.code == "subject.name_required"


@pytest.mark.req("DIS-2", "DATA-3")
def test_a_renamed_organisation_is_found_by_its_new_name_only(engine: Engine) -> None:
    company = validate(uscc_code(760))
    with transaction(session_factory(engine)) as session:
        service.ensure(session, subjects=[service.NewSubject(company, "旧名称星辰机械厂")], now=NOW)
        service.rename(session, key=company.value, name="新名称北斗机械厂", now=NOW, source="测试")
    with session_factory(engine)() as session:
        old = service.search(session, "星辰机械", offset=0, limit=10)
        new = service.search(session, "北斗机械", offset=0, limit=10)
    assert old.total == 0 and old.subjects == []
    assert new.total == 1 and [s.key for s in new.subjects] == [company.value]


@pytest.mark.req("DIS-2")
def test_a_name_search_lists_shortest_names_first_counts_them_and_pages(engine: Engine) -> None:
    """Matches come shortest name first (the closest to what was typed), then the earlier recorded; the
    total counts every match, each page holds the next ones, and a page past the end is empty but still
    counted."""
    names = [f"济南星河{'科技' * (n % 5)}有限公司{n:02d}" for n in range(25)]
    with transaction(session_factory(engine)) as session:
        service.ensure(
            session,
            subjects=[service.NewSubject(validate(uscc_code(700 + n)), name) for n, name in enumerate(names)],
            now=NOW,
        )
        service.ensure(session, subjects=[service.NewSubject(PERSON, "星河科技")], now=NOW)  # never listed
    expected = [names[n] for n in sorted(range(len(names)), key=lambda n: (len(names[n]), n))]
    with session_factory(engine)() as session:
        pages = [service.search(session, "星河", offset=offset, limit=10) for offset in (0, 10, 20, 30)]
        traditional = service.search(session, "濟南星河科技", offset=0, limit=10)
    assert [p.total for p in pages] == [25, 25, 25, 25]
    assert [s.name for p in pages for s in p.subjects] == expected
    assert [len(p.subjects) for p in pages] == [10, 10, 5, 0]
    assert traditional.total == 20 and all("济南星河科技" in s.name for s in traditional.subjects)
