"""Input and output of the lists API."""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from xinyong.fields import IsoDate
from xinyong.lists.models import ListEntry, ListStep
from xinyong.lists.service import REMOVAL_LABELS, STATUS_LABELS, STEP_LABELS


class ProposeIn(BaseModel):
    list_type: str = Field(max_length=64, description="名单类型代码，如 tax-major-violation")
    subject: str = Field(max_length=64, description="信用主体代码（统一社会信用代码或身份证号）")
    reasons: str = Field(min_length=1, max_length=4000, description="列入理由：事实、证据")
    record: int | None = Field(default=None, ge=1, description="作为认定依据的信用记录编号")


class DecideIn(BaseModel):
    listed: bool = Field(description="是否列入")
    answer: str = Field(default="", max_length=4000, description="对陈述申辩、异议的采纳情况及理由")
    term_end: IsoDate | None = Field(default=None, description="有效期截止日；为空时按名单类型的有效期")


class ConfirmIn(BaseModel):
    listed: bool = True
    answer: str = Field(default="", max_length=4000, description="公示期异议的核实结果")


class StatementIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    objection: bool = Field(default=False, description="true 为异议，false 为陈述申辩")


class RemoveIn(BaseModel):
    reason: Literal["repair", "revocation", "error", "source"]
    text: str = Field(min_length=1, max_length=1000)


class CorrectIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000, description="误列情况及更正说明")


class StepOut(BaseModel):
    step: str
    label: str
    on: date
    text: str
    document: str | None
    actor: str

    @classmethod
    def of(cls, step: ListStep) -> StepOut:
        return cls(
            step=step.step,
            label=STEP_LABELS.get(step.step, step.step),
            on=step.on,
            text=step.text,
            document=step.document,
            actor=step.actor_label,
        )


class EntryOut(BaseModel):
    number: str
    list_type: str
    kind: str
    subject: str | None
    subject_name: str
    masked_id: str | None
    status: str
    status_label: str
    source: str
    determining_org: str
    reasons: str
    measures: list[str]
    noticed_on: date | None
    defence_until: date | None
    publicity_until: date | None
    entered_on: date | None
    term_end: date | None
    removed_on: date | None
    removal_reason: str | None
    removal_label: str | None
    monitoring_until: date | None
    wrongful: bool
    recover_benefits: bool
    steps: list[StepOut] = []

    @classmethod
    def of(cls, entry: ListEntry, steps: list[ListStep] | None = None) -> EntryOut:
        return cls(
            number=entry.number,
            list_type=entry.list_type,
            kind=entry.kind,
            subject=entry.subject_key,
            subject_name=entry.subject_name,
            masked_id=entry.masked_id,
            status=entry.status,
            status_label=STATUS_LABELS.get(entry.status, entry.status),
            source=entry.source,
            determining_org=entry.determining_org,
            reasons=entry.reasons,
            measures=json.loads(entry.measures or "[]"),
            noticed_on=entry.noticed_on,
            defence_until=entry.defence_until,
            publicity_until=entry.publicity_until,
            entered_on=entry.entered_on,
            term_end=entry.term_end,
            removed_on=entry.removed_on,
            removal_reason=entry.removal_reason,
            removal_label=REMOVAL_LABELS.get(entry.removal_reason or ""),
            monitoring_until=entry.monitoring_until,
            wrongful=entry.wrongful,
            recover_benefits=entry.recover_benefits,
            steps=[StepOut.of(s) for s in steps or []],
        )
