"""The public credit information catalog: which items may be collected, as which version (CAT-1..5).

Catalog files are read from the shipped ``data/catalog/`` (the national base catalog) and the deployment's
``$XINYONG_DATA_DIR/catalog/`` (its local supplementary catalog). ``xinyong init`` installs each version
once; a published version never changes (a change is a new version with its own date and approving body),
and a version that leaves an item out retires it from its effective date on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.models import CatalogItem, CatalogVersion
from xinyong.catalog.schema import CatalogFile, Item
from xinyong.errors import XinyongError
from xinyong.reference import read_model

SHIPPED_DIR = Path(__file__).parent.parent / "data" / "catalog"
# Market credit information is catalogued apart from public credit information, each version on its own.
SHIPPED_SCOPES = ("national", "market")


@dataclass(frozen=True)
class CatalogSource:
    path: Path
    catalog: CatalogFile
    digest: str


def read_file(path: Path) -> CatalogSource:
    """A catalog file, validated; every problem named with its key."""
    catalog, digest = read_model(path, CatalogFile, code="catalog", what="目录文件")
    return CatalogSource(path, catalog, digest)


def sources(data_dir: Path) -> list[CatalogSource]:
    """The national files first, then the deployment's local ones, each folder in name order."""
    local = data_dir / "catalog"
    paths = sorted(SHIPPED_DIR.glob("*.toml")) + (sorted(local.glob("*.toml")) if local.is_dir() else [])
    found = [read_file(path) for path in paths]
    _check_scopes(found)
    return found


def _check_scopes(found: Sequence[CatalogSource]) -> None:
    """Shipped files are national (or the market information catalog, MKT-1), local ones local; no local
    item takes a shipped code (CAT-1, CAT-4)."""
    shipped_codes = {i.code for s in found if s.catalog.scope != "local" for i in s.catalog.items}
    for source in found:
        shipped = source.path.parent == SHIPPED_DIR
        if shipped != (source.catalog.scope in SHIPPED_SCOPES):
            where = "随平台发布的基础目录" if shipped else "部署的补充目录"
            raise XinyongError(
                "catalog.scope", f"{source.path}：{where}的 scope 应为 {'national' if shipped else 'local'}"
            )
        if source.catalog.scope == "local":
            clash = sorted(shipped_codes & {i.code for i in source.catalog.items})
            if clash:
                raise XinyongError(
                    "catalog.code_clash", f"{source.path}：补充目录项代码与基础目录重复：{'、'.join(clash)}"
                )


def install(session: Session, source: CatalogSource, *, now: datetime) -> bool:
    """Install a version once; True if it was new. A changed file under a published version is refused."""
    catalog = source.catalog
    found = session.scalar(
        select(CatalogVersion).where(
            CatalogVersion.scope == catalog.scope, CatalogVersion.version == catalog.version
        )
    )
    if found is not None:
        if found.digest != source.digest:
            raise XinyongError(
                "catalog.version_changed",
                f"{source.path}：目录版本 {catalog.version} 已发布，内容不能再改；请以新版本号发布修订",
            )
        return False
    version = CatalogVersion(
        scope=catalog.scope,
        version=catalog.version,
        effective_from=catalog.effective_from,
        approved_by=catalog.approved_by,
        source=str(source.path),
        digest=source.digest,
        loaded_at=now,
    )
    version.items = [
        CatalogItem(
            code=item.code,
            name=item.name,
            category=item.category,
            disclosure=item.disclosure,
            definition=item.model_dump_json(),
        )
        for item in catalog.items
    ]
    session.add(version)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="catalog.install",
        target_type="catalog_version",
        target_id=f"{catalog.scope}:{catalog.version}",
        detail={
            "effective_from": catalog.effective_from.isoformat(),
            "approved_by": catalog.approved_by,
            "items": [i.code for i in catalog.items],
        },
    )
    return True


@dataclass(frozen=True)
class ItemInForce:
    """An item as the version in force defines it, with the row a record must point at."""

    item_id: int
    version: str
    scope: str
    effective_from: date
    approved_by: str
    item: Item


def _versions_in_force(session: Session, on: date) -> list[CatalogVersion]:
    """For each scope, the latest version that took effect on or before ``on``."""
    query = (
        select(CatalogVersion)
        .where(CatalogVersion.effective_from <= on)
        .order_by(CatalogVersion.scope, CatalogVersion.effective_from.desc(), CatalogVersion.id.desc())
    )
    latest: dict[str, CatalogVersion] = {}
    for version in session.scalars(query):
        latest.setdefault(version.scope, version)
    return list(latest.values())


def items_in_force(session: Session, on: date) -> list[ItemInForce]:
    """Every item in force on ``on``, version by version. The items are read in one query of plain rows:
    checks and imports ask for them on every call."""
    versions = _versions_in_force(session, on)
    rows = session.execute(
        select(CatalogItem.version_id, CatalogItem.id, CatalogItem.definition)
        .where(CatalogItem.version_id.in_([v.id for v in versions]))
        .order_by(CatalogItem.id)
    ).all()
    return [
        ItemInForce(row.id, v.version, v.scope, v.effective_from, v.approved_by, parse_item(row.definition))
        for v in versions
        for row in rows
        if row.version_id == v.id
    ]


def item_in_force(session: Session, code: str, on: date) -> ItemInForce:
    """The item a record collected on ``on`` falls under; refused when the catalog lacks it (CAT-1)."""
    in_force = {found.item.code: found for found in items_in_force(session, on)}
    if code in in_force:
        return in_force[code]
    known = "、".join(sorted(in_force))
    raise XinyongError(
        "catalog.unknown_item", f"目录中没有 {on} 有效的目录项 {code[:64]!r}；可选：{known}", field="item"
    )


_DEFINITIONS = select(CatalogItem.id, CatalogItem.definition).where(
    CatalogItem.id.in_(bindparam("ids", expanding=True))
)  # built once: every portal page reads it


def items_by_id(session: Session, ids: Iterable[int]) -> dict[int, Item]:
    """The item definitions records point at (each record keeps the version it came under, CAT-5)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(_DEFINITIONS, {"ids": list(wanted)})
    return {row.id: parse_item(row.definition) for row in rows}


@lru_cache(maxsize=256)
def parse_item(definition: str) -> Item:
    """An installed item definition never changes, so each is parsed once per process (pages read them on
    every request)."""
    return Item.model_validate_json(definition)
