"""Demo exchange: the first package for the provincial platform, so that ``/admin/exchange`` shows a
destination's watermark and a package. Idempotent: a destination already served is left as it is."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.service import AuditActor
from xinyong.exchange import service as exchange
from xinyong.exchange.package import Watermark
from xinyong.settings import Settings

DESTINATION = "province"


def generate(factory: sessionmaker[Session], settings: Settings, *, actor: AuditActor) -> int:
    """The shareable records and black-list entries sent so far; 0 when the demo ran before."""
    with factory() as session:
        if exchange.watermark(session, DESTINATION) is not None:
            return 0
    path = settings.data_dir / "exchange" / "out" / f"{DESTINATION}-first.zip"
    done = exchange.export_package(
        factory, path=path, settings=settings, since=Watermark(0, 0), actor=actor, destination=DESTINATION
    )
    return sum(done.rows.values())
