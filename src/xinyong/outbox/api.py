"""Outbox API: departments without a webhook pull and ack their messages; operators set webhooks and look
after the dead letters (MEA-6, DIS-8).

Routes are thin: each declares its permission, calls the service, commits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission, now
from xinyong.errors import Forbidden
from xinyong.outbox import service
from xinyong.outbox.schemas import MessageOut, MessageState, WebhookIn, WebhookOut, WebhookSet

router = APIRouter(tags=["outbox"])

MessageId = Annotated[int, Path(ge=1, le=2**62, description="消息编号")]
Limit = Annotated[int, Query(ge=1, le=1000, description="最多返回条数")]
Reader = Annotated[Actor, Depends(Permission("outbox.read"))]
Manager = Annotated[Actor, Depends(Permission("outbox.manage"))]
OrgManager = Annotated[Actor, Depends(Permission("org.manage"))]


@router.get(
    "/outbox",
    response_model=list[MessageOut],
    summary="本机构待接收的消息（未设推送地址的部门由此拉取，处理后逐条确认）",
)
def my_messages(session: DB, actor: Reader, limit: Limit = 100) -> list[MessageOut]:
    if actor.org_code is None:
        raise Forbidden("outbox.no_org", "只有机构账号可以接收消息")
    return [MessageOut.of(m) for m in service.pending(session, org_code=actor.org_code, limit=limit)]


@router.post("/outbox/{message_id}/ack", response_model=MessageState, summary="确认已收到本机构的一条消息")
def ack(request: Request, session: DB, message_id: MessageId, actor: Reader) -> MessageState:
    message = service.ack(session, by=actor, now=now(request), message_id=message_id)
    session.commit()
    return MessageState.of(message)


@router.get("/outbox/dead", response_model=list[MessageState], summary="死信：多次推送失败、已停止重试的消息")
def dead_letters(
    session: DB,
    _: Manager,
    org: Annotated[str | None, Query(max_length=64, description="只看这个机构的")] = None,
    limit: Limit = 100,
) -> list[MessageState]:
    return [MessageState.of(m) for m in service.dead(session, org_code=org, limit=limit)]


@router.post("/outbox/{message_id}/retry", response_model=MessageState, summary="重新投递一条死信")
def retry(request: Request, session: DB, message_id: MessageId, actor: Manager) -> MessageState:
    message = service.retry(session, by=actor, now=now(request), message_id=message_id)
    session.commit()
    return MessageState.of(message)


@router.put("/orgs/{code}/webhook", response_model=WebhookSet, summary="设置机构的推送地址（webhook）")
def set_webhook(request: Request, session: DB, code: str, body: WebhookIn, actor: OrgManager) -> WebhookSet:
    """The signing secret is in this answer only; without one in the request, the platform makes one."""
    hook = service.set_webhook(
        session, by=actor, now=now(request), org_code=code, url=body.url, secret=body.secret
    )
    session.commit()
    return WebhookSet.of(hook)


@router.delete("/orgs/{code}/webhook", response_model=WebhookOut, summary="停用机构的推送地址，改为由其拉取")
def remove_webhook(request: Request, session: DB, code: str, actor: OrgManager) -> WebhookOut:
    hook = service.remove_webhook(session, by=actor, now=now(request), org_code=code)
    session.commit()
    return WebhookOut.of(hook)
