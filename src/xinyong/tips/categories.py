"""The matter categories a tip or complaint is filed under, each routed to its competent department (PUB-1).

The list ships in ``data/tips.toml``; a deployment replaces it whole with ``$XINYONG_DATA_DIR/tips.toml``
(``scope = "local"``) to name its own departments' organisation codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.reference import read_model

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "tips.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Category(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)
    name: str = Field(min_length=1)
    department: str = Field(min_length=1, description="主管部门（人读的名称）")
    org: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64, description="主管部门的机构代码")
    basis: str = Field(min_length=4)


class CategoriesFile(_Strict):
    scope: Literal["national", "local"]
    approved_by: str = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> CategoriesFile:
        codes = [c.code for c in self.categories]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"举报事项类别代码重复：{'、'.join(twice)}")
        return self


def categories(data_dir: Path) -> dict[str, Category]:
    """The deployment's own list when it has one, else the shipped one; by code, in file order."""
    local = data_dir / "tips.toml"
    path = local if local.is_file() else SHIPPED
    parsed, _ = read_model(path, CategoriesFile, code="tips", what="举报事项类别清单")
    return {c.code: c for c in parsed.categories}
