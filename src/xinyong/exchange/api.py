"""Exchange API: the operator receives another platform's package (INT-1, LIST-10) and sees where each
destination's exports stand. Routes are thin: each declares its permission and calls the service."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, UploadFile

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.access.service import audit_actor
from xinyong.errors import XinyongError
from xinyong.exchange import service
from xinyong.exchange.schemas import ImportedOut, WatermarkOut
from xinyong.web.forms import save_upload
from xinyong.web.threads import at_length

router = APIRouter(tags=["exchange"])
Manager = Annotated[Actor, Depends(Permission("exchange.manage"))]


@router.post("/exchange/packages", response_model=ImportedOut, summary="接收其他信用平台的交换包（zip）")
async def receive_package(request: Request, actor: Manager, file: UploadFile) -> ImportedOut:
    """The package is kept under the data directory, verified, then taken in; the answer lists refused
    lines by file and line number."""
    return await at_length(partial(_receive, request, actor, file))


def _receive(request: Request, actor: Actor, file: UploadFile) -> ImportedOut:
    state = request.app.state
    settings = state.settings
    folder = settings.data_dir / "exchange" / "in"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}.zip"
    too_large = XinyongError(
        "exchange.too_large", f"交换包超过上限 {settings.exchange_max_bytes:,} 字节", field="file"
    )
    save_upload(file, path, max_bytes=settings.exchange_max_bytes, refusal=too_large)
    result = service.import_package(
        state.sessions,
        path=path,
        key=service.key_of(settings),
        max_bytes=settings.exchange_max_bytes,
        receiver=service.Receiver(
            state.profile, settings.clock, audit_actor(actor), settings.data_dir.resolve()
        ),
    )
    return ImportedOut.of(result.as_dict())


@router.get("/exchange/watermarks", response_model=list[WatermarkOut], summary="各交换去向已导出到的水位")
def list_watermarks(session: DB, _: Manager) -> list[WatermarkOut]:
    return [WatermarkOut.of(row) for row in service.watermarks(session)]
