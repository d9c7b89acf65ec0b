"""Government integrity API shapes (GOV-1..GOV-4)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from xinyong.fields import IsoDate
from xinyong.government import contracts, evaluation
from xinyong.government.models import (
    ArchiveEntry,
    ArchiveVersion,
    Commitment,
    CommitmentChange,
    Exemption,
    Obligation,
)
from xinyong.government.schema import BODY_DIMENSIONS, COMMITMENT_KINDS, SERVANT_DIMENSIONS
from xinyong.government.service import CONDUCTS, EntryIn, ExemptionIn

DIMENSION_LABELS = BODY_DIMENSIONS | SERVANT_DIMENSIONS
Severity = Literal["minor", "general", "serious"]


class BodyIn(BaseModel):
    code: str = Field(max_length=32, description="统一社会信用代码（机构编制部门登记，以 1 开头）")
    name: str = Field(max_length=200)
    region: str = Field(max_length=12, description="行政区划代码")


class ServantIn(BaseModel):
    code: str = Field(max_length=32, description="公民身份号码")
    name: str = Field(max_length=100)
    body: str = Field(max_length=32, description="所在机关的统一社会信用代码")
    post: str = Field(max_length=100)


class EntryFields(BaseModel):
    dimension: str = Field(
        max_length=32, description="、".join(f"{k} {v}" for k, v in DIMENSION_LABELS.items())
    )
    title: str = Field(max_length=200)
    content: str = Field(max_length=2000)
    recorded_on: IsoDate
    department: str = Field(max_length=200, description="记录部门（组织部门、主管部门）")
    score: int | None = Field(default=None, description="群众满意度测评得分（0–100）")
    year: int | None = Field(default=None, description="测评或考核所属年度")
    grade: str | None = Field(default=None, max_length=16, description="年度考核等次")
    document_number: str = Field(default="", max_length=128)

    def entry(self) -> EntryIn:
        return EntryIn(**self.model_dump(include=set(EntryFields.model_fields)))


class ArchiveEntryIn(EntryFields):
    subject: str = Field(max_length=32, description="政府机构的统一社会信用代码或公务员的公民身份号码")


class CorrectionIn(EntryFields):
    reason: str = Field(max_length=500)


class VersionOut(BaseModel):
    version: int
    data: dict[str, object]
    reason: str
    actor: str
    at: str

    @classmethod
    def of(cls, found: ArchiveVersion) -> VersionOut:
        return cls(
            version=found.version,
            data=json.loads(found.data),
            reason=found.reason,
            actor=found.actor_label,
            at=found.at.isoformat(),
        )


class EntryOut(BaseModel):
    id: int
    dimension: str
    dimension_label: str
    title: str
    content: str
    score: int | None
    year: int | None
    grade: str | None
    document_number: str | None
    recorded_on: date
    department: str
    version: int
    versions: list[VersionOut]

    @classmethod
    def of(cls, found: ArchiveEntry, versions: list[ArchiveVersion]) -> EntryOut:
        return cls(
            id=found.id,
            dimension=found.dimension,
            dimension_label=DIMENSION_LABELS[found.dimension],
            title=found.title,
            content=found.content,
            score=found.score,
            year=found.year,
            grade=found.grade,
            document_number=found.document_number,
            recorded_on=found.recorded_on,
            department=found.department,
            version=found.version,
            versions=[VersionOut.of(v) for v in versions],
        )


class ExemptionFields(BaseModel):
    document_number: str = Field(max_length=128, description="容错认定文书编号")
    authority: str = Field(max_length=200, description="作出容错认定的机关")
    decided_on: IsoDate
    reason: str = Field(max_length=2000, description="认定理由")

    def decision(self) -> ExemptionIn:
        return ExemptionIn(**self.model_dump())


class ExemptionOut(BaseModel):
    number: str
    case_document: str
    document_number: str
    authority: str
    decided_on: date
    reason: str
    record: int | None

    @classmethod
    def of(cls, found: Exemption) -> ExemptionOut:
        return cls(
            number=found.number,
            case_document=found.case_document,
            document_number=found.document_number,
            authority=found.authority,
            decided_on=found.decided_on,
            reason=found.reason,
            record=found.record_id,
        )


class RecordOut(BaseModel):
    id: int
    conduct: str
    facts: str
    document_number: str | None
    decision_date: date | None
    state: str


class ArchiveOut(BaseModel):
    code: str
    name: str
    holder: Literal["body", "servant"]
    region: str | None = None
    body: str | None = Field(default=None, description="公务员所在机关")
    post: str | None = None
    entries: list[EntryOut]
    exemptions: list[ExemptionOut]
    records: list[RecordOut] = Field(description="政务失信记录（经可见性闸门）")


class DishonestyIn(BaseModel):
    subject: str = Field(max_length=32, description="政府机构的统一社会信用代码或公务员的公民身份号码")
    conduct: str = Field(max_length=16, description="、".join(CONDUCTS))
    facts: str = Field(max_length=2000)
    outcome: str = Field(default="", max_length=500)
    document_number: str = Field(max_length=128)
    decision_date: IsoDate
    authority: str = Field(max_length=200)
    commitment_number: str = Field(default="", max_length=32)
    severity: Severity = "general"
    exemption: ExemptionFields | None = Field(default=None, description="经认定符合容错纠错情形时的认定决定")


class DishonestyOut(BaseModel):
    record: int


class ObligationIn(BaseModel):
    description: str = Field(max_length=500)
    due_on: IsoDate


class CommitmentIn(BaseModel):
    body: str = Field(max_length=32)
    kind: str = Field(max_length=16, description="、".join(f"{k} {v}" for k, v in COMMITMENT_KINDS.items()))
    title: str = Field(max_length=200)
    counterparty_name: str = Field(max_length=200)
    counterparty_code: str = Field(default="", max_length=32)
    content: str = Field(max_length=2000)
    amount: str = Field(default="", max_length=32, description="金额（元）")
    signed_on: IsoDate
    published: bool = Field(default=False, description="已依法向社会公开（在公开页展示）")
    obligations: list[ObligationIn] = Field(max_length=contracts.MAX_OBLIGATIONS)

    def commitment(self) -> contracts.CommitmentIn:
        values = self.model_dump(exclude={"obligations"})
        duties = [contracts.ObligationIn(o.description, o.due_on) for o in self.obligations]
        return contracts.CommitmentIn(**values, obligations=duties)


class ObligationOut(BaseModel):
    id: int
    description: str
    due_on: date
    status: str
    status_label: str
    fulfilled_on: date | None
    overdue_since: date | None
    record: int | None

    @classmethod
    def of(cls, found: Obligation) -> ObligationOut:
        return cls(
            id=found.id,
            description=found.description,
            due_on=found.due_on,
            status=found.status,
            status_label=contracts.STATUS_LABELS[found.status],
            fulfilled_on=found.fulfilled_on,
            overdue_since=found.overdue_since,
            record=found.record_id,
        )


class ChangeOut(BaseModel):
    kind: str
    obligation: int | None
    new_due_on: date | None
    reason: str
    legal_basis: str
    document_number: str
    approved_by: str
    decided_on: date
    compensated: bool
    compensation: str

    @classmethod
    def of(cls, found: CommitmentChange) -> ChangeOut:
        return cls(
            kind=found.kind,
            obligation=found.obligation_id,
            new_due_on=found.new_due_on,
            reason=found.reason,
            legal_basis=found.legal_basis,
            document_number=found.document_number,
            approved_by=found.approved_by,
            decided_on=found.decided_on,
            compensated=found.compensated,
            compensation=found.compensation,
        )


class CommitmentOut(BaseModel):
    number: str
    body: str
    kind: str
    kind_label: str
    title: str
    counterparty_name: str
    content: str
    amount: Decimal | None
    signed_on: date
    published: bool
    status: str
    status_label: str
    obligations: list[ObligationOut]
    changes: list[ChangeOut]

    @classmethod
    def of(
        cls, found: Commitment, duties: list[Obligation], changes: list[CommitmentChange], counterparty: str
    ) -> CommitmentOut:
        return cls(
            number=found.number,
            body=found.subject_key,
            kind=found.kind,
            kind_label=COMMITMENT_KINDS[found.kind],
            title=found.title,
            counterparty_name=counterparty,
            content=found.content,
            amount=found.amount,
            signed_on=found.signed_on,
            published=found.published,
            status=found.status,
            status_label=contracts.COMMITMENT_STATUS_LABELS[found.status],
            obligations=[ObligationOut.of(d) for d in duties],
            changes=[ChangeOut.of(c) for c in changes],
        )


class FulfilIn(BaseModel):
    fulfilled_on: IsoDate


class ChangeIn(BaseModel):
    kind: Literal["change", "termination"]
    obligation: int | None = Field(default=None, description="变更或解除的义务编号；解除整个承诺或合同时不填")
    new_due_on: IsoDate | None = None
    reason: str = Field(default="", max_length=2000)
    legal_basis: str = Field(default="", max_length=500, description="法定权限和程序依据")
    document_number: str = Field(default="", max_length=128, description="批准文件文号")
    approved_by: str = Field(default="", max_length=200, description="批准机关")
    decided_on: IsoDate | None = None
    compensated: bool | None = Field(default=None, description="是否依法补偿相对方因此受到的损失")
    compensation: str = Field(default="", max_length=2000, description="补偿情况说明")

    def change(self) -> contracts.ChangeIn:
        values = self.model_dump(exclude={"obligation"})
        return contracts.ChangeIn(**values, obligation_id=self.obligation)


class BreachIn(BaseModel):
    facts: str = Field(max_length=1000)
    document_number: str = Field(max_length=128, description="违约认定文书编号")
    decided_on: IsoDate
    authority: str = Field(max_length=200)
    severity: Severity = "general"


class RegionIn(BaseModel):
    code: str = Field(max_length=12)
    name: str = Field(max_length=100)


class DebtIn(BaseModel):
    debt_balance: str = Field(max_length=32, description="政府债务余额（元）")
    fiscal_capacity: str = Field(max_length=32, description="综合财力（元）")
    source: str = Field(max_length=200, description="数据来源（如财政部门报送文号）")


class DebtOut(BaseModel):
    region: str
    region_name: str
    year: int
    debt_balance: Decimal
    fiscal_capacity: Decimal
    ratio: Decimal
    level: str
    level_label: str

    @classmethod
    def of(cls, found: evaluation.Warning) -> DebtOut:
        return cls(
            region=found.region_code,
            region_name=found.region_name,
            year=found.year,
            debt_balance=found.debt_balance,
            fiscal_capacity=found.fiscal_capacity,
            ratio=found.ratio,
            level=found.level,
            level_label=found.label,
        )


class EvaluateIn(BaseModel):
    as_of: IsoDate | None = Field(default=None, description="评价基准日，默认今天")


class IndicatorOut(BaseModel):
    code: str
    label: str
    weight: int
    value: float | None
    score: float | None


class RegionResultOut(BaseModel):
    region: str
    region_name: str
    score: Decimal
    grade: str
    grade_label: str
    indicators: list[IndicatorOut]

    @classmethod
    def of(cls, found: evaluation.Result) -> RegionResultOut:
        return cls(
            region=found.region_code,
            region_name=found.region_name,
            score=found.score,
            grade=found.grade,
            grade_label=found.grade_label,
            indicators=[IndicatorOut(**vars(m)) for m in found.indicators],
        )


class EvaluationOut(BaseModel):
    as_of: date | None
    results: list[RegionResultOut]
    warnings: list[DebtOut]
