"""The shape of a catalog file: a version of the public credit information catalog and its items (CAT-1..5).

The national base catalog ships in ``data/catalog/``; a deployment adds its local supplementary catalog in
``$XINYONG_DATA_DIR/catalog/``. Each file is one version: it takes effect on a date and names the body that
approved it; records keep the item of the version they were collected under.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.profiles.schema import Severity, Span

Category = Literal["basic", "positive", "negative", "other"]
CATEGORY_LABELS: dict[str, str] = {
    "basic": "基础信息",
    "positive": "正面信息",
    "negative": "负面（失信）信息",
    "other": "其他信息",
}
SubjectKind = Literal["legal_person", "unincorporated", "individual_business", "natural_person", "government"]
SUBJECT_KIND_LABELS: dict[str, str] = {
    "legal_person": "法人",
    "unincorporated": "非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
    "government": "政府机构",
}
Disclosure = Literal["public", "shared", "authorized"]
FieldType = Literal["text", "date", "decimal", "integer", "identifier", "choice"]
# CT 15 / LN 11: the only kinds of dishonesty a local supplementary catalog may add (CAT-4).
NegativeKind = Literal[
    "administrative_act",  # 行政处罚、行政强制、行政裁决等行政行为中反映违法失信的信息
    "false_commitment",  # 信用承诺中虚假承诺或者不履行承诺
    "fraud",  # 提供虚假材料、隐瞒事实真相、瞒报谎报等弄虚作假
    "professional_misconduct",  # 违反诚信执业相关规范造成不良影响
    "refusing_judgment",  # 拒不履行生效法律文书确定的义务
    "local_regulation",  # 本市（省）地方性法规规定的其他失信行为
]
NEGATIVE_KIND_LABELS: dict[str, str] = {
    "administrative_act": "行政行为中反映违法失信的信息",
    "false_commitment": "虚假承诺或者不履行承诺",
    "fraud": "弄虚作假",
    "professional_misconduct": "违反诚信执业规范",
    "refusing_judgment": "拒不履行生效法律文书确定的义务",
    "local_regulation": "地方性法规规定的其他失信行为",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ItemField(_Strict):
    """One field of an item: its code, Chinese label, type, and the column headers files may use for it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    type: FieldType
    required: bool = False
    max_length: int | None = Field(default=None, ge=1, le=100_000)
    choices: list[str] = []
    headers: list[str] = Field(default=[], description="文件列名及其常见变体（含旧模板代码，如 CF_WSH）")
    template: Literal["both", "current"] = Field(
        default="both", description="current：现行双公示模板新增的列，旧模板文件不要求此列"
    )
    mask: Literal["person_name", "citizen_id", "phone", "address"] | None = Field(
        default=None,
        description="公开时的脱敏方式（DATA-3）：person_name 仅当信用主体为自然人时遮盖；其余总是遮盖",
    )
    not_before: str | None = Field(
        default=None, description="此日期不得早于的另一日期字段，如有效期不早于决定日期"
    )


class DocumentSpec(_Strict):
    """The document a record rests on (ING-2): its kind, and which fields hold its number and date."""

    type: str = Field(min_length=1)
    number_field: str
    date_field: str


class Item(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    category: Category
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    disclosure: Disclosure
    shared_with: list[str] = Field(default=[], description="共享给哪些部门（机构代码）；* 为全部部门")
    public_period: Span | Literal["profile"] | None = Field(
        default=None, description="公示期限；profile 为按辖区配置计算；不公开的信息为空"
    )
    retention: Span | Literal["profile"] = "profile"
    update_cycle: str = Field(min_length=1)
    update_days: Annotated[int, Field(ge=1, le=250)] | Literal["profile"] | None = Field(
        default=None,
        description=(
            "报送时限：自文书日期（document.date_field，无文书时 decision_date）起多少个工作日内到达平台；"
            "profile 为辖区配置的“双公示”时限（ING-8）；为空则不计时（RPT-1）"
        ),
    )
    providers: list[str] = Field(min_length=1, description="信息提供单位（机构代码或类别）")
    use_scope: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)
    negative_kind: NegativeKind | None = None
    document: DocumentSpec | None = None
    severity: Severity | None = Field(
        default=None, description="此类信息的失信程度由其法定性质确定时写明（如失信被执行人为严重失信）"
    )
    masked_ids: bool = Field(
        default=False,
        description="接收公开来源中已脱敏的身份证号码（如法院公布的失信被执行人名单）；此类记录只作可能匹配",
    )
    self_declared: bool = Field(
        default=False,
        description="信用主体自行申报的信息（MKT-2）：凡显示之处均标明“主体自行申报，申报人对其真实性负责”",
    )
    fields: list[ItemField] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Item:
        if self.category == "negative" and self.negative_kind is None:
            raise ValueError("失信信息须写明失信行为类别（negative_kind）")
        if self.category != "negative" and (self.negative_kind is not None or self.severity is not None):
            raise ValueError("只有失信信息有失信行为类别")
        if self.disclosure == "public" and self.public_period is None:
            raise ValueError("公开的信息须写明公示期限（public_period，可为 profile）")
        names = [f.name for f in self.fields]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"字段重复：{'、'.join(twice)}")
        if self.category == "negative" and self.document is None:
            raise ValueError(
                "失信信息须以具有法律效力的文书为依据：写明 document（文书种类、文号、日期字段）"
            )
        if self.document is not None:
            for name in (self.document.number_field, self.document.date_field):
                if name not in names:
                    raise ValueError(f"document 引用了不存在的字段 {name}")
        dates = {f.name for f in self.fields if f.type == "date"}
        timed_from = self.document.date_field if self.document else "decision_date"
        if self.update_days is not None and timed_from not in dates:
            raise ValueError(f"update_days 自日期字段 {timed_from} 起算，但此目录项没有这个日期字段")
        for item_field in self.fields:
            if item_field.not_before is not None and not {item_field.name, item_field.not_before} <= dates:
                raise ValueError(
                    f"{item_field.name} 的 not_before 须在两个日期字段之间（{item_field.not_before}）"
                )
        return self


class CatalogFile(_Strict):
    """One version of a catalog, national or local."""

    scope: Literal["national", "market", "local"]
    version: str = Field(min_length=1, max_length=64)
    effective_from: date
    approved_by: str = Field(min_length=1)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> CatalogFile:
        codes = [i.code for i in self.items]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"目录项代码重复：{'、'.join(twice)}")
        return self
