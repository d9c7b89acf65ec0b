"""The shape of ``data/market.toml``: the fixed choices a consent to collect market credit information is
made of (MKT-1). Fixed lists, so no consent can say "any use" or "all information"."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from xinyong.reference import read_model

OPTIONS_FILE = Path(__file__).parent.parent / "data" / "market.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Choice(_Strict):
    label: str = Field(min_length=1)


class ConsentOptions(_Strict):
    kinds: dict[str, Choice] = Field(min_length=2, description="可采集的信息种类")
    uses: dict[str, Choice] = Field(min_length=1, description="信息用途")
    methods: dict[str, Choice] = Field(min_length=1, description="采集方式")
    told: dict[str, Choice] = Field(min_length=1, description="采集前须告知信用主体的事项（LN 14）")

    @staticmethod
    def labels(choices: dict[str, Choice]) -> dict[str, str]:
        return {code: choice.label for code, choice in choices.items()}


@lru_cache(maxsize=1)
def options() -> ConsentOptions:
    return read_model(OPTIONS_FILE, ConsentOptions, code="market", what="采集同意选项")[0]
