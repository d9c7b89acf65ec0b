"""The shape of an evaluation model file (EVA-1, EVA-2): a public credit comprehensive evaluation model is
data, published on the portal, versioned like a catalog. The national base model ships in
``data/evaluation/``; a deployment publishes its own in ``$XINYONG_DATA_DIR/evaluation/``.

Pydantic checks the shape; :func:`problems` checks what needs the other reference data (catalog items, list
types) or the model as a whole (weights, bands), each problem with the path of the key it is about, so the
loader can name the file's line.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.catalog.schema import SubjectKind
from xinyong.profiles.schema import Severity, Span

# The closed set of indicator kinds: what an indicator counts.
IndicatorKind = Literal["category", "severity", "item", "list"]
KIND_LABELS: dict[str, str] = {
    "category": "按信息类别计条数",
    "severity": "按失信程度计失信信息条数",
    "item": "按目录项计条数",
    "list": "按评价日在册的名单计条数",
}
Category = Literal["basic", "positive", "negative", "other"]
CATEGORY_LABELS: dict[str, str] = {
    "basic": "基础信息",
    "positive": "正面信息",
    "negative": "失信信息",
    "other": "其他信息",
}
ListKind = Literal["red", "black"]
TOTAL_WEIGHT = 100
FULL_MARKS = 100
KeyPath = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Indicator(_Strict):
    """One indicator: what it counts, over which window, and how the count maps to 0–100 points
    (``start + per × min(value, cap)``)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1)
    kind: IndicatorKind
    category: Category | None = None
    severity: Severity | None = None
    item: str | None = None
    list_kind: ListKind | None = None
    list_type: str | None = None
    window: Span | None = Field(default=None, description="回溯期；名单类指标不设")
    cap: int = Field(ge=1, le=1000, description="计入得分的最多条数")
    start: int = Field(ge=0, le=FULL_MARKS, description="没有一条时的得分")
    per: int = Field(ge=-FULL_MARKS, le=FULL_MARKS, description="每一条加（正）或减（负）的分数")
    weight: int = Field(ge=0, le=TOTAL_WEIGHT)

    def points(self, value: int) -> int:
        """The indicator's points for a count: each counted entry up to ``cap`` brings ``per``."""
        return self.start + self.per * min(value, self.cap)


class Band(_Strict):
    """One grade: ``min ≤ score < max`` (the top band includes 100), and what it means for supervision."""

    grade: str = Field(pattern=r"^[A-Z][A-Z0-9+-]{0,3}$")
    label: str = Field(min_length=1)
    min: int = Field(ge=0, le=FULL_MARKS)
    max: int = Field(ge=0, le=FULL_MARKS)
    sampling_ratio: float = Field(ge=0, description="双随机抽查比例（0–1）")
    frequency: int = Field(ge=0, le=366, description="每年抽查次数")
    supervision: str = Field(min_length=1, description="分级分类监管措施")

    def holds(self, centi: int) -> bool:
        """Whether a score in hundredths of a point falls in this band."""
        return self.min * 100 <= centi < self.max * 100 or (
            self.max == FULL_MARKS and centi == FULL_MARKS * 100
        )


class EvaluationModel(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$")
    scope: Literal["national", "local"]
    name: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    effective_from: date
    basis: str = Field(min_length=4)
    chosen: bool = Field(default=False, description="指标与权重为运营方设定，非法规规定")
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    disclosure: Literal["shared", "authorized", "subject_only"] = "shared"
    shared_with: list[str] = Field(default=["*"])
    indicators: list[Indicator] = Field(min_length=1)
    bands: list[Band] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def band(self, centi: int) -> Band:
        return next(b for b in self.bands if b.holds(centi))

    def sorted_bands(self) -> list[Band]:
        return sorted(self.bands, key=lambda b: -b.min)


def problems(
    model: EvaluationModel, items: frozenset[str], list_types: frozenset[str]
) -> list[tuple[KeyPath, str]]:
    """Everything wrong with a model that its shape does not show, each with the key path it is about."""
    found: list[tuple[KeyPath, str]] = []
    codes: set[str] = set()
    for i, indicator in enumerate(model.indicators):
        found.extend(
            ((("indicators", i, *path)), text) for path, text in _indicator(indicator, items, list_types)
        )
        if indicator.code in codes:
            found.append((("indicators", i, "code"), f"指标代码 {indicator.code} 重复"))
        codes.add(indicator.code)
    total = sum(i.weight for i in model.indicators)
    if total != TOTAL_WEIGHT:
        weights = "、".join(f"{i.code} {i.weight}" for i in model.indicators)
        found.append(
            (("indicators", 0, "weight"), f"指标权重合计应为 {TOTAL_WEIGHT}，实为 {total}（{weights}）")
        )
    found.extend(_bands(model.bands))
    return found


def _indicator(
    indicator: Indicator, items: frozenset[str], list_types: frozenset[str]
) -> list[tuple[KeyPath, str]]:
    wanted = {"category": "category", "severity": "severity", "item": "item", "list": None}
    found: list[tuple[KeyPath, str]] = []
    own = wanted[indicator.kind]
    for name in ("category", "severity", "item"):
        given = getattr(indicator, name) is not None
        if given != (name == own):
            verb = "须写明" if name == own else "不应写"
            found.append(((name if given else "kind",), f"{indicator.kind} 类指标{verb} {name}"))
    if indicator.kind == "list":
        if (indicator.list_kind is None) == (indicator.list_type is None):
            found.append((("kind",), "名单类指标须写明 list_kind（red 或 black）或 list_type 其中之一"))
        if indicator.window is not None:
            found.append((("window",), "名单类指标按评价日在册的名单计，不设回溯期 window"))
        if indicator.list_type is not None and indicator.list_type not in list_types:
            found.append(
                (
                    ("list_type",),
                    f"名单类型 {indicator.list_type!r} 不存在；可选：{'、'.join(sorted(list_types))}",
                )
            )
    else:
        for name in ("list_kind", "list_type"):
            if getattr(indicator, name) is not None:
                found.append(((name,), f"{indicator.kind} 类指标不应写 {name}"))
        if indicator.window is None:
            found.append((("kind",), "记录类指标须写明回溯期 window（如 P3Y）"))
    if indicator.item is not None and indicator.item not in items:
        found.append(
            (("item",), f"目录项 {indicator.item!r} 不在公共信用信息目录中；可选：{'、'.join(sorted(items))}")
        )
    lowest, highest = sorted((indicator.points(0), indicator.points(indicator.cap)))
    if lowest < 0 or highest > FULL_MARKS:
        found.append((("per",), f"得分 start + per × cap 应在 0–{FULL_MARKS} 之间，实为 {lowest}–{highest}"))
    return found


def _bands(bands: list[Band]) -> list[tuple[KeyPath, str]]:
    """The bands, sorted by ``min``, must run from 0 to 100 end to start: no gap, no overlap."""
    found: list[tuple[KeyPath, str]] = []
    grades: set[str] = set()
    order = sorted(range(len(bands)), key=lambda i: (bands[i].min, bands[i].max))
    reached = 0
    for i in order:
        band = bands[i]
        if band.grade in grades:
            found.append((("bands", i, "grade"), f"等级 {band.grade} 重复"))
        grades.add(band.grade)
        if band.max <= band.min:
            found.append(
                (("bands", i, "max"), f"等级 {band.grade} 的 max（{band.max}）应大于 min（{band.min}）")
            )
        if band.min > reached:
            found.append((("bands", i, "min"), f"等级分档缺漏：{reached}–{band.min} 分不属于任何等级"))
        elif band.min < reached:
            found.append(
                (
                    ("bands", i, "min"),
                    f"等级分档重叠：等级 {band.grade} 从 {band.min} 分起，与上一档（至 {reached} 分）重叠",
                )
            )
        if band.sampling_ratio > 1:
            found.append(
                (("bands", i, "sampling_ratio"), f"等级 {band.grade} 的抽查比例 {band.sampling_ratio} 大于 1")
            )
        reached = max(reached, band.max)
    if reached != FULL_MARKS and bands:
        last = order[-1]
        found.append((("bands", last, "max"), f"等级分档缺漏：{reached}–{FULL_MARKS} 分不属于任何等级"))
    return found
