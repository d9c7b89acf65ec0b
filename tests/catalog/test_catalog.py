"""Catalog versions: only catalog items are collected, local negative items need a lawful kind, versions take
effect on their date and records keep the item of theirs (CAT-1, CAT-4, CAT-5)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from xinyong.catalog import service
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.errors import XinyongError

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)


def item(
    code: str,
    *,
    category: str = "other",
    negative_kind: str | None = None,
    name: str = "某事项",
    basis: str = "某市社会信用条例第十五条",
    document: bool = True,
) -> str:
    kind = f'negative_kind = "{negative_kind}"\n' if negative_kind else ""
    spec = (
        'document = { type = "处理决定书", number_field = "number", date_field = "day" }\n'
        if document
        else ""
    )
    return (
        f'[[items]]\ncode = "{code}"\nname = "{name}"\ncategory = "{category}"\n{kind}{spec}'
        'subject_kinds = ["legal_person"]\ndisclosure = "shared"\nshared_with = ["*"]\n'
        f'update_cycle = "每月"\nproviders = ["provider"]\nuse_scope = "政务共享"\nlegal_basis = "{basis}"\n'
        '[[items.fields]]\nname = "subject_name"\nlabel = "名称"\ntype = "text"\nrequired = true\n'
        '[[items.fields]]\nname = "number"\nlabel = "文号"\ntype = "text"\n'
        '[[items.fields]]\nname = "day"\nlabel = "决定日期"\ntype = "date"\n'
    )


def local_file(folder: Path, version: str, effective: str, *items: str, scope: str = "local") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{version}.toml"
    path.write_text(
        f'scope = "{scope}"\nversion = "{version}"\neffective_from = {effective}\n'
        f'approved_by = "某市社会信用体系建设领导小组"\n' + "".join(items),
        encoding="utf-8",
    )
    return path


@pytest.mark.req("CAT-4")
def test_a_local_negative_item_without_a_lawful_kind_is_refused(tmp_path: Path) -> None:
    path = local_file(tmp_path, "v1", "2026-01-01", item("late-rent", category="negative"))
    with pytest.raises(XinyongError) as caught:
        service.read_file(path)
    assert caught.value.code == "catalog.invalid" and "negative_kind" in caught.value.message


@pytest.mark.req("CAT-4")
def test_a_local_negative_item_of_an_unlisted_kind_is_refused(tmp_path: Path) -> None:
    path = local_file(
        tmp_path, "v1", "2026-01-01", item("rude", category="negative", negative_kind="impoliteness")
    )
    with pytest.raises(XinyongError) as caught:
        service.read_file(path)
    assert caught.value.code == "catalog.invalid" and "negative_kind" in caught.value.message


@pytest.mark.req("CAT-4")
def test_a_local_negative_item_without_a_legal_basis_is_refused(tmp_path: Path) -> None:
    text = item("fake", category="negative", negative_kind="fraud", basis="")
    with pytest.raises(XinyongError) as caught:
        service.read_file(local_file(tmp_path, "v1", "2026-01-01", text))
    assert "legal_basis" in caught.value.message


@pytest.mark.req("CAT-4")
def test_a_lawful_local_negative_item_is_accepted(tmp_path: Path) -> None:
    source = service.read_file(
        local_file(
            tmp_path,
            "v1",
            "2026-01-01",
            item("false-promise", category="negative", negative_kind="false_commitment"),
        )
    )
    assert source.catalog.items[0].negative_kind == "false_commitment"


@pytest.mark.req("CAT-4", "ING-2")
def test_a_negative_item_must_rest_on_a_legal_document(tmp_path: Path) -> None:
    text = item("fake", category="negative", negative_kind="fraud", document=False)
    with pytest.raises(XinyongError) as caught:
        service.read_file(local_file(tmp_path, "v1", "2026-01-01", text))
    assert "document" in caught.value.message


@pytest.mark.req("CAT-1")
@pytest.mark.req("RPT-1")
def test_an_update_limit_needs_the_date_it_counts_from(tmp_path: Path) -> None:
    timed = item("monthly", document=False).replace(
        'update_cycle = "每月"\n', 'update_cycle = "每月"\nupdate_days = 5\n'
    )
    with pytest.raises(XinyongError) as caught:
        service.read_file(local_file(tmp_path, "v1", "2026-01-01", timed))
    assert caught.value.code == "catalog.invalid" and "decision_date" in caught.value.message
    with_document = item("monthly").replace(
        'update_cycle = "每月"\n', 'update_cycle = "每月"\nupdate_days = 5\n'
    )
    assert (
        service.read_file(local_file(tmp_path, "v2", "2026-01-01", with_document))
        .catalog.items[0]
        .update_days
        == 5
    )
    for wrong in ("0", '"weekly"'):
        bad = item("monthly").replace(
            'update_cycle = "每月"\n', f'update_cycle = "每月"\nupdate_days = {wrong}\n'
        )
        with pytest.raises(XinyongError) as caught:
            service.read_file(local_file(tmp_path, "v3", "2026-01-01", bad))
        assert "update_days" in caught.value.message


@pytest.mark.req("CAT-1")
def test_a_local_item_cannot_take_a_national_code(tmp_path: Path) -> None:
    local_file(tmp_path / "catalog", "v1", "2026-01-01", item("admin-penalty"))
    with pytest.raises(XinyongError) as caught:
        service.sources(tmp_path)
    assert caught.value.code == "catalog.code_clash"


@pytest.mark.req("CAT-1")
def test_a_deployment_file_cannot_claim_to_be_national(tmp_path: Path) -> None:
    local_file(tmp_path / "catalog", "v1", "2026-01-01", item("local-thing"), scope="national")
    with pytest.raises(XinyongError) as caught:
        service.sources(tmp_path)
    assert caught.value.code == "catalog.scope"


@pytest.mark.req("CAT-1", "CAT-5")
def test_versions_take_effect_on_their_date_and_records_keep_theirs(tmp_path: Path, engine: Engine) -> None:
    tag = secrets.token_hex(3)
    first = service.read_file(
        local_file(tmp_path, f"{tag}-2026", "2026-01-01", item(f"a-{tag}"), item(f"b-{tag}", name="旧名称"))
    )
    second = service.read_file(
        local_file(tmp_path, f"{tag}-2027", "2027-01-01", item(f"b-{tag}", name="新名称"))
    )
    with transaction(session_factory(engine)) as session:
        assert service.install(session, first, now=NOW) and service.install(session, second, now=NOW)
        assert not service.install(session, first, now=NOW)  # the same version again: nothing new
    with session_factory(engine)() as session:
        old_b = service.item_in_force(session, f"b-{tag}", date(2026, 6, 1))
        new_b = service.item_in_force(session, f"b-{tag}", date(2027, 2, 1))
        assert (old_b.item.name, new_b.item.name) == ("旧名称", "新名称")
        assert old_b.item_id != new_b.item_id and old_b.version == f"{tag}-2026"
        assert service.item_in_force(session, f"a-{tag}", date(2026, 12, 31)).version == f"{tag}-2026"
        with pytest.raises(XinyongError) as caught:
            service.item_in_force(session, f"a-{tag}", date(2027, 1, 1))  # retired by the 2027 version
        assert caught.value.code == "catalog.unknown_item"


@pytest.mark.req("CAT-5")
def test_a_published_version_cannot_be_changed(tmp_path: Path, engine: Engine) -> None:
    tag = secrets.token_hex(3)
    path = local_file(tmp_path, tag, "2026-01-01", item(f"c-{tag}"))
    with transaction(session_factory(engine)) as session:
        service.install(session, service.read_file(path), now=NOW)
    local_file(tmp_path, tag, "2026-01-01", item(f"c-{tag}", name="悄悄改了"))
    with pytest.raises(XinyongError) as caught, transaction(session_factory(engine)) as session:
        service.install(session, service.read_file(path), now=NOW)
    assert caught.value.code == "catalog.version_changed"


@pytest.mark.req("CAT-1")
def test_nothing_outside_the_catalog(engine: Engine) -> None:
    with session_factory(engine)() as session, pytest.raises(XinyongError) as caught:
        service.item_in_force(session, "neighbour-gossip", date(2026, 11, 23))
    assert caught.value.code == "catalog.unknown_item" and caught.value.problem.field == "item"


@pytest.mark.req("CAT-1", "CAT-2")
def test_init_installs_the_national_base_catalog(engine: Engine) -> None:
    with session_factory(engine)() as session:
        found = {f.item.code: f for f in service.items_in_force(session, date(2026, 11, 23))}
    assert {
        "admin-licence",
        "admin-penalty",
        "court-dishonest-debtor",
        "award",
        "commitment",
        "tax-a-grade",
        "abnormal-operation",
    } <= set(found)
    penalty = found["admin-penalty"]
    assert penalty.scope == "national" and penalty.item.category == "negative"
    assert penalty.item.public_period == "profile" and penalty.item.legal_basis
