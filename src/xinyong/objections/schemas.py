"""Objection API shapes."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from pydantic import BaseModel, Field

from xinyong.deadlines.models import Deadline
from xinyong.errors import XinyongError
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES, Upload
from xinyong.fields import IsoDate
from xinyong.objections.models import Objection, ObjectionEvidence, ObjectionStep
from xinyong.objections.service import GROUNDS, STATUS_LABELS, STEP_LABELS


class EvidenceIn(BaseModel):
    filename: str = Field(max_length=200)
    content_base64: str = Field(
        max_length=(MAX_FILE_BYTES + 2) // 3 * 4 + 4,  # one byte past the limit still decodes, to be refused
        description="文件内容（Base64）",
    )

    def upload(self) -> Upload:
        try:
            return Upload(self.filename, base64.b64decode(self.content_base64, validate=True))
        except (binascii.Error, ValueError):
            raise XinyongError(
                "objection.file_encoding", f"证据材料“{self.filename}”不是有效的 Base64", field="evidence"
            ) from None


class FileIn(BaseModel):
    subject: str | None = Field(default=None, max_length=64, description="代为提出时：信用主体代码")
    target_kind: str = Field(max_length=16, description="record、list_entry 或 evaluation")
    target_ref: str = Field(max_length=64, description="信用记录编号、名单记录编号或评价结果编号（grade_id）")
    grounds: str = Field(max_length=32)
    statement: str = Field(max_length=4000)
    evidence: list[EvidenceIn] = Field(default=[], max_length=MAX_FILES)


class ReferIn(BaseModel):
    text: str = Field(default="", max_length=2000)


class ReplyIn(BaseModel):
    verification: str = Field(max_length=16, description="confirmed / error / unverifiable")
    text: str = Field(max_length=4000)
    data: dict[str, str] | None = Field(default=None, max_length=50, description="确有错误时更正后的字段值")


class DecideIn(BaseModel):
    outcome: str = Field(max_length=16, description="confirmed / corrected / deleted / wrongful / regraded")
    text: str = Field(max_length=4000)
    own_error: bool = False
    data: dict[str, str] | None = Field(default=None, max_length=50)


class PauseIn(BaseModel):
    reason: str = Field(max_length=32)


class AppealIn(BaseModel):
    stage: str = Field(max_length=16, description="referral / authority / review / litigation")
    on: IsoDate
    text: str = Field(default="", max_length=2000)
    outcome: str | None = Field(default=None, max_length=200)


class StepOut(BaseModel):
    step: str
    label: str
    on: IsoDate
    text: str
    outcome: str | None

    @classmethod
    def of(cls, step: ObjectionStep) -> StepOut:
        return cls(
            step=step.step,
            label=STEP_LABELS.get(step.step, step.step),
            on=step.on,
            text=step.text,
            outcome=step.outcome,
        )


class DueOut(BaseModel):
    step: str
    label: str
    basis: str
    org: str
    started_on: date
    days: int
    due_on: date
    paused_since: date | None
    done_on: date | None

    @classmethod
    def of(cls, d: Deadline) -> DueOut:
        return cls(
            step=d.step,
            label=d.label,
            basis=d.basis,
            org=d.org_code,
            started_on=d.started_on,
            days=d.days,
            due_on=d.due_on,
            paused_since=d.paused_since,
            done_on=d.done_on,
        )


class EvidenceOut(BaseModel):
    filename: str
    media_type: str
    size: int
    sha256: str


class ObjectionOut(BaseModel):
    number: str
    subject: str
    target_kind: str
    target_ref: str
    target: str
    provider: str
    grounds: str
    grounds_label: str
    statement: str
    status: str
    status_label: str
    filed_on: date
    verification: str | None
    outcome: str | None
    outcome_text: str | None
    decided_on: date | None
    reply: str | None
    steps: list[StepOut]
    deadlines: list[DueOut]
    evidence: list[EvidenceOut]

    @classmethod
    def of(
        cls,
        found: Objection,
        steps: list[ObjectionStep],
        dues: list[Deadline],
        files: list[ObjectionEvidence],
    ) -> ObjectionOut:
        return cls(
            number=found.number,
            subject=found.subject_key,
            target_kind=found.target_kind,
            target_ref=found.target_ref,
            target=found.target_label,
            provider=found.provider_org,
            grounds=found.grounds,
            grounds_label=GROUNDS[found.grounds],
            statement=found.statement,
            status=found.status,
            status_label=STATUS_LABELS[found.status],
            filed_on=found.filed_on,
            verification=found.verification,
            outcome=found.outcome,
            outcome_text=found.outcome_text,
            decided_on=found.decided_on,
            reply=found.reply_number,
            steps=[StepOut.of(s) for s in steps],
            deadlines=[DueOut.of(d) for d in dues],
            evidence=[
                EvidenceOut(filename=e.filename, media_type=e.media_type, size=e.size, sha256=e.digest)
                for e in files
            ],
        )
