"""Messages and webhooks as the API and the webhook pushes show them.

A message has one shape whether it is pushed or pulled, so a department can move from pulling to a webhook
without changing how it reads them.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from xinyong.fields import Moment
from xinyong.outbox.models import OrgWebhook, OutboxMessage


class MessageOut(BaseModel):
    id: int = Field(description="消息编号：同一消息重复推送时不变，接收方据此去重")
    kind: str = Field(description="消息类型，如 stop_use（停止使用通知）")
    org: str = Field(description="接收机构代码")
    subject_key: str | None = Field(description="所涉信用主体")
    created_at: Moment
    payload: dict[str, Any]

    @classmethod
    def of(cls, message: OutboxMessage) -> MessageOut:
        return cls(**cls._fields(message))

    @staticmethod
    def _fields(message: OutboxMessage) -> dict[str, Any]:
        return {
            "id": message.id,
            "kind": message.kind,
            "org": message.org_code,
            "subject_key": message.subject_key,
            "created_at": message.created_at,
            "payload": json.loads(message.payload),
        }


class MessageState(MessageOut):
    """A message with where its delivery stands (operators' views, answers to ack and retry)."""

    status: str = Field(description="pending 待送达、delivered 已送达、dead 多次推送失败（死信）")
    attempts: int = Field(description="已推送次数")
    next_attempt_at: Moment | None
    delivered_at: Moment | None
    last_error: str | None = Field(description="最近一次推送失败的原因")

    @classmethod
    def of(cls, message: OutboxMessage) -> MessageState:
        return cls(
            **cls._fields(message),
            status=message.status,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at,
            delivered_at=message.delivered_at,
            last_error=message.last_error,
        )


class WebhookIn(BaseModel):
    url: str = Field(max_length=500, description="接收推送的 http:// 或 https:// 网址")
    secret: str | None = Field(
        default=None, max_length=128, description="签名密钥，16 至 128 个字符；不填则由平台生成"
    )


class WebhookOut(BaseModel):
    org: str
    url: str
    active: bool
    created_at: Moment

    @classmethod
    def of(cls, hook: OrgWebhook) -> WebhookOut:
        return cls(org=hook.org_code, url=hook.url, active=hook.active, created_at=hook.created_at)


class WebhookSet(WebhookOut):
    secret: str = Field(description="签名密钥：只在此应答中出现，请交给接收方保存")

    @classmethod
    def of(cls, hook: OrgWebhook) -> WebhookSet:
        return cls(**WebhookOut.of(hook).model_dump(), secret=hook.secret)
