"""What the evaluation API returns and takes: the published model, a subject's explained grade, runs and
inspection plans."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationRun
from xinyong.evaluation.schema import KIND_LABELS, EvaluationModel
from xinyong.fields import IsoDate


class BandOut(BaseModel):
    grade: str
    label: str
    min: int
    max: int
    sampling_ratio: float = Field(description="双随机抽查比例（0–1）")
    frequency: int = Field(description="每年抽查次数")
    supervision: str


class IndicatorOut(BaseModel):
    code: str
    label: str
    kind: str
    kind_label: str
    counts: str = Field(description="计数对象：信息类别、失信程度、目录项或名单")
    window: str | None = Field(description="回溯期（ISO 8601）；名单类指标为空")
    cap: int
    start: int
    per: int
    weight: int


class ModelOut(BaseModel):
    code: str
    version: str
    scope: str
    name: str
    approved_by: str
    effective_from: date
    basis: str
    chosen: bool = Field(description="指标与权重为运营方设定，非法规规定")
    subject_kinds: list[str]
    disclosure: str
    indicators: list[IndicatorOut]
    bands: list[BandOut]

    @classmethod
    def of(cls, model: EvaluationModel) -> ModelOut:
        return cls(
            **model.model_dump(include={"code", "version", "scope", "name", "approved_by", "effective_from"}),
            basis=model.basis,
            chosen=model.chosen,
            subject_kinds=list(model.subject_kinds),
            disclosure=model.disclosure,
            indicators=[
                IndicatorOut(
                    **i.model_dump(include={"code", "label", "kind", "cap", "start", "per", "weight"}),
                    kind_label=KIND_LABELS[i.kind],
                    counts=str(i.category or i.severity or i.item or i.list_type or i.list_kind),
                    window=i.window.iso() if i.window else None,
                )
                for i in model.indicators
            ],
            bands=[BandOut(**b.model_dump()) for b in model.sorted_bands()],
        )


class CountedOut(BaseModel):
    kind: Literal["record", "list_entry"]
    ref: str = Field(description="记录编号或名单编号")
    what: str = Field(description="目录项或名单类型")
    day: date | None = Field(description="决定日期或列入日期")
    detail: str
    points: int = Field(description="该条带来的指标分（超过上限的为 0）")


class PartOut(BaseModel):
    code: str
    label: str
    weight: int
    value: int = Field(description="计入的条数")
    points: int = Field(description="指标得分（0–100）")
    weighted: float = Field(description="计入综合得分的分数（权重 × 指标得分 ÷ 100）")
    counted: list[CountedOut]


class EvaluationOut(BaseModel):
    subject: str
    run: int = Field(description="评价批次编号")
    grade_id: int = Field(description="本主体本次评价结果的编号（异议时引用）")
    model: str
    model_version: str
    as_of: date
    score: float = Field(description="保存的综合评价得分")
    grade: str
    label: str
    objection: str | None = Field(description="正在办理的对本评价结果的异议案件编号（异议标注）")
    corrected: bool = Field(description="评价结果经异议核查后已重新评价（EVA-4）")
    recomputed: float = Field(description="按同一模型和评价日逐条重算的得分")
    consistent: bool = Field(description="重算与保存的得分一致；不一致说明评价后记录有变化")
    supervision: BandOut
    parts: list[PartOut]

    @classmethod
    def of(cls, found: service.Explained) -> EvaluationOut:
        standing = found.standing
        run = standing.run
        band = next(b for b in service.model_of(run.model).bands if b.grade == standing.letter)
        return cls(
            subject=standing.grade.subject_key,
            run=run.id,
            grade_id=standing.grade.id,
            model=run.model_code,
            model_version=run.model_version,
            as_of=run.as_of,
            score=standing.score / 100,
            grade=band.grade,
            label=band.label,
            objection=standing.objection,
            corrected=standing.correction is not None,
            recomputed=found.explanation.score / 100,
            consistent=found.consistent,
            supervision=BandOut(**band.model_dump()),
            parts=[
                PartOut(
                    code=p.indicator.code,
                    label=p.indicator.label,
                    weight=p.indicator.weight,
                    value=p.value,
                    points=p.points,
                    weighted=p.weighted / 100,
                    counted=[CountedOut(**c.as_dict()) for c in p.counted],
                )
                for p in found.explanation.parts
            ],
        )


class RunIn(BaseModel):
    as_of: IsoDate | None = Field(default=None, description="评价日；不填为今天")


class RunOut(BaseModel):
    run: int
    model: str
    model_version: str
    as_of: date
    subjects: int
    grades: dict[str, int]
    finished: bool

    @classmethod
    def of(cls, run: EvaluationRun) -> RunOut:
        return cls(
            run=run.id,
            model=run.model_code,
            model_version=run.model_version,
            as_of=run.as_of,
            subjects=run.subjects,
            grades=json.loads(run.grades),
            finished=run.finished_at is not None,
        )


class PlanIn(BaseModel):
    title: str = Field(max_length=200, description="抽查计划名称")
    seed: str = Field(max_length=64, description="随机种子：相同种子和相同输入抽出相同结果")
    inspectors: list[str] = Field(max_length=10_000, description="检查人员名录，每项“执法证号 姓名”")
    per_subject: int = Field(default=2, ge=1, le=20, description="每个抽查对象派出的检查人员数（至少 2）")
    grades: list[str] = Field(default=[], max_length=20, description="只从这些等级中抽取；为空时全部等级")
    codes: list[str] = Field(
        default=[], max_length=100_000, description="只从这些主体中抽取；为空时全部已评价主体"
    )
    ratios: dict[str, float] = Field(default={}, description="本计划各等级的抽查比例（0–1）；不填按评价模型")


class InspectorOut(BaseModel):
    id: str
    name: str


class PickOut(BaseModel):
    code: str
    name: str
    grade: str
    frequency: int
    inspectors: list[InspectorOut]


class PlanOut(BaseModel):
    number: str
    title: str
    run: int
    seed: str
    population: int
    sampled: int
    inputs: dict[str, Any]
    sample: list[PickOut] = []
