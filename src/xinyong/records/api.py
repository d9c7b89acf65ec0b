"""Records API: providers push records as JSON (ING-1); every push is a job with its rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from xinyong.access.actors import Actor
from xinyong.access.deps import Permission
from xinyong.access.service import audit_actor
from xinyong.errors import Forbidden
from xinyong.records import ingest
from xinyong.records.schemas import ImportOut, RecordsIn

router = APIRouter(tags=["records"])


@router.post("/records", response_model=ImportOut, summary="推送信用记录（一条或多条）")
def push_records(
    request: Request, body: RecordsIn, actor: Annotated[Actor, Depends(Permission("record.submit"))]
) -> ImportOut:
    """Good records are stored and bad ones refused with row, field and reason; both in one answer."""
    if actor.org_code is None:
        raise Forbidden("record.no_provider", "只有机构账号可以推送信用记录")
    state = request.app.state
    delivery = ingest.Delivery(
        provider=actor.org_code,
        item_code=body.item,
        route="api",
        actor=audit_actor(actor),
        default_severity=body.severity,
    )
    with state.sessions() as session:
        fields = {f.name for f in ingest.resolve(session, delivery, state.settings.clock.today()).item.fields}
    summary = ingest.run(
        state.sessions,
        delivery=delivery,
        rows=ingest.from_mappings(body.records, fields),
        profile=state.profile,
        clock=state.settings.clock,
    )
    return ImportOut.model_validate(summary.as_dict())
