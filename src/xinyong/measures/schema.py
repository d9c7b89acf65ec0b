"""The shape of a measure-list file (MEA-1..5): every reward or punishment the platform can name, with the
matter, the target, the means, who implements it, on which basis, for which list types and in which
checking scenarios. National base measures ship in ``data/measures/``; local supplements live in
``$XINYONG_DATA_DIR/measures/`` and may only add punishments of the kinds CT 35 allows (MEA-2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MeasureKind = Literal["reward", "punishment"]
MEASURE_KIND_LABELS: dict[str, str] = {"reward": "激励措施", "punishment": "惩戒措施"}
# Whom a measure reaches: the listed subject only, or also the responsible persons of an organisation where
# the law provides (LIST-6, MEA-5). Never anybody else.
Target = Literal["subject", "subject_and_responsible"]
TARGET_LABELS: dict[str, str] = {"subject": "名单主体", "subject_and_responsible": "名单主体及其责任人员"}
# CT 35: the only kinds of local supplementary punishment.
LocalKind = Literal[
    "restrict_convenience",  # 限制享受便利化措施
    "key_supervision",  # 列为重点监管对象，提高抽查比例和频次
    "restrict_subsidy",  # 限制申请财政性资金项目、补贴
    "lower_trading_grade",  # 降低公共资源交易信用等级
    "restrict_deposit",  # 限制或者提高政府投资项目保证金
    "restrict_award",  # 限制参加评先评优
    "cancel_subsidy",  # 取消已享受的补贴
    "revoke_honour",  # 撤销荣誉称号
    "local_regulation",  # 地方性法规规定的其他措施
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Measure(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    kind: MeasureKind
    matter: str = Field(min_length=1, description="措施事项")
    target: Target
    means: str = Field(min_length=1, description="措施内容")
    implementing: str = Field(min_length=1, description="实施部门")
    duty: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="实施职责代码；部署时指定哪些机构承担（measures assign）"
    )
    initiating: str = Field(min_length=1, description="发起部门")
    legal_basis: str = Field(min_length=4)
    sharing: str = Field(min_length=1, description="信息共享方式")
    list_types: list[str] = Field(min_length=1, description="适用的名单类型")
    scenarios: list[str] = Field(min_length=1, description="在哪些信用审查场景中适用")
    local_kind: LocalKind | None = Field(default=None, description="地方补充惩戒措施的种类（CT 35）")


class MeasuresFile(_Strict):
    scope: Literal["national", "local"]
    approved_by: str = Field(min_length=1)
    scenarios: dict[str, str] = Field(default={}, description="信用审查场景：代码 → 名称")
    measures: list[Measure] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> MeasuresFile:
        codes = [m.code for m in self.measures]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"措施代码重复：{'、'.join(twice)}")
        if self.scope == "local":
            loose = [m.code for m in self.measures if m.kind == "punishment" and m.local_kind is None]
            if loose:
                raise ValueError(f"地方补充惩戒措施须属于规定的种类（local_kind）：{'、'.join(loose)}")
        return self
