"""Drawing a 双随机 inspection sample (random subjects, random inspectors) from the grades (EVA-2).

Per grade, the model's sampling ratio (or one the plan sets, never above 1) of the graded subjects is drawn,
rounded up so a grade with subjects and a ratio above nought is never skipped; each subject drawn gets
inspectors drawn from the pool, never the same one twice, at least two (JN 25(四), 28(四); CT 33(四), 35(二)).
Everything is drawn from one generator seeded with the plan's seed over inputs in a fixed order, so the
same seed and the same inputs give the same sample, and anyone can check a published plan by drawing again.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from xinyong.errors import XinyongError
from xinyong.evaluation.schema import EvaluationModel
from xinyong.rules import identifiers
from xinyong.subjects.service import key_of

MIN_INSPECTORS = 2  # 双随机: never one inspector alone


@dataclass(frozen=True)
class Inspector:
    id: str
    name: str


@dataclass(frozen=True)
class Request:
    """A plan's inputs: whom it may draw from (every graded subject, only some grades, or given codes), the
    inspector pool, ratios set for this plan, inspectors per subject, and the seed."""

    title: str
    seed: str
    inspectors: tuple[Inspector, ...]
    per_subject: int = MIN_INSPECTORS
    grades: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    ratios: dict[str, float] = field(default_factory=dict)

    def inputs(self, model: EvaluationModel) -> dict[str, Any]:
        return {
            "grades": list(self.grades),
            "codes": list(self.keys),
            "inspectors": [{"id": i.id, "name": i.name} for i in self.inspectors],
            "per_subject": self.per_subject,
            "ratios": {b.grade: self.ratio(b.grade, b.sampling_ratio) for b in model.sorted_bands()},
        }

    def ratio(self, grade: str, default: float) -> float:
        return self.ratios.get(grade, default)


@dataclass(frozen=True)
class Pick:
    subject_key: str
    grade: str
    frequency: int
    inspectors: tuple[str, ...]


def request(
    *,
    title: str,
    seed: str,
    inspectors: Sequence[str],
    per_subject: int = MIN_INSPECTORS,
    grades: Sequence[str] = (),
    codes: Sequence[str] = (),
    ratios: dict[str, float] | None = None,
    today: date,
) -> Request:
    """A plan's inputs from what a person typed: inspectors as ``ID 姓名`` lines, codes one per line, each
    refused with its line number when wrong."""
    if not title.strip():
        raise XinyongError("inspection.title_required", "请填写抽查计划名称", field="title")
    if not seed.strip() or len(seed.strip()) > 64:
        raise XinyongError("inspection.seed", "随机种子应为 1 至 64 个字符", field="seed")
    pool = tuple(_inspector(line, n) for n, line in enumerate(inspectors, start=1) if line.strip())
    keys = tuple(_key(code, n, today) for n, code in enumerate(codes, start=1) if code.strip())
    return Request(
        title.strip()[:200], seed.strip(), pool, per_subject, tuple(grades), keys, dict(ratios or {})
    )


def _inspector(line: str, row: int) -> Inspector:
    parts = line.strip().split(maxsplit=1)
    if len(parts) < 2 or len(parts[0]) > 32 or len(parts[1]) > 50:
        raise XinyongError(
            "inspection.inspector",
            f"检查人员第 {row} 行应为“执法证号 姓名”，实为“{line.strip()[:40]}”",
            field="inspectors",
            row=row,
        )
    return Inspector(parts[0], parts[1].strip())


def _key(code: str, row: int, today: date) -> str:
    try:
        return key_of(identifiers.validate(code.strip(), None, today=today))
    except XinyongError as exc:
        raise XinyongError(exc.code, f"抽查范围第 {row} 行：{exc.message}", field="codes", row=row) from exc


def _checked(request: Request, model: EvaluationModel) -> None:
    grades = {b.grade for b in model.bands}
    unknown = sorted((set(request.grades) | set(request.ratios)) - grades)
    if unknown:
        raise XinyongError(
            "inspection.grade",
            f"评价模型没有等级 {'、'.join(unknown)}；可选：{'、'.join(sorted(grades))}",
            field="grades",
        )
    for grade, ratio in request.ratios.items():
        if not 0 <= ratio <= 1:
            raise XinyongError(
                "inspection.ratio", f"等级 {grade} 的抽查比例 {ratio} 应在 0 到 1 之间", field="ratios"
            )
    if request.per_subject < MIN_INSPECTORS:
        raise XinyongError(
            "inspection.per_subject",
            f"每个抽查对象至少派 {MIN_INSPECTORS} 名检查人员，实为 {request.per_subject}",
            field="per_subject",
        )
    if not request.inspectors:
        raise XinyongError("inspection.no_inspectors", "检查人员名录为空", field="inspectors")
    ids = [i.id for i in request.inspectors]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise XinyongError(
            "inspection.inspector_twice", f"检查人员 {'、'.join(twice)} 重复列出", field="inspectors"
        )
    if len(ids) < request.per_subject:
        raise XinyongError(
            "inspection.too_few_inspectors",
            f"每个抽查对象需要 {request.per_subject} 名不同的检查人员，名录只有 {len(ids)} 名",
            field="inspectors",
        )


def draw(graded: Sequence[tuple[str, str]], model: EvaluationModel, request: Request) -> list[Pick]:
    """The sample: ``graded`` is (subject key, grade) in key order. Refuses inputs it cannot honour."""
    _checked(request, model)
    if request.grades:
        graded = [(key, grade) for key, grade in graded if grade in request.grades]
    if not graded:
        raise XinyongError("inspection.empty", "抽查范围内没有已评价的主体", field="codes")
    rng = random.Random(f"xinyong-inspection/{request.seed}")
    pool = [i.id for i in request.inspectors]
    picks: list[Pick] = []
    for band in sorted(model.bands, key=lambda b: b.grade):
        members = sorted(key for key, grade in graded if grade == band.grade)
        wanted = math.ceil(Decimal(str(request.ratio(band.grade, band.sampling_ratio))) * len(members))
        for key in sorted(rng.sample(members, wanted)):
            picks.append(Pick(key, band.grade, band.frequency, tuple(rng.sample(pool, request.per_subject))))
    return picks
