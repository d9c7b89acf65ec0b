"""The shape of a commitment-matter file: the matters for which a department accepts a credit commitment are
managed as a list (COM-1, CT 32). National matters ship in ``data/commitments/``; a deployment adds local
ones in ``$XINYONG_DATA_DIR/commitments/``, under the same rule."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CommitmentKind = Literal["notification", "tolerance", "voluntary", "repair", "industry"]
KIND_LABELS: dict[str, str] = {
    "notification": "告知承诺",
    "tolerance": "容缺受理承诺",
    "voluntary": "主动公开承诺",
    "repair": "信用修复承诺",
    "industry": "行业自律承诺",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Matter(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    kind: CommitmentKind
    department: str = Field(min_length=1, description="受理承诺、核查履约的部门")
    basis: str = Field(min_length=4, description="实行信用承诺的依据")


class MattersFile(_Strict):
    scope: Literal["national", "local"]
    approved_by: str = Field(min_length=1)
    matters: list[Matter] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> MattersFile:
        codes = [m.code for m in self.matters]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"承诺事项代码重复：{'、'.join(twice)}")
        return self
