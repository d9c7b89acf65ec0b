"""The shape of a list-type file: red and black lists exist only with a legal basis and a determining
department (LIST-1). National types ship in ``data/lists/``; a deployment adds local ones in
``$XINYONG_DATA_DIR/lists/``, under the same rule."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.catalog.schema import SubjectKind
from xinyong.profiles.schema import Span

ListKind = Literal["red", "black"]
LIST_KIND_LABELS: dict[str, str] = {"red": "红名单", "black": "严重失信主体名单"}
# Where entries of a type come from: determined here, or received from the courts, the national platform
# or another region (LIST-10), in which case they are imported, not decided here.
ListSource = Literal["local", "court", "national", "region"]
BasisKind = Literal["law", "regulation", "national_document", "local_regulation"]
BASIS_KIND_LABELS: dict[str, str] = {
    "law": "法律",
    "regulation": "行政法规",
    "national_document": "党中央、国务院政策文件",
    "local_regulation": "地方性法规",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ListType(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    kind: ListKind
    legal_basis: str = Field(min_length=4, description="设立名单的法律、法规或者国家政策文件依据")
    basis_kind: BasisKind
    determining: str = Field(min_length=1, description="认定单位")
    determining_org_kinds: list[str] = Field(
        min_length=1, description="可以提出、认定或报送此类名单的机构类别（court、determining、platform …）"
    )
    source: ListSource = "local"
    item: str | None = Field(default=None, description="名单信息来自的目录项，如 court-dishonest-debtor")
    domain: str = Field(min_length=1)
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    conditions: str = Field(min_length=1, description="认定标准")
    removal_conditions: str = Field(min_length=1, description="移出条件和程序")
    reorganization_relief: bool = Field(
        default=False,
        description="纳税、金融类名单：破产重整企业的信用修复完成后一并移出（LN 39）",
    )
    term: Span | None = Field(default=None, description="有效期；为空时至移出之日")
    term_basis: str | None = None

    @model_validator(mode="after")
    def _term_has_basis(self) -> ListType:
        if self.term is not None and not self.term_basis:
            raise ValueError("名单有效期须写明依据（term_basis）")
        return self


class ListTypesFile(_Strict):
    scope: Literal["national", "local"]
    approved_by: str = Field(min_length=1)
    types: list[ListType] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> ListTypesFile:
        codes = [t.code for t in self.types]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"名单类型代码重复：{'、'.join(twice)}")
        return self
