"""The shape of the evaluation data file (``data/government/evaluation.toml``) and the labels of the
archive dimensions the regulation names (GOV-1, GOV-4)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.profiles.schema import Setting

# JS-G 二(三): what a body's archive records, and what a civil servant's archive records.
BODY_DIMENSIONS: dict[str, str] = {
    "lawful_administration": "依法行政",
    "openness": "政务公开",
    "keeping_promises": "诚信履约",
    "satisfaction": "群众满意度",
}
SERVANT_DIMENSIONS: dict[str, str] = {
    "lawful_duty": "依法履职",
    "award": "表彰奖励",
    "integrity": "廉政记录",
    "violation": "违法违纪违规",
    "appraisal": "年度考核",
}
# 《公务员法》第三十六条: the grades of the annual appraisal.
APPRAISAL_GRADES = ("优秀", "称职", "基本称职", "不称职")
# JS-G 三(一)-(四), JN 51, LN 46: the kinds of government commitments and contracts.
COMMITMENT_KINDS: dict[str, str] = {
    "policy": "政策承诺",
    "procurement": "政府采购合同",
    "ppp": "政府和社会资本合作（PPP）合同",
    "investment": "招商引资合同、协议",
}

IndicatorKind = Literal["per_body_penalty", "on_time_share", "count_penalty", "mean_score"]
PENALISING: frozenset[str] = frozenset({"per_body_penalty", "count_penalty"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Indicator(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    kind: IndicatorKind
    weight: Setting[int]
    penalty: Setting[int] | None = None

    @model_validator(mode="after")
    def _penalty_where_needed(self) -> Indicator:
        if (self.kind in PENALISING) != (self.penalty is not None):
            raise ValueError(
                f"指标 {self.code}：扣分类指标（{'、'.join(sorted(PENALISING))}）须且只有它们写 penalty"
            )
        if not 0 < self.weight.value <= 100:
            raise ValueError(f"指标 {self.code}：权重应在 1 到 100 之间")
        return self


class Grade(_Strict):
    code: str = Field(min_length=1, max_length=8)
    label: str = Field(min_length=1)
    min_score: Setting[int]


class Debt(_Strict):
    yellow: Setting[float] = Field(description="债务较高风险（黄色预警）的债务率下限")
    red: Setting[float] = Field(description="债务高风险（红色预警）的债务率下限")

    @model_validator(mode="after")
    def _red_above_yellow(self) -> Debt:
        if not 0 < self.yellow.value < self.red.value:
            raise ValueError("债务率预警线应满足 0 < yellow < red")
        return self


class EvaluationFile(_Strict):
    approved_by: str = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)
    debt: Debt

    @model_validator(mode="after")
    def _coherent(self) -> EvaluationFile:
        if sum(i.weight.value for i in self.indicators) != 100:
            raise ValueError("各指标权重之和应为 100")
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError("指标代码重复")
        floors = [g.min_score.value for g in self.grades]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors) or floors[-1] != 0:
            raise ValueError("评价等级应按分数线从高到低排列，分数线互不相同，最低一级为 0")
        return self
