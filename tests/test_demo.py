"""Demonstration data: synthetic, valid by the platform's own checks, reproducible, and idempotent (ING-1)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from xinyong import demo, demo_lists
from xinyong.db.engine import session_factory
from xinyong.errors import XinyongError
from xinyong.records.models import Record
from xinyong.rules import identifiers
from xinyong.rules.identifiers import IdType
from xinyong.settings import Settings

from .conftest import TODAY

pytestmark = pytest.mark.req("ING-1")

ITEMS = {
    "admin-licence",
    "admin-penalty",
    "abnormal-operation",
    "court-dishonest-debtor",
    "award",
    "commitment",
    "tax-a-grade",
}


def subject_keys(engine: Engine, jobs: list[int]) -> set[str]:
    with session_factory(engine)() as session:
        return set(session.scalars(select(Record.subject_key).where(Record.job_id.in_(jobs)).distinct()))


def test_generated_data_passes_validation_and_a_second_run_adds_nothing(
    settings: Settings, engine: Engine
) -> None:
    calls: list[tuple[str, int, int]] = []
    first = demo.generate(settings, subjects=60, seed=7, progress=lambda *call: calls.append(call))

    assert first.rejected == 0, first.rejects
    assert set(first.records) == ITEMS
    assert all(counts.accepted > 0 for counts in first.records.values()), first.records
    assert first.duplicates == 0  # every row of a run is a record of its own
    assert set(first.organisations_created) <= set(demo.ORG)

    # Every subject has at least one record, and no two share an identifier.
    keys = subject_keys(engine, first.jobs)
    assert len(keys) == 60
    kinds = Counter(identifiers.validate(key, today=TODAY).kind for key in keys)
    assert set(kinds) == {IdType.USCC, IdType.CITIZEN_ID}
    for key in keys:
        identifier = identifiers.validate(key, today=TODAY)
        if identifier.kind is IdType.USCC:
            assert key[:2] in ("91", "92", "93")
        else:
            assert identifier.birth_date is not None and 1950 <= identifier.birth_date.year <= 2004

    # Progress: each stage in order, from nothing to its total.
    assert list(dict.fromkeys(stage for stage, _, _ in calls)) == demo.stages()
    for stage in demo.stages():
        reported = [(done, total) for name, done, total in calls if name == stage]
        assert reported[0][0] == 0 and reported[-1][0] == reported[-1][1]

    # Lists: the court list received, black listings run through their procedure, one removal of each.
    assert first.lists.received > 0 and first.lists.black > 0
    assert 1 <= first.lists.removed <= min(first.lists.black, len(demo_lists.BLACK))

    again = demo.generate(settings, subjects=60, seed=7)
    assert (again.accepted, again.rejected, again.duplicates) == (0, 0, first.accepted)
    assert asdict(again.lists) == {"received": 0, "black": 0, "red": 0, "removed": 0}
    assert again.organisations_created == []
    assert subject_keys(engine, again.jobs) == set()


def test_another_seed_gives_other_subjects(settings: Settings, engine: Engine) -> None:
    seven = [demo.Subjects(7).get(i) for i in range(60)]
    assert seven == [demo.Subjects(7).get(i) for i in range(60)]  # rebuilt alike, whichever pass asks
    eight = {demo.Subjects(8).get(i).code for i in range(60)}
    assert len(eight) == 60 and not eight & {s.code for s in seven}

    other = demo.generate(settings, subjects=20, seed=8)
    assert other.rejected == 0, other.rejects
    assert other.accepted > 0 and other.duplicates == 0


def test_penalties_span_the_publicity_rules_and_severities() -> None:
    """Decisions under the 2019 rules, order 58 and order 36; mostly general, some serious and minor."""
    subjects = demo.Subjects(7)
    dates, severities = [], Counter[str]()
    for stream in demo.STREAMS:
        if stream.item == "admin-penalty":
            for values, extra in demo.rows(stream, subjects, 1500):
                dates.append(values["decision_date"])
                severities[extra["severity"]] += 1
    assert min(dates) < "2023-05-01" and any("2023-05-01" <= d < "2026-04-01" for d in dates)
    assert max(dates) >= "2026-04-01" and max(dates) <= TODAY.isoformat()
    assert severities.most_common(1)[0][0] == "一般" and severities["严重"] and severities["轻微"]


def test_an_uninitialised_database_is_refused(settings: Settings, tmp_path: Path) -> None:
    blank = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'blank.db'}"})
    with pytest.raises(XinyongError) as refused:
        demo.generate(blank, subjects=1)
    assert refused.value.code == "database.not_initialised"
